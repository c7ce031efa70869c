"""Monitoring of outsourcing (OUT-25): what the CLMs and the agencies did in a period and
whether they did it in time.

For a period (business dates in Asia/Almaty, both ends included) and for what the user may see
(:func:`monitoring_scope`), :func:`monitoring_report` gives one row per CLM and one per agency:
lots, announcements, reviews, offers, contracts and their sums, every deadline of the Rules met
and missed, employment outcomes and the money paid and refunded.

How a period counts things — one convention for every figure:

- **Events** (a lot formed, an offer sent, money paid) count in the period in which they
  happened.
- **Deadlines** count in the period in which they fall due. An obligation is *met* when it was
  done by its deadline, *missed* when it was done late or the deadline passed with nothing
  done, and *open* when it is not done yet and the deadline has not passed (as of now).
  The deadlines are the ones stored on the objects when they were created (``*_due_at``,
  ``*_due_on``), so a report says what the Rules required at the time.
- **People** employed in time (OUT-18) are the confirmed placements that began within the 30
  working days of their contract; they count in the period in which they began work. Continuous
  employment for 3 and 6 months (OUT-23, OUT-24) is read from the register of employment
  contracts as the acts do (same employer as the placement) and counts in the period in which
  the months were completed.
- **Money** is summed exactly, in :class:`~decimal.Decimal` in Python (SQLite keeps decimals as
  floats; a SQL ``SUM`` there is not exact). Cancelled ledger entries count for nothing.

No row carries personal data: organisations' names and counts only, never a person's name or
IIN. Every figure comes from a fixed number of queries, whatever the number of CLMs, agencies,
lots or people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from labormarket.accounts.choices import NATIONAL_ROLES, OrganisationKind
from labormarket.accounts.models import Organisation
from labormarket.accounts.policies import has_any_role
from labormarket.core.calendar import (
    add_working_days,
    business_time_zone,
    deadline_at,
    to_business_date,
)
from labormarket.payments.choices import EntryStatus
from labormarket.registry import selectors as registry_selectors

from .acts import (
    ACT_SUBMIT_WORKING_DAYS,
    PAYMENT_WORKING_DAYS,
    STAGE_MONTHS,
)
from .choices import (
    ActStage,
    ActStatus,
    AnnouncementStatus,
    OfferStatus,
    PlacementStatus,
    RefusalGround,
)
from .models import (
    Announcement,
    ContractOffer,
    Lot,
    LotConfirmation,
    LotEvent,
    OutsourcingContract,
    Placement,
    ServiceAct,
    StagePayment,
)
from .policies import agency_ids_of, clm_ids_of
from .selection import OFFER_WORKING_DAYS, REVIEW_WORKING_DAYS

#: The longest period a report covers (the form and the API refuse longer ones).
MAX_PERIOD_DAYS = 3 * 366

ZERO = Decimal("0.00")


# --- who sees what -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringScope:
    """What a user may see of the monitoring: every CLM (a national role), some CLMs (their
    staff: the CLM's rows, and the agencies' rows as far as they dealt with those CLMs), and
    their own agencies' rows (an agency's manager)."""

    all_clms: bool
    clm_ids: frozenset[int]
    agency_ids: frozenset[int]

    @property
    def sees_clm_rows(self) -> bool:
        return self.all_clms or bool(self.clm_ids)


def monitoring_scope(user: Any) -> MonitoringScope | None:
    """The user's monitoring scope, or None when they may not see the monitoring at all
    (the public, citizens, employers, staff of other services)."""
    if has_any_role(user, NATIONAL_ROLES):
        return MonitoringScope(all_clms=True, clm_ids=frozenset(), agency_ids=frozenset())
    clms, agencies = clm_ids_of(user), agency_ids_of(user)
    if not clms and not agencies:
        return None
    return MonitoringScope(all_clms=False, clm_ids=clms, agency_ids=agencies)


# --- figures -----------------------------------------------------------------------------------------


@dataclass
class DeadlineCount:
    """How many obligations falling due in the period were met, missed, or are still open."""

    met: int = 0
    missed: int = 0
    open: int = 0

    def add(self, *, done: bool, in_time: bool, overdue: bool) -> None:
        if done:
            if in_time:
                self.met += 1
            else:
                self.missed += 1
        elif overdue:
            self.missed += 1
        else:
            self.open += 1

    @property
    def total(self) -> int:
        return self.met + self.missed + self.open


@dataclass
class MonitoringFigures:
    """The figures of one CLM or one agency over a period. Figures that describe the CLM's own
    work only (forming and announcing lots) are None in an agency's row."""

    # Lots (OUT-05, OUT-06, OUT-13)
    lots_formed: int | None = 0
    lots_announced: int | None = 0
    lots_contracted: int = 0
    lots_republished: int | None = 0
    # OUT-01: the announcement published by the end of Wednesday
    announcements: DeadlineCount | None = field(default_factory=DeadlineCount)
    # OUT-07, OUT-09, OUT-10: confirmations and their review
    confirmations_received: int = 0
    agencies_admitted: int = 0
    agencies_refused: int = 0
    agencies_not_first: int = 0
    reviews: DeadlineCount = field(default_factory=DeadlineCount)
    review_notices: DeadlineCount = field(default_factory=DeadlineCount)
    # OUT-11, OUT-12: the draft contract
    offers_sent: int = 0
    offers_signed: int = 0
    offers_lapsed: int = 0
    offers_in_time: DeadlineCount = field(default_factory=DeadlineCount)
    offers_signing: DeadlineCount = field(default_factory=DeadlineCount)
    # OUT-14…OUT-17: contracts
    contracts: int = 0
    contracts_sum: Decimal = ZERO
    contracts_people: int = 0
    contract_information: DeadlineCount = field(default_factory=DeadlineCount)
    people_notified: DeadlineCount = field(default_factory=DeadlineCount)
    handover: DeadlineCount = field(default_factory=DeadlineCount)
    # OUT-18, OUT-23, OUT-24: employment outcomes
    people_employed: int = 0
    employment: DeadlineCount = field(default_factory=DeadlineCount)
    kept_3_months: int = 0
    kept_6_months: int = 0
    # OUT-20, OUT-21: acts of services
    acts_submission: DeadlineCount = field(default_factory=DeadlineCount)
    acts_decision: DeadlineCount = field(default_factory=DeadlineCount)
    acts_extended: int = 0
    # OUT-19, OUT-22…OUT-24: money
    payments: DeadlineCount = field(default_factory=DeadlineCount)
    refunds: DeadlineCount = field(default_factory=DeadlineCount)
    advances_paid: Decimal = ZERO
    stage_payments_paid: Decimal = ZERO
    refunds_owed: Decimal = ZERO
    refunds_received: Decimal = ZERO

    @property
    def paid_gross(self) -> Decimal:
        return self.advances_paid + self.stage_payments_paid

    @property
    def paid_net(self) -> Decimal:
        return self.paid_gross - self.refunds_received


