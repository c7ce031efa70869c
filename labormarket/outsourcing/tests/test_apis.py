"""Outsourcing API end to end: every endpoint's answer and its refusals in the one error shape
(code, rule, fields), nothing written when refused, and fixed query counts on the lists."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from labormarket.outsourcing import acts, contracts, selection, services
from labormarket.outsourcing.choices import (
    ActStatus,
    AnnouncementStatus,
    ConfirmationStatus,
    LotStatus,
)
from labormarket.outsourcing.models import (
    AgencyCabinet,
    Announcement,
    Lot,
    LotConfirmation,
    OutsourcingContract,
    ServiceAct,
    StagePayment,
)
from labormarket.payments import services as payments
from labormarket.payments.models import LedgerEntry
from labormarket.registry.choices import LabourStatus
from labormarket.registry.models import PersonAccessLog
from labormarket.registry.tests.factories import PersonFactory

from .apiworld import (
    AFTER_EMPLOYMENT,
    API,
    TUESDAY,
    api_confirm,
    b64,
    client_for,
    count_queries,
    error_of,
    field_codes,
    offered,
    sign_contract,
    snapshot,
)
from .conftest import (
    CABINET,
    MONDAY,
    WEDNESDAY,
    announced_lots,
    at,
    make_agency,
    people,
    unemployed,
)

pytestmark = pytest.mark.django_db

CABINET_BODY = dict(CABINET.__dict__)


@pytest.fixture
def contract(lot, agencies, sign, clm) -> OutsourcingContract:
    first, _second = offered(lot, agencies, sign, clm)
    return sign_contract(sign, agencies[0], first.offer)


def _paginated_ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


# --- public: announcements (OUT-01) and contract information (OUT-15) ---------------------------


def test_out_01_a_published_announcement_is_public_with_its_five_contents(lot, clm):
    anonymous = client_for(None)
    listed = anonymous.get(f"{API}/announcements/")
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    item = listed.json()["results"][0]
    assert set(item) == {
        "id",
        "clm",
        "region",
        "selection_day",
        "published_at",
        "lots_count",
        "people_count",
    }
    assert (item["selection_day"], item["lots_count"], item["people_count"]) == (
        "2026-12-07",
        1,
        10,
    )
    detail = anonymous.get(f"{API}/announcements/{item['id']}/")
    assert detail.status_code == 200
    contents = detail.json()["contents"]
    # (1) the CLM and the responsible person, (2) the services, (3) lots and people by category
    # grouped by profession, (4) the draft contract, (5) the dates.
    assert contents["clm"]["name"] == clm.organisation.name
    assert contents["clm"]["legal_address"] == clm.organisation.address
    assert contents["clm"]["responsible"] == clm.specialist.get_full_name()
    assert len(contents["services"]) == 4
    assert contents["lots"] == [
        {
            "number": lot.number,
            "occupation": lot.occupation.code,
            "people": 10,
            "categories": {"1": 7, "2": 2, "3": 1},
            "price_per_person": "100000.00",
        }
    ]
    assert contents["by_profession"][lot.occupation.code]["categories"] == {
        "1": 7,
        "2": 2,
        "3": 1,
    }
    assert contents["draft_contract"] == "outsourcing-contract-order-217"
    assert contents["dates"]["selection_opens"].startswith("2026-12-07T09:00:00")
    assert contents["dates"]["selection_closes"].startswith("2026-12-07T18:30:00")
    assert "iin" not in detail.content.decode().lower()


def test_out_01_a_draft_announcement_is_not_public(clm):
    draft = services.announcement_draft(clm=clm.organisation, today=WEDNESDAY)
    anonymous = client_for(None)
    assert anonymous.get(f"{API}/announcements/").json()["count"] == 0
    assert error_of(anonymous.get(f"{API}/announcements/{draft.pk}/")) == (404, "not_found", None)
    assert error_of(anonymous.get(f"{API}/announcements/99999999999999999999999/"))[0] == 404


def test_out_01_the_public_list_takes_the_same_queries_for_one_or_many(lot, clm):
    anonymous = client_for(None)
    one = count_queries(anonymous, f"{API}/announcements/")
    for week in range(1, 6):
        Announcement.objects.create(
            clm=clm.organisation,
            selection_day=date(2027, 1, 4) + timedelta(weeks=week),
            status=AnnouncementStatus.PUBLISHED,
            services="x",
            publish_due_at=timezone.now(),
            published_at=timezone.now(),
            contents={"lots_count": week, "people_count": week * 10},
        )
    assert count_queries(anonymous, f"{API}/announcements/") == one
    assert anonymous.get(f"{API}/announcements/").json()["count"] == 6


def test_out_15_contract_information_is_public_without_people(contract, agencies):
    anonymous = client_for(None)
    response = anonymous.get(f"{API}/contracts/published/")
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["number"] == contract.number
    assert item["agency"] == {
        "id": agencies[0].organisation.pk,
        "name": agencies[0].organisation.name,
        "bin": agencies[0].organisation.bin,
    }
    assert (item["people_count"], item["total_sum"], item["price_per_person"]) == (
        10,
        "1000000.00",
        "100000.00",
    )
    assert set(item) == {
        "id",
        "number",
        "clm",
        "agency",
        "lot",
        "occupation",
        "people_count",
        "price_per_person",
        "total_sum",
        "concluded_at",
        "employment_due_on",
        "published_at",
    }
    one = count_queries(anonymous, f"{API}/contracts/published/")
    assert one == count_queries(anonymous, f"{API}/contracts/published/?page_size=5")


# --- agency: cabinet (OUT-04) ----------------------------------------------------------------------


def test_out_04_the_agency_gets_the_statement_and_certifies_its_cabinet(sign):
    agency = make_agency("ТОО «Новое агентство»")
    client = client_for(agency.manager)
    got = client.get(f"{API}/agency/cabinet/")
    assert got.status_code == 200
    statement = services.cabinet_statement(agency.organisation)
    assert base64.b64decode(got.json()["data"]) == statement
    assert got.json()["sha256"] == hashlib.sha256(statement).hexdigest()
    assert (got.json()["certified"], got.json()["certified_at"]) == (False, None)
    cms = sign(agency.manager, statement, bin=agency.organisation.bin)
    response = client.post(f"{API}/agency/cabinet/", {**CABINET_BODY, "cms": b64(cms)})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["agency"]["bin"] == agency.organisation.bin
    assert (body["contact_phone"], body["iik"]) == ("+77015550101", "KZ123456789012345678")
    assert client.get(f"{API}/agency/cabinet/").json()["certified"] is True
    assert AgencyCabinet.objects.get(agency=agency.organisation).signature.signer_bin == (
        agency.organisation.bin
    )


def test_out_04_cabinet_refusals_name_the_field_and_write_nothing(sign):
    agency = make_agency("ТОО «Отказы»")
    client = client_for(agency.manager)
    statement = services.cabinet_statement(agency.organisation)
    before = snapshot()
    url = f"{API}/agency/cabinet/"

    personal = client.post(url, {**CABINET_BODY, "cms": b64(sign(agency.manager, statement))})
    assert error_of(personal) == (400, "signature_rejected", "OUT-04")
    assert field_codes(personal) == {"signature": [("signer_bin_mismatch", "OUT-04")]}

    garbage = client.post(url, {**CABINET_BODY, "cms": "not base64!!"})
    assert field_codes(garbage) == {"cms": [("invalid_base64", None)]}

    missing = client.post(url, {})
    assert error_of(missing)[:2] == (400, "validation_error")
    assert set(field_codes(missing)) == {
        "cms",
        "contact_person",
        "contact_phone",
        "contact_email",
        "legal_address",
        "iik",
        "bik",
        "bank_name",
    }

    good = b64(sign(agency.manager, statement, bin=agency.organisation.bin))
    bad_details = client.post(
        url, {**CABINET_BODY, "iik": "KZ1", "contact_email": "nope", "cms": good}
    )
    assert field_codes(bad_details) == {
        "contact_email": [("invalid_email", None)],
        "iik": [("invalid_iik", None)],
    }
    wrong_types = client.post(url, {**CABINET_BODY, "contact_person": ["a"], "cms": good})
    assert set(field_codes(wrong_types)) == {"contact_person"}
    not_an_object = client.post(url, [1, 2], format="json")
    assert error_of(not_an_object)[:2] == (400, "validation_error")
    broken_json = client.post(url, "{", content_type="application/json")
    assert broken_json.status_code == 400
    assert broken_json.json()["error"]["code"] == "parse_error"
    assert snapshot() == before


# --- agency: confirmation (OUT-03, OUT-07) --------------------------------------------------------


def test_out_07_confirmations_through_the_api_take_places_in_order(lot, agencies, sign):
    client = client_for(agencies[0].manager)
    payload = client.get(f"{API}/agency/lots/{lot.pk}/confirmation-payload/")
    assert payload.status_code == 200
    expected = selection.confirmation_payload(lot, agencies[0].organisation, MONDAY)
    assert base64.b64decode(payload.json()["data"]) == expected
    assert payload.json()["lot"] == {"id": lot.pk, "number": lot.number}
    assert payload.json()["selection_day"] == "2026-12-07"

    first = api_confirm(sign, agencies[0], lot, at(MONDAY, 9, 0))
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["position"], body["daily_number"], body["status"]) == (
        1,
        1,
        ConfirmationStatus.PENDING_REVIEW,
    )
    assert body["lot"] == {"id": lot.pk, "number": lot.number}
    # OUT-09: reviewed within 2 working days, notified within 1 more.
    assert body["review_due_at"].startswith("2026-12-09T23:59:59")
    assert body["notice_due_at"].startswith("2026-12-10T23:59:59")
    second = api_confirm(sign, agencies[1], lot, at(MONDAY, 9, 1))
    assert (second.status_code, second.json()["position"]) == (201, 2)
    again = api_confirm(sign, agencies[0], lot, at(MONDAY, 9, 2))
    assert error_of(again) == (409, "already_confirmed", "OUT-07")
    assert LotConfirmation.objects.count() == 2


@pytest.mark.parametrize(
    "when",
    [at(TUESDAY, 10), at(MONDAY, 8, 59), at(MONDAY, 18, 31)],
    ids=["tuesday", "08:59", "18:31"],
)
def test_out_03_no_confirmation_outside_the_window(lot, agencies, sign, when):
    before = snapshot()
    response = api_confirm(sign, agencies[0], lot, when)
    assert error_of(response) == (409, "outside_selection_window", "OUT-03")
    assert snapshot() == before


def test_out_07_a_fourth_confirmation_of_the_day_is_refused(clm, occupation, agencies, sign):
    lots = announced_lots(clm, occupation, 4)
    numbers = [api_confirm(sign, agencies[0], lot).json()["daily_number"] for lot in lots[:3]]
    assert numbers == [1, 2, 3]
    before = snapshot()
    assert error_of(api_confirm(sign, agencies[0], lots[3])) == (409, "daily_limit", "OUT-07")
    assert snapshot() == before


def test_out_04_an_uncertified_agency_cannot_confirm(lot, sign):
    uncertified = make_agency("ТОО «Без кабинета»")
    before = snapshot()
    assert error_of(api_confirm(sign, uncertified, lot)) == (
        403,
        "cabinet_not_certified",
        "OUT-04",
    )
    assert snapshot() == before


def test_out_07_bad_confirmations_are_refused_with_the_field_and_write_nothing(lot, agencies, sign):
    agency = agencies[0]
    client = client_for(agency.manager)
    url = f"{API}/agency/lots/{lot.pk}/confirm/"
    before = snapshot()
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        assert field_codes(client.post(url, {"cms": "%%%"})) == {"cms": [("invalid_base64", None)]}
        assert field_codes(client.post(url, {})) == {"cms": [("required", None)]}
        assert field_codes(client.post(url, {"cms": ["x"]})) == {"cms": [("invalid", None)]}
        assert field_codes(client.post(url, {"cms": ""})) == {"cms": [("blank", None)]}
        garbage = client.post(url, {"cms": b64(b"not a signature")})
        assert error_of(garbage) == (400, "signature_rejected", "OUT-07")
        assert field_codes(garbage) == {"signature": [("signature_malformed", "OUT-07")]}
        other = agencies[1]
        foreign = sign(
            other.manager,
            selection.confirmation_payload(lot, agency.organisation, MONDAY),
            bin=other.organisation.bin,
        )
        assert {
            c for c, _r in field_codes(client.post(url, {"cms": b64(foreign)}))["signature"]
        } == {
            "signer_iin_mismatch",
            "signer_bin_mismatch",
        }
        assert error_of(client.post(f"{API}/agency/lots/999999/confirm/", {"cms": b64(b"x")})) == (
            404,
            "not_found",
            None,
        )
        huge = client.post(f"{API}/agency/lots/{'9' * 40}/confirm/", {"cms": b64(b"x")})
        assert error_of(huge) == (404, "not_found", None)
        assert client.post(f"{API}/agency/lots/abc/confirm/", {"cms": "x"}).status_code == 404
        bad_agency = client.post(url, {"cms": b64(b"x"), "agency": "many"})
        assert field_codes(bad_agency) == {"agency": [("invalid", None)]}
        assert error_of(client.get(f"{API}/agency/lots/{lot.pk}/confirmation-payload/?agency=-1"))[
            :2
        ] == (400, "validation_error")
    assert snapshot() == before


def test_agency_lists_show_its_own_in_fixed_queries(lot, agencies, sign, clm, occupation):
    mine_first = api_confirm(sign, agencies[0], lot).json()
    api_confirm(sign, agencies[1], lot, at(MONDAY, 9, 1))
    selection.confirmation_review(
        actor=clm.specialist, confirmation_id=mine_first["id"], admit=True
    )
    client = client_for(agencies[0].manager)
    mine = client.get(f"{API}/agency/confirmations/").json()["results"]
    assert [(c["lot"]["id"], c["position"]) for c in mine] == [(lot.pk, 1)]
    assert _paginated_ids(client.get(f"{API}/agency/lots/")) == [lot.pk]
    open_lot = client.get(f"{API}/agency/lots/").json()["results"][0]
    assert open_lot["categories"] == {"category_1": 7, "category_2": 2, "category_3": 1}
    assert open_lot["people_count"] == 10
    assert "members" not in open_lot
    queries = {
        url: count_queries(client, url)
        for url in (
            f"{API}/agency/lots/",
            f"{API}/agency/confirmations/",
            f"{API}/agency/notices/",
        )
    }
    more = [
        services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=1, easy=1)],
            price_per_person="50000",
        )
        for _ in range(2)
    ]
    # Offered on the same Monday: put in the week's published announcement (test set-up).
    Announcement.objects.get(status=AnnouncementStatus.PUBLISHED).lots.add(*more)
    Lot.objects.filter(pk__in=[m.pk for m in more]).update(
        status=LotStatus.OPEN, selection_day=MONDAY
    )
    for extra in more:
        extra.refresh_from_db()
        api_confirm(sign, agencies[0], extra, at(MONDAY, 10))
        selection.confirmation_review(
            actor=clm.specialist,
            confirmation_id=LotConfirmation.objects.get(lot=extra).pk,
            admit=False,
            ground=1,
            reasons="Нет опыта",
        )
    assert client.get(f"{API}/agency/confirmations/").json()["count"] == 3
    assert client.get(f"{API}/agency/notices/").json()["count"] == 3
    assert {url: count_queries(client, url) for url in queries} == queries
    # The other agency sees only its own.
    theirs = client_for(agencies[1].manager).get(f"{API}/agency/confirmations/").json()
    assert [c["position"] for c in theirs["results"]] == [2]
    assert client_for(agencies[1].manager).get(f"{API}/agency/notices/").json()["count"] == 0


# --- agency: offers, contracts, people (OUT-11, OUT-12, OUT-14, OUT-17) ---------------------------


def test_out_12_the_agency_gets_the_draft_and_signs_it_through_the_api(lot, agencies, sign, clm):
    first, second = offered(lot, agencies, sign, clm)
    client = client_for(agencies[0].manager)
    (offer,) = client.get(f"{API}/agency/offers/").json()["results"]
    assert (offer["id"], offer["status"], offer["position"]) == (first.offer.pk, "open", 1)
    pdf = client.get(f"{API}/agency/offers/{offer['id']}/draft.pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content == bytes(first.offer.document)
    assert hashlib.sha256(pdf.content).hexdigest() == offer["document_sha256"]
    # Another agency neither sees nor signs it.
    other = client_for(agencies[1].manager)
    assert other.get(f"{API}/agency/offers/").json()["count"] == 0
    assert other.get(f"{API}/agency/offers/{offer['id']}/draft.pdf").status_code == 404
    before = snapshot()
    foreign = other.post(
        f"{API}/agency/offers/{offer['id']}/sign/",
        {"cms": b64(sign(agencies[1].manager, pdf.content, bin=agencies[1].organisation.bin))},
    )
    assert error_of(foreign) == (404, "not_found", None)
    assert field_codes(client.post(f"{API}/agency/offers/{offer['id']}/sign/", {})) == {
        "cms": [("required", None)]
    }
    assert snapshot() == before
    cms = b64(sign(agencies[0].manager, pdf.content, bin=agencies[0].organisation.bin))
    with time_machine.travel(at(TUESDAY, 10), tick=False):
        signed = client.post(f"{API}/agency/offers/{offer['id']}/sign/", {"cms": cms})
        assert signed.status_code == 201, signed.json()
        twice = client.post(f"{API}/agency/offers/{offer['id']}/sign/", {"cms": cms})
    body = signed.json()
    assert (body["people_count"], body["total_sum"]) == (10, "1000000.00")
    assert body["employment_due_on"] == "2027-01-25"  # OUT-18
    assert body["advance_due_on"] == "2026-12-15"  # OUT-22
    assert error_of(twice) == (409, "already_signed", "OUT-14")
    assert OutsourcingContract.objects.count() == 1
    assert [c["id"] for c in client.get(f"{API}/agency/contracts/").json()["results"]] == [
        body["id"]
    ]
    assert client.get(f"{API}/agency/contracts/{body['id']}/").json()["number"] == body["number"]
    # One query counts, one reads the page with everything it shows.
    assert count_queries(client, f"{API}/agency/contracts/") == 2
    assert count_queries(client, f"{API}/agency/offers/") == 2
    assert other.get(f"{API}/agency/contracts/{body['id']}/").status_code == 404
    second.refresh_from_db()
    assert second.status == ConfirmationStatus.NOT_FIRST  # OUT-10 (2)


def test_out_12_a_lapsed_offer_cannot_be_signed_through_the_api(lot, agencies, sign, clm):
    first, _ = offered(lot, agencies, sign, clm)
    document = bytes(first.offer.document)
    before = snapshot()
    with time_machine.travel(at(date(2026, 12, 10), 0, 1), tick=False):
        response = client_for(agencies[0].manager).post(
            f"{API}/agency/offers/{first.offer.pk}/sign/",
            {"cms": b64(sign(agencies[0].manager, document, bin=agencies[0].organisation.bin))},
        )
    assert error_of(response) == (409, "offer_withdrawn", "OUT-12")
    assert snapshot() == before


def test_out_17_the_lot_people_are_exactly_the_eleven_fields_logged_as_api(contract, agencies):
    client = client_for(agencies[0].manager)
    response = client.get(f"{API}/agency/contracts/{contract.pk}/people/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 10
    assert all(set(row) == {"member", "person"} for row in rows)
    assert all(tuple(row["person"]) == contracts.HANDOVER_FIELDS for row in rows)
    assert {row["member"] for row in rows} == set(contract.lot.members.values_list("pk", flat=True))
    assert set(rows[0]["person"]["address"]) == {
        "region",
        "district",
        "locality",
        "street",
        "house",
        "flat",
    }
    iins = contract.lot.members.values_list("person__iin", flat=True)
    assert not any(iin in response.content.decode() for iin in iins)
    logs = PersonAccessLog.objects.filter(user=agencies[0].manager, purpose="outsourcing")
    assert (logs.count(), set(logs.values_list("channel", flat=True))) == (10, {"api"})
    # Another agency, the CLM: 404 / 403, and nothing logged.
    other = client_for(agencies[1].manager).get(f"{API}/agency/contracts/{contract.pk}/people/")
    assert error_of(other) == (404, "not_found", None)
    assert PersonAccessLog.objects.filter(purpose="outsourcing").count() == 10


def test_out_18_placements_are_reported_and_refused_with_the_rule(contract, agencies):
    from labormarket.accounts.tests.factories import OrganisationFactory

    employer = OrganisationFactory(kind="employer")
    member = contract.lot.members.order_by("pk").first()
    client = client_for(agencies[0].manager)
    url = f"{API}/agency/contracts/{contract.pk}/placements/"
    body = {
        "member": member.pk,
        "employer_bin": employer.bin,
        "employer_name": employer.name,
        "position": "Оператор",
        "started_on": "2026-12-14",
    }
    before = snapshot()
    with time_machine.travel(at(date(2026, 12, 15), 10), tick=False):
        early = client.post(url, {**body, "started_on": "2026-12-07"})
        assert error_of(early)[:2] == (400, "validation_error")
        assert field_codes(early) == {"started_on": [("before_contract", "OUT-18")]}
        assert set(field_codes(client.post(url, {**body, "employer_bin": "123"}))) == {
            "employer_bin"
        }
        assert set(field_codes(client.post(url, {**body, "member": "one"}))) == {"member"}
        assert set(field_codes(client.post(url, {**body, "started_on": "14.12"}))) == {"started_on"}
        assert error_of(client.post(url, {**body, "member": 10**12}))[0] == 404
        assert field_codes(client.post(url, {**body, "member": 10**30})) == {
            "member": [("max_value", None)]
        }
        assert snapshot() == before
        created = client.post(url, body)
        assert created.status_code == 201, created.json()
        assert (created.json()["member"], created.json()["status"]) == (member.pk, "reported")
        again = client.post(url, body)
        assert error_of(again) == (409, "already_reported", None)
    assert [p["id"] for p in client.get(url).json()["results"]] == [created.json()["id"]]
    assert client_for(agencies[1].manager).get(url).status_code == 404


def test_out_20_stage_status_acts_prepared_signed_and_submitted(contract, agencies, sign, clm):
    agency = agencies[0]
    client = client_for(agency.manager)
    stages = client.get(f"{API}/agency/contracts/{contract.pk}/stages/").json()
    assert [(s["stage"], s["rule"], s["reached"]) for s in stages] == [
        (1, "OUT-22", False),
        (2, "OUT-23", False),
        (3, "OUT-24", False),
    ]
    acts_url = f"{API}/agency/contracts/{contract.pk}/acts/"
    before = snapshot()
    with time_machine.travel(at(TUESDAY, 12), tick=False):
        assert error_of(client.post(acts_url, {"stage": 1})) == (
            409,
            "stage_not_reached",
            "OUT-20",
        )
    assert field_codes(client.post(acts_url, {"stage": 7})) == {
        "stage": [("invalid_choice", "OUT-20")]
    }
    assert set(field_codes(client.post(acts_url, {"stage": "first"}))) == {"stage"}
    assert snapshot() == before
    with time_machine.travel(at(AFTER_EMPLOYMENT, 10), tick=False):
        stage_1 = client.get(f"{API}/agency/contracts/{contract.pk}/stages/").json()[0]
        assert (stage_1["reached"], stage_1["people_count"], stage_1["refund"]) == (
            True,
            0,
            "200000.00",
        )
        prepared = client.post(acts_url, {"stage": 1})
        assert prepared.status_code == 201, prepared.json()
        act = prepared.json()
        assert (act["status"], act["stage"], act["amount"]) == ("draft", 1, "0.00")
        pdf = client.get(f"{API}/agency/acts/{act['id']}/act.pdf")
        assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-")
        assert (
            client_for(agencies[1].manager)
            .get(f"{API}/agency/acts/{act['id']}/act.pdf")
            .status_code
            == 404
        )
        submit = f"{API}/agency/acts/{act['id']}/submit/"
        assert field_codes(client.post(submit, {"cms": "=="})) == {
            "cms": [("invalid_base64", None)]
        }
        cms = b64(sign(agency.manager, pdf.content, bin=agency.organisation.bin))
        submitted = client.post(submit, {"cms": cms})
        assert submitted.status_code == 200, submitted.json()
        assert submitted.json()["status"] == "submitted"
        assert submitted.json()["decision_due_at"].startswith("2027-01-29T23:59:59")  # OUT-21
        assert error_of(client.post(submit, {"cms": cms})) == (409, "act_submitted", "OUT-20")
    assert [a["id"] for a in client.get(acts_url).json()["results"]] == [act["id"]]


# --- CLM: categories, consents, lots (OUT-02, OUT-05, OUT-06) -------------------------------------


def test_out_02_the_clm_gives_a_category_and_bad_input_is_named(clm, occupation):
    person = PersonFactory(region=clm.organisation.region, labour_status=LabourStatus.UNEMPLOYED)
    client = client_for(clm.specialist)
    url = f"{API}/clm/categories/"
    before = snapshot()
    body = {"person": person.pk, "category": 2, "occupation": occupation.code}
    assert field_codes(client.post(url, {**body, "category": 5})) == {
        "category": [("invalid_choice", "OUT-02")]
    }
    assert set(field_codes(client.post(url, {**body, "category": "two"}))) == {"category"}
    assert field_codes(client.post(url, {**body, "occupation": "NOPE"})) == {
        "occupation": [("unknown_code", None)]
    }
    assert set(field_codes(client.post(url, {"category": 2}))) == {"person", "occupation"}
    assert error_of(client.post(url, {**body, "person": 10**15}))[0] == 404
    employed = PersonFactory(region=clm.organisation.region, labour_status="employed")
    assert field_codes(client.post(url, {**body, "person": employed.pk})) == {
        "person": [("not_unemployed", "OUT-02")]
    }
    assert snapshot() == before
    created = client.post(url, body)
    assert created.status_code == 201, created.json()
    assert (created.json()["person"], created.json()["category"]) == (person.pk, 2)
    assert [c["person"] for c in client.get(url).json()["results"]] == [person.pk]


def test_out_05_the_clm_records_the_consent(clm):
    person = PersonFactory(region=clm.organisation.region, labour_status=LabourStatus.UNEMPLOYED)
    client = client_for(clm.specialist)
    url = f"{API}/clm/consents/"
    before = snapshot()
    assert field_codes(client.post(url, {"person": person.pk, "evidence": "oral"})) == {
        "evidence": [("invalid_choice", "OUT-05")]
    }
    assert set(field_codes(client.post(url, {"evidence": "paper"}))) == {"person"}
    assert snapshot() == before
    created = client.post(
        url, {"person": person.pk, "evidence": "paper", "evidence_reference": "П-7"}
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["person"], created.json()["purpose"]) == (person.pk, "outsourcing")


def test_out_06_lots_are_formed_and_refused_with_the_rule(clm, occupation):
    client = client_for(clm.specialist)
    url = f"{API}/clm/lots/"
    too_few_hard = people(clm, occupation, hard=1, easy=4)
    too_many = people(clm, occupation, hard=10, easy=21)
    no_consent = unemployed(clm, 2, occupation, consent=False)
    before = snapshot()
    refused = client.post(url, {"people": [p.pk for p in too_few_hard], "price_per_person": "1"})
    assert field_codes(refused) == {"people": [("too_few_hard_cases", "OUT-06")]}
    big = client.post(url, {"people": [p.pk for p in too_many], "price_per_person": "1"})
    assert field_codes(big) == {"people": [("too_many_people", "OUT-06")]}
    consent = client.post(url, {"people": [no_consent.pk], "price_per_person": "1"})
    assert field_codes(consent) == {"people[0]": [("no_consent", "OUT-05")]}
    price = client.post(url, {"people": [p.pk for p in too_many[:3]], "price_per_person": "-5"})
    assert set(field_codes(price)) == {"price_per_person"}
    assert set(field_codes(client.post(url, {"people": "1,2", "price_per_person": "1"}))) == {
        "people"
    }
    assert set(field_codes(client.post(url, {"people": ["x"], "price_per_person": "1"}))) == {
        "people.0"
    }
    assert field_codes(client.post(url, {"people": [], "price_per_person": "1"})) == {
        "people": [("empty", "OUT-06")]
    }
    assert snapshot() == before
    created = client.post(
        url, {"people": [p.pk for p in too_many[:3]], "price_per_person": "100000.00"}
    )
    assert created.status_code == 201, created.json()
    lot = created.json()
    assert (lot["status"], len(lot["members"]), lot["price_per_person"]) == (
        "draft",
        3,
        "100000.00",
    )
    assert client.get(url).json()["count"] == 1
    detail = client.get(f"{API}/clm/lots/{lot['id']}/").json()
    assert {m["person"] for m in detail["members"]} == {p.pk for p in too_many[:3]}


def test_out_06_lot_proposals_list_and_withdraw(clm, occupation, lot, agencies, sign):
    people(clm, occupation, hard=3, easy=5)
    client = client_for(clm.specialist)
    proposals = client.get(f"{API}/clm/lots/proposals/")
    assert proposals.status_code == 200
    assert [(p["size"], p["hard_cases"]) for p in proposals.json()] == [(8, 3)]
    draft = services.lot_create(
        actor=clm.specialist,
        person_ids=proposals.json()[0]["people"],
        price_per_person="1000",
    )
    queries = count_queries(client, f"{API}/clm/lots/")
    assert client.get(f"{API}/clm/lots/?status=draft").json()["count"] == 1
    assert set(field_codes(client.get(f"{API}/clm/lots/?status=lost"))) == {"status"}
    before = snapshot()
    assert field_codes(client.post(f"{API}/clm/lots/{draft.pk}/withdraw/", {})) == {
        "reason": [("required", None)]
    }
    api_confirm(sign, agencies[0], lot)
    before = snapshot()
    in_selection = client.post(f"{API}/clm/lots/{lot.pk}/withdraw/", {"reason": "Ошибка"})
    assert error_of(in_selection) == (409, "lot_in_selection", "OUT-07")
    assert snapshot() == before
    withdrawn = client.post(f"{API}/clm/lots/{draft.pk}/withdraw/", {"reason": "Ошибка"})
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, LotStatus.WITHDRAWN)
    assert withdrawn.json()["members"] == []
    for _ in range(3):
        services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=1, easy=1)],
            price_per_person="1000",
        )
    assert count_queries(client, f"{API}/clm/lots/") == queries
    assert client.get(f"{API}/clm/lots/").json()["count"] == 5


def test_out_01_the_clm_drafts_and_publishes_its_announcement(clm, occupation):
    client = client_for(clm.specialist)
    services.lot_create(
        actor=clm.specialist,
        person_ids=[p.pk for p in people(clm, occupation, hard=1, easy=2)],
        price_per_person="50000",
    )
    with time_machine.travel(at(WEDNESDAY, 10), tick=False):
        drafted = client.post(f"{API}/clm/announcements/", {})
        assert drafted.status_code == 200, drafted.json()
        body = drafted.json()
        assert (body["status"], body["selection_day"], body["lots_count"]) == (
            "draft",
            "2026-12-07",
            1,
        )
        assert body["contents"]["people_count"] == 3
        assert client_for(None).get(f"{API}/announcements/{body['id']}/").status_code == 404
        published = client.post(f"{API}/clm/announcements/{body['id']}/publish/")
        assert (published.status_code, published.json()["status"]) == (200, "published")
        again = client.post(f"{API}/clm/announcements/{body['id']}/publish/")
        assert error_of(again) == (409, "already_published", "OUT-01")
    assert client.get(f"{API}/clm/announcements/").json()["count"] == 1
    assert client_for(None).get(f"{API}/announcements/{body['id']}/").status_code == 200
    assert Lot.objects.get().status == LotStatus.OPEN


def test_out_01_an_announcement_without_lots_or_too_late_is_refused(clm, occupation):
    client = client_for(clm.specialist)
    with time_machine.travel(at(WEDNESDAY, 10), tick=False):
        empty = client.post(f"{API}/clm/announcements/", {}).json()
        before = snapshot()
        refused = client.post(f"{API}/clm/announcements/{empty['id']}/publish/")
        assert field_codes(refused) == {"lots": [("required", "OUT-01")]}
        assert snapshot() == before
    services.lot_create(
        actor=clm.specialist,
        person_ids=[p.pk for p in people(clm, occupation, hard=1, easy=2)],
        price_per_person="50000",
    )
    with time_machine.travel(at(MONDAY, 9, 30), tick=False):
        # Refreshing on Monday drafts the next week's; the old draft is too late to publish.
        services.announcement_draft(clm=clm.organisation, today=WEDNESDAY)
        before = snapshot()
        late = client.post(f"{API}/clm/announcements/{empty['id']}/publish/")
        assert field_codes(late) == {"selection_day": [("too_late", "OUT-01")]}
        assert snapshot() == before


# --- CLM: review (OUT-09, OUT-10) ----------------------------------------------------------------


def test_out_09_review_through_the_api_admits_or_refuses_with_a_ground(lot, agencies, sign, clm):
    first = api_confirm(sign, agencies[0], lot).json()
    second = api_confirm(sign, agencies[1], lot, at(MONDAY, 9, 1)).json()
    client = client_for(clm.specialist)
    queue = client.get(f"{API}/clm/reviews/").json()["results"]
    assert [(c["id"], c["position"]) for c in queue] == [(first["id"], 1), (second["id"], 2)]
    assert queue[0]["agency"]["bin"] == agencies[0].organisation.bin
    url = f"{API}/clm/confirmations/{first['id']}/review/"
    before = snapshot()
    not_a_ground = client.post(url, {"admit": False, "ground": 2, "reasons": ""})
    assert field_codes(not_a_ground) == {
        "ground": [("not_a_review_ground", "OUT-10")],
        "reasons": [("required", "OUT-09")],
    }
    assert field_codes(client.post(url, {"admit": False, "ground": 9, "reasons": "x"})) == {
        "ground": [("invalid_choice", "OUT-10")]
    }
    assert set(field_codes(client.post(url, {"admit": "perhaps"}))) == {"admit"}
    assert set(field_codes(client.post(url, {"admit": False, "ground": "one"}))) == {"ground"}
    assert error_of(client.post(f"{API}/clm/confirmations/999999/review/", {"admit": True})) == (
        404,
        "not_found",
        None,
    )
    assert snapshot() == before
    admitted = client.post(url, {"admit": True})
    assert (admitted.status_code, admitted.json()["status"]) == (200, "admitted")
    refused = client.post(
        f"{API}/clm/confirmations/{second['id']}/review/",
        {"admit": False, "ground": 3, "reasons": "Справки недостоверны"},
    )
    assert (refused.json()["status"], refused.json()["refusal_ground"]) == ("refused", 3)
    before = snapshot()
    assert error_of(client.post(url, {"admit": True})) == (409, "already_reviewed", "OUT-09")
    assert snapshot() == before
    assert client.get(f"{API}/clm/reviews/").json()["count"] == 0
    notices = client_for(agencies[1].manager).get(f"{API}/agency/notices/").json()["results"]
    assert [(n["rule"], n["kind"]) for n in notices] == [("OUT-09", "review_result")]


# --- CLM: acts (OUT-21) -------------------------------------------------------------------------------


@pytest.fixture
def submitted_act(contract, agencies, sign) -> ServiceAct:
    agency = agencies[0]
    with time_machine.travel(at(AFTER_EMPLOYMENT, 10), tick=False):
        act = acts.act_prepare(
            actor=agency.manager, contract_id=contract.pk, stage=1, today=AFTER_EMPLOYMENT
        )
        return acts.act_submit(
            actor=agency.manager,
            act_id=act.pk,
            cms=sign(agency.manager, bytes(act.document), bin=agency.organisation.bin),
        )


def test_out_21_only_the_head_signs_the_act_and_the_refund_is_recorded(
    submitted_act, clm, sign, contract
):
    specialist, head = client_for(clm.specialist), client_for(clm.head)
    waiting = specialist.get(f"{API}/clm/acts/").json()["results"]
    assert [(a["id"], a["status"]) for a in waiting] == [(submitted_act.pk, "submitted")]
    pdf = head.get(f"{API}/clm/acts/{submitted_act.pk}/act.pdf")
    assert pdf.content == bytes(submitted_act.document)
    url = f"{API}/clm/acts/{submitted_act.pk}/sign/"
    # The advance was ordered (OUT-22): the refund for the people not employed can be recorded.
    specialist.post(
        f"{API}/contracts/{contract.pk}/payments/", {"stage": 1}, HTTP_IDEMPOTENCY_KEY="adv-1"
    )
    before = snapshot()
    by_specialist = specialist.post(
        url, {"cms": b64(sign(clm.specialist, pdf.content, bin=clm.organisation.bin))}
    )
    assert error_of(by_specialist) == (403, "head_only", "OUT-21")
    wrong_bin = head.post(url, {"cms": b64(sign(clm.head, pdf.content))})
    assert error_of(wrong_bin) == (400, "signature_rejected", "OUT-21")
    assert field_codes(head.post(url, {"cms": 5})) == {"cms": [("invalid_base64", None)]}
    assert snapshot() == before
    signed = head.post(url, {"cms": b64(sign(clm.head, pdf.content, bin=clm.organisation.bin))})
    assert (signed.status_code, signed.json()["status"]) == (200, "signed")
    refund = StagePayment.objects.get(contract=contract, is_refund=True).entry
    assert (refund.amount, refund.direction, refund.rule) == (Decimal("200000.00"), "in", "OUT-22")
    again = head.post(url, {"cms": b64(sign(clm.head, pdf.content, bin=clm.organisation.bin))})
    assert error_of(again) == (409, "act_not_waiting", "OUT-21")


def test_out_21_the_clm_refuses_with_reasons_or_extends(submitted_act, clm):
    client = client_for(clm.specialist)
    before = snapshot()
    assert field_codes(client.post(f"{API}/clm/acts/{submitted_act.pk}/refuse/", {})) == {
        "reasons": [("required", None)]
    }
    with time_machine.travel(at(date(2027, 2, 1), 9), tick=False):
        late = client.post(f"{API}/clm/acts/{submitted_act.pk}/extend/")
    assert error_of(late) == (409, "extension_too_late", "OUT-21")
    assert snapshot() == before
    with time_machine.travel(at(date(2027, 1, 27), 9), tick=False):
        extended = client.post(f"{API}/clm/acts/{submitted_act.pk}/extend/")
    assert (extended.status_code, extended.json()["status"]) == (200, ActStatus.EXTENDED)
    assert extended.json()["decision_due_at"].startswith("2027-02-09T23:59:59")
    refused = client.post(
        f"{API}/clm/acts/{submitted_act.pk}/refuse/", {"reasons": "Нет подтверждений"}
    )
    assert (refused.json()["status"], refused.json()["refusal_reasons"]) == (
        "refused",
        "Нет подтверждений",
    )
    assert client.get(f"{API}/clm/acts/").json()["count"] == 0


def test_clm_lists_take_fixed_queries(contract, clm, submitted_act):
    client = client_for(clm.specialist)
    urls = [
        f"{API}/clm/lots/",
        f"{API}/clm/announcements/",
        f"{API}/clm/reviews/",
        f"{API}/clm/contracts/",
        f"{API}/clm/acts/",
        f"{API}/clm/categories/",
    ]
    before = {url: count_queries(client, url) for url in urls}
    assert client.get(f"{API}/clm/contracts/").json()["count"] == 1
    assert client.get(f"{API}/clm/acts/").json()["count"] == 1
    unemployed(clm, 2, contract.lot.occupation)
    unemployed(clm, 1, contract.lot.occupation)
    assert {url: count_queries(client, url) for url in urls} == before


# --- CLM: stage payments and the ledger (OUT-19, OUT-22…OUT-24) -------------------------------------


def test_out_22_the_advance_is_ordered_once_and_replays_answer_the_same(contract, clm):
    client = client_for(clm.specialist)
    url = f"{API}/contracts/{contract.pk}/payments/"
    before = snapshot()
    missing = client.post(url, {"stage": 1})
    assert field_codes(missing) == {"Idempotency-Key": [("required", None)]}
    assert set(field_codes(client.post(url, {"stage": 1}, HTTP_IDEMPOTENCY_KEY="x" * 101))) == {
        "Idempotency-Key"
    }
    assert set(field_codes(client.post(url, {"stage": "one"}, HTTP_IDEMPOTENCY_KEY="k"))) == {
        "stage"
    }
    assert field_codes(client.post(url, {}, HTTP_IDEMPOTENCY_KEY="k")) == {
        "stage": [("required", None)]
    }
    assert field_codes(client.post(url, {"stage": 4}, HTTP_IDEMPOTENCY_KEY="k")) == {
        "stage": [("invalid_choice", None)]
    }
    assert error_of(
        client.post(f"{API}/contracts/999999/payments/", {"stage": 1}, HTTP_IDEMPOTENCY_KEY="k")
    ) == (404, "not_found", None)
    assert snapshot() == before
    created = client.post(url, {"stage": 1}, HTTP_IDEMPOTENCY_KEY="advance-1")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["amount"], body["rule"], body["due_on"], body["stage"]) == (
        "200000.00",
        "OUT-22",
        "2026-12-15",
        1,
    )
    assert body["contract"] == {"id": contract.pk, "number": contract.number}
    replay = client.post(url, {"stage": 1}, HTTP_IDEMPOTENCY_KEY="advance-1")
    assert (replay.status_code, replay.json()) == (200, body)
    before = snapshot()
    twice = client.post(url, {"stage": 1}, HTTP_IDEMPOTENCY_KEY="advance-2")
    assert error_of(twice) == (409, "stage_already_paid", "OUT-22")
    reused = client.post(url, {"stage": 2}, HTTP_IDEMPOTENCY_KEY="advance-1")
    assert error_of(reused) == (409, "idempotency_key_reused", None)
    not_signed = client.post(url, {"stage": 2}, HTTP_IDEMPOTENCY_KEY="s2")
    assert error_of(not_signed) == (409, "act_not_signed", "OUT-23")
    assert snapshot() == before
    assert LedgerEntry.objects.count() == 1

    ledger = client.get(f"{API}/contracts/{contract.pk}/ledger/")
    assert ledger.status_code == 200
    assert [e["id"] for e in ledger.json()["entries"]] == [body["id"]]
    totals = ledger.json()["totals"]
    assert (totals["ceiling"], totals["paid_out"], totals["remaining"], totals["consistent"]) == (
        "1000000.00",
        "200000.00",
        "800000.00",
        True,
    )


def test_out_19_an_order_above_the_contract_sum_is_refused(contract, clm):
    account = acts.contract_account(contract)
    payments.record_entry(
        account=account,
        kind="stage_payment",
        direction="out",
        amount=Decimal("900000.00"),
        due_on=TUESDAY,
        rule="OUT-23",
        inputs={},
        idempotency_key="earlier-payment",
        actor=clm.head,
    )
    before = snapshot()
    response = client_for(clm.specialist).post(
        f"{API}/contracts/{contract.pk}/payments/", {"stage": 1}, HTTP_IDEMPOTENCY_KEY="adv"
    )
    assert error_of(response) == (409, "ceiling_exceeded", "OUT-19")
    assert snapshot() == before
    assert not StagePayment.objects.exists()


def test_the_ledger_and_payments_are_the_clms_only(contract, clm, agencies):
    from labormarket.accounts.choices import Role
    from labormarket.accounts.tests.factories import AKMOLA, user_with_role

    other_clm = user_with_role(Role.CLM_SPECIALIST, region_code=AKMOLA)
    before = snapshot()
    for user, expected in ((agencies[0].manager, 403), (other_clm, 404), (None, 403)):
        client = client_for(user)
        assert client.get(f"{API}/contracts/{contract.pk}/ledger/").status_code == expected
        paid = client.post(
            f"{API}/contracts/{contract.pk}/payments/", {"stage": 1}, HTTP_IDEMPOTENCY_KEY="k1"
        )
        assert paid.status_code == expected
    assert snapshot() == before


def test_out_22_the_stage_1_act_is_signed_before_the_advance_is_ordered(
    contract, agencies, sign, clm
):
    """Bug fixed: signing the stage-1 act when the advance had not been ordered yet failed with
    409 ``refund_exceeds_paid_out`` (the refund was recorded against nothing paid out), so the
    head could not sign it. Now nothing is refunded, and the advance ordered afterwards is paid
    less the part for the people not employed (OUT-22): 1 of 10 employed → 20 000 of 200 000."""
    import io

    from labormarket.accounts.tests.factories import OrganisationFactory
    from labormarket.registry.employment import import_employment_records

    agency = agencies[0]
    employer = OrganisationFactory(kind="employer")
    member = contract.lot.members.select_related("person").order_by("pk").first()
    with time_machine.travel(at(date(2026, 12, 15), 10), tick=False):
        acts.placement_report(
            actor=agency.manager,
            contract_id=contract.pk,
            member_id=member.pk,
            employer_bin=employer.bin,
            employer_name=employer.name,
            position="Оператор",
            started_on=date(2026, 12, 14),
        )
        csv = f"iin,employer_bin,started_on,ended_on\n{member.person.iin},{employer.bin},2026-12-14,\n"
        import_employment_records(io.StringIO(csv), file_name="esutd-2026-12.csv")
        assert acts.placements_check(date(2026, 12, 15)) == 1
    with time_machine.travel(at(AFTER_EMPLOYMENT, 10), tick=False):
        act = acts.act_prepare(
            actor=agency.manager, contract_id=contract.pk, stage=1, today=AFTER_EMPLOYMENT
        )
        act = acts.act_submit(
            actor=agency.manager,
            act_id=act.pk,
            cms=sign(agency.manager, bytes(act.document), bin=agency.organisation.bin),
        )
        signed = client_for(clm.head).post(
            f"{API}/clm/acts/{act.pk}/sign/",
            {"cms": b64(sign(clm.head, bytes(act.document), bin=clm.organisation.bin))},
        )
    assert (signed.status_code, signed.json()["status"]) == (200, "signed"), signed.json()
    assert not LedgerEntry.objects.exists()
    advance = client_for(clm.specialist).post(
        f"{API}/contracts/{contract.pk}/payments/", {"stage": 1}, HTTP_IDEMPOTENCY_KEY="late-adv"
    )
    assert advance.status_code == 201, advance.json()
    assert (advance.json()["amount"], advance.json()["inputs"]["refund_deducted"]) == (
        "20000.00",
        "180000.00",
    )
    account = acts.contract_account(contract)
    assert (account.paid_out, account.refunded) == (Decimal("20000.00"), Decimal("0.00"))


def test_out_22_nobody_employed_and_no_advance_yet_leaves_nothing_to_pay(
    submitted_act, contract, clm, sign
):
    signed = client_for(clm.head).post(
        f"{API}/clm/acts/{submitted_act.pk}/sign/",
        {"cms": b64(sign(clm.head, bytes(submitted_act.document), bin=clm.organisation.bin))},
    )
    assert signed.status_code == 200, signed.json()
    before = snapshot()
    nothing = client_for(clm.specialist).post(
        f"{API}/contracts/{contract.pk}/payments/", {"stage": 1}, HTTP_IDEMPOTENCY_KEY="adv"
    )
    assert error_of(nothing) == (409, "nothing_to_pay", "OUT-22")
    assert snapshot() == before
