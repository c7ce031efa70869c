"""The agency's outsourcing cabinet pages: the cabinet certified with EDS (OUT-04), the
qualification documents (OUT-08), the Monday selection with EDS (OUT-03, OUT-07), confirmations,
notices, offers and contract signing (OUT-11…OUT-14), the eleven-field hand-over (OUT-17),
placements (OUT-18), acts (OUT-20) and payments (OUT-19, OUT-22); and who may open each page."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import user_with_role
from labormarket.outsourcing import acts, contracts, selection, services
from labormarket.outsourcing.choices import ActStatus, ConfirmationStatus, OfferStatus
from labormarket.outsourcing.models import (
    AgencyCabinet,
    LotConfirmation,
    OutsourcingContract,
    Placement,
    QualificationDocument,
    ServiceAct,
)
from labormarket.registry.models import PersonAccessLog

from .apiworld import AFTER_EMPLOYMENT, TUESDAY, b64, confirm, offered, sign_contract, snapshot
from .conftest import CABINET, MONDAY, WEDNESDAY, announce, at, make_agency, people

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PDF = b"%PDF-1.4\n% test document\n"


@pytest.fixture(autouse=True)
def _sessions_outlive_travel(settings):
    """The tests travel to December 2026 after signing in: keep the session valid there."""
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600


def url(name, *args):
    return reverse(f"outsourcing_agency:{name}", args=args)


def signed_in(client, user):
    client.force_login(user)
    return client


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def contract(lot, agencies, sign, clm) -> OutsourcingContract:
    first, _second = offered(lot, agencies, sign, clm)
    return sign_contract(sign, agencies[0], first.offer)


def cabinet_form(**changes):
    data = {name: getattr(CABINET, name) for name in CABINET.__dataclass_fields__}
    return {**data, **changes}


# --- the cabinet (OUT-04) ------------------------------------------------------------------------


def test_out_04_the_agency_certifies_its_cabinet_through_the_page(client, sign):
    agency = make_agency("ТОО «Новое агентство»")
    signed_in(client, agency.manager)
    page = client.get(url("cabinet"), **EN)
    assert page.status_code == 200
    assert "An agency takes part in outsourcing only with a cabinet" in page.content.decode()
    statement = client.get(url("cabinet_statement")).json()
    content = base64.b64decode(statement["data"])
    assert content == services.cabinet_statement(agency.organisation)
    cms = b64(sign(agency.manager, content, bin=agency.organisation.bin))
    done = client.post(url("cabinet"), cabinet_form(cms=cms), **EN)
    assert (done.status_code, done["Location"]) == (302, url("cabinet"))
    cabinet = AgencyCabinet.objects.get(agency=agency.organisation)
    assert (cabinet.iik, cabinet.contact_phone, cabinet.signature.signer_bin) == (
        CABINET.iik,
        "+77015550101",
        agency.organisation.bin,
    )
    again = client.get(url("cabinet"), **EN)
    assert "The cabinet was certified with the agency" in again.content.decode()
    assert again.context["form"].initial["iik"] == CABINET.iik


def test_out_04_cabinet_refusals_name_the_field_and_write_nothing(client, sign, agencies):
    agency = make_agency("ТОО «Новое агентство»")
    signed_in(client, agency.manager)
    content = services.cabinet_statement(agency.organisation)
    cms = b64(sign(agency.manager, content, bin=agency.organisation.bin))
    before = snapshot()
    bad_iik = client.post(url("cabinet"), cabinet_form(cms=cms, iik="123"), **EN)
    assert bad_iik.status_code == 400
    assert bad_iik.context["form"].errors["iik"] == ["The IIK is 20 characters starting with KZ."]
    unsigned = client.post(url("cabinet"), cabinet_form(), **EN)
    assert unsigned.status_code == 400
    assert messages_of(unsigned) == ["Sign with your EDS first."]
    # Signed by another agency's manager with that agency's BIN: refused, rule named.
    other = agencies[0]
    foreign = client.post(
        url("cabinet"),
        cabinet_form(cms=b64(sign(other.manager, content, bin=other.organisation.bin))),
        **EN,
    )
    assert foreign.status_code == 400
    (message,) = messages_of(foreign)
    assert message.startswith("The electronic signature did not pass the checks. (OUT-04)")
    assert snapshot() == before
    assert not AgencyCabinet.objects.filter(agency=agency.organisation).exists()


# --- qualification documents (OUT-08) ---------------------------------------------------------------


def test_out_08_documents_are_filed_and_the_missing_kinds_shown(
    client, agencies, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    agency = agencies[0]
    signed_in(client, agency.manager)
    page = client.get(url("documents"), **EN)
    assert page.status_code == 200
    assert len(page.context["missing"]) == 3
    assert "No documents are filed yet." in page.content.decode()
    done = client.post(
        url("documents"),
        {
            "kind": "experience",
            "title": "Справка об опыте",
            "file": SimpleUploadedFile("opyt.pdf", PDF, "application/pdf"),
        },
    )
    assert done.status_code == 302
    document = QualificationDocument.objects.get(agency=agency.organisation)
    assert (document.kind, document.title, document.uploaded_by) == (
        "experience",
        "Справка об опыте",
        agency.manager,
    )
    listed = client.get(url("documents"), **EN)
    assert list(listed.context["page"].object_list) == [document]
    assert [str(m) for m in listed.context["missing"]] == [
        "Material resources",
        "Labour resources (staff)",
    ]
    # A text file and a missing title: refused with the field named, nothing filed.
    wrong = client.post(
        url("documents"),
        {"kind": "experience", "title": "x", "file": SimpleUploadedFile("a.txt", b"hello")},
        **EN,
    )
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["file"] == ["Attach a PDF, JPEG or PNG file."]
    untitled = client.post(
        url("documents"),
        {"kind": "nonsense", "title": "", "file": SimpleUploadedFile("a.pdf", PDF)},
        **EN,
    )
    assert untitled.status_code == 400
    assert set(untitled.context["form"].errors) == {"kind", "title"}
    assert QualificationDocument.objects.count() == 1


# --- Monday selection (OUT-03, OUT-07) ---------------------------------------------------------------


def _confirm_through_page(client, sign, agency, lot, when):
    with time_machine.travel(when, tick=False):
        payload = client.get(url("lot_payload", lot.pk))
        assert payload.status_code == 200
        content = base64.b64decode(payload.json()["data"])
        cms = b64(sign(agency.manager, content, bin=agency.organisation.bin))
        return client.post(url("lot_confirm", lot.pk), {"cms": cms}, **EN)


def test_out_07_the_agency_confirms_a_lot_and_sees_its_place(client, lot, agencies, sign):
    first, second = agencies[0], agencies[1]
    signed_in(client, first.manager)
    with time_machine.travel(at(MONDAY, 8, 30), tick=False):
        before = client.get(url("lots"), **EN)
    assert before.status_code == 200
    (row,) = before.context["rows"]
    assert (row["lot"], row["mine"], row["lot"].people_count) == (lot, None, 10)
    assert (row["lot"].category_1, row["lot"].category_2, row["lot"].category_3) == (7, 2, 1)
    assert row["closed"] == "Lots are chosen from 09:00 to 18:30 local time; it is 08:30 now."
    done = _confirm_through_page(client, sign, first, lot, at(MONDAY, 9, 0))
    assert (done.status_code, done["Location"]) == (302, url("confirmations"))
    confirmation = LotConfirmation.objects.get(agency=first.organisation)
    assert (confirmation.position, confirmation.daily_number) == (1, 1)
    with time_machine.travel(at(MONDAY, 9, 1), tick=False):
        page = client.get(url("confirmations"), **EN)
    text = page.content.decode()
    assert messages_of(page) == [
        f"Lot {lot.number} is confirmed: your place in its queue is 1; this is your "
        "confirmation 1 of 3 today (OUT-07). The review is due by 09.12.2026 23:59."
    ]
    assert list(page.context["page"].object_list) == [confirmation]
    assert "09.12.2026 23:59" in text  # the stored review deadline (OUT-09)
    signed_in(client, second.manager)
    _confirm_through_page(client, sign, second, lot, at(MONDAY, 9, 2))
    with time_machine.travel(at(MONDAY, 9, 3), tick=False):
        page = client.get(url("confirmations"), **EN)
        lots_page = client.get(url("lots"), **EN)
    assert "your place in its queue is 2" in messages_of(page)[0]
    assert [c.position for c in page.context["page"].object_list] == [2]
    assert lots_page.context["rows"][0]["mine"].position == 2
    assert lots_page.context["used_today"] == 1


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (at(TUESDAY, 10), "Lots are chosen on Mondays only, 09:00 to 18:30 local time. (OUT-03)"),
        (
            at(MONDAY, 18, 31),
            "Lots are chosen from 09:00 to 18:30 local time; it is 18:31 now. (OUT-03)",
        ),
        (at(MONDAY, 8, 59), "Lots are chosen from 09:00 to 18:30 local time; it is 08:59 now."),
    ],
)
def test_out_03_no_confirmation_outside_the_window(client, lot, agencies, sign, when, text):
    agency = agencies[0]
    signed_in(client, agency.manager)
    before = snapshot()
    refused = _confirm_through_page(client, sign, agency, lot, when)
    assert refused.status_code == 409
    assert messages_of(refused)[0].startswith(text)
    assert snapshot() == before


def test_out_07_a_fourth_confirmation_of_the_day_is_refused(
    client, clm, occupation, agencies, sign
):
    lots = [
        services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=1, easy=0)],
            price_per_person=Decimal("100000"),
        )
        for _ in range(4)
    ]
    announce(clm, lots)
    for lot in lots:
        lot.refresh_from_db()
    agency = agencies[0]
    for minute, lot in enumerate(lots[:3]):
        confirm(sign, agency, lot, minute)
    signed_in(client, agency.manager)
    before = snapshot()
    refused = _confirm_through_page(client, sign, agency, lots[3], at(MONDAY, 10))
    assert refused.status_code == 409
    assert messages_of(refused) == ["An agency may confirm at most 3 lots in one day. (OUT-07)"]
    assert refused.context["used_today"] == 3
    assert snapshot() == before


def test_out_07_a_foreign_or_missing_signature_is_refused_and_writes_nothing(
    client, lot, agencies, sign
):
    agency, other = agencies[0], agencies[1]
    signed_in(client, agency.manager)
    payload = selection.confirmation_payload(lot, agency.organisation, lot.selection_day)
    before = snapshot()
    with time_machine.travel(at(MONDAY, 9, 5), tick=False):
        foreign = client.post(
            url("lot_confirm", lot.pk),
            {"cms": b64(sign(other.manager, payload, bin=other.organisation.bin))},
            **EN,
        )
        missing = client.post(url("lot_confirm", lot.pk), {"cms": ""}, **EN)
        garbage = client.post(url("lot_confirm", lot.pk), {"cms": "not base64!"}, **EN)
    assert foreign.status_code == 400
    assert messages_of(foreign)[0].startswith(
        "The electronic signature did not pass the checks. (OUT-07)"
    )
    assert (missing.status_code, messages_of(missing)) == (400, ["Sign with your EDS first."])
    assert (garbage.status_code, messages_of(garbage)) == (
        400,
        ["The signature is not valid base64."],
    )
    assert snapshot() == before


def test_out_04_an_uncertified_agency_cannot_confirm(client, lot, sign):
    agency = make_agency("ТОО «Без кабинета»")
    signed_in(client, agency.manager)
    before = snapshot()
    refused = _confirm_through_page(client, sign, agency, lot, at(MONDAY, 9, 5))
    assert refused.status_code == 403
    assert messages_of(refused) == [
        "Certify the agency's cabinet with its EDS before choosing lots. (OUT-04)"
    ]
    assert snapshot() == before


def test_out_07_the_eds_is_checked_before_nine_with_nothing_written(client, agencies, sign):
    agency = agencies[0]
    signed_in(client, agency.manager)
    before = snapshot()
    with time_machine.travel(at(MONDAY, 8, 30), tick=False):
        content = base64.b64decode(client.get(url("readiness_payload")).json()["data"])
        assert content == selection.readiness_payload(agency.organisation, MONDAY)
        good = client.post(
            url("readiness_check"),
            {"cms": b64(sign(agency.manager, content, bin=agency.organisation.bin))},
            **EN,
        )
        followed = client.get(url("lots"), **EN)
        bad = client.post(url("readiness_check"), {"cms": b64(sign(agency.manager, content))}, **EN)
    assert (good.status_code, good["Location"]) == (302, url("lots"))
    assert messages_of(followed)[0].startswith("Your EDS is accepted:")
    assert bad.status_code == 400
    assert messages_of(bad)[0].startswith(
        "The electronic signature did not pass the checks. (OUT-07)"
    )
    assert snapshot() == before


# --- notices, offers, contracts (OUT-09, OUT-11…OUT-14) ---------------------------------------------


def test_out_09_review_results_reach_the_notices_page(client, lot, agencies, sign, clm):
    confirmation = confirm(sign, agencies[0], lot)
    selection.confirmation_review(
        actor=clm.specialist,
        confirmation_id=confirmation.pk,
        admit=False,
        ground=1,
        reasons="Нет штата",
    )
    signed_in(client, agencies[0].manager)
    page = client.get(url("notices"), **EN)
    assert page.status_code == 200
    (notice,) = page.context["page"].object_list
    assert (notice.rule, notice.lot) == ("OUT-09", lot)
    assert "Нет штата" in page.content.decode()
    listed = client.get(url("confirmations"), **EN).content.decode()
    assert "The agency does not meet the qualification requirements (OUT-10)" in listed
    assert client.get(url("notices")).context["page"].object_list[0] == notice
    signed_in(client, agencies[1].manager)
    assert list(client.get(url("notices")).context["page"].object_list) == []


def test_out_12_the_agency_signs_the_draft_contract_on_its_page(client, lot, agencies, sign, clm):
    first, _second = offered(lot, agencies, sign, clm)
    offer = first.offer
    agency = agencies[0]
    signed_in(client, agency.manager)
    with time_machine.travel(at(TUESDAY, 9), tick=False):
        listed = client.get(url("offers"), **EN)
        page = client.get(url("offer", offer.pk), **EN)
        home = client.get(url("home"), **EN)
    assert list(listed.context["page"].object_list) == [offer]
    assert page.status_code == 200
    assert page.context["signable"] is True
    assert "09.12.2026 23:59" in page.content.decode()  # OUT-12: 2 working days
    assert list(home.context["open_offers"]) == [offer]
    pdf = client.get(url("offer_pdf", offer.pk))
    assert (pdf.status_code, pdf["Content-Type"], pdf.content) == (
        200,
        "application/pdf",
        bytes(offer.document),
    )
    content = base64.b64decode(client.get(url("offer_bytes", offer.pk)).json()["data"])
    assert content == bytes(offer.document)
    before = snapshot()
    other = agencies[1]
    with time_machine.travel(at(TUESDAY, 10), tick=False):
        foreign = client.post(
            url("offer_sign", offer.pk),
            {"cms": b64(sign(other.manager, content, bin=other.organisation.bin))},
            **EN,
        )
        assert foreign.status_code == 400
        assert "(OUT-12)" in messages_of(foreign)[0]
        assert snapshot() == before
        done = client.post(
            url("offer_sign", offer.pk),
            {"cms": b64(sign(agency.manager, content, bin=agency.organisation.bin))},
            **EN,
        )
    contract = OutsourcingContract.objects.get()
    assert (done.status_code, done["Location"]) == (302, url("contract", contract.pk))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SIGNED
    page = client.get(url("contract", contract.pk), **EN)
    assert messages_of(page) == [
        f"Contract {contract.number} is concluded. Employ the people by 25.01.2027 (OUT-18)."
    ]
    assert list(client.get(url("contracts")).context["page"].object_list) == [contract]
    assert client.get(url("offer", offer.pk)).context["contract"] == contract


def test_out_12_a_lapsed_offer_cannot_be_signed_on_the_page(client, lot, agencies, sign, clm):
    first, _second = offered(lot, agencies, sign, clm)
    agency = agencies[0]
    signed_in(client, agency.manager)
    cms = b64(sign(agency.manager, bytes(first.offer.document), bin=agency.organisation.bin))
    before = snapshot()
    with time_machine.travel(at(date(2026, 12, 10), 0, 1), tick=False):
        assert client.get(url("offer", first.offer.pk)).context["signable"] is False
        refused = client.post(url("offer_sign", first.offer.pk), {"cms": cms}, **EN)
    assert refused.status_code == 409
    assert messages_of(refused) == [
        "The draft contract was not signed within 2 working days and has been withdrawn. (OUT-12)"
    ]
    assert snapshot() == before


def test_the_contract_page_shows_the_stored_deadlines_and_stages(client, contract, agencies, clm):
    acts.payment_order(actor=clm.specialist, contract_id=contract.pk, stage=1, idempotency_key="a1")
    signed_in(client, agencies[0].manager)
    with time_machine.travel(at(TUESDAY, 12), tick=False):
        page = client.get(url("contract", contract.pk), **EN)
    assert page.status_code == 200
    text = page.content.decode()
    for shown in ("25.01.2027", "15.12.2026", "23.12.2026"):  # OUT-18, OUT-22, OUT-15
        assert shown in text, shown
    assert [figures.reached for _rule, _label, figures in page.context["stages"]] == [
        False,
        False,
        False,
    ]
    (entry,) = page.context["entries"]
    assert (entry.amount, entry.rule) == (Decimal("200000.00"), "OUT-22")
    assert page.context["totals"].paid_out == Decimal("200000.00")
    assert "200,000.00" in text


def test_out_20_acts_are_prepared_and_submitted_with_eds(client, contract, agencies, sign):
    agency = agencies[0]
    signed_in(client, agency.manager)
    before = snapshot()
    with time_machine.travel(at(TUESDAY, 12), tick=False):
        early = client.post(url("act_prepare", contract.pk), {"stage": 1}, **EN)
        wrong = client.post(url("act_prepare", contract.pk), {"stage": 7}, **EN)
    assert early.status_code == 409
    assert messages_of(early) == [
        "Stage 1 is not completed yet: there is nothing to act on. (OUT-20)"
    ]
    assert wrong.status_code == 400
    assert "stage" in wrong.context["prepare_form"].errors
    assert snapshot() == before
    with time_machine.travel(at(AFTER_EMPLOYMENT, 10), tick=False):
        prepared = client.post(url("act_prepare", contract.pk), {"stage": 1}, **EN)
        assert prepared.status_code == 302
        act = ServiceAct.objects.get()
        assert (act.status, act.stage) == (ActStatus.DRAFT, 1)
        page = client.get(url("contract", contract.pk), **EN)
        assert messages_of(page)[0].startswith(f"Act {act.number} is prepared")
        assert list(page.context["page"].object_list) == [act]
        pdf = client.get(url("act_pdf", act.pk))
        assert (pdf.status_code, pdf.content) == (200, bytes(act.document))
        content = base64.b64decode(client.get(url("act_bytes", act.pk)).json()["data"])
        foreign = client.post(
            url("act_submit", act.pk), {"cms": b64(sign(agency.manager, content))}, **EN
        )
        assert foreign.status_code == 400
        assert "(OUT-20)" in messages_of(foreign)[0]
        act.refresh_from_db()
        assert act.status == ActStatus.DRAFT
        done = client.post(
            url("act_submit", act.pk),
            {"cms": b64(sign(agency.manager, content, bin=agency.organisation.bin))},
            **EN,
        )
        assert (done.status_code, done["Location"]) == (302, url("contract", contract.pk))
        twice = client.post(
            url("act_submit", act.pk),
            {"cms": b64(sign(agency.manager, content, bin=agency.organisation.bin))},
            **EN,
        )
    act.refresh_from_db()
    assert act.status == ActStatus.SUBMITTED
    assert twice.status_code == 409
    assert messages_of(twice)[-1] == "The act is already submitted. (OUT-20)"


# --- the lot's people (OUT-17) and placements (OUT-18) ----------------------------------------------


def test_out_17_the_people_page_shows_the_eleven_fields_and_logs_each_read(
    client, contract, agencies
):
    from labormarket.registry.models import PersonPhone

    agency = agencies[0]
    someone = contract.lot.members.first().person
    PersonPhone.objects.create(person=someone, number="+77770009999", is_primary=False)
    signed_in(client, agency.manager)
    page = client.get(url("people", contract.pk), **EN)
    assert page.status_code == 200
    rows = page.context["people"]
    assert len(rows) == 10
    assert all(tuple(row["person"]) == contracts.HANDOVER_FIELDS for row in rows)
    assert {row["member"] for row in rows} == set(contract.lot.members.values_list("pk", flat=True))
    text = page.content.decode()
    for member in contract.lot.members.select_related("person"):
        person = member.person
        assert person.last_name in text
        assert f"{person.birth_date:%d.%m.%Y}" in text  # a date as the UI writes dates
        # Nothing beyond the eleven fields: no IIN, sex, citizenship or secondary phone.
        assert person.iin not in text
        assert f">{person.get_sex_display()}<" not in text
        assert person.get_citizenship_status_display() not in text
    assert "+77770009999" not in text
    logs = PersonAccessLog.objects.filter(user=agency.manager, purpose="outsourcing")
    assert (logs.count(), set(logs.values_list("channel", flat=True))) == (10, {"web"})
    client.get(url("people", contract.pk))
    assert logs.count() == 20  # each read is logged
    # Another agency: 404, nothing read, nothing logged.
    signed_in(client, agencies[1].manager)
    assert client.get(url("people", contract.pk)).status_code == 404
    assert PersonAccessLog.objects.count() == 20


def test_out_18_placements_are_reported_on_the_people_page(client, contract, agencies):
    from labormarket.accounts.tests.factories import OrganisationFactory

    employer = OrganisationFactory(kind="employer")
    member = contract.lot.members.order_by("pk").first()
    signed_in(client, agencies[0].manager)
    body = {
        "member": member.pk,
        "employer_bin": employer.bin,
        "employer_name": employer.name,
        "position": "Оператор",
        "started_on": "2026-12-14",
    }
    with time_machine.travel(at(date(2026, 12, 15), 10), tick=False):
        early = client.post(
            url("placement_report", contract.pk), {**body, "started_on": "2026-12-07"}, **EN
        )
        bad_bin = client.post(
            url("placement_report", contract.pk), {**body, "employer_bin": "123"}, **EN
        )
        assert Placement.objects.count() == 0
        done = client.post(url("placement_report", contract.pk), body, **EN)
        again = client.post(url("placement_report", contract.pk), body, **EN)
    assert early.status_code == 400
    (failed,) = [row["form"] for row in early.context["people"] if row["member"] == member.pk]
    assert failed.errors["started_on"] == [
        "The work must start on or after the contract date (08.12.2026). (OUT-18)"
    ]
    assert bad_bin.status_code == 400
    rows = bad_bin.context["people"]
    assert "employer_bin" in next(r["form"] for r in rows if r["member"] == member.pk).errors
    assert (done.status_code, done["Location"]) == (302, url("people", contract.pk))
    placement = Placement.objects.get()
    assert (placement.member, placement.employer_bin, placement.status) == (
        member,
        employer.bin,
        "reported",
    )
    assert again.status_code == 409
    assert messages_of(again)[-1] == "This person's placement is already reported."
    assert Placement.objects.count() == 1
    page = client.get(url("contract", contract.pk), **EN)
    assert page.context["placements"] == {"reported": 1, "confirmed": 0, "not_confirmed": 0}


def test_agency_lists_take_the_same_queries_for_one_or_many(
    client, clm, occupation, agencies, sign
):
    lots = [
        services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=1, easy=0)],
            price_per_person=Decimal("100000"),
        )
        for _ in range(3)
    ]
    announce(clm, lots)
    for lot in lots:
        lot.refresh_from_db()
    agency = agencies[0]
    signed_in(client, agency.manager)
    confirm(sign, agency, lots[0])

    def queries(name):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(name)).status_code == 200
        return len(captured.captured_queries)

    one = {name: queries(name) for name in ("confirmations", "lots", "notices", "offers")}
    confirm(sign, agency, lots[1], 1)
    confirm(sign, agency, lots[2], 2)
    assert {name: queries(name) for name in one} == one


# --- who may open what ---------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
OWNER = "owner"


@pytest.fixture
def world(lot, agencies, sign, clm, occupation):
    """A contract of agency 1 with a prepared act, and a second lot open for next Monday."""
    first, _second = offered(lot, agencies, sign, clm)
    contract = sign_contract(sign, agencies[0], first.offer)
    with time_machine.travel(at(AFTER_EMPLOYMENT, 10), tick=False):
        act = acts.act_prepare(actor=agencies[0].manager, contract_id=contract.pk, stage=1)
    members = people(clm, occupation, hard=1, easy=0)
    with time_machine.travel(at(WEDNESDAY + timedelta(weeks=1), 9), tick=False):
        open_lot = services.lot_create(
            actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person=1000
        )
    announce(clm, [open_lot], today=WEDNESDAY + timedelta(weeks=1))
    return {"contract": contract, "offer": first.offer, "act": act, "lot": open_lot}


#: (name, method, args from the world, whose: "any" agency or only the "own" one)
PAGES = [
    ("home", "get", lambda w: [], "any"),
    ("cabinet", "get", lambda w: [], "any"),
    ("cabinet", "post", lambda w: [], "any"),
    ("cabinet_statement", "get", lambda w: [], "any"),
    ("documents", "get", lambda w: [], "any"),
    ("documents", "post", lambda w: [], "any"),
    ("lots", "get", lambda w: [], "any"),
    ("lot_payload", "get", lambda w: [w["lot"].pk], "any"),
    ("lot_confirm", "post", lambda w: [w["lot"].pk], "any"),
    ("readiness_payload", "get", lambda w: [], "any"),
    ("readiness_check", "post", lambda w: [], "any"),
    ("confirmations", "get", lambda w: [], "any"),
    ("notices", "get", lambda w: [], "any"),
    ("offers", "get", lambda w: [], "any"),
    ("offer", "get", lambda w: [w["offer"].pk], "own"),
    ("offer_pdf", "get", lambda w: [w["offer"].pk], "own"),
    ("offer_bytes", "get", lambda w: [w["offer"].pk], "own"),
    ("offer_sign", "post", lambda w: [w["offer"].pk], "own"),
    ("contracts", "get", lambda w: [], "any"),
    ("contract", "get", lambda w: [w["contract"].pk], "own"),
    ("people", "get", lambda w: [w["contract"].pk], "own"),
    ("placement_report", "post", lambda w: [w["contract"].pk], "own"),
    ("act_prepare", "post", lambda w: [w["contract"].pk], "own"),
    ("act_pdf", "get", lambda w: [w["act"].pk], "own"),
    ("act_bytes", "get", lambda w: [w["act"].pk], "own"),
    ("act_submit", "post", lambda w: [w["act"].pk], "own"),
]


def expected(who: str, method: str, whose: str) -> int:
    if who == ANONYMOUS:
        return 302  # to the sign-in page
    if who not in (OWNER, Role.PEA_MANAGER):
        return 403  # staff, employers, citizens, administrators
    if who == Role.PEA_MANAGER and whose == "own":
        return 404  # another agency's object
    return 200 if method == "get" else 400  # an empty form


def test_every_cabinet_url_for_every_role(client, world, agencies):
    """Anonymous → sign-in; every role but an agency's manager → 403; another agency's
    contract, offer or act → 404; the owner → the page (an empty POST → 400). A denied request
    changes nothing."""
    users = {role: user_with_role(role) for role in Role.values}
    users[OWNER] = agencies[0].manager
    public = [
        reverse("outsourcing_public:announcements"),
        reverse("outsourcing_public:announcement", args=[world["lot"].announcements.get().pk]),
        reverse("outsourcing_public:contracts"),
    ]
    before = snapshot()
    for who in [ANONYMOUS, *Role.values, OWNER]:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(users[who])
        for address in public:
            assert client.get(address).status_code == 200, (who, address)
        for name, method, args, whose in PAGES:
            address = url(name, *args(world))
            with time_machine.travel(at(MONDAY + timedelta(weeks=1), 8), tick=False):
                response = getattr(client, method)(address)
            want = expected(who, method, whose)
            assert response.status_code == want, (who, name, method, response.status_code)
            if want == 302:
                assert response["Location"].startswith(reverse("accounts:login"))
        if who != OWNER:
            assert snapshot() == before, who
    # Not even the owner's requests wrote anything but the logged reads of the people page.
    assert ServiceAct.objects.get().status == ActStatus.DRAFT
    assert LotConfirmation.objects.filter(status=ConfirmationStatus.CONTRACTED).count() == 1


def test_the_cabinet_item_is_in_the_agency_managers_navigation(client, agencies):
    signed_in(client, agencies[0].manager)
    page = client.get(url("home"))
    items = [item.url for item, _active in page.context["nav_items"]]
    assert url("home") in items
    assert reverse("outsourcing_public:announcements") in items
    active = [item.url for item, is_active in page.context["nav_items"] if is_active]
    assert active == [url("home")]
    signed_in(client, user_with_role(Role.CITIZEN))
    items = [item.url for item, _active in client.get("/").context["nav_items"]]
    assert url("home") not in items
    assert reverse("outsourcing_public:announcements") in items


def test_a_manager_of_two_agencies_switches_between_them(client, agencies, sign):
    from labormarket.accounts.models import Membership

    second = make_agency("ТОО «Второе»")
    manager = agencies[0].manager
    Membership.objects.create(user=manager, organisation=second.organisation, role=Role.PEA_MANAGER)
    signed_in(client, manager)
    first_page = client.get(url("cabinet"), {"agency": agencies[0].organisation.pk})
    assert first_page.context["cabinet"] is not None
    other_page = client.get(url("cabinet"), {"agency": second.organisation.pk})
    assert (other_page.context["agency"], other_page.context["cabinet"]) == (
        second.organisation,
        None,
    )
    assert client.get(url("cabinet"), {"agency": agencies[1].organisation.pk}).status_code == 404
    content = base64.b64decode(
        client.get(url("cabinet_statement"), {"agency": second.organisation.pk}).json()["data"]
    )
    assert content == services.cabinet_statement(second.organisation)
