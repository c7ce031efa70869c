"""The monitoring of outsourcing (OUT-25): exact figures per CLM and per agency on a scenario
built on the real KZ calendar (December 2026 – July 2027) with one deadline met and one missed
of each kind (OUT-01, OUT-09, OUT-11, OUT-12, OUT-15…OUT-18, OUT-20…OUT-24), who sees which
rows, the XLSX workbook, the page, the API and the number of queries."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.tests.factories import AKMOLA, OrganisationFactory, region, user_with_role
from labormarket.core.calendar import add_working_days, get_calendar
from labormarket.outsourcing import acts, contracts, selection, services
from labormarket.outsourcing.models import (
    LotConfirmation,
    LotMember,
    OutsourcingContract,
    StagePayment,
)
from labormarket.outsourcing.monitoring import (
    DEADLINE_COLUMNS,
    FIGURE_COLUMNS,
    MonitoringScope,
    monitoring_report,
    monitoring_scope,
    row_values,
)
from labormarket.outsourcing.monitoring_export import HEADER_ROW, monitoring_workbook
from labormarket.payments import services as payments
from labormarket.registry.employment import import_employment_records

from .conftest import MONDAY, WEDNESDAY, Agency, Clm, at, people, staff

pytestmark = pytest.mark.django_db

PERIOD = (date(2026, 12, 1), date(2027, 7, 31))
#: The report is made on Monday 2 August 2027 at noon.
REPORT_AT = at(date(2027, 8, 2), 12)
TUESDAY = date(2026, 12, 8)


def travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


def confirm(sign, agency: Agency, lot, moment: datetime) -> LotConfirmation:
    lot.refresh_from_db()
    payload = selection.confirmation_payload(lot, agency.organisation, lot.selection_day)
    with travel(moment):
        return selection.lot_confirm(
            actor=agency.manager,
            lot_id=lot.pk,
            cms=sign(agency.manager, payload, bin=agency.organisation.bin),
        )


def review(clm: Clm, confirmation, moment: datetime, *, admit: bool = True) -> None:
    with travel(moment):
        selection.confirmation_review(
            actor=clm.specialist,
            confirmation_id=confirmation.pk,
            admit=admit,
            ground=None if admit else 1,
            reasons="" if admit else "Нет штатных сотрудников",
        )


def cascade(moment: datetime) -> None:
    with travel(moment):
        selection.lots_advance(moment)


def sign_offer(sign, agency: Agency, confirmation, moment: datetime) -> OutsourcingContract:
    offer = confirmation.__class__.objects.get(pk=confirmation.pk).offer
    with travel(moment):
        return contracts.contract_sign(
            actor=agency.manager,
            offer_id=offer.pk,
            cms=sign(agency.manager, bytes(offer.document), bin=agency.organisation.bin),
            now=moment,
        )


def pay(entry_id: int, moment: datetime) -> None:
    with travel(moment + timedelta(minutes=1)):
        payments.mark_paid(entry_id=entry_id, actor=None, paid_at=moment)


def order(clm: Clm, contract, stage: int, moment: datetime):
    with travel(moment):
        return acts.payment_order(
            actor=clm.specialist,
            contract_id=contract.pk,
            stage=stage,
            idempotency_key=f"mon-{contract.pk}-{stage}",
        )


def act_through(
    sign,
    clm: Clm,
    agency: Agency,
    contract,
    stage: int,
    submitted: datetime,
    decided: datetime,
    extended: datetime | None = None,
):
    with travel(submitted):
        act = acts.act_prepare(
            actor=agency.manager, contract_id=contract.pk, stage=stage, today=submitted.date()
        )
        act = acts.act_submit(
            actor=agency.manager,
            act_id=act.pk,
            cms=sign(agency.manager, bytes(act.document), bin=agency.organisation.bin),
            now=submitted,
        )
    if extended is not None:
        with travel(extended):
            acts.act_extend(actor=clm.specialist, act_id=act.pk, now=extended)
    with travel(decided):
        return acts.act_sign(
            actor=clm.head,
            act_id=act.pk,
            cms=sign(clm.head, bytes(act.document), bin=clm.organisation.bin),
            now=decided,
        )


def working(day: date, n: int, hour: int = 10) -> datetime:
    return at(add_working_days(day, n), hour)


@dataclass
class Scenario:
    clm: Clm
    agencies: list[Agency]
    contract_a: OutsourcingContract
    contract_b: OutsourcingContract


def _employment_csv(rows) -> io.StringIO:
    lines = ["iin,employer_bin,started_on,ended_on"]
    for iin, bin_, start, end in rows:
        lines.append(f"{iin},{bin_},{start.isoformat()},{end.isoformat() if end else ''}")
    return io.StringIO("\n".join(lines) + "\n")


@pytest.fixture
def scenario(clm, occupation, agencies, sign) -> Scenario:
    """Three lots formed and announced in time on Wednesday 2 December 2026 (OUT-01 met):

    - lot A (30 people, the rules' worked example): agency 1 first (admitted in time), agency 2
      second (refused as not the first when agency 1 signs, OUT-10); the draft goes out on
      Tuesday (OUT-11 met) and is signed at once (OUT-12 met); contract information, people's
      notices and hand-over at once (OUT-15…OUT-17 met); the advance paid before its due date,
      21 of 30 employed (OUT-18), 18 kept 3 months, 15 kept 6 months; all three acts submitted
      and signed in time (OUT-20, OUT-21 met); the refund received late, stage 2 paid in time,
      stage 3 never paid (OUT-22…OUT-24 met and missed);
    - lot B: agency 2 first, reviewed on Friday — after the review and the notice deadlines
      (OUT-09 missed) — so the draft goes out late (OUT-11 missed) and lapses (OUT-12 missed);
      agency 3 second, refused at review (OUT-10). The lot is offered again (OUT-13) in an
      announcement published on Thursday (OUT-01 missed), and agency 3 takes it: contract
      information, notices and hand-over recorded late (OUT-15…OUT-17 missed), the advance paid
      late, nobody employed (OUT-18 missed), the act submitted late (OUT-20 missed), taken for
      further study and signed after 10 working days (OUT-21 missed), the refund of the whole
      advance received in time (OUT-22 met);
    - lot C: nobody chooses it, offered again (OUT-13).
    """
    first, second, third = agencies
    with travel(at(WEDNESDAY, 9)):
        lot_a = services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=9, easy=21)],
            price_per_person="100000",
        )
        lot_b = services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=3, easy=7)],
            price_per_person="100000",
        )
        services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=3, easy=7)],
            price_per_person="100000",
        )
    with travel(at(WEDNESDAY, 10)):
        draft = services.announcement_draft(
            clm=clm.organisation, today=WEDNESDAY, actor=clm.specialist
        )
        services.announcement_publish(actor=clm.specialist, announcement_id=draft.pk)

    a1 = confirm(sign, first, lot_a, at(MONDAY, 9, 1))
    confirm(sign, second, lot_a, at(MONDAY, 9, 2))
    b2 = confirm(sign, second, lot_b, at(MONDAY, 9, 3))
    b3 = confirm(sign, third, lot_b, at(MONDAY, 9, 4))
    review(clm, a1, at(TUESDAY, 10))
    review(clm, b3, at(TUESDAY, 10, 5), admit=False)
    cascade(at(TUESDAY, 10, 30))  # A offered; C not chosen, offered again
    contract_a = sign_offer(sign, first, a1, at(TUESDAY, 11))
    review(clm, b2, at(date(2026, 12, 11), 10))  # Friday: review due Wednesday, notice Thursday
    cascade(at(date(2026, 12, 11), 10, 30))  # B offered to agency 2, late
    cascade(at(date(2026, 12, 16), 10))  # the offer lapsed on Tuesday: withdrawn, B again

    with travel(at(date(2026, 12, 16), 11)):
        draft = services.announcement_draft(
            clm=clm.organisation, today=date(2026, 12, 16), actor=clm.specialist
        )
    with travel(at(date(2026, 12, 17), 10)):  # Thursday: late
        services.announcement_publish(actor=clm.specialist, announcement_id=draft.pk)
    b3_again = confirm(sign, third, lot_b, at(date(2026, 12, 21), 9, 1))
    review(clm, b3_again, at(date(2026, 12, 22), 9))
    cascade(at(date(2026, 12, 22), 9, 30))
    contract_b = sign_offer(sign, third, b3_again, at(date(2026, 12, 22), 11))
    # Recorded late (the services record these at signing; a correction of the record, or a
    # centre that worked on paper, makes them late).
    OutsourcingContract.objects.filter(pk=contract_b.pk).update(
        published_at=contract_b.publish_due_at + timedelta(days=1),
        people_notified_at=contract_b.people_notice_due_at + timedelta(hours=1),
        handed_over_at=contract_b.handover_due_at + timedelta(hours=1),
    )

    # Advances (OUT-22): A in time, B late.
    advance_a = order(clm, contract_a, 1, at(date(2026, 12, 9), 10))
    pay(advance_a.pk, at(date(2026, 12, 14), 10))
    advance_b = order(clm, contract_b, 1, at(date(2026, 12, 23), 10))
    pay(advance_b.pk, working(contract_b.advance_due_on, 1))

    # Placements of A: the worked example (21 employed, 18 kept 3 months, 15 kept 6).
    employer = OrganisationFactory(kind=OrganisationKind.EMPLOYER, name="ТОО «Работодатель»")
    employed = list(LotMember.objects.filter(lot=lot_a).select_related("person").order_by("pk"))[
        :21
    ]
    rows = []
    for index, member in enumerate(employed):
        start = date(2026, 12, 14) + timedelta(days=index)
        if index < 15:
            end = None
        elif index < 18:
            end = start + relativedelta(months=4)
        else:
            end = start + relativedelta(months=1)
        rows.append((member.person.iin, employer.bin, start, end))
    with travel(at(date(2027, 1, 10), 12)):
        for (_iin, _bin, start, _end), member in zip(rows, employed, strict=True):
            acts.placement_report(
                actor=first.manager,
                contract_id=contract_a.pk,
                member_id=member.pk,
                employer_bin=employer.bin,
                employer_name=employer.name,
                position="Оператор",
                started_on=start,
            )
        import_employment_records(_employment_csv(rows), file_name="esutd-2027-01.csv")
        acts.placements_check(date(2027, 1, 10))

    stage_1 = act_through(
        sign, clm, first, contract_a, 1, at(date(2027, 1, 26), 10), at(date(2027, 1, 27), 10)
    )
    refund_a = StagePayment.objects.get(contract=contract_a, is_refund=True).entry
    pay(refund_a.pk, working(refund_a.due_on, 1))  # received late
    assert stage_1.people_count == 21
    act_through(sign, clm, first, contract_a, 2, at(date(2027, 4, 5), 10), at(date(2027, 4, 5), 15))
    stage_2 = order(clm, contract_a, 2, at(date(2027, 4, 6), 10))
    pay(stage_2.pk, at(date(2027, 4, 7), 10))
    act_through(sign, clm, first, contract_a, 3, at(date(2027, 7, 5), 10), at(date(2027, 7, 5), 15))
    order(clm, contract_a, 3, at(date(2027, 7, 7), 10))  # never paid

    # B: nobody employed; the act late, further study, decided after 10 working days.
    submitted = working(contract_b.employment_due_on, 5)
    act_through(
        sign,
        clm,
        third,
        contract_b,
        1,
        submitted,
        decided=working(submitted.date(), 11),
        extended=working(submitted.date(), 1),
    )
    refund_b = StagePayment.objects.get(contract=contract_b, is_refund=True).entry
    pay(refund_b.pk, at(refund_b.due_on, 9))  # received in time
    return Scenario(clm, agencies, contract_a, contract_b)


def _report(scope: MonitoringScope, period=PERIOD):
    with travel(REPORT_AT):
        return monitoring_report(scope=scope, date_from=period[0], date_to=period[1])


def _deadlines(values, key):
    return (values[f"{key}_met"], values[f"{key}_missed"], values[f"{key}_open"])


CLM_FIGURES = {
    "lots_formed": 3,
    "lots_announced": 3,
    "lots_contracted": 2,
    "lots_republished": 2,
    "confirmations_received": 5,
    "agencies_admitted": 3,
    "agencies_refused": 1,
    "agencies_not_first": 1,
    "offers_sent": 3,
    "offers_signed": 2,
    "offers_lapsed": 1,
    "contracts": 2,
    "contracts_sum": Decimal("4000000.00"),
    "contracts_people": 40,
    "people_employed": 21,
    "kept_3_months": 18,
    "kept_6_months": 15,
    "acts_extended": 1,
    "advances_paid": Decimal("800000.00"),
    "stage_payments_paid": Decimal("900000.00"),
    "refunds_owed": Decimal("380000.00"),
    "refunds_received": Decimal("380000.00"),
    "paid_gross": Decimal("1700000.00"),
    "paid_net": Decimal("1320000.00"),
}

CLM_DEADLINES = {
    "announcements": (1, 1, 0),  # OUT-01
    "reviews": (4, 1, 0),  # OUT-09
    "review_notices": (4, 1, 0),  # OUT-09
    "offers_in_time": (2, 1, 0),  # OUT-11
    "offers_signing": (2, 1, 0),  # OUT-12
    "contract_information": (1, 1, 0),  # OUT-15
    "people_notified": (1, 1, 0),  # OUT-16
    "handover": (1, 1, 0),  # OUT-17
    "employment": (21, 19, 0),  # OUT-18: 21 of A, 9 of A and 10 of B not employed
    "acts_submission": (3, 1, 0),  # OUT-20
    "acts_decision": (3, 1, 0),  # OUT-21
    "payments": (2, 2, 0),  # OUT-22…OUT-24: advance A, stage 2 / advance B, stage 3
    "refunds": (1, 1, 0),  # OUT-22: refund B in time / refund A late
}


def test_out_25_clm_row_counts_every_deadline_met_and_missed(scenario):
    """OUT-25 with OUT-01, OUT-09…OUT-24: the CLM's own row, exact, money to the tiyn."""
    scope = monitoring_scope(scenario.clm.specialist)
    assert scope == MonitoringScope(
        all_clms=False, clm_ids=frozenset({scenario.clm.organisation.pk}), agency_ids=frozenset()
    )
    report = _report(scope)
    assert [row.organisation_id for row in report.clm_rows] == [scenario.clm.organisation.pk]
    values = row_values(report.clm_rows[0].figures)
    assert {key: values[key] for key in CLM_FIGURES} == CLM_FIGURES
    assert {key: _deadlines(values, key) for key in CLM_DEADLINES} == CLM_DEADLINES
    assert all(isinstance(values[c.key], Decimal) for c in FIGURE_COLUMNS if c.money)
    # The ledger agrees: the contract A account nets 1 320 000 after its refund.
    totals = payments_totals(scenario.contract_a)
    assert totals == (Decimal("1950000.00"), Decimal("180000.00"))


def payments_totals(contract):
    account = acts.contract_account(contract)
    return account.paid_out, account.refunded


def test_out_25_agency_rows_and_their_own_deadlines(scenario):
    """OUT-25 per PEA: each agency's confirmations, offers (OUT-11, OUT-12), contracts and the
    deadlines that bind it (OUT-18, OUT-20, OUT-22 refunds) or bind the CLM toward it."""
    first, second, third = (a.organisation.pk for a in scenario.agencies)
    report = _report(monitoring_scope(scenario.clm.head))
    rows = {row.organisation_id: row_values(row.figures) for row in report.agency_rows}
    assert set(rows) == {first, second, third}
    one, two, three = rows[first], rows[second], rows[third]
    # Figures of the CLM's own work do not apply to an agency.
    assert (one["lots_formed"], one["lots_announced"], one["lots_republished"]) == (None,) * 3
    assert _deadlines(one, "announcements") == (None, None, None)
    assert (one["confirmations_received"], one["agencies_admitted"]) == (1, 1)
    assert (one["offers_sent"], one["offers_signed"], one["offers_lapsed"]) == (1, 1, 0)
    assert (one["contracts"], one["contracts_sum"], one["contracts_people"]) == (
        1,
        Decimal("3000000.00"),
        30,
    )
    assert _deadlines(one, "employment") == (21, 9, 0)
    assert (one["people_employed"], one["kept_3_months"], one["kept_6_months"]) == (21, 18, 15)
    assert _deadlines(one, "acts_submission") == (3, 0, 0)
    assert _deadlines(one, "payments") == (2, 1, 0)
    assert _deadlines(one, "refunds") == (0, 1, 0)
    assert (one["advances_paid"], one["stage_payments_paid"], one["refunds_received"]) == (
        Decimal("600000.00"),
        Decimal("900000.00"),
        Decimal("180000.00"),
    )
    assert (one["paid_gross"], one["paid_net"]) == (Decimal("1500000.00"), Decimal("1320000.00"))

    assert (two["confirmations_received"], two["agencies_admitted"], two["agencies_not_first"]) == (
        2,
        1,
        1,
    )
    assert _deadlines(two, "reviews") == (1, 1, 0)
    assert _deadlines(two, "review_notices") == (1, 1, 0)
    assert (two["offers_sent"], two["offers_signed"], two["offers_lapsed"]) == (1, 0, 1)
    assert _deadlines(two, "offers_in_time") == (0, 1, 0)
    assert _deadlines(two, "offers_signing") == (0, 1, 0)
    assert (two["contracts"], two["contracts_sum"], two["paid_gross"]) == (
        0,
        Decimal("0.00"),
        Decimal("0.00"),
    )

    assert (
        three["confirmations_received"],
        three["agencies_refused"],
        three["agencies_admitted"],
    ) == (
        2,
        1,
        1,
    )
    assert (three["contracts"], three["contracts_sum"]) == (1, Decimal("1000000.00"))
    for key in ("contract_information", "people_notified", "handover"):
        assert _deadlines(three, key) == (0, 1, 0), key
    assert _deadlines(three, "employment") == (0, 10, 0)
    assert _deadlines(three, "acts_submission") == (0, 1, 0)
    assert _deadlines(three, "acts_decision") == (0, 1, 0)
    assert three["acts_extended"] == 1
    assert _deadlines(three, "payments") == (0, 1, 0)
    assert _deadlines(three, "refunds") == (1, 0, 0)
    assert (three["refunds_owed"], three["refunds_received"], three["paid_net"]) == (
        Decimal("200000.00"),
        Decimal("200000.00"),
        Decimal("0.00"),
    )


def test_out_25_scope_other_region_agency_and_national(scenario):
    """OUT-25: another region's CLM sees nothing of this one; an agency sees its own row only,
    and no CLM rows; a national analyst sees every CLM."""
    other = OrganisationFactory(
        kind=OrganisationKind.LABOUR_MOBILITY_CENTRE,
        name="ЦТМ Акмолинской области",
        region=region(AKMOLA),
    )
    other_staff = staff(other, Role.CLM_SPECIALIST)
    foreign = _report(monitoring_scope(other_staff))
    assert [row.organisation_id for row in foreign.clm_rows] == [other.pk]
    assert foreign.agency_rows == []
    values = row_values(foreign.clm_rows[0].figures)
    assert all(values[c.key] in (0, Decimal("0.00")) for c in FIGURE_COLUMNS)

    manager = scenario.agencies[0].manager
    own = _report(monitoring_scope(manager))
    assert own.clm_rows == []
    assert [row.organisation_id for row in own.agency_rows] == [
        scenario.agencies[0].organisation.pk
    ]
    assert row_values(own.agency_rows[0].figures)["contracts_sum"] == Decimal("3000000.00")

    analyst = user_with_role(Role.WDC_ANALYST)
    national = _report(monitoring_scope(analyst))
    assert {row.organisation_id for row in national.clm_rows} == {
        scenario.clm.organisation.pk,
        other.pk,
    }
    assert len(national.agency_rows) == 3
    mine = next(r for r in national.clm_rows if r.organisation_id == scenario.clm.organisation.pk)
    assert row_values(mine.figures)["paid_net"] == Decimal("1320000.00")

    for role in (Role.CITIZEN, Role.EMPLOYER_MANAGER, Role.SPECIALIST, Role.LEB_SPECIALIST):
        assert monitoring_scope(user_with_role(role)) is None


def test_out_25_a_bounded_number_of_queries(scenario):
    """OUT-25: the report's queries do not grow with CLMs, agencies, contracts or people."""
    get_calendar()
    scopes = {
        "clm": monitoring_scope(scenario.clm.specialist),
        "national": monitoring_scope(user_with_role(Role.MINISTRY_ANALYST)),
        "agency": monitoring_scope(scenario.agencies[0].manager),
    }
    counts = {}
    for name, scope in scopes.items():
        with CaptureQueriesContext(connection) as queries:
            _report(scope)
        counts[name] = len(queries)
    assert counts == {"clm": 13, "national": 13, "agency": 8}


def test_out_25_deadlines_not_due_yet_are_open(small, clm):
    """OUT-25: seen at noon on the day the contract was signed (Tuesday 8 December 2026), the
    advance (due 15 December, OUT-22) and the employment of the 10 people (due 25 January 2027,
    OUT-18) are open, not missed; the contract's information is already published (OUT-15)."""
    scope = monitoring_scope(clm.specialist)
    with travel(at(TUESDAY, 12)):
        report = monitoring_report(
            scope=scope, date_from=date(2026, 12, 1), date_to=date(2027, 1, 31)
        )
    values = row_values(report.clm_rows[0].figures)
    assert small.advance_due_on == date(2026, 12, 15)
    assert small.employment_due_on == date(2027, 1, 25)
    assert _deadlines(values, "payments") == (0, 0, 1)
    assert _deadlines(values, "employment") == (0, 0, 10)
    assert _deadlines(values, "contract_information") == (1, 0, 0)
    assert _deadlines(values, "acts_submission") == (0, 0, 0)  # stage 1 not reached yet
    assert (values["contracts"], values["contracts_sum"]) == (1, Decimal("1000001.00"))


# --- the workbook ------------------------------------------------------------------------------


def test_out_25_workbook_opens_with_headers_numbers_and_no_personal_data(scenario):
    report = _report(monitoring_scope(scenario.clm.specialist))
    with translation.override("ru"):
        content = monitoring_workbook(report)
        expected_first = str(FIGURE_COLUMNS[0].label)
    book = load_workbook(io.BytesIO(content))
    assert len(book.sheetnames) == 2
    clm_sheet, agency_sheet = (book[name] for name in book.sheetnames)
    assert clm_sheet.freeze_panes == f"C{HEADER_ROW + 2}"
    assert "01.12.2026" in clm_sheet["A2"].value
    assert "31.07.2027" in clm_sheet["A2"].value
    assert "02.08.2027 12:00" in clm_sheet["A3"].value
    header = [cell.value for cell in clm_sheet[HEADER_ROW + 1]]
    assert header[2] == f"{expected_first} (OUT-06)"
    assert len(header) == 2 + len(FIGURE_COLUMNS) + 3 * len(DEADLINE_COLUMNS)
    data = [cell.value for cell in clm_sheet[HEADER_ROW + 2]]
    assert data[0] == scenario.clm.organisation.name
    by_key = dict(zip([c.key for c in FIGURE_COLUMNS], data[2:], strict=False))
    assert by_key["lots_formed"] == 3
    assert by_key["contracts_sum"] == 4000000
    assert by_key["paid_net"] == 1320000
    money_cell = clm_sheet.cell(
        row=HEADER_ROW + 2, column=3 + [c.key for c in FIGURE_COLUMNS].index("paid_net")
    )
    assert money_cell.number_format == "#,##0.00"
    assert isinstance(money_cell.value, int | float)
    assert agency_sheet.max_row == HEADER_ROW + 1 + 3
    # Not a name or IIN of any person of the lots.
    text = " ".join(
        str(cell.value)
        for sheet in (clm_sheet, agency_sheet)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )
    for member in LotMember.objects.select_related("person"):
        assert member.person.iin not in text
        assert member.person.last_name not in text


def test_out_25_workbook_headers_follow_the_active_language(scenario):
    report = _report(monitoring_scope(scenario.clm.specialist))
    with translation.override("en"):
        book = load_workbook(io.BytesIO(monitoring_workbook(report)))
    header = [cell.value for cell in book[book.sheetnames[0]][HEADER_ROW + 1]]
    assert header[:3] == ["Centre of labour mobility", "Region", "Lots formed (OUT-06)"]
    assert header[-3:] == [
        "Refunds of advances received by their due date (OUT-22): met",
        "Refunds of advances received by their due date (OUT-22): missed",
        "Refunds of advances received by their due date (OUT-22): open",
    ]


# --- the page, the download and the API (a lighter contract) ---------------------------------------


@pytest.fixture
def small(clm, occupation, agencies, sign) -> OutsourcingContract:
    """Lot of 10 announced on 2 December 2026, confirmed on 7 December, signed on 8 December."""
    with travel(at(WEDNESDAY, 9)):
        lot = services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=3, easy=7)],
            price_per_person="100000.10",
        )
    with travel(at(WEDNESDAY, 10)):
        draft = services.announcement_draft(
            clm=clm.organisation, today=WEDNESDAY, actor=clm.specialist
        )
        services.announcement_publish(actor=clm.specialist, announcement_id=draft.pk)
    first = confirm(sign, agencies[0], lot, at(MONDAY, 9, 1))
    review(clm, first, at(TUESDAY, 9))
    cascade(at(TUESDAY, 9, 30))
    return sign_offer(sign, agencies[0], first, at(TUESDAY, 10))


