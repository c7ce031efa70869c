"""``manage.py import_occupations FILE``: load the official NKZ occupation file (CSV or XLSX)."""

from typing import Any

from labormarket.reference.services import occupation_import

from ._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import the national occupation classifier (NKZ): code, Russian name and optionally "
        "the Kazakh name. Codes of 1-4 digits are ISCO-08 groups; longer codes are occupations "
        "under their first four digits. All-or-nothing unless --skip-invalid."
    )
    what = "occupations"

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_import(occupation_import, options)
