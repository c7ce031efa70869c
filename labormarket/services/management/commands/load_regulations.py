"""``manage.py load_regulations [DIR]``: load the service regulations (YAML) into the database."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labormarket.services.loader import REGULATIONS_DIR, RegulationError, load_regulations


class Command(BaseCommand):
    help = (
        "Load the public-service regulations from YAML (default: labormarket/services/"
        "regulations/). Idempotent; every file is checked before any is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", type=Path, default=REGULATIONS_DIR)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_regulations(options["directory"])
        except RegulationError as error:
            raise CommandError(str(error)) from error
        for label, names in (
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
        ):
            for name in names:
                self.stdout.write(f"  {label:<9} {name}")
        self.stdout.write(
            f"Regulations: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged."
        )