QUERY = {"date_from": "2026-12-01", "date_to": "2026-12-31"}


def test_out_25_page_shows_the_centre_row(client, small, clm, django_assert_max_num_queries):
    with travel(at(date(2026, 12, 30), 12)):
        client.force_login(clm.specialist)
        get_calendar()
        with django_assert_max_num_queries(22):
            page = client.get(reverse("outsourcing_monitoring:page"), QUERY)
    assert page.status_code == 200
    body = page.content.decode()
    assert (
        clm.organisation.name.replace("«", "&laquo;")[:20] in body or clm.organisation.name in body
    )
    assert (
        "1 000 001,00" in body
        or "1,000,001.00" in body
        or "1000001" in body.replace("\xa0", "").replace(" ", "")
    )
    assert reverse("outsourcing_monitoring:xlsx") in body
    tables = page.context["tables"]
    assert [key for _t, key, _rows in tables] == ["clm", "agencies"]
    assert [len(rows) for _t, _k, rows in tables] == [1, 1]


def test_out_25_page_period_errors_name_the_field(client, clm):
    client.force_login(clm.specialist)
    page = client.get(
        reverse("outsourcing_monitoring:page"), {"date_from": "2026-11-10", "date_to": "2026-11-01"}
    )
    assert page.status_code == 400
    assert list(page.context["form"].errors) == ["date_to"]
    too_long = client.get(
        reverse("outsourcing_monitoring:page"), {"date_from": "2020-01-01", "date_to": "2026-01-01"}
    )
    assert too_long.status_code == 400
    assert list(too_long.context["form"].errors) == ["date_to"]
    garbage = client.get(
        reverse("outsourcing_monitoring:xlsx"), {"date_from": "вчера", "date_to": ""}
    )
    assert garbage.status_code == 400
    assert set(garbage.context["form"].errors) == {"date_from", "date_to"}