@dataclass
class MonitoringRow:
    """One CLM or one agency: its name and region (never a BIN: an agency may be an individual
    entrepreneur, whose BIN is their IIN) and its figures."""

    organisation_id: int
    name: str
    region: str
    figures: MonitoringFigures


@dataclass
class MonitoringReport:
    period_from: date
    period_to: date
    generated_at: datetime
    clm_rows: list[MonitoringRow]
    agency_rows: list[MonitoringRow]


# --- the columns, shared by the page, the workbook and the API --------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise | str
    money: bool = False
    rule: str = ""


@dataclass(frozen=True)
class DeadlineColumn:
    key: str
    label: Promise | str
    rule: str


#: Plain figures, in the order shown.
FIGURE_COLUMNS: tuple[Column, ...] = (
    Column("lots_formed", _("Lots formed"), rule="OUT-06"),
    Column("lots_announced", _("Lots announced"), rule="OUT-01"),
    Column("lots_contracted", _("Lots contracted"), rule="OUT-14"),
    Column("lots_republished", _("Lots offered again"), rule="OUT-13"),
    Column("confirmations_received", _("Lot confirmations received"), rule="OUT-07"),
    Column("agencies_admitted", _("Agencies admitted"), rule="OUT-09"),
    Column("agencies_refused", _("Agencies refused at review"), rule="OUT-10"),
    Column("agencies_not_first", _("Agencies refused as not the first"), rule="OUT-10"),
    Column("offers_sent", _("Draft contracts sent"), rule="OUT-11"),
    Column("offers_signed", _("Draft contracts signed"), rule="OUT-12"),
    Column("offers_lapsed", _("Draft contracts withdrawn unsigned"), rule="OUT-12"),
    Column("contracts", _("Contracts concluded"), rule="OUT-14"),
    Column("contracts_sum", _("Sum of the contracts, KZT"), money=True, rule="OUT-14"),
    Column("contracts_people", _("People in the contracts"), rule="OUT-14"),
    Column("people_employed", _("People employed within 30 working days"), rule="OUT-18"),
    Column("kept_3_months", _("People employed continuously for 3 months"), rule="OUT-23"),
    Column("kept_6_months", _("People employed continuously for 6 months"), rule="OUT-24"),
    Column("acts_extended", _("Acts taken for further study"), rule="OUT-21"),
    Column("advances_paid", _("Advances paid, KZT"), money=True, rule="OUT-22"),
    Column("stage_payments_paid", _("Stage payments paid, KZT"), money=True, rule="OUT-23"),
    Column("refunds_owed", _("Refunds of advances owed, KZT"), money=True, rule="OUT-22"),
    Column("refunds_received", _("Refunds of advances received, KZT"), money=True, rule="OUT-22"),
    Column("paid_gross", _("Paid, gross, KZT"), money=True, rule="OUT-19"),
    Column("paid_net", _("Paid, net of refunds, KZT"), money=True, rule="OUT-19"),
)

