"""``manage.py load_reference``: upsert the bundled classifiers and parameters."""

from typing import Any

from django.core.management.base import BaseCommand

from labormarket.reference.loader import load_reference_data


class Command(BaseCommand):
    help = (
        "Load the bundled reference data (regions, KATO units, ISCO-08 occupations, "
        "classifiers, MRP and minimum wage). Safe to run again: entries are matched by code."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_reference_data()
        width = max(len(name) for name in counts)
        self.stdout.write("Reference data loaded:")
        for name, count in counts.items():
            self.stdout.write(f"  {name.replace('_', ' '):<{width}}  {count}")
