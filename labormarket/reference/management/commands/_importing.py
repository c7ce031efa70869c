"""What the import commands share: arguments, error reporting and the summary line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labormarket.reference.errors import ImportRejected
from labormarket.reference.services import ImportReport


class ImportCommand(BaseCommand):
    """Runs one import service on a CSV or XLSX file and prints what it did."""

    what = "entries"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or XLSX file")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Leave out bad rows (listed) and import the rest; default: import nothing.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, then write nothing."
        )

    def run_import(self, service: Callable[..., ImportReport], options: dict[str, Any]) -> None:
        try:
            report = service(
                path=options["file"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except ImportRejected as error:
            lines = "\n".join(f"  {row_error}" for row_error in error.row_errors)
            summary = f"{options['file']}: not imported, nothing was written."
            message = f"{summary}\n{lines}" if lines else f"{summary} {error.message}"
            raise CommandError(message) from error
        for row_error in report.errors:
            self.stderr.write(f"skipped {row_error}")
        prefix = "Dry run, nothing written: would have " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}{self.what}: created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, skipped {report.skipped}"
        )