#: Deadlines, each shown as met / missed / open.
DEADLINE_COLUMNS: tuple[DeadlineColumn, ...] = (
    DeadlineColumn("announcements", _("Announcement published by the end of Wednesday"), "OUT-01"),
    DeadlineColumn("reviews", _("Agency reviewed within 2 working days"), "OUT-09"),
    DeadlineColumn(
        "review_notices", _("Agency notified within 1 working day after the review"), "OUT-09"
    ),
    DeadlineColumn(
        "offers_in_time",
        _("Draft contract sent within 1 working day after the review period"),
        "OUT-11",
    ),
    DeadlineColumn("offers_signing", _("Draft contract signed within 2 working days"), "OUT-12"),
    DeadlineColumn(
        "contract_information",
        _("Contract information published within 10 working days"),
        "OUT-15",
    ),
    DeadlineColumn("people_notified", _("People notified within 1 working day"), "OUT-16"),
    DeadlineColumn("handover", _("Lot data handed over within 1 working day"), "OUT-17"),
    DeadlineColumn("employment", _("People employed within 30 working days"), "OUT-18"),
    DeadlineColumn("acts_submission", _("Act submitted within 3 working days"), "OUT-20"),
    DeadlineColumn("acts_decision", _("Act decided within 3 (10) working days"), "OUT-21"),
    DeadlineColumn(
        "payments", _("Advance and stage payments paid by their due date"), "OUT-22…OUT-24"
    ),
    DeadlineColumn("refunds", _("Refunds of advances received by their due date"), "OUT-22"),
)

DEADLINE_PARTS: tuple[tuple[str, Promise], ...] = (
    ("met", _("met")),
    ("missed", _("missed")),
    ("open", _("open")),
)


def row_values(figures: MonitoringFigures) -> dict[str, Any]:
    """A row's figures as a flat mapping: ``lots_formed``, ``contracts_sum`` …, and for each
    deadline ``<key>_met``, ``<key>_missed``, ``<key>_open``; None where it does not apply."""
    values: dict[str, Any] = {c.key: getattr(figures, c.key) for c in FIGURE_COLUMNS}
    for column in DEADLINE_COLUMNS:
        count: DeadlineCount | None = getattr(figures, column.key)
        for part, _label in DEADLINE_PARTS:
            values[f"{column.key}_{part}"] = None if count is None else getattr(count, part)
    return values


