"""Public-services API: both channels end to end, every refusal in the one error shape, who sees
what (regions, recipients, the public), and fixed query counts on the lists."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from labormarket.accounts.choices import Role
from labormarket.accounts.models import User
from labormarket.accounts.tests.factories import AKMOLA, KARAGANDA, region, user_with_role
from labormarket.core.models import StoredSignature
from labormarket.registry import services as registry
from labormarket.registry.choices import LabourStatus
from labormarket.registry.tests.factories import PersonFactory
from labormarket.services import services
from labormarket.services.choices import ResultKind, ServiceCode
from labormarket.services.documents import verification_url
from labormarket.services.models import Application, Attachment, ResultDocument

from .conftest import make_centre, staff

pytestmark = pytest.mark.django_db

API = "/api/v1/services"
PDF_SCAN = b"%PDF-1.4\n% scan of the identity card\n"
FORM = {"phone": "+77011234567"}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def citizen_of(region_code: str):
    """A citizen who signs in with their IIN (so their EDS certificate matches it)."""
    user = user_with_role(Role.CITIZEN, region_code=region_code)
    user.iin = user.person.iin
    user.save(update_fields=["iin"])
    return user, user.person


def snapshot(application_id: int | None = None) -> tuple:
    """Everything a refused request must leave as it was."""
    counts = (
        Application.objects.count(),
        ResultDocument.objects.count(),
        StoredSignature.objects.count(),
        Attachment.objects.count(),
    )
    if application_id is None:
        return counts
    application = Application.objects.get(pk=application_id)
    return (
        *counts,
        application.status,
        list(
            application.steps.order_by("position").values_list(
                "position", "status", "assignee_id", "ended_at"
            )
        ),
        list(ResultDocument.objects.filter(application=application).values_list("status", "pk")),
        list(application.events.values_list("kind", flat=True)),
    )


def register(centre, person, service=ServiceCode.JOB_SEEKER_REGISTRATION, actor=None, **body):
    response = client_for(actor or centre.clerk).post(
        f"{API}/applications/",
        {
            "centre": centre.organisation.pk,
            "person_iin": person.iin,
            "service": service,
            **body,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def step(user, application_id: int, action: str, body: dict | None = None):
    return client_for(user).post(
        f"{API}/applications/{application_id}/{action}/", body or {}, format="json"
    )


def drafted(centre, person) -> dict:
    """An office job-seeker application whose result the specialist has drafted."""
    application = register(centre, person)
    step(centre.head, application["id"], "assign", {"executor": centre.specialist.pk})
    response = step(centre.specialist, application["id"], "draft")
    assert response.status_code == 200, response.json()
    return response.json()


def sign_drafted(centre, application_id: int, sign) -> dict:
    pdf = bytes(ResultDocument.objects.get(application_id=application_id).pdf)
    response = step(centre.head, application_id, "sign", {"cms": b64(sign(centre.head, pdf))})
    assert response.status_code == 200, response.json()
    return response.json()


def refuse(centre, application_id: int) -> None:
    """Refuse an office application at its draft step."""
    step(centre.head, application_id, "assign", {"executor": centre.specialist.pk})
    response = step(
        centre.specialist,
        application_id,
        "refuse",
        {"grounds": ["unreliable-documents"], "reasons": "The documents are not reliable."},
    )
    assert response.status_code == 200, response.json()


def unemployed(centre):
    person = PersonFactory(region=centre.organisation.region)
    registry.person_register_job_seeker(
        actor=centre.specialist, person_id=person.pk, organisation=centre.organisation
    )
    registry.person_register_unemployed(
        actor=centre.specialist, person_id=person.pk, organisation=centre.organisation
    )
    return person


# --- The office channel ----------------------------------------------------------------------


def test_svc_03_office_journey_register_assign_draft_sign_issue(karaganda, person, sign):
    clerk = client_for(karaganda.clerk)
    response = clerk.post(
        f"{API}/applications/",
        {
            "centre": karaganda.organisation.pk,
            "person_iin": person.iin,
            "service": "job_seeker_registration",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    application_id = body["id"]
    number = Application.objects.get(pk=application_id).number
    assert body["number"] == number
    assert number.endswith("-000001")
    assert (body["service"], body["channel"], body["status"]) == (
        "job_seeker_registration",
        "office",
        "in_progress",
    )
    assert body["centre"] == {
        "id": karaganda.organisation.pk,
        "name": karaganda.organisation.name,
    }
    assert body["person"] == {
        "id": person.pk,
        "full_name": person.full_name,
        "iin_masked": person.iin[:4] + "*" * 8,
    }
    assert person.iin not in response.content.decode()
    assert body["registered_by"]["id"] == karaganda.clerk.pk
    assert body["regulation"] == {"code": "job-seeker-registration-karaganda-2017", "version": 1}
    assert [(s["position"], s["code"], s["status"]) for s in body["steps"]] == [
        (1, "register", "done"),
        (2, "appoint-executor", "open"),
    ]
    assert body["steps"][0]["ended_by"]["id"] == karaganda.clerk.pk
    current = body["current_step"]
    assert (current["action"], current["role"], current["assignee_id"], current["overdue"]) == (
        "assign",
        "centre_head",
        None,
        False,
    )
    assert body["result"] is None

    # (2) the head appoints the executor.
    response = step(karaganda.head, application_id, "assign", {"executor": karaganda.specialist.pk})
    assert response.status_code == 200, response.json()
    current = response.json()["current_step"]
    assert (current["action"], current["assignee_id"]) == ("draft", karaganda.specialist.pk)

    # (3) the executor drafts the result.
    response = step(karaganda.specialist, application_id, "draft")
    assert response.status_code == 200, response.json()
    document = ResultDocument.objects.get(application_id=application_id)
    result = response.json()["result"]
    assert result == {
        "kind": "job_seeker_notification",
        "number": f"JS-{number}",
        "status": "draft",
        "signed_at": None,
        "verification_url": verification_url(document),
    }
    assert result["verification_url"].endswith(f"/verify/{document.verification_token}/")
    assert response.json()["current_step"]["action"] == "sign"

    # (4) the head signs the drafted PDF's exact bytes with their EDS.
    body = sign_drafted(karaganda, application_id, sign)
    assert body["result"]["status"] == "signed"
    assert body["current_step"]["action"] == "issue"
    person.refresh_from_db()
    assert person.labour_status == LabourStatus.JOB_SEEKER

    # (5) the clerk hands it over: completed.
    response = step(karaganda.clerk, application_id, "issue")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["current_step"], body["overdue"]) == ("completed", None, False)
    assert [(s["code"], s["status"]) for s in body["steps"]] == [
        ("register", "done"),
        ("appoint-executor", "done"),
        ("draft", "done"),
        ("sign", "done"),
        ("hand-over", "done"),
    ]
    assert [s["ended_by"]["id"] for s in body["steps"]] == [
        karaganda.clerk.pk,
        karaganda.head.pk,
        karaganda.specialist.pk,
        karaganda.head.pk,
        karaganda.clerk.pk,
    ]
    assert [e["kind"] for e in body["events"]] == [
        "registered",
        "step_done",
        "step_done",
        "step_done",
        "result_signed",
        "step_done",
        "step_done",
        "result_issued",
        "completed",
    ]


def test_svc_03_a_step_by_someone_without_its_role_is_forbidden(karaganda, person):
    application = register(karaganda, person)
    before = snapshot(application["id"])
    for user in (karaganda.clerk, karaganda.specialist, karaganda.sector_head):
        response = step(user, application["id"], "assign", {"executor": karaganda.specialist.pk})
        assert response.status_code == 403
        error = response.json()["error"]
        assert (error["code"], error["rule"]) == ("step_role", "SVC-03")
    assert snapshot(application["id"]) == before


def test_svc_03_the_recipient_cannot_perform_a_step_of_their_own_application(karaganda):
    user, person = citizen_of(KARAGANDA)
    application = register(karaganda, person)
    before = snapshot(application["id"])
    response = step(user, application["id"], "assign", {"executor": karaganda.specialist.pk})
    assert response.status_code == 403
    assert (response.json()["error"]["code"], response.json()["error"]["rule"]) == (
        "step_role",
        "SVC-03",
    )
    assert snapshot(application["id"]) == before


def test_svc_03_a_step_done_twice_is_a_conflict(karaganda, person):
    application = register(karaganda, person)
    body = {"executor": karaganda.specialist.pk}
    assert step(karaganda.head, application["id"], "assign", body).status_code == 200
    before = snapshot(application["id"])
    again = step(karaganda.head, application["id"], "assign", body)
    assert again.status_code == 409
    assert (again.json()["error"]["code"], again.json()["error"]["rule"]) == (
        "step_not_open",
        "SVC-03",
    )
    assert snapshot(application["id"]) == before


def test_svc_03_an_executor_who_cannot_perform_the_next_step_is_refused(karaganda, person):
    application = register(karaganda, person)
    before = snapshot(application["id"])
    response = step(karaganda.head, application["id"], "assign", {"executor": karaganda.clerk.pk})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {name: [(e["code"], e["rule"]) for e in errors] for name, errors in fields.items()} == {
        "executor": [("not_eligible", "SVC-03")]
    }
    assert snapshot(application["id"]) == before


def test_another_regions_application_is_not_found(karaganda, akmola, person):
    application = register(karaganda, person)
    before = snapshot(application["id"])
    head = client_for(akmola.head)
    assert head.get(f"{API}/applications/{application['id']}/").status_code == 404
    response = step(akmola.head, application["id"], "assign", {"executor": akmola.specialist.pk})
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    missing = head.get(f"{API}/applications/{application['id'] + 1000}/")
    assert (missing.status_code, missing.json()) == (response.status_code, response.json())
    assert head.get(f"{API}/applications/").json()["count"] == 0
    assert snapshot(application["id"]) == before


def test_a_centre_of_another_region_cannot_be_registered_for(karaganda, akmola, person):
    response = client_for(akmola.clerk).post(
        f"{API}/applications/",
        {
            "centre": karaganda.organisation.pk,
            "person_iin": person.iin,
            "service": "job_seeker_registration",
        },
        format="json",
    )
    # The person is Karaganda's: Akmola's clerk does not find them.
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["person_iin"][0]["code"] == "not_found"
    assert snapshot() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("iin", "code"),
    [
        ("12345", "iin_length"),
        ("90051730012a", "iin_digits"),
        ("900517900123", "iin_century"),
        ("901317300123", "iin_date"),
    ],
)
def test_a_malformed_iin_names_the_field_and_the_rule(karaganda, iin, code):
    response = client_for(karaganda.clerk).post(
        f"{API}/applications/",
        {
            "centre": karaganda.organisation.pk,
            "person_iin": iin,
            "service": "job_seeker_registration",
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["person_iin"]
    assert [e["code"] for e in fields["person_iin"]] == [code]
    assert snapshot() == (0, 0, 0, 0)


def test_a_wrong_iin_check_digit_is_refused(karaganda, person):
    wrong = person.iin[:11] + str((int(person.iin[11]) + 1) % 10)
    response = client_for(karaganda.clerk).post(
        f"{API}/applications/",
        {
            "centre": karaganda.organisation.pk,
            "person_iin": wrong,
            "service": "job_seeker_registration",
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {name: [e["code"] for e in errors] for name, errors in fields.items()} == {
        "person_iin": ["iin_check_digit"]
    }
    assert snapshot() == (0, 0, 0, 0)


def test_svc_22_unemployed_registration_of_someone_not_a_job_seeker_is_refused(karaganda, person):
    response = client_for(karaganda.clerk).post(
        f"{API}/applications/",
        {
            "centre": karaganda.organisation.pk,
            "person_iin": person.iin,
            "service": "unemployed_registration",
        },
        format="json",
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["rule"]) == ("not_job_seeker", "SVC-22")
    assert snapshot() == (0, 0, 0, 0)


def test_only_centre_staff_register_applications(karaganda, person):
    user, _ = citizen_of(KARAGANDA)
    response = client_for(user).post(
        f"{API}/applications/",
        {
            "centre": karaganda.organisation.pk,
            "person_iin": person.iin,
            "service": "job_seeker_registration",
        },
        format="json",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "not_centre_staff")
    assert snapshot() == (0, 0, 0, 0)


def test_a_signature_that_is_not_base64_names_the_cms_field(karaganda, person):
    application = drafted(karaganda, person)
    before = snapshot(application["id"])
    for cms in ("not base64 at all!", "", "QUJ"):
        response = step(karaganda.head, application["id"], "sign", {"cms": cms})
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["cms"]
    response = step(karaganda.head, application["id"], "sign", {"cms": "%%%"})
    assert response.json()["error"]["fields"]["cms"][0]["code"] == "invalid_base64"
    assert snapshot(application["id"]) == before


def test_svc_05_a_result_signed_with_another_persons_certificate_is_refused(
    karaganda, akmola, person, sign
):
    application = drafted(karaganda, person)
    before = snapshot(application["id"])
    pdf = bytes(ResultDocument.objects.get(application_id=application["id"]).pdf)
    response = step(karaganda.head, application["id"], "sign", {"cms": b64(sign(akmola.head, pdf))})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["rule"]) == ("signature_rejected", "SVC-05")
    assert [e["code"] for e in error["fields"]["signature"]] == ["signer_iin_mismatch"]
    assert snapshot(application["id"]) == before


def test_svc_04_a_refusal_names_grounds_of_the_regulation_and_reasons(karaganda, person):
    application = register(karaganda, person)
    step(karaganda.head, application["id"], "assign", {"executor": karaganda.specialist.pk})
    before = snapshot(application["id"])
    response = step(
        karaganda.specialist,
        application["id"],
        "refuse",
        {"grounds": ["no-such-ground"], "reasons": "no"},
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {name: [(e["code"], e["rule"]) for e in errors] for name, errors in fields.items()} == {
        "grounds": [("invalid_choice", "SVC-04")],
        "reasons": [("required", "SVC-04")],
    }
    empty = step(karaganda.specialist, application["id"], "refuse", {})
    assert [e["code"] for e in empty.json()["error"]["fields"]["grounds"]] == ["invalid_choice"]
    assert snapshot(application["id"]) == before

    reasons = "The passport copy does not match the registry."
    response = step(
        karaganda.specialist,
        application["id"],
        "refuse",
        {"grounds": ["unreliable-documents"], "reasons": reasons},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["refusal_reasons"], body["current_step"]) == (
        "refused",
        reasons,
        None,
    )
    assert [(g["code"], g["rule"]) for g in body["refusal_grounds"]] == [
        ("unreliable-documents", "SVC-04")
    ]
    assert body["steps"][-1]["status"] == "refused"
    assert body["steps"][-1]["comment"] == reasons


def test_svc_04_a_step_that_cannot_end_in_a_refusal_is_a_conflict(karaganda, person):
    application = register(karaganda, person)
    before = snapshot(application["id"])
    response = step(
        karaganda.head,
        application["id"],
        "refuse",
        {"grounds": ["unreliable-documents"], "reasons": "The documents are not reliable."},
    )
    assert response.status_code == 409
    assert (response.json()["error"]["code"], response.json()["error"]["rule"]) == (
        "step_cannot_refuse",
        "SVC-04",
    )
    assert snapshot(application["id"]) == before


def test_svc_34_no_referral_without_a_record_card_only_a_refusal(karaganda, person):
    application = register(
        karaganda,
        person,
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        requested_result=ResultKind.REFERRAL_SOCIAL_JOBS,
    )
    step(karaganda.head, application["id"], "assign", {"executor": karaganda.specialist.pk})
    before = snapshot(application["id"])
    response = step(
        karaganda.specialist, application["id"], "draft", {"destination": "ТОО «Завод»"}
    )
    assert response.status_code == 409
    assert (response.json()["error"]["code"], response.json()["error"]["rule"]) == (
        "no_record_card",
        "SVC-34",
    )
    assert snapshot(application["id"]) == before
    refused = step(
        karaganda.specialist,
        application["id"],
        "refuse",
        {"grounds": ["no-record-card"], "reasons": "The person has no personal record card."},
    )
    assert (refused.status_code, refused.json()["status"]) == (200, "refused")


# --- The portal channel ------------------------------------------------------------------------


def _request_bytes(client, centre, *, service="job_seeker_registration", scans=(PDF_SCAN,), **kw):
    response = client.post(
        f"{API}/portal/request-bytes/",
        {
            "centre": centre.organisation.pk,
            "service": service,
            "form": FORM,
            "attachment_sha256": [hashlib.sha256(scan).hexdigest() for scan in scans],
            **kw,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    return base64.b64decode(response.json()["data"])


def _submit(client, centre, cms: str, *, service="job_seeker_registration", files=None, **kw):
    files = (
        [SimpleUploadedFile("id.pdf", PDF_SCAN, content_type="application/pdf")]
        if files is None
        else files
    )
    return client.post(
        f"{API}/portal/requests/",
        {
            "centre": centre.organisation.pk,
            "service": service,
            "form": json.dumps(FORM),
            "files": files,
            "cms": cms,
            **kw,
        },
        format="multipart",
    )


def test_svc_05_svc_33_portal_request_signed_and_the_result_in_the_citizens_list(karaganda, sign):
    user, person = citizen_of(KARAGANDA)
    me = client_for(user)
    content = _request_bytes(me, karaganda)
    assert content == services.request_bytes(
        service="job_seeker_registration",
        centre_id=karaganda.organisation.pk,
        iin=person.iin,
        requested_result="",
        form_data=FORM,
        attachment_digests=[hashlib.sha256(PDF_SCAN).hexdigest()],
    )

    response = _submit(me, karaganda, b64(sign(user, content)))
    assert response.status_code == 201, response.json()
    body = response.json()
    application_id = body["id"]
    assert (body["channel"], body["status"], body["registered_by"]) == (
        "portal",
        "in_progress",
        None,
    )
    assert [
        (a["original_name"], a["content_type"], a["size"], a["sha256"]) for a in body["attachments"]
    ] == [("id.pdf", "application/pdf", len(PDF_SCAN), hashlib.sha256(PDF_SCAN).hexdigest())]
    assert (body["current_step"]["action"], body["current_step"]["role"]) == (
        "assign",
        "centre_head",
    )
    assert Application.objects.get(pk=application_id).request_signature.signer_iin == person.iin

    step(karaganda.head, application_id, "assign", {"executor": karaganda.specialist.pk})
    step(karaganda.specialist, application_id, "draft")
    # The citizen does not see the draft.
    mine = me.get(f"{API}/applications/").json()
    assert (mine["results"][0]["status"], mine["results"][0]["result"]) == ("in_progress", None)
    assert me.get(f"{API}/applications/{application_id}/result.pdf").status_code == 404

    body = sign_drafted(karaganda, application_id, sign)
    # Delivery to the cabinet is the system's step: done at once.
    assert (body["status"], body["current_step"]) == ("completed", None)

    response = me.get(f"{API}/applications/")
    assert response.status_code == 200
    mine = response.json()
    document = ResultDocument.objects.get(application_id=application_id)
    assert mine["count"] == 1
    item = mine["results"][0]
    assert (item["id"], item["status"], item["person"]) == (
        application_id,
        "completed",
        {"id": person.pk, "full_name": person.full_name},
    )
    assert (item["result"]["kind"], item["result"]["number"], item["result"]["status"]) == (
        "job_seeker_notification",
        document.number,
        "signed",
    )
    assert item["result"]["verification_url"].endswith(f"/verify/{document.verification_token}/")
    assert person.iin not in response.content.decode()
    pdf = me.get(f"{API}/applications/{application_id}/result.pdf")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content) == (
        200,
        "application/pdf",
        bytes(document.pdf),
    )


def test_svc_33_portal_referral_take_draft_approve_sign_deliver(akmola, sign):
    user, person = citizen_of(AKMOLA)
    registry.person_register_job_seeker(
        actor=akmola.specialist, person_id=person.pk, organisation=akmola.organisation
    )
    registry.person_register_unemployed(
        actor=akmola.specialist, person_id=person.pk, organisation=akmola.organisation
    )
    me = client_for(user)
    kind = {"requested_result": "referral_youth_practice"}
    service = "active_measure_referral"
    content = _request_bytes(me, akmola, service=service, **kind)
    response = _submit(me, akmola, b64(sign(user, content)), service=service, **kind)
    assert response.status_code == 201, response.json()
    application_id = response.json()["id"]
    assert response.json()["current_step"]["assignee_id"] is None

    taken = step(akmola.specialist, application_id, "take")
    assert taken.status_code == 200, taken.json()
    assert taken.json()["current_step"]["assignee_id"] == akmola.specialist.pk
    before = snapshot(application_id)
    colleague = staff(akmola.organisation, Role.SPECIALIST)
    again = step(colleague, application_id, "take")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "step_taken")
    other = make_centre(AKMOLA).specialist  # a specialist of another centre of the region
    refused = step(other, application_id, "take")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "step_role")
    assert snapshot(application_id) == before

    response = step(
        akmola.specialist, application_id, "draft", {"destination": "ТОО «Кокше-Строй»"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["result"]["kind"] == "referral_youth_practice"
    response = step(akmola.sector_head, application_id, "approve")
    assert (response.status_code, response.json()["current_step"]["action"]) == (200, "sign")
    body = sign_drafted(akmola, application_id, sign)
    assert body["current_step"]["action"] == "deliver"
    response = step(akmola.specialist, application_id, "deliver")
    assert (response.status_code, response.json()["status"]) == (200, "completed")


def test_svc_05_a_portal_request_without_scans_is_refused(karaganda, sign):
    user, _person = citizen_of(KARAGANDA)
    me = client_for(user)
    content = _request_bytes(me, karaganda, scans=())
    response = _submit(me, karaganda, b64(sign(user, content)), files=[])
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {name: [(e["code"], e["rule"]) for e in errors] for name, errors in fields.items()} == {
        "files": [("required", "SVC-05")]
    }
    assert snapshot() == (0, 0, 0, 0)


def test_svc_05_a_portal_request_signed_over_other_bytes_is_refused(karaganda, sign):
    user, _person = citizen_of(KARAGANDA)
    me = client_for(user)
    content = _request_bytes(me, karaganda, scans=(b"%PDF-1.4 another scan",))
    response = _submit(me, karaganda, b64(sign(user, content)))
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["rule"]) == ("signature_rejected", "SVC-05")
    assert [e["code"] for e in error["fields"]["signature"]] == ["content_mismatch"]
    assert snapshot() == (0, 0, 0, 0)


def test_svc_05_portal_request_with_a_cms_that_is_not_base64(karaganda):
    user, _person = citizen_of(KARAGANDA)
    response = _submit(client_for(user), karaganda, "это не base64")
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["error"]["fields"]["cms"]] == ["invalid_base64"]
    assert snapshot() == (0, 0, 0, 0)


def test_a_portal_form_that_is_not_a_json_object_is_refused(karaganda):
    user, _person = citizen_of(KARAGANDA)
    response = _submit(client_for(user), karaganda, b64(b"cms"), form="[1, 2]")
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["error"]["fields"]["form"]] == ["invalid_json"]
    assert snapshot() == (0, 0, 0, 0)


def test_svc_20_unemployed_registration_is_not_requested_through_the_portal(karaganda, sign):
    user, _person = citizen_of(KARAGANDA)
    me = client_for(user)
    service = "unemployed_registration"
    content = _request_bytes(me, karaganda, service=service)
    response = _submit(me, karaganda, b64(sign(user, content)), service=service)
    assert response.status_code == 400
    assert [(e["code"], e["rule"]) for e in response.json()["error"]["fields"]["channel"]] == [
        ("channel_not_available", "SVC-20")
    ]
    assert snapshot() == (0, 0, 0, 0)


def test_request_bytes_are_for_a_person_only(karaganda):
    response = client_for(karaganda.clerk).post(
        f"{API}/portal/request-bytes/",
        {"centre": karaganda.organisation.pk, "service": "job_seeker_registration"},
        format="json",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "no_person")


def test_request_bytes_refuse_a_digest_that_is_not_sha256(karaganda):
    user, _person = citizen_of(KARAGANDA)
    response = client_for(user).post(
        f"{API}/portal/request-bytes/",
        {
            "centre": karaganda.organisation.pk,
            "service": "job_seeker_registration",
            "attachment_sha256": ["abc"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["attachment_sha256.0"]


# --- Lists and who sees them -------------------------------------------------------------------


def test_staff_list_filters_by_status_service_and_overdue(karaganda, akmola, job_seeker, person):
    first = register(karaganda, person)
    second = register(karaganda, job_seeker, service=ServiceCode.UNEMPLOYED_REGISTRATION)
    register(
        akmola,
        unemployed(akmola),
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        actor=akmola.specialist,
        requested_result="referral_public_works",
    )
    refuse(karaganda, first["id"])
    Application.objects.filter(pk=second["id"]).update(due_at=timezone.now() - timedelta(minutes=5))
    staff = client_for(karaganda.specialist)

    def ids(query: str = "") -> list[int]:
        response = staff.get(f"{API}/applications/{query}")
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["results"]]

    assert ids() == [second["id"], first["id"]]
    assert ids("?status=refused") == [first["id"]]
    assert ids("?status=in_progress") == [second["id"]]
    assert ids("?service=unemployed_registration") == [second["id"]]
    assert ids("?overdue=true") == [second["id"]]
    overdue = staff.get(f"{API}/applications/?overdue=true").json()["results"][0]
    assert (overdue["overdue"], overdue["current_step"]["action"]) == (True, "assign")
    bad = staff.get(f"{API}/applications/?status=lost")
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["status"])


def test_the_list_never_shows_an_iin(karaganda, person):
    register(karaganda, person)
    response = client_for(karaganda.clerk).get(f"{API}/applications/")
    assert response.json()["results"][0]["person"] == {
        "id": person.pk,
        "full_name": person.full_name,
    }
    assert person.iin not in response.content.decode()


@pytest.mark.parametrize("role", [Role.EMPLOYER_MANAGER, Role.PEA_MANAGER, Role.LEB_SPECIALIST])
def test_others_may_not_list_applications(karaganda, person, role):
    register(karaganda, person)
    response = client_for(user_with_role(role)).get(f"{API}/applications/")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")


def test_anonymous_may_not_list_applications(karaganda, person):
    register(karaganda, person)
    response = APIClient().get(f"{API}/applications/")
    assert (response.status_code, response.json()["error"]["code"]) == (
        403,
        "not_authenticated",
    )


def test_a_citizen_sees_only_their_own_applications(karaganda):
    user, person = citizen_of(KARAGANDA)
    own = register(karaganda, person)
    register(karaganda, PersonFactory(region=region(KARAGANDA)))
    response = client_for(user).get(f"{API}/applications/")
    assert [item["id"] for item in response.json()["results"]] == [own["id"]]
    other = Application.objects.exclude(pk=own["id"]).get()
    assert client_for(user).get(f"{API}/applications/{other.pk}/").status_code == 404


def _list_queries(user, django_assert_max_num_queries, limit: int) -> int:
    """Queries of one list request, for a user loaded afresh as a real request would."""
    client = client_for(User.objects.get(pk=user.pk))
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(f"{API}/applications/")
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_staff_list_takes_a_fixed_number_of_queries(
    karaganda, sign, django_assert_max_num_queries
):
    first = drafted(karaganda, PersonFactory(region=region(KARAGANDA)))
    sign_drafted(karaganda, first["id"], sign)
    one = _list_queries(karaganda.clerk, django_assert_max_num_queries, 4)
    for _ in range(5):
        register(karaganda, PersonFactory(region=region(KARAGANDA)))
    drafted(karaganda, PersonFactory(region=region(KARAGANDA)))
    assert client_for(karaganda.clerk).get(f"{API}/applications/").json()["count"] == 7
    seven = _list_queries(karaganda.clerk, django_assert_max_num_queries, 4)
    assert one == seven


def test_the_citizens_list_takes_a_fixed_number_of_queries(
    karaganda, sign, django_assert_max_num_queries
):
    user, person = citizen_of(KARAGANDA)
    first = register(karaganda, person)
    one = _list_queries(user, django_assert_max_num_queries, 5)
    refuse(karaganda, first["id"])
    signed = drafted(karaganda, person)
    sign_drafted(karaganda, signed["id"], sign)
    referral = {"service": ServiceCode.ACTIVE_MEASURE_REFERRAL}
    refuse(
        karaganda,
        register(karaganda, person, **referral, requested_result="referral_employment")["id"],
    )
    register(karaganda, person, **referral, requested_result="referral_public_works")
    assert client_for(user).get(f"{API}/applications/").json()["count"] == 4
    four = _list_queries(user, django_assert_max_num_queries, 5)
    assert one == four


# --- Result PDF and public verification -------------------------------------------------------


def test_svc_03_the_result_pdf_to_staff_and_to_the_recipient_once_handed_over(
    karaganda, akmola, sign
):
    user, person = citizen_of(KARAGANDA)
    application = register(karaganda, person)
    url = f"{API}/applications/{application['id']}/result.pdf"
    # No document yet.
    assert client_for(karaganda.clerk).get(url).status_code == 404

    step(karaganda.head, application["id"], "assign", {"executor": karaganda.specialist.pk})
    step(karaganda.specialist, application["id"], "draft")
    document = ResultDocument.objects.get(application_id=application["id"])
    response = client_for(karaganda.clerk).get(url, HTTP_ACCEPT="application/pdf")
    assert (response.status_code, response["Content-Type"], response.content) == (
        200,
        "application/pdf",
        bytes(document.pdf),
    )
    assert response["Content-Disposition"] == f'inline; filename="{document.number}.pdf"'
    # The recipient does not get the draft; other regions and other people never.
    assert client_for(user).get(url).status_code == 404
    denied = client_for(akmola.head).get(url, HTTP_ACCEPT="application/pdf")
    assert (denied.status_code, denied["Content-Type"], denied.json()["error"]["code"]) == (
        404,
        "application/json",
        "not_found",
    )
    stranger, _ = citizen_of(KARAGANDA)
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(user_with_role(Role.EMPLOYER_MANAGER)).get(url).status_code == 404
    assert APIClient().get(url).status_code == 403

    sign_drafted(karaganda, application["id"], sign)
    # Signed but not handed over yet: the regulation's last step delivers it, not the signature.
    assert client_for(user).get(url).status_code == 404
    assert client_for(user).get(f"{API}/applications/{application['id']}/").json()["result"] is None
    step(karaganda.clerk, application["id"], "issue")
    response = client_for(user).get(url)
    assert (response.status_code, response.content) == (200, bytes(document.pdf))
    assert client_for(stranger).get(url).status_code == 404


def test_public_verification_of_a_signed_then_revoked_document(karaganda, sign):
    person = PersonFactory(
        region=region(KARAGANDA),
        last_name="Сейтказиева",
        first_name="Айгерим",
        middle_name="Нурлановна",
    )
    application = drafted(karaganda, person)
    document = ResultDocument.objects.get(application_id=application["id"])
    url = f"{API}/documents/{document.verification_token}/verification/"
    public = APIClient()
    # A draft has not left the centre.
    assert public.get(url).status_code == 404

    sign_drafted(karaganda, application["id"], sign)
    document.refresh_from_db()
    response = public.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "signed",
        "kind": "job_seeker_notification",
        "kind_name": str(ResultKind.JOB_SEEKER_NOTIFICATION.label),
        "number": document.number,
        "centre": karaganda.organisation.name,
        "signed_at": body["signed_at"],
        "signer": document.signature.signer_name,
        "pdf_sha256": hashlib.sha256(bytes(document.pdf)).hexdigest(),
        "recipient": "Сейтказиева А. Н.",
        "revoked_at": None,
    }
    assert body["signed_at"] is not None
    assert document.signature.signer_name != ""
    text = response.content.decode()
    assert person.iin not in text
    assert karaganda.head.iin not in text

    same = public.post(
        url, {"file": SimpleUploadedFile("r.pdf", bytes(document.pdf))}, format="multipart"
    )
    assert (same.status_code, same.json()["comparison"]) == (200, "same")
    different = public.post(
        url, {"file": SimpleUploadedFile("r.pdf", bytes(document.pdf) + b" ")}, format="multipart"
    )
    assert (different.status_code, different.json()["comparison"]) == (200, "different")
    nothing = public.post(url, {}, format="multipart")
    assert (nothing.status_code, list(nothing.json()["error"]["fields"])) == (400, ["file"])

    services.document_revoke(
        actor=karaganda.head, document_id=document.pk, reason="Issued on forged documents."
    )
    response = public.get(url)
    assert (response.status_code, response.json()["status"]) == (200, "revoked")
    assert response.json()["revoked_at"] is not None
    assert person.iin not in response.content.decode()


def test_public_verification_of_an_unknown_token_is_not_found():
    response = APIClient().get(f"{API}/documents/no-such-token/verification/")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    response = APIClient().post(
        f"{API}/documents/no-such-token/verification/",
        {"file": SimpleUploadedFile("r.pdf", b"%PDF-")},
        format="multipart",
    )
    assert response.status_code == 404


# --- Regulations -------------------------------------------------------------------------------


def test_the_regulations_in_force_are_public(django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = APIClient().get(f"{API}/regulations/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert [(r["code"], r["version"]) for r in body["results"]] == [
        ("active-measure-referral-karaganda-2017", 1),
        ("active-measure-referral-standard-190", 1),
        ("job-seeker-registration-karaganda-2017", 1),
        ("unemployed-registration-karaganda-2017", 1),
    ]
    job_seeker = body["results"][2]
    assert job_seeker["title"] == "Registration of job seekers"
    assert (job_seeker["regions"], job_seeker["valid_from"], job_seeker["valid_to"]) == (
        [],
        "2017-12-23",
        None,
    )
    assert body["results"][0]["regions"] == [KARAGANDA]
    assert job_seeker["results"] == ["job_seeker_notification"]
    assert [(g["code"], g["rule"]) for g in job_seeker["refusal_grounds"]] == [
        ("unreliable-documents", "SVC-04"),
        ("documents-incomplete", "SVC-05"),
    ]
    office = next(c for c in job_seeker["channels"] if c["channel"] == "office")
    assert (office["term_minutes"], office["term_working_days"]) == (10, None)
    assert [
        (s["position"], s["code"], s["role"], s["action"], s["can_refuse"]) for s in office["steps"]
    ] == [
        (1, "register", "clerk", "register", False),
        (2, "appoint-executor", "centre_head", "assign", False),
        (3, "draft", "specialist", "draft", True),
        (4, "sign", "centre_head", "sign", True),
        (5, "hand-over", "clerk", "issue", False),
    ]
    assert office["steps"][0]["name"] == "Register the documents and pass them to the head"
    russian = APIClient().get(f"{API}/regulations/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert russian["results"][2]["title"] == "Регистрация лиц, ищущих работу"
