"""``manage.py seed_demo``: idempotent demo organisations, logins and persons."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labormarket.accounts.demo import (
    DEFAULT_PERSONS,
    MAX_PERSONS,
    DemoDataError,
    format_report,
    seed_demo,
)


class Command(BaseCommand):
    help = (
        "Load the demo data: employment-service organisations in Karaganda, Akmola and Astana, "
        "agencies and employers, one login per role, N persons, and a few public-service "
        "applications at each step. Running it again creates and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--persons",
            type=int,
            default=DEFAULT_PERSONS,
            help=f"How many registry persons to create (0-{MAX_PERSONS}, default {DEFAULT_PERSONS}).",
        )
        parser.add_argument(
            "--cabinets",
            action="store_true",
            help="Only certify the demo agencies' outsourcing cabinets with their managers' EDS "
            "from the test PKI (run after `manage.py pki_init`) and file their qualification "
            "documents; nothing else is loaded.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cabinets"]:
            from labormarket.outsourcing.demo import format_report as outsourcing_report
            from labormarket.outsourcing.demo import seed_outsourcing_cabinets

            self.stdout.write(
                outsourcing_report("Outsourcing cabinets", seed_outsourcing_cabinets())
            )
            return
        try:
            report = seed_demo(persons=options["persons"])
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(format_report(report))
        # The public-services demo applications stand on the centres, logins and persons; they
        # come before the exchange's, whose CVs follow who is registered as a job seeker.
        from labormarket.services.demo import seed_services_demo

        applications = seed_services_demo()
        self.stdout.write("\nPublic services")
        self.stdout.write(
            f"  applications created {len(applications.created):>4}"
            f"  existing {len(applications.existing):>4}"
        )
        for skipped in applications.skipped:
            self.stdout.write(f"  skipped: {skipped}")
        # The exchange's demo rows stand on the organisations, users and persons above.
        from labormarket.exchange.demo import seed_exchange_demo

        exchange = seed_exchange_demo()
        self.stdout.write("\nExchange")
        for label, counts in exchange.counts.items():
            self.stdout.write(
                f"  {label:<12} created {counts['created']:>4}  existing {counts['existing']:>4}"
            )
        # The outsourcing marketplace stands on the CLM, its staff and the unemployed above.
        from labormarket.outsourcing.demo import format_report as outsourcing_report
        from labormarket.outsourcing.demo import seed_outsourcing_demo

        self.stdout.write("\n" + outsourcing_report("Outsourcing", seed_outsourcing_demo()))