# --- the report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    date_from: date
    date_to: date
    start: datetime
    end: datetime  # exclusive
    now: datetime
    today: date

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end

    def holds_day(self, day: date | None) -> bool:
        return day is not None and self.date_from <= day <= self.date_to

    def range(self) -> tuple[datetime, datetime]:
        return (self.start, self.end - timedelta(microseconds=1))


def _period(date_from: date, date_to: date) -> _Period:
    if date_from > date_to:
        raise ValueError("date_from must not be after date_to")
    zone = business_time_zone()
    now = timezone.now()
    return _Period(
        date_from=date_from,
        date_to=date_to,
        start=datetime.combine(date_from, time.min, tzinfo=zone),
        end=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone),
        now=now,
        today=to_business_date(now),
    )


def _deadline(count: DeadlineCount, *, due: datetime, done: datetime | None, now: datetime) -> None:
    count.add(done=done is not None, in_time=done is not None and done <= due, overdue=now > due)


def _deadline_on(count: DeadlineCount, *, due: date, done: datetime | None, today: date) -> None:
    count.add(
        done=done is not None,
        in_time=done is not None and to_business_date(done) <= due,
        overdue=today > due,
    )


class _Rows:
    """Accumulates figures per CLM and per agency within the scope."""

    def __init__(self, scope: MonitoringScope) -> None:
        self.scope = scope
        self.clms: dict[int, MonitoringFigures] = {}
        self.agencies: dict[int, MonitoringFigures] = {}
        for agency_id in scope.agency_ids:
            self.agencies[agency_id] = _agency_figures()

    def clm_visible(self, clm_id: int) -> bool:
        return self.scope.all_clms or clm_id in self.scope.clm_ids

    def clm(self, clm_id: int) -> MonitoringFigures | None:
        if not self.clm_visible(clm_id):
            return None
        return self.clms.setdefault(clm_id, MonitoringFigures())

    def agency(self, agency_id: int, clm_id: int) -> MonitoringFigures | None:
        if not (self.clm_visible(clm_id) or agency_id in self.scope.agency_ids):
            return None
        return self.agencies.setdefault(agency_id, _agency_figures())

    def both(self, clm_id: int, agency_id: int) -> list[MonitoringFigures]:
        return [f for f in (self.clm(clm_id), self.agency(agency_id, clm_id)) if f is not None]


def _agency_figures() -> MonitoringFigures:
    return MonitoringFigures(
        lots_formed=None, lots_announced=None, lots_republished=None, announcements=None
    )


def _scoped(queryset: Any, scope: MonitoringScope, *, clm: str, agency: str | None) -> Any:
    if scope.all_clms:
        return queryset
    condition = Q(**{f"{clm}__in": scope.clm_ids})
    if agency is not None and scope.agency_ids:
        condition |= Q(**{f"{agency}__in": scope.agency_ids})
    return queryset.filter(condition)


def monitoring_report(
    *, scope: MonitoringScope, date_from: date, date_to: date
) -> MonitoringReport:
    """OUT-25: the monitoring of outsourcing for the period, rows per CLM and per agency, as far
    as ``scope`` (see :func:`monitoring_scope`) allows. A fixed number of queries."""
    period = _period(date_from, date_to)
    rows = _Rows(scope)
    if scope.sees_clm_rows:
        clms = Organisation.objects.filter(kind=OrganisationKind.LABOUR_MOBILITY_CENTRE)
        if not scope.all_clms:
            clms = clms.filter(pk__in=scope.clm_ids)
        else:
            clms = clms.filter(is_active=True)
        for clm_id in clms.values_list("pk", flat=True):
            rows.clm(clm_id)
        _lots(rows, scope, period)
        _announcements(rows, scope, period)
    _confirmations(rows, scope, period)
    _offers(rows, scope, period)
    _contracts_and_after(rows, scope, period)
    organisations = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=[*rows.clms, *rows.agencies])
        .select_related("region")
        .only("pk", "name", "region__name_ru", "region__name_kk", "region__name_en")
    }

    def as_rows(figures: dict[int, MonitoringFigures]) -> list[MonitoringRow]:
        found = [
            MonitoringRow(
                organisation_id=pk,
                name=organisations[pk].name,
                region=organisations[pk].region.name if organisations[pk].region_id else "",
                figures=f,
            )
            for pk, f in figures.items()
            if pk in organisations
        ]
        return sorted(found, key=lambda r: (r.region, r.name, r.organisation_id))

    return MonitoringReport(
        period_from=date_from,
        period_to=date_to,
        generated_at=period.now,
        clm_rows=as_rows(rows.clms) if scope.sees_clm_rows else [],
        agency_rows=as_rows(rows.agencies),
    )


