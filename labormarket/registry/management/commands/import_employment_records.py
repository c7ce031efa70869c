"""manage.py import_employment_records FILE — apply an extract of the register of employment
contracts (OUT-18, OUT-23, OUT-24)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labormarket.core.errors import ApplicationError, ValidationFailed
from labormarket.registry.employment import import_employment_records


class Command(BaseCommand):
    help = "Create and update persons' employment contracts from a register extract."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="CSV with columns iin,employer_bin,started_on,ended_on"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = import_employment_records(path)
        except ValidationFailed as error:
            lines = [item.message for items in error.fields.values() for item in items]
            raise CommandError(
                "The file was refused, nothing changed:\n" + "\n".join(lines)
            ) from error
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
        if result.skipped_duplicate_file:
            self.stdout.write("This file has already been imported; nothing changed.")
            return
        self.stdout.write(
            f"rows {result.rows}; created {result.created}; updated {result.updated}; "
            f"unchanged {result.unchanged}; rows of unknown persons {result.unknown_persons}"
        )
