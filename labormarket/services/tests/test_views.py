"""The public-services pages: queue, application page and its step forms, head's overdue view,
citizen's cabinet and portal request, public verification page."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import KARAGANDA, PASSWORD, user_with_role
from labormarket.services import services
from labormarket.services.choices import ApplicationStatus, DocumentStatus, ServiceCode
from labormarket.services.models import Application, ResultDocument

from .conftest import make_centre

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def registered(centre, person):
    return services.application_register_office(
        actor=centre.clerk,
        centre_id=centre.organisation.pk,
        person_id=person.pk,
        service=ServiceCode.JOB_SEEKER_REGISTRATION,
    )


def test_office_journey_through_the_pages(client, karaganda, person, sign):
    login(client, karaganda.clerk)
    response = client.post(
        reverse("services:application_new"),
        {
            "centre": karaganda.organisation.pk,
            "service": ServiceCode.JOB_SEEKER_REGISTRATION,
            "iin": person.iin,
        },
    )
    application = Application.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("services:application", args=[application.pk])

    login(client, karaganda.head)
    page = client.get(reverse("services:application", args=[application.pk]))
    assert page.status_code == 200
    assert "Исполнителева" in page.content.decode()  # the executor to choose
    client.post(
        reverse("services:step_action", args=[application.pk, "assign"]),
        {"executor": karaganda.specialist.pk},
    )
    login(client, karaganda.specialist)
    client.post(reverse("services:step_action", args=[application.pk, "draft"]), {})
    document = ResultDocument.objects.get(application=application)

    login(client, karaganda.head)
    data = client.get(reverse("services:signing_bytes", args=[application.pk])).json()
    assert base64.b64decode(data["data"]) == bytes(document.pdf)
    cms = sign(karaganda.head, base64.b64decode(data["data"]))
    response = client.post(
        reverse("services:step_action", args=[application.pk, "sign"]),
        {"cms": base64.b64encode(cms).decode()},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.SIGNED

    login(client, karaganda.clerk)
    client.post(reverse("services:step_action", args=[application.pk, "issue"]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    pdf = client.get(reverse("services:document_pdf", args=[application.pk]))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")

    verify = client.get(reverse("services:verify", args=[document.verification_token]))
    text = verify.content.decode()
    assert verify.status_code == 200
    assert person.iin not in text
    assert document.pdf_sha256 in text


def test_a_malformed_iin_is_named_on_the_form_and_nothing_is_written(client, karaganda):
    login(client, karaganda.clerk)
    response = client.post(
        reverse("services:application_new"),
        {
            "centre": karaganda.organisation.pk,
            "service": ServiceCode.JOB_SEEKER_REGISTRATION,
            "iin": "123456789012",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["iin"]
    assert Application.objects.count() == 0


def test_svc_22_page_shows_the_rule_when_the_person_is_not_a_job_seeker(client, karaganda, person):
    login(client, karaganda.clerk)
    response = client.post(
        reverse("services:application_new"),
        {
            "centre": karaganda.organisation.pk,
            "service": ServiceCode.UNEMPLOYED_REGISTRATION,
            "iin": person.iin,
        },
        follow=True,
    )
    assert "SVC-22" in response.content.decode()
    assert Application.objects.count() == 0


def test_a_step_by_the_wrong_role_through_the_page_changes_nothing(client, karaganda, person):
    application = registered(karaganda, person)
    login(client, karaganda.clerk)
    response = client.post(
        reverse("services:step_action", args=[application.pk, "assign"]),
        {"executor": karaganda.specialist.pk},
        follow=True,
    )
    assert "SVC-03" in response.content.decode()
    assert application.steps.filter(status="open").get().position == 2


def test_queue_lists_the_roles_open_steps(client, karaganda, person):
    application = registered(karaganda, person)
    login(client, karaganda.head)
    page = client.get(reverse("services:queue"))
    assert page.status_code == 200
    assert [s.application_id for s in page.context["steps"]] == [application.pk]
    login(client, karaganda.specialist)
    assert list(client.get(reverse("services:queue")).context["steps"]) == []


def test_svc_03_overdue_view_of_the_head_on_frozen_time(client, karaganda, person):
    # Registered on Thursday 20 March 2025 at 18:25, before Nauryz (21-25 March are days off):
    # the head's 2 minutes run out at 18:27; the 10-minute term on Wednesday 26 March at 9:05.
    with time_machine.travel("2025-03-20 18:25 +05:00", tick=False):
        application = registered(karaganda, person)
    step = application.steps.get(status="open")
    assert step.due_at == datetime(2025, 3, 20, 18, 27, tzinfo=ALMATY)
    login(client, karaganda.head)
    with time_machine.travel("2025-03-20 18:26 +05:00", tick=False):
        assert list(client.get(reverse("services:overdue")).context["steps"]) == []
    with time_machine.travel("2025-03-26 09:00 +05:00", tick=False):
        steps = list(client.get(reverse("services:overdue")).context["steps"])
        assert [s.pk for s in steps] == [step.pk]
        applications = list(client.get(reverse("services:overdue")).context["applications"])
        # Term 10 working minutes from 18:25 on Thursday: 5 minutes that day, 5 on Wednesday.
        assert application.due_at == datetime(2025, 3, 26, 9, 5, tzinfo=ALMATY)
        assert applications == []
    with time_machine.travel("2025-03-26 09:06 +05:00", tick=False):
        applications = list(client.get(reverse("services:overdue")).context["applications"])
        assert [a.pk for a in applications] == [application.pk]


def test_overdue_view_is_for_heads_only(client, karaganda):
    login(client, karaganda.clerk)
    assert client.get(reverse("services:overdue")).status_code == 404


def test_portal_request_through_the_page_with_the_demo_signer(client, pki, settings):
    settings.SIGNATURES_DEMO_SIGNER = True
    from labormarket.core.signatures import TestSubject

    centre = make_centre(KARAGANDA)
    user = user_with_role(Role.CITIZEN, region_code=KARAGANDA)
    user.iin = user.person.iin
    user.save(update_fields=["iin"])
    pki.issue(TestSubject(key=f"c{user.iin}", iin=user.iin, surname="A", given_name="B"), save=True)
    login(client, user)
    scan = b"%PDF-1.4\n% id card\n"
    fields = {
        "service": ServiceCode.JOB_SEEKER_REGISTRATION,
        "centre": str(centre.organisation.pk),
        "requested_result": "",
        "phone": "",
        "attachment_sha256": [hashlib.sha256(scan).hexdigest()],
    }
    data = client.post(
        reverse("services:request_bytes"), json.dumps(fields), content_type="application/json"
    ).json()["data"]
    signed = client.post(
        reverse("services:demo_sign"), json.dumps({"data": data}), content_type="application/json"
    ).json()
    assert signed["demo"] is True
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("services:portal_request"),
        {
            "service": ServiceCode.JOB_SEEKER_REGISTRATION,
            "centre": centre.organisation.pk,
            "phone": "",
            "cms": signed["cms"],
            "files": [SimpleUploadedFile("id.pdf", scan, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(person=user.person)
    assert application.channel.channel == "portal"
    cabinet = client.get(reverse("services:cabinet"))
    assert application.number in cabinet.content.decode()


def test_the_demo_signer_is_off_unless_enabled(client, settings):
    settings.SIGNATURES_DEMO_SIGNER = False
    user = user_with_role(Role.CITIZEN)
    login(client, user)
    response = client.post(
        reverse("services:demo_sign"), json.dumps({"data": "AA=="}), content_type="application/json"
    )
    assert response.status_code == 404


def test_unknown_verification_code_is_404(client):
    response = client.get(reverse("services:verify", args=["no-such-token"]))
    assert response.status_code == 404


def test_another_regions_staff_get_404_for_the_application(client, karaganda, akmola, person):
    application = registered(karaganda, person)
    login(client, akmola.head)
    assert client.get(reverse("services:application", args=[application.pk])).status_code == 404
    assert client.get(reverse("services:document_pdf", args=[application.pk])).status_code == 404


def test_only_the_most_specific_navigation_item_is_active(client):
    user = user_with_role(Role.CITIZEN)
    login(client, user)
    page = client.get(reverse("services:cabinet"))
    active = [item.url for item, is_active in page.context["nav_items"] if is_active]
    assert active == [reverse("services:cabinet")]