# --- the parts -------------------------------------------------------------------------------------


def _lots(rows: _Rows, scope: MonitoringScope, period: _Period) -> None:
    """Lots formed, announced and offered again (OUT-06, OUT-01, OUT-13): the CLM's own work."""
    formed = _scoped(Lot.objects, scope, clm="clm_id", agency=None).filter(
        created_at__range=period.range()
    )
    for clm_id, n in formed.values_list("clm_id").annotate(n=Count("pk")).order_by():
        if (f := rows.clm(clm_id)) is not None:
            f.lots_formed = n
    announced = _scoped(
        Announcement.lots.through.objects, scope, clm="announcement__clm_id", agency=None
    ).filter(
        announcement__status=AnnouncementStatus.PUBLISHED,
        announcement__published_at__range=period.range(),
    )
    for clm_id, n in (
        announced.values_list("announcement__clm_id")
        .annotate(n=Count("lot_id", distinct=True))
        .order_by()
    ):
        if (f := rows.clm(clm_id)) is not None:
            f.lots_announced = n
    republished = _scoped(LotEvent.objects, scope, clm="lot__clm_id", agency=None).filter(
        kind="republished", occurred_at__range=period.range()
    )
    for clm_id, n in (
        republished.values_list("lot__clm_id").annotate(n=Count("lot_id", distinct=True)).order_by()
    ):
        if (f := rows.clm(clm_id)) is not None:
            f.lots_republished = n


def _announcements(rows: _Rows, scope: MonitoringScope, period: _Period) -> None:
    """OUT-01: each announcement due in the period, published by its deadline or not."""
    due = _scoped(Announcement.objects, scope, clm="clm_id", agency=None).filter(
        publish_due_at__range=period.range()
    )
    for clm_id, due_at, published_at in due.values_list("clm_id", "publish_due_at", "published_at"):
        f = rows.clm(clm_id)
        if f is not None and f.announcements is not None:
            _deadline(f.announcements, due=due_at, done=published_at, now=period.now)


def _confirmations(rows: _Rows, scope: MonitoringScope, period: _Period) -> None:
    """OUT-07, OUT-09, OUT-10: confirmations received, the reviews and their notices.

    A confirmation the system refused as "not the first" when another agency signed counts as
    decided then (``reviewed_at`` is set by the refusal, ADR 0011)."""
    window = period.range()
    confirmations = _scoped(
        LotConfirmation.objects, scope, clm="lot__clm_id", agency="agency_id"
    ).filter(
        Q(confirmed_at__range=window)
        | Q(reviewed_at__range=window)
        | Q(review_due_at__range=window)
        | Q(notice_due_at__range=window)
    )
    for c in confirmations.values(
        "lot__clm_id",
        "agency_id",
        "confirmed_at",
        "review_due_at",
        "reviewed_at",
        "refusal_ground",
        "notice_due_at",
        "notified_at",
    ):
        for f in rows.both(c["lot__clm_id"], c["agency_id"]):
            if period.holds(c["confirmed_at"]):
                f.confirmations_received += 1
            if period.holds(c["reviewed_at"]):
                if c["refusal_ground"] is None:
                    f.agencies_admitted += 1
                elif c["refusal_ground"] == RefusalGround.NOT_FIRST:
                    f.agencies_not_first += 1
                else:
                    f.agencies_refused += 1
            if period.holds(c["review_due_at"]):
                _deadline(f.reviews, due=c["review_due_at"], done=c["reviewed_at"], now=period.now)
            if period.holds(c["notice_due_at"]):
                _deadline(
                    f.review_notices,
                    due=c["notice_due_at"],
                    done=c["notified_at"],
                    now=period.now,
                )