def test_out_25_xlsx_download(client, small, clm):
    with travel(at(date(2026, 12, 30), 12)):
        client.force_login(clm.specialist)
        response = client.get(reverse("outsourcing_monitoring:xlsx"), QUERY)
    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        'filename="outsourcing-monitoring-20261201-20261231-20261230.xlsx"'
        in response["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[book.sheetnames[0]]
    keys = [c.key for c in FIGURE_COLUMNS]
    row = [cell.value for cell in sheet[HEADER_ROW + 2]]
    assert row[2 + keys.index("contracts_sum")] == pytest.approx(1000001.0)
    assert Decimal(str(row[2 + keys.index("contracts_sum")])) == Decimal("1000001.0")


def test_out_25_nobody_else_sees_the_monitoring(client, small):
    url = reverse("outsourcing_monitoring:page")
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("outsourcing_monitoring:xlsx")).status_code == 302
    for role in (Role.CITIZEN, Role.EMPLOYER_MANAGER, Role.SPECIALIST):
        client.force_login(user_with_role(role))
        assert client.get(url).status_code == 403
        assert client.get(reverse("outsourcing_monitoring:xlsx")).status_code == 403
        api = client.get(reverse("api:outsourcing-monitoring"))
        assert api.status_code == 403
        assert api.json()["error"]["code"] == "forbidden"
        client.logout()
    assert client.get(reverse("api:outsourcing-monitoring")).status_code == 403


