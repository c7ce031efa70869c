"""``manage.py import_kato FILE``: load the official KATO classifier (CSV or XLSX)."""

from typing import Any

from labormarket.reference.services import kato_import

from ._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import the official KATO file (columns te, ab, cd, ef, hij, k, kaz_name, rus_name) or "
        "a file with code, level, parent_code, name_ru, name_kk, name_en. Region rows update "
        "the region names. All-or-nothing unless --skip-invalid."
    )
    what = "KATO"

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_import(kato_import, options)
