"""``seed_demo`` fills the public services: an application waiting in each role's queue, an
overdue one, a completed one with a signed result and a refused one with a signed motivated
refusal (SVC-03, SVC-04, SVC-05) — and a second run creates nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from labormarket.accounts.models import User
from labormarket.core.models import StoredSignature
from labormarket.notifications.models import Notification
from labormarket.services import selectors
from labormarket.services.choices import (
    ApplicationStatus,
    DocumentStatus,
    ResultKind,
    StepAction,
    StepStatus,
)
from labormarket.services.models import Application, ResultDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.DEMO_PASSWORD = "Demo-password-2026"
    settings.VAR_DIR = tmp_path
    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": tmp_path / "pki"}
    return settings


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--persons", "60", stdout=out)
    return out.getvalue()


def by_key() -> dict[str, Application]:
    return {a.form_data["demo"]: a for a in Application.objects.filter(form_data__has_key="demo")}


def open_action(application: Application) -> tuple[str, str, str | None]:
    step = application.steps.select_related("regulation_step", "assignee").get(
        status=StepStatus.OPEN
    )
    return (
        step.regulation_step.action,
        step.regulation_step.role,
        step.assignee.username if step.assignee else None,
    )


def queue_keys(username: str) -> set[str]:
    user = User.objects.get(username=username)
    return {s.application.form_data["demo"] for s in selectors.open_steps_for(user)}


def test_svc_03_svc_04_the_demo_applications_and_a_second_run(demo_settings):
    output = seed()
    assert "Public services\n  applications created    8  existing    0" in output
    apps = by_key()
    assert sorted(apps) == [
        "akm-sector-head-approve",
        "citizen-refused",
        "kar-clerk-issue",
        "kar-completed",
        "kar-head-assign",
        "kar-head-sign",
        "kar-overdue",
        "kar-specialist-draft",
    ]

    # Every role's queue has something (SVC-03).
    assert open_action(apps["kar-head-assign"]) == (StepAction.ASSIGN, "centre_head", None)
    assert open_action(apps["kar-specialist-draft"]) == (
        StepAction.DRAFT,
        "specialist",
        "kar.specialist",
    )
    assert open_action(apps["kar-head-sign"]) == (StepAction.SIGN, "centre_head", None)
    assert open_action(apps["kar-clerk-issue"]) == (StepAction.ISSUE, "clerk", None)
    assert open_action(apps["akm-sector-head-approve"]) == (StepAction.APPROVE, "sector_head", None)
    assert queue_keys("kar.head") == {"kar-head-assign", "kar-head-sign"}
    assert queue_keys("kar.specialist") == {"kar-specialist-draft", "kar-overdue"}
    assert queue_keys("kar.clerk") == {"kar-clerk-issue"}
    assert queue_keys("akm.sector_head") == {"akm-sector-head-approve"}

    # The overdue one: the head sees it late, and nobody has been told yet (the task does it).
    steps, _applications = selectors.overdue_for_head(User.objects.get(username="kar.head"))
    assert [s.application.form_data["demo"] for s in steps] == ["kar-overdue"]
    assert steps[0].overdue_notified_at is None

    # The completed one: a signed, verifiable result.
    completed = apps["kar-completed"]
    assert completed.status == ApplicationStatus.COMPLETED
    result = ResultDocument.objects.get(application=completed)
    assert (result.kind, result.status, result.signature.valid) == (
        ResultKind.JOB_SEEKER_NOTIFICATION,
        DocumentStatus.SIGNED,
        True,
    )
    assert Client().get(f"/verify/{result.verification_token}/").status_code == 200

    # The refused one: the citizen's portal request, with the signed refusal in the cabinet.
    refused = apps["citizen-refused"]
    assert (refused.status, refused.channel.channel) == (ApplicationStatus.REFUSED, "portal")
    refusal = ResultDocument.objects.get(application=refused, kind=ResultKind.REFUSAL)
    assert (refusal.status, refusal.signature.valid, refusal.signed_by.username) == (
        DocumentStatus.SIGNED,
        True,
        "kar.head",
    )
    assert Client().get(f"/verify/{refusal.verification_token}/").status_code == 200
    assert (
        Notification.objects.filter(
            person=refused.person, kind="service_refusal", channel="cabinet"
        ).count()
        == 1
    )
    citizen = Client()
    citizen.force_login(User.objects.get(username="citizen"))
    assert f"/services/applications/{refused.pk}/refusal.pdf" in (
        citizen.get("/cabinet/services/").content.decode()
    )

    counts = (
        Application.objects.count(),
        ResultDocument.objects.count(),
        StoredSignature.objects.count(),
        Notification.objects.count(),
    )
    again = seed()
    assert "Public services\n  applications created    0  existing    8" in again
    assert (
        Application.objects.count(),
        ResultDocument.objects.count(),
        StoredSignature.objects.count(),
        Notification.objects.count(),
    ) == counts