def test_out_25_api_json_and_xlsx(client, small, agencies, clm):
    url = reverse("api:outsourcing-monitoring")
    with travel(at(date(2026, 12, 30), 12)):
        client.force_login(agencies[0].manager)
        answer = client.get(url, QUERY)
        workbook = client.get(url, {**QUERY, "format": "xlsx"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["clm_rows"] == []
    assert [row["organisation_id"] for row in body["agency_rows"]] == [agencies[0].organisation.pk]
    figures = body["agency_rows"][0]["figures"]
    assert figures["contracts_sum"] == "1000001.00"
    assert figures["lots_formed"] is None
    assert figures["announcements"] is None
    assert figures["contract_information"] == {"met": 1, "missed": 0, "open": 0}
    assert figures["employment"] == {"met": 0, "missed": 0, "open": 0}  # due in January
    assert workbook.status_code == 200
    assert (
        workbook["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert load_workbook(io.BytesIO(workbook.content)).sheetnames[1]

    client.force_login(clm.head)
    bad = client.get(url, {"date_from": "2026-11-01", "date_to": "2026-10-01", "format": "xlsx"})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/json"
    assert list(bad.json()["error"]["fields"]) == ["date_to"]
    garbage = client.get(url, {"date_from": "1 декабря"})
    assert garbage.status_code == 400
    assert list(garbage.json()["error"]["fields"]) == ["date_from"]


def test_out_25_api_schema_is_valid():
    """The endpoint's OpenAPI description passes drf-spectacular's validation."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    operation = schema["paths"]["/api/v1/outsourcing/monitoring/"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert {p["name"] for p in operation["parameters"]} >= {"date_from", "date_to", "format"}