def _offers(rows: _Rows, scope: MonitoringScope, period: _Period) -> None:
    """OUT-11, OUT-12: drafts sent, signed and withdrawn unsigned.

    OUT-11 (the draft within 1 working day after the review period) binds the lot's first draft
    of a selection day; drafts passed down the queue after a lapse follow OUT-12. Its deadline is
    not stored on the offer, so it is computed from the confirmation as the Rules say."""
    window = period.range()
    earlier = ContractOffer.objects.filter(
        lot_id=OuterRef("lot_id"),
        confirmation__selection_day=OuterRef("confirmation__selection_day"),
        sent_at__lt=OuterRef("sent_at"),
    )
    offers = (
        _scoped(ContractOffer.objects, scope, clm="lot__clm_id", agency="confirmation__agency_id")
        .filter(
            Q(sent_at__range=window)
            | Q(withdrawn_at__range=window)
            | Q(sign_due_at__range=window)
            | Q(
                confirmation__confirmed_at__gte=period.start - timedelta(days=31),
                confirmation__confirmed_at__lt=period.end,
            )
        )
        .annotate(passed_on=Exists(earlier))
    )
    for o in offers.values(
        "lot__clm_id",
        "confirmation__agency_id",
        "confirmation__confirmed_at",
        "status",
        "sent_at",
        "sign_due_at",
        "withdrawn_at",
        "passed_on",
        "contract__concluded_at",
    ):
        offer_due = deadline_at(
            o["confirmation__confirmed_at"], REVIEW_WORKING_DAYS + OFFER_WORKING_DAYS
        )
        signed_at = o["contract__concluded_at"] if o["status"] == OfferStatus.SIGNED else None
        for f in rows.both(o["lot__clm_id"], o["confirmation__agency_id"]):
            if period.holds(o["sent_at"]):
                f.offers_sent += 1
            if period.holds(signed_at):
                f.offers_signed += 1
            if period.holds(o["withdrawn_at"]):
                f.offers_lapsed += 1
            if not o["passed_on"] and period.holds(offer_due):
                _deadline(f.offers_in_time, due=offer_due, done=o["sent_at"], now=period.now)
            if period.holds(o["sign_due_at"]):
                _deadline(f.offers_signing, due=o["sign_due_at"], done=signed_at, now=period.now)


@dataclass
class _Contract:
    pk: int
    clm_id: int
    agency_id: int
    concluded_at: datetime
    people_count: int
    employment_due_on: date
    advance_due_on: date
    placements: list[dict[str, Any]] = field(default_factory=list)


def _contracts_and_after(rows: _Rows, scope: MonitoringScope, period: _Period) -> None:
    """OUT-14…OUT-24: contracts, their deadlines, employment, acts and money."""
    contracts_qs = _scoped(
        OutsourcingContract.objects, scope, clm="clm_id", agency="agency_id"
    ).filter(concluded_at__lt=period.end)
    contracts: dict[int, _Contract] = {}
    for c in contracts_qs.values(
        "pk",
        "clm_id",
        "agency_id",
        "concluded_at",
        "people_count",
        "total_sum",
        "publish_due_at",
        "published_at",
        "people_notice_due_at",
        "people_notified_at",
        "handover_due_at",
        "handed_over_at",
        "employment_due_on",
        "advance_due_on",
    ):
        contracts[c["pk"]] = _Contract(
            pk=c["pk"],
            clm_id=c["clm_id"],
            agency_id=c["agency_id"],
            concluded_at=c["concluded_at"],
            people_count=c["people_count"],
            employment_due_on=c["employment_due_on"],
            advance_due_on=c["advance_due_on"],
        )
        for f in rows.both(c["clm_id"], c["agency_id"]):
            if period.holds(c["concluded_at"]):
                f.lots_contracted += 1
                f.contracts += 1
                f.contracts_sum += c["total_sum"]
                f.contracts_people += c["people_count"]
            for count, due, done in (
                (f.contract_information, c["publish_due_at"], c["published_at"]),
                (f.people_notified, c["people_notice_due_at"], c["people_notified_at"]),
                (f.handover, c["handover_due_at"], c["handed_over_at"]),
            ):
                if period.holds(due):
                    _deadline(count, due=due, done=done, now=period.now)
    if not contracts:
        return
    ids = contracts_qs.values("pk")
    _placements(rows, period, contracts, ids)
    acts: list[dict[str, Any]] = [
        dict(a)
        for a in ServiceAct.objects.filter(contract__in=ids)
        .values(
            "pk",
            "contract_id",
            "stage",
            "status",
            "amount",
            "submit_due_on",
            "submitted_at",
            "decision_due_at",
            "decided_at",
            "extended_at",
        )
        .order_by("contract_id", "stage", "pk")
    ]
    _acts(rows, period, contracts, acts)
    _money(rows, period, contracts, acts, ids)


