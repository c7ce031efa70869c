"""``seed_demo`` fills the outsourcing marketplace of the Karaganda CLM — categories (OUT-02),
Appendix 1 consents (OUT-05), lots that keep OUT-06, the week's announcement published (OUT-01)
— and ``seed_demo --cabinets`` certifies the demo agencies' cabinets with EDS (OUT-04) and files
their documents (OUT-08); a second run of either creates nothing."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from labormarket.accounts.models import User
from labormarket.outsourcing.choices import AnnouncementStatus, LotStatus
from labormarket.outsourcing.models import (
    AgencyCabinet,
    Announcement,
    CategoryAssignment,
    Lot,
    LotMember,
    QualificationDocument,
)
from labormarket.registry.choices import ConsentPurpose
from labormarket.registry.models import Consent

from .conftest import WEDNESDAY, at

pytestmark = pytest.mark.django_db

#: The following Monday: the announced selection day.
MONDAY = date(2026, 12, 7)


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.DEMO_PASSWORD = "Demo-password-2026"
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": tmp_path / "pki"}
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
    return settings


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "categories": CategoryAssignment.objects.count(),
        "consents": Consent.objects.filter(purpose=ConsentPurpose.OUTSOURCING).count(),
        "lots": Lot.objects.count(),
        "members": LotMember.objects.count(),
        "announcements": Announcement.objects.count(),
        "cabinets": AgencyCabinet.objects.count(),
        "documents": QualificationDocument.objects.count(),
    }


def test_out_01_out_05_out_06_the_demo_marketplace_and_second_runs(demo_settings):
    with time_machine.travel(at(WEDNESDAY, 10), tick=False):
        output = seed("--persons", "60")
        assert "\nOutsourcing\n" in output
        first = counts()
        assert first["categories"] >= 1
        assert first["lots"] >= 1
        assert first["cabinets"] == 0

        # OUT-02, OUT-05, OUT-06: every lot keeps the rules.
        assert set(CategoryAssignment.objects.values_list("category", flat=True)) <= {1, 2, 3}
        for lot in Lot.objects.prefetch_related("members"):
            members = list(lot.members.all())
            assert 1 <= len(members) <= 30
            assert sum(1 for m in members if m.category in (2, 3)) * 100 >= 30 * len(members)
            for member in members:
                assert member.consent.purpose == ConsentPurpose.OUTSOURCING
            assert (lot.status, lot.selection_day) == (LotStatus.OPEN, MONDAY)

        # OUT-01: the week's announcement is published with the lots.
        announcement = Announcement.objects.get()
        assert (announcement.status, announcement.selection_day) == (
            AnnouncementStatus.PUBLISHED,
            MONDAY,
        )
        assert set(announcement.lots.all()) == set(Lot.objects.all())
        assert announcement.contents["lots_count"] == first["lots"]

        again = seed("--persons", "60")
        assert counts() == first
        outsourcing = again.split("\nOutsourcing\n", 1)[1]
        assert "created    1" not in outsourcing
        assert all(
            " created    0 " in line for line in outsourcing.splitlines() if "created" in line
        )

        # OUT-04, OUT-08: the cabinets, after pki_init as `make run` does.
        call_command("pki_init", stdout=StringIO())
        cabinets = seed("--cabinets")
        assert "cabinets                 created    3  existing    0" in cabinets
        assert AgencyCabinet.objects.count() == 3
        assert QualificationDocument.objects.count() == 9
        for cabinet in AgencyCabinet.objects.select_related("signature", "agency"):
            assert cabinet.signature.valid
            assert cabinet.signature.signer_bin == cabinet.agency.bin
        after_cabinets = counts()
        assert "created    0  existing    3" in seed("--cabinets")
        assert counts() == after_cabinets

        # The CLM's specialist sees the marketplace.
        client = Client()
        client.force_login(User.objects.get(username="kar.clm_specialist"))
        dashboard = client.get(reverse("outsourcing_clm:dashboard"))
        assert dashboard.status_code == 200
        assert dashboard.context["announcement"] == announcement
        lots = client.get(reverse("outsourcing_clm:lots"))
        assert {lot.pk for lot in lots.context["lots"]} == set(
            Lot.objects.values_list("pk", flat=True)
        )


def test_the_demo_without_persons_skips_the_lots(demo_settings):
    with time_machine.travel(at(WEDNESDAY, 10), tick=False):
        output = seed("--persons", "0")
    assert "skipped: lots: no registered unemployed demo people" in output
    assert Lot.objects.count() == 0
    assert Announcement.objects.get().status == AnnouncementStatus.DRAFT
