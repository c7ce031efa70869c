"""manage.py import_contributions FILE — apply a pension-contributions extract (PRG-69)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labormarket.core.errors import ValidationFailed
from labormarket.exchange.contributions import import_contributions


class Command(BaseCommand):
    help = "Deregister job seekers and unemployed persons for whom contributions were paid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV with columns iin,period,employer_bin")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = import_contributions(content=path.read_bytes(), file_name=path.name)
        except ValidationFailed as error:
            lines = [item.message for items in error.fields.values() for item in items]
            raise CommandError(
                "The file was refused, nothing changed:\n" + "\n".join(lines)
            ) from error
        if result.skipped_duplicate_file:
            self.stdout.write("This file has already been imported; nothing changed.")
            return
        self.stdout.write(
            f"rows {result.rows}; persons found {result.persons_found}; "
            f"deregistered {result.deregistered}; already not registered {result.not_registered}; "
            f"unknown IINs {result.unknown_persons}"
        )
