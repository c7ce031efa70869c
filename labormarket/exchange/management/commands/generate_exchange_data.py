"""``manage.py generate_exchange_data --vacancies N --cvs M [--seed S] [--reset]``.

A national-scale synthetic data set for the benchmark: see :mod:`labormarket.exchange.benchdata`
for what it makes, how generated rows are marked, and why it bypasses the services (bulk inserts,
no signals, no audit entries — never run it on a production database).
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from labormarket.exchange import benchdata


class Command(BaseCommand):
    help = (
        "Generate synthetic employers, vacancies, job seekers and CVs for the benchmark, up to "
        "the numbers given (rows generated earlier are kept; --reset deletes them first). "
        "Writes the tables directly, bypassing the services: for benchmark databases only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vacancies", type=int, default=200_000)
        parser.add_argument("--cvs", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--batch-size", type=int, default=benchdata.BATCH_SIZE)
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="Processes making and writing batches (default 2; 1 for no subprocesses).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete previously generated rows first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] >= 2
        if options["reset"]:
            started = time.perf_counter()
            deleted = benchdata.reset()
            summary = ", ".join(f"{label} {count}" for label, count in deleted.items())
            self.stdout.write(
                f"Deleted generated rows in {time.perf_counter() - started:.1f} s: {summary}"
            )
        load = os.getloadavg()
        report = benchdata.generate(
            vacancies=options["vacancies"],
            cvs=options["cvs"],
            seed=options["seed"],
            batch_size=options["batch_size"],
            workers=options["workers"],
            progress=self.stdout.write if verbose else None,
        )
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.seconds.items())
        self.stdout.write(
            f"Created {report.employers} employers, {report.vacancies} vacancies, "
            f"{report.persons} persons, {report.cvs} CVs in {report.total_seconds:.1f} s ({parts})."
        )
        totals = ", ".join(f"{name} {count}" for name, count in report.totals.items())
        self.stdout.write(f"Generated data now: {totals}.")
        if report.vacancies or report.cvs:
            # The benchmark report shows how long the data set took to make.
            benchdata.save_generation_record(
                benchdata.generation_record(report, workers=options["workers"], load_before=load)
            )
