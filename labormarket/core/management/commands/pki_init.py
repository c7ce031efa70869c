"""``manage.py pki_init``: the test PKI in ``var/pki/`` with a signing key for every demo user."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Prefetch, Q

from labormarket.core.iin import mask_iin
from labormarket.core.signatures.conf import pki_directory
from labormarket.core.signatures.pki import (
    DEMO_PKCS12_PASSWORD,
    PEOPLE_DIR,
    REVOKED_DEMO,
    TestSubject,
    load_people,
    make_test_pki,
)


def demo_subjects() -> list[TestSubject]:
    """One subject per user with an IIN (their own, or their person's in the registry).

    A user who works for an organisation gets an employee certificate of it (``OU=BIN…``), as
    НУЦ РК issues to a legal entity's staff; a citizen gets a personal one.
    """
    from labormarket.accounts.models import Membership, User

    users = (
        User.objects.filter((Q(iin__isnull=False) & ~Q(iin="")) | Q(person__isnull=False))
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(is_active=True)
                .select_related("organisation")
                .order_by("pk"),
                to_attr="active_memberships",
            )
        )
        .order_by("username")
    )
    subjects = []
    for user in users:
        person = getattr(user, "person", None)
        iin = user.iin or (person.iin if person is not None else "")
        if not iin:
            continue
        memberships = getattr(user, "active_memberships", [])
        organisation = memberships[0].organisation if memberships else None
        subjects.append(
            TestSubject(
                key=_file_key(user.username),
                iin=iin,
                surname=user.last_name or (person.last_name if person else "") or user.username,
                given_name=user.first_name or (person.first_name if person else ""),
                patronymic=user.middle_name or (person.middle_name if person else ""),
                bin=organisation.bin if organisation else None,
                org=organisation.name if organisation else None,
            )
        )
    return subjects


def _file_key(username: str) -> str:
    key = re.sub(r"[^A-Za-z0-9._-]", "_", username).lstrip("._-") or "user"
    return key[:100]


class Command(BaseCommand):
    help = (
        "Create the test PKI (root CA, intermediate CA, CRLs with one revoked demo certificate) "
        "and a signing key (PEM + PKCS#12) for every user with an IIN. Running it again keeps "
        "the PKI and adds only what is missing; --force starts from scratch. Test keys only: "
        "never a trust root in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            dest="directory",
            default=None,
            help="Where the PKI lives (default: SIGNATURES['PKI_DIR'], i.e. var/pki).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Delete the existing test PKI and make a new one."
        )
        parser.add_argument(
            "--key-type",
            choices=["rsa", "ecdsa"],
            default="rsa",
            help="Key algorithm of new keys: RSA 2048 (default) or ECDSA P-256.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"]) if options["directory"] else pki_directory()
        before = (
            {
                key: person.certificate.serial_number
                for key, person in load_people(directory).items()
            }
            if (directory / PEOPLE_DIR).is_dir() and not options["force"]
            else {}
        )
        subjects = demo_subjects()
        pki = make_test_pki(
            directory, subjects, key_type=options["key_type"], force=options["force"]
        )
        self.stdout.write(f"Test PKI in {directory} (NOT FOR PRODUCTION)")
        self.stdout.write(f"  root CA       {pki.root.certificate.subject.rfc4514_string()}")
        self.stdout.write(
            f"  issuing CA    {pki.intermediate.certificate.subject.rfc4514_string()}"
        )
        self.stdout.write(f"  PKCS#12 password for every key: {DEMO_PKCS12_PASSWORD}")
        for subject in [*subjects, REVOKED_DEMO]:
            issued = pki.people[subject.key]
            state = (
                "kept" if before.get(subject.key) == issued.certificate.serial_number else "issued"
            )
            extra = f"  BIN {subject.bin}" if subject.bin else ""
            revoked = "  (revoked in the CRL)" if subject.key == REVOKED_DEMO.key else ""
            self.stdout.write(
                f"  {state:<7} {subject.key:<24} IIN {mask_iin(subject.iin)}{extra}{revoked}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"{len(subjects)} users; keys in {directory / PEOPLE_DIR}")
        )