def _placements(rows: _Rows, period: _Period, contracts: dict[int, _Contract], ids: Any) -> None:
    """OUT-18 (employed within 30 working days) and OUT-23/OUT-24 (kept 3 / 6 months)."""
    for placed in (
        Placement.objects.filter(contract__in=ids, status=PlacementStatus.CONFIRMED)
        .values("contract_id", "member__person_id", "employer_bin", "started_on")
        .order_by("contract_id", "pk")
    ):
        contract = contracts[placed["contract_id"]]
        if placed["started_on"] <= contract.employment_due_on:
            contract.placements.append(dict(placed))
    people = {p["member__person_id"] for c in contracts.values() for p in c.placements}
    on = min(period.today, period.date_to)
    periods = registry_selectors.employment_periods_of(people, started_until=on) if people else {}
    for contract in contracts.values():
        figures = rows.both(contract.clm_id, contract.agency_id)
        since = to_business_date(contract.concluded_at)
        employed_in_time = len(contract.placements)
        if period.holds_day(contract.employment_due_on):
            for f in figures:
                f.employment.met += employed_in_time
                missing = contract.people_count - employed_in_time
                if period.today > contract.employment_due_on:
                    f.employment.missed += missing
                else:
                    f.employment.open += missing
        for p in contract.placements:
            kept = {
                months: registry_selectors.find_continuous_employment(
                    periods.get(p["member__person_id"], []), since=since, months=months, on=on
                )
                for months in (3, 6)
            }
            for f in figures:
                if period.holds_day(p["started_on"]):
                    f.people_employed += 1
                for months, spell in kept.items():
                    if (
                        spell is not None
                        and spell.employer_bin == p["employer_bin"]
                        and period.holds_day(spell.completed_on)
                    ):
                        if months == 3:
                            f.kept_3_months += 1
                        else:
                            f.kept_6_months += 1


def _expected_submit_due(contract: _Contract, stage: int, today: date) -> date | None:
    """When the act of a stage is due (OUT-20) if the stage is reached by ``today``, as
    :func:`.acts.stage_status` reckons it from the confirmed placements; None if not reached."""
    starts = [p["started_on"] for p in contract.placements]
    if stage == ActStage.EMPLOYMENT:
        everyone = len(starts) == contract.people_count
        completed = max(starts) if everyone and starts else contract.employment_due_on
        if not (everyone or today > contract.employment_due_on):
            return None
    else:
        if not starts:
            return None
        completed = max(starts) + relativedelta(months=STAGE_MONTHS[ActStage(stage)])
        if today < completed:
            return None
    return add_working_days(completed, ACT_SUBMIT_WORKING_DAYS)


def _acts(
    rows: _Rows, period: _Period, contracts: dict[int, _Contract], acts: list[dict[str, Any]]
) -> None:
    """OUT-20: each stage's act submitted within 3 working days of the stage's completion (the
    first submission counts; a stage reached with no act submitted is missed once its deadline
    passes); OUT-21: each submitted act decided within 3 working days, or 10 after notice."""
    by_stage: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for act in acts:
        by_stage[(act["contract_id"], act["stage"])].append(act)
    for contract in contracts.values():
        figures = rows.both(contract.clm_id, contract.agency_id)
        for stage in ActStage.values:
            stage_acts = by_stage.get((contract.pk, stage), [])
            due = (
                stage_acts[0]["submit_due_on"]
                if stage_acts
                else _expected_submit_due(contract, stage, period.today)
            )
            submitted = [a["submitted_at"] for a in stage_acts if a["submitted_at"] is not None]
            if due is not None and period.holds_day(due):
                for f in figures:
                    _deadline_on(
                        f.acts_submission,
                        due=due,
                        done=min(submitted) if submitted else None,
                        today=period.today,
                    )
            for act in stage_acts:
                for f in figures:
                    if period.holds(act["extended_at"]):
                        f.acts_extended += 1
                    if act["submitted_at"] is not None and period.holds(act["decision_due_at"]):
                        _deadline(
                            f.acts_decision,
                            due=act["decision_due_at"],
                            done=act["decided_at"],
                            now=period.now,
                        )


def _money(
    rows: _Rows,
    period: _Period,
    contracts: dict[int, _Contract],
    acts: list[dict[str, Any]],
    ids: Any,
) -> None:
    """OUT-22…OUT-24: the advance (due 5 working days after the contract), stage payments (due
    10 working days after their act is signed) and refunds (due 10 working days after the
    stage-1 act), each met when paid (received) by its due date; and the sums paid, owed and
    received in the period. An obligation the CLM never ordered is missed once its due date
    passes."""
    entries: dict[tuple[int, int, bool], dict[str, Any]] = {}
    by_contract: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in StagePayment.objects.filter(contract__in=ids).values(
        "contract_id",
        "stage",
        "is_refund",
        "entry__amount",
        "entry__status",
        "entry__due_on",
        "entry__paid_at",
        "entry__created_at",
    ):
        link: dict[str, Any] = dict(s)
        entries[(s["contract_id"], s["stage"], s["is_refund"])] = link
        by_contract[s["contract_id"]].append(link)
    signed_stage_acts = {
        (a["contract_id"], a["stage"]): a
        for a in acts
        if a["status"] == ActStatus.SIGNED and a["stage"] != ActStage.EMPLOYMENT
    }
    for contract in contracts.values():
        figures = rows.both(contract.clm_id, contract.agency_id)
        # Outgoing: the advance and the paid stages (OUT-22, OUT-23, OUT-24).
        obligations: list[tuple[date, dict[str, Any] | None]] = [
            (contract.advance_due_on, _live(entries.get((contract.pk, 1, False))))
        ]
        for stage in (ActStage.THREE_MONTHS, ActStage.SIX_MONTHS):
            act = signed_stage_acts.get((contract.pk, stage))
            entry = _live(entries.get((contract.pk, stage, False)))
            if entry is not None:
                obligations.append((entry["entry__due_on"], entry))
            elif act is not None and act["amount"] > 0 and act["decided_at"] is not None:
                due = add_working_days(to_business_date(act["decided_at"]), PAYMENT_WORKING_DAYS)
                obligations.append((due, None))
        refund = _live(entries.get((contract.pk, 1, True)))
        for f in figures:
            for due, entry in obligations:
                if period.holds_day(due):
                    _deadline_on(f.payments, due=due, done=_paid_at(entry), today=period.today)
            if refund is not None and period.holds_day(refund["entry__due_on"]):
                _deadline_on(
                    f.refunds,
                    due=refund["entry__due_on"],
                    done=_paid_at(refund),
                    today=period.today,
                )
        for entry in by_contract.get(contract.pk, []):
            if entry["entry__status"] == EntryStatus.CANCELLED:
                continue
            stage, is_refund = entry["stage"], entry["is_refund"]
            amount: Decimal = entry["entry__amount"]
            paid_in_period = entry["entry__status"] == EntryStatus.PAID and period.holds(
                entry["entry__paid_at"]
            )
            for f in figures:
                if is_refund:
                    if period.holds(entry["entry__created_at"]):
                        f.refunds_owed += amount
                    if paid_in_period:
                        f.refunds_received += amount
                elif paid_in_period:
                    if stage == ActStage.EMPLOYMENT:
                        f.advances_paid += amount
                    else:
                        f.stage_payments_paid += amount


def _live(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    if entry is None or entry["entry__status"] == EntryStatus.CANCELLED:
        return None
    return entry


def _paid_at(entry: dict[str, Any] | None) -> datetime | None:
    if entry is None or entry["entry__status"] != EntryStatus.PAID:
        return None
    paid_at: datetime | None = entry["entry__paid_at"]
    return paid_at
