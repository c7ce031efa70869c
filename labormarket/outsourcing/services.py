"""Writes of outsourcing, part 1: categories, consents, agency cabinets, lots, announcements.

The selection queue and the contract cascade are in :mod:`.selection`; contracts, hand-over
and placements in :mod:`.contracts`; acts and stage payments in :mod:`.acts`. Every function is
atomic, takes the acting user, names each bad field with its rule and writes nothing when it
refuses.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from labormarket.accounts.choices import OrganisationKind
from labormarket.accounts.models import Organisation, User
from labormarket.core.calendar import deadline_at, is_working_day
from labormarket.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from labormarket.core.signatures import evidence as signatures
from labormarket.reference.models import Occupation
from labormarket.registry import services as registry_services
from labormarket.registry.choices import ConsentEvidence, ConsentPurpose, LabourStatus
from labormarket.registry.models import Consent, Person

from . import policies
from .choices import HARD_CATEGORIES, AnnouncementStatus, LotStatus, UnemploymentCategory
from .models import (
    MAX_LOT_SIZE,
    MIN_HARD_SHARE_PERCENT,
    AgencyCabinet,
    Announcement,
    CategoryAssignment,
    Lot,
    LotEvent,
    LotMember,
)

#: The version of the Appendix 1 consent text the system records.
CONSENT_VERSION = "order-217-app-1"
CONSENT_SCOPE = (
    "Содействие в трудоустройстве через аутсорсинг услуг в сфере занятости населения и передача "
    "персональных данных частным агентствам занятости: ФИО, пол, возраст, правовой статус, "
    "образование, опыт работы, навыки, телефоны, адрес проживания, электронная почта."
)

#: OUT-03: the selection window on Mondays, in the region's local time.
SELECTION_OPENS = time(9, 0)
SELECTION_CLOSES = time(18, 30)

#: OUT-01 (2): the services offered within outsourcing (the list the authorised body approves).
STANDARD_SERVICES = (
    gettext_lazy("Labour intermediation: selection of suitable vacancies and employers"),
    gettext_lazy("Vocational guidance and career counselling"),
    gettext_lazy("Help with the CV and preparation for interviews"),
    gettext_lazy("Support of the person during the first six months at work"),
)

#: The text of the cabinet certification statement an agency signs with its EDS (OUT-04).
CABINET_STATEMENT = (
    "Заявление о регистрации личного кабинета частного агентства занятости на Электронной "
    "бирже труда для участия в аутсорсинге услуг в сфере занятости населения.\n"
    "БИН: {bin}\nНаименование: {name}\n"
)


def region_zone(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.region.timezone)


def local_time(organisation: Organisation, moment: datetime) -> datetime:
    """``moment`` in the local time of the organisation's region (OUT-03)."""
    return moment.astimezone(region_zone(organisation))


def next_selection_day(after: date) -> date:
    """The first Monday strictly after ``after`` that is a working day (OUT-03, OUT-13).

    The Rules name Mondays; a Monday that is a public holiday has no selection, so the lots wait
    for the next working Monday (ADR 0011)."""
    day = after + timedelta(days=(7 - after.weekday()) % 7 or 7)
    while not is_working_day(day):
        day += timedelta(days=7)
    return day


# --- categories and consent (OUT-02, OUT-05) ---------------------------------------------------


def _clm_for(actor: User, clm_id: int | None = None) -> Organisation:
    """The CLM the actor works for (the given one, or their only one)."""
    ids = policies.clm_ids_of(actor)
    if not ids:
        raise Forbidden(message=_("Only the staff of a centre of labour mobility may do this."))
    if clm_id is None:
        if len(ids) > 1:
            raise ValidationFailed.single(
                "clm", "required", _("Choose the centre of labour mobility you act for.")
            )
        (clm_id,) = ids
    if clm_id not in ids:
        raise NotFound()
    return Organisation.objects.select_related("region").get(pk=clm_id)


def _person_of_clm(clm: Organisation, person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id, region_id=clm.region_id).first()
    if person is None:
        raise NotFound(_("There is no such person in the registry of your region."))
    return person


@transaction.atomic
def category_assign(
    *,
    actor: User,
    person_id: int,
    category: int,
    occupation_code: str,
    note: str = "",
    clm_id: int | None = None,
) -> CategoryAssignment:
    """OUT-02: a CLM specialist gives a registered unemployed person a category by the expected
    duration of unemployment, and the profession the lots group them by."""
    clm = _clm_for(actor, clm_id)
    errors = FieldErrors()
    if category not in UnemploymentCategory.values:
        errors.add("category", "invalid_choice", _("The category is 1, 2 or 3."), "OUT-02")
    occupation = Occupation.objects.filter(code=occupation_code).first()
    if occupation is None:
        errors.add("occupation", "unknown_code", _("There is no such occupation code."))
    errors.raise_if_any()
    assert occupation is not None
    person = _person_of_clm(clm, person_id)
    if person.labour_status != LabourStatus.UNEMPLOYED:
        raise ValidationFailed.single(
            "person",
            "not_unemployed",
            _("Categories are given to registered unemployed people only."),
            "OUT-02",
        )
    CategoryAssignment.objects.filter(person=person, is_current=True).update(is_current=False)
    return CategoryAssignment.objects.create(
        person=person,
        clm=clm,
        category=category,
        occupation=occupation,
        note=note.strip()[:500],
        assigned_by=actor,
    )


def outsourcing_consent_record(
    *, actor: User, person_id: int, evidence: str, evidence_reference: str
) -> Consent:
    """OUT-05, Appendix 1: the person's signed consent to outsourcing and to passing their data
    to agencies, with its evidence (the paper form's number, or the EDS)."""
    if evidence not in (ConsentEvidence.PAPER, ConsentEvidence.EDS):
        raise ValidationFailed.single(
            "evidence",
            "invalid_choice",
            _("The consent is a signed Appendix 1 form or an EDS-signed statement."),
            "OUT-05",
        )
    return registry_services.consent_give(
        actor=actor,
        person_id=person_id,
        purpose=ConsentPurpose.OUTSOURCING,
        scope=CONSENT_SCOPE,
        version=CONSENT_VERSION,
        evidence=evidence,
        evidence_reference=evidence_reference,
    )


# --- agency cabinet (OUT-04) ------------------------------------------------------------------


def _agency_for(actor: User, agency_id: int | None = None) -> Organisation:
    ids = policies.agency_ids_of(actor)
    if not ids:
        raise Forbidden(message=_("Only a private employment agency's manager may do this."))
    if agency_id is None:
        if len(ids) > 1:
            raise ValidationFailed.single("agency", "required", _("Choose the agency you act for."))
        (agency_id,) = ids
    if agency_id not in ids:
        raise NotFound()
    return Organisation.objects.select_related("region").get(pk=agency_id)


def cabinet_statement(agency: Organisation) -> bytes:
    """The exact bytes an agency signs to certify its cabinet (OUT-04)."""
    return CABINET_STATEMENT.format(bin=agency.bin, name=agency.name).encode()


def cabinet_statement_for(*, actor: User, agency_id: int | None = None) -> bytes:
    """The statement the actor's agency signs to certify its cabinet (OUT-04)."""
    return cabinet_statement(_agency_for(actor, agency_id))


@dataclass(frozen=True)
class CabinetDetails:
    contact_person: str
    contact_phone: str
    contact_email: str
    legal_address: str
    iik: str
    bik: str
    bank_name: str


def _clean_cabinet(details: CabinetDetails) -> CabinetDetails:
    from django.core.validators import validate_email

    from labormarket.core.phones import InvalidPhone, normalize_phone

    errors = FieldErrors()
    for name in ("contact_person", "legal_address", "bank_name"):
        if not getattr(details, name).strip():
            errors.add(name, "required", _("This field is required."))
    phone = ""
    try:
        phone = normalize_phone(details.contact_phone)
    except InvalidPhone as exc:
        errors.add("contact_phone", "invalid_phone", str(exc))
    try:
        validate_email(details.contact_email)
    except Exception:
        errors.add("contact_email", "invalid_email", _("Give a valid e-mail address."))
    iik = details.iik.replace(" ", "").upper()
    if not (len(iik) == 20 and iik.startswith("KZ") and iik[2:].isalnum()):
        errors.add("iik", "invalid_iik", _("The IIK is 20 characters starting with KZ."))
    bik = details.bik.strip().upper()
    if not (8 <= len(bik) <= 11 and bik.isalnum()):
        errors.add("bik", "invalid_bik", _("The BIK is 8 to 11 letters and digits."))
    errors.raise_if_any()
    return CabinetDetails(
        contact_person=details.contact_person.strip(),
        contact_phone=phone,
        contact_email=details.contact_email.strip(),
        legal_address=details.legal_address.strip(),
        iik=iik,
        bik=bik,
        bank_name=details.bank_name.strip(),
    )


def cabinet_certify(
    *, actor: User, details: CabinetDetails, cms: bytes, agency_id: int | None = None
) -> AgencyCabinet:
    """OUT-04: the agency opens its cabinet by signing the statement with the agency's EDS
    (a certificate with the agency's BIN, held by the signing manager)."""
    agency = _agency_for(actor, agency_id)
    clean = _clean_cabinet(details)
    content = cabinet_statement(agency)
    result = signatures.verify(
        cms=cms,
        content=content,
        expected_iin=actor.iin or None,
        expected_bin=agency.bin,
        rule="OUT-04",
    )
    with transaction.atomic():
        signature = signatures.store(
            cms=cms, content=content, result=result, purpose="outsourcing.cabinet", actor=actor
        )
        cabinet, _created = AgencyCabinet.objects.update_or_create(
            agency=agency,
            defaults={
                **clean.__dict__,
                "certified_at": timezone.now(),
                "certified_by": actor,
                "signature": signature,
            },
        )
    return cabinet


# --- lots (OUT-05, OUT-06) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A person who may be put in a lot, with what the lot rules need."""

    person: Person
    category: int
    occupation_id: int
    consent: Consent


def _candidates(
    clm: Organisation, person_ids: Sequence[int]
) -> tuple[list[Candidate], FieldErrors]:
    """The people as lot candidates; every one who may not be in a lot is named with the rule."""
    errors = FieldErrors()
    people = {p.pk: p for p in Person.objects.filter(pk__in=person_ids, region_id=clm.region_id)}
    categories = {
        c.person_id: c
        for c in CategoryAssignment.objects.filter(person_id__in=person_ids, is_current=True)
    }
    consents = {
        c.person_id: c
        for c in Consent.objects.filter(
            person_id__in=person_ids,
            purpose=ConsentPurpose.OUTSOURCING,
            withdrawn_at__isnull=True,
        )
    }
    busy = set(
        LotMember.objects.filter(person_id__in=person_ids, is_active=True).values_list(
            "person_id", flat=True
        )
    )
    found: list[Candidate] = []
    for index, person_id in enumerate(person_ids):
        field = f"people[{index}]"
        person = people.get(person_id)
        if person is None:
            errors.add(field, "not_found", _("There is no such person in your region."))
            continue
        if person.labour_status != LabourStatus.UNEMPLOYED:
            errors.add(
                field,
                "not_unemployed",
                _("%(name)s is not a registered unemployed person.") % {"name": person},
                "OUT-05",
            )
            continue
        consent = consents.get(person_id)
        if consent is None:
            errors.add(
                field,
                "no_consent",
                _("%(name)s has not signed the consent to outsourcing (Appendix 1).")
                % {"name": person},
                "OUT-05",
            )
            continue
        category = categories.get(person_id)
        if category is None:
            errors.add(
                field,
                "no_category",
                _("%(name)s has no category yet.") % {"name": person},
                "OUT-02",
            )
            continue
        if person_id in busy:
            errors.add(
                field,
                "in_another_lot",
                _("%(name)s is already in another active lot.") % {"name": person},
                "OUT-06",
            )
            continue
        found.append(Candidate(person, category.category, category.occupation_id, consent))
    return found, errors


def lot_composition_errors(categories: Sequence[int]) -> list[tuple[str, str]]:
    """OUT-06 on a lot's categories: (code, message) for each rule broken, none when it holds."""
    problems: list[tuple[str, str]] = []
    size = len(categories)
    if size == 0:
        problems.append(("empty", _("A lot needs at least one person.")))
        return problems
    if size > MAX_LOT_SIZE:
        problems.append(
            (
                "too_many_people",
                _("A lot has at most %(max)d people; this one has %(n)d.")
                % {"max": MAX_LOT_SIZE, "n": size},
            )
        )
    hard = sum(1 for c in categories if c in HARD_CATEGORIES)
    if hard * 100 < MIN_HARD_SHARE_PERCENT * size:
        problems.append(
            (
                "too_few_hard_cases",
                _(
                    "At least %(share)d%% of a lot must be category 2 or 3: this one has "
                    "%(hard)d of %(n)d (%(needed)d needed)."
                )
                % {
                    "share": MIN_HARD_SHARE_PERCENT,
                    "hard": hard,
                    "n": size,
                    "needed": math.ceil(MIN_HARD_SHARE_PERCENT * size / 100),
                },
            )
        )
    return problems


def _price(value: Any, errors: FieldErrors) -> Decimal | None:
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add("price_per_person", "invalid", _("Give the price as a number of tenge."))
        return None
    if not price.is_finite() or price <= 0 or price.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.add(
            "price_per_person",
            "invalid",
            _("The price is a positive sum in tenge with at most two decimal places."),
        )
        return None
    if price >= Decimal("10000000000"):
        errors.add("price_per_person", "too_large", _("The price is too large."))
        return None
    return price


def _lot_event(lot: Lot, kind: str, actor: User | None, **payload: Any) -> None:
    LotEvent.objects.create(lot=lot, kind=kind, actor=actor, payload=payload)


@transaction.atomic
def lot_create(
    *,
    actor: User,
    person_ids: Sequence[int],
    price_per_person: Any,
    clm_id: int | None = None,
) -> Lot:
    """Form a lot (OUT-05, OUT-06): consenting registered unemployed people of the CLM's region,
    all of one profession, at most 30, at least 30 % of them category 2 or 3, none in another
    active lot."""
    clm = _clm_for(actor, clm_id)
    errors = FieldErrors()
    price = _price(price_per_person, errors)
    ids = list(dict.fromkeys(int(pk) for pk in person_ids))
    if len(ids) != len(person_ids):
        errors.add("people", "duplicate", _("A person is listed twice."), "OUT-06")
    candidates, person_errors = _candidates(clm, ids)
    for name, field_errors in person_errors.fields.items():
        for error in field_errors:
            errors.add(name, error.code, error.message, error.rule)
    if not person_errors.fields:
        for code, message in lot_composition_errors([c.category for c in candidates]):
            errors.add("people", code, message, "OUT-06")
        occupations = {c.occupation_id for c in candidates}
        if len(occupations) > 1:
            errors.add(
                "people",
                "several_professions",
                _("A lot groups people of one profession; these have %(n)d.")
                % {"n": len(occupations)},
                "OUT-06",
            )
    errors.raise_if_any()
    assert price is not None
    lot = Lot.objects.create(
        clm=clm,
        number=f"tmp-{timezone.now().timestamp()}-{actor.pk}",
        occupation_id=candidates[0].occupation_id,
        price_per_person=price,
        created_by=actor,
    )
    lot.number = f"{clm.region.kato_code[:2]}-{timezone.localdate():%Y}-{lot.pk:06d}"
    lot.save(update_fields=["number"])
    LotMember.objects.bulk_create(
        [
            LotMember(lot=lot, person=c.person, category=c.category, consent=c.consent)
            for c in candidates
        ]
    )
    _lot_event(lot, "created", actor, people=len(candidates))
    return lot


@dataclass(frozen=True)
class LotProposal:
    occupation: Occupation
    person_ids: tuple[int, ...]
    hard_cases: int


def lots_propose(*, actor: User, clm_id: int | None = None) -> list[LotProposal]:
    """Lots the system proposes from the CLM's free candidates: by profession, at most 30 each,
    with the harder cases spread evenly so that every lot keeps at least 30 % of them (OUT-06).
    Nothing is written; the CLM reviews and creates the lots it accepts."""
    clm = _clm_for(actor, clm_id)
    assignments = (
        CategoryAssignment.objects.filter(
            is_current=True,
            person__region_id=clm.region_id,
            person__labour_status=LabourStatus.UNEMPLOYED,
            person__consents__purpose=ConsentPurpose.OUTSOURCING,
            person__consents__withdrawn_at__isnull=True,
        )
        .exclude(person__lot_memberships__is_active=True)
        .select_related("occupation")
        .order_by("occupation__code", "assigned_at", "pk")
        .distinct()
    )
    groups: dict[int, tuple[Occupation, list[int], list[int]]] = {}
    for a in assignments:
        occupation, hard, easy = groups.setdefault(a.occupation_id, (a.occupation, [], []))
        (hard if a.category in HARD_CATEGORIES else easy).append(a.person_id)
    proposals: list[LotProposal] = []
    for occupation, hard, easy in groups.values():
        # Each hard case can carry at most 7/3 easy ones in a lot with 30 % hard cases.
        usable_easy = min(
            len(easy), (len(hard) * (100 - MIN_HARD_SHARE_PERCENT)) // MIN_HARD_SHARE_PERCENT
        )
        total = len(hard) + usable_easy
        if total == 0 or not hard:
            continue
        count = math.ceil(total / MAX_LOT_SIZE)
        buckets: list[list[tuple[int, int]]] = [[] for _ in range(count)]
        for index, person_id in enumerate(hard):
            buckets[index % count].append((person_id, 2))
        for person_id in easy[:usable_easy]:
            # Fill the lot with the best share of hard cases first.
            target = min(
                range(count),
                key=lambda i: (
                    len(buckets[i]) >= MAX_LOT_SIZE,
                    -_hard_share(buckets[i]),
                    len(buckets[i]),
                ),
            )
            candidate = buckets[target] + [(person_id, 1)]
            if len(candidate) <= MAX_LOT_SIZE and not lot_composition_errors(
                [c for _p, c in candidate]
            ):
                buckets[target] = candidate
        for bucket in buckets:
            if bucket and not lot_composition_errors([c for _p, c in bucket]):
                proposals.append(
                    LotProposal(
                        occupation=occupation,
                        person_ids=tuple(p for p, _c in bucket),
                        hard_cases=sum(1 for _p, c in bucket if c == 2),
                    )
                )
    return proposals


def _hard_share(bucket: list[tuple[int, int]]) -> float:
    if not bucket:
        return 1.0
    return sum(1 for _p, c in bucket if c == 2) / len(bucket)


@transaction.atomic
def lot_withdraw(*, actor: User, lot_id: int, reason: str) -> Lot:
    """The CLM takes a lot that has no contract off the market; its people become free."""
    lot = Lot.objects.select_for_update().filter(pk=lot_id).first()
    if lot is None or not policies.can_run_clm(actor, lot.clm_id):
        raise NotFound()
    if not reason.strip():
        raise ValidationFailed.single("reason", "required", _("Say why the lot is withdrawn."))
    if lot.status not in (LotStatus.DRAFT, LotStatus.OPEN):
        raise Conflict(
            "lot_in_selection",
            _("A lot that agencies have confirmed cannot be withdrawn."),
            "OUT-07",
        )
    lot.status = LotStatus.WITHDRAWN
    lot.save(update_fields=["status", "updated_at"])
    lot.members.update(is_active=False)
    _lot_event(lot, "withdrawn", actor, reason=reason.strip()[:500])
    return lot


# --- announcements (OUT-01, OUT-13) --------------------------------------------------------------


def _announced_lots(clm: Organisation, selection_day: date) -> list[Lot]:
    """Lots for the selection day: the CLM's drafts and the lots waiting to be offered again."""
    return list(
        Lot.objects.filter(clm=clm)
        .filter(Q(status=LotStatus.DRAFT) | Q(status=LotStatus.OPEN, selection_day=selection_day))
        .order_by("occupation__code", "pk")
    )


@transaction.atomic
def announcement_draft(
    *, clm: Organisation, today: date, actor: User | None = None
) -> Announcement:
    """Draft (or refresh) the announcement of the next selection day for a CLM. The Wednesday
    task calls this for every CLM; a CLM may refresh its draft until it publishes (OUT-01)."""
    selection_day = next_selection_day(today)
    wednesday = selection_day - timedelta(days=5)
    publish_due = (
        deadline_at(datetime.combine(wednesday, time(12, 0), tzinfo=region_zone(clm)), 0)
        if wednesday >= today
        else deadline_at(timezone.now(), 0)
    )
    announcement, _created = Announcement.objects.get_or_create(
        clm=clm,
        selection_day=selection_day,
        defaults={
            "services": "\n".join(str(s) for s in STANDARD_SERVICES),
            "publish_due_at": publish_due,
            "responsible": actor,
        },
    )
    if announcement.status == AnnouncementStatus.PUBLISHED:
        return announcement
    announcement.lots.set(_announced_lots(clm, selection_day))
    return announcement


def announcement_refresh(
    *, actor: User, clm_id: int | None = None, today: date | None = None
) -> Announcement:
    """The CLM's staff draft (or refresh) their announcement of the next selection day, as the
    Wednesday task does (OUT-01); a published one is answered as it is."""
    clm = _clm_for(actor, clm_id)
    return announcement_draft(clm=clm, today=today or timezone.localdate(), actor=actor)


def announcement_contents(announcement: Announcement) -> dict[str, Any]:
    """The five contents OUT-01 requires, as the public will see them."""
    clm = announcement.clm
    responsible = announcement.responsible
    lots = list(announcement.lots.select_related("occupation").prefetch_related("members"))
    by_profession: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"lots": 0, "people": 0, "categories": {"1": 0, "2": 0, "3": 0}}
    )
    lot_rows = []
    for lot in lots:
        members = [m for m in lot.members.all() if m.is_active]
        counts = {str(c): sum(1 for m in members if m.category == c) for c in (1, 2, 3)}
        group = by_profession[lot.occupation.code]
        group["name"] = lot.occupation.name_ru
        group["lots"] += 1
        group["people"] += len(members)
        for key, value in counts.items():
            group["categories"][key] += value
        lot_rows.append(
            {
                "number": lot.number,
                "occupation": lot.occupation.code,
                "people": len(members),
                "categories": counts,
                "price_per_person": str(lot.price_per_person),
            }
        )
    zone = region_zone(clm)
    day = announcement.selection_day
    return {
        "clm": {
            "name": clm.name,
            "bin": clm.bin,
            "legal_address": clm.address,
            "phone": clm.phone,
            "responsible": responsible.get_full_name() if responsible else "",
        },
        "services": [line for line in announcement.services.splitlines() if line.strip()],
        "lots_count": len(lot_rows),
        "people_count": sum(row["people"] for row in lot_rows),
        "lots": lot_rows,
        "by_profession": dict(sorted(by_profession.items())),
        "draft_contract": "outsourcing-contract-order-217",
        "dates": {
            "selection_opens": datetime.combine(day, SELECTION_OPENS, tzinfo=zone).isoformat(),
            "selection_closes": datetime.combine(day, SELECTION_CLOSES, tzinfo=zone).isoformat(),
            "review_working_days": 2,
            "employment_working_days": 30,
        },
    }


@transaction.atomic
def announcement_publish(*, actor: User, announcement_id: int) -> Announcement:
    """OUT-01: the CLM publishes the announcement; its lots are offered on its selection day."""
    announcement = (
        Announcement.objects.select_for_update()
        .select_related("clm__region")
        .filter(pk=announcement_id)
        .first()
    )
    if announcement is None or not policies.can_run_clm(actor, announcement.clm_id):
        raise NotFound()
    if announcement.status == AnnouncementStatus.PUBLISHED:
        raise Conflict("already_published", _("The announcement is already published."), "OUT-01")
    errors = FieldErrors()
    if announcement.responsible_id is None:
        announcement.responsible = actor
    clm = announcement.clm
    if not clm.address.strip():
        errors.add("clm.legal_address", "required", _("Give the CLM's legal address."), "OUT-01")
    if not clm.phone.strip():
        errors.add("clm.phone", "required", _("Give the CLM's contact phone."), "OUT-01")
    if not announcement.services.strip():
        errors.add("services", "required", _("List the services offered."), "OUT-01")
    lots = list(announcement.lots.select_for_update())
    if not lots:
        errors.add("lots", "required", _("There are no lots to announce."), "OUT-01")
    now = timezone.now()
    selection_opens = datetime.combine(
        announcement.selection_day, SELECTION_OPENS, tzinfo=region_zone(clm)
    )
    if now >= selection_opens:
        errors.add(
            "selection_day",
            "too_late",
            _("The selection day has begun: the announcement must come before it."),
            "OUT-01",
        )
    errors.raise_if_any()
    for lot in lots:
        if lot.status == LotStatus.DRAFT:
            lot.times_offered += 1
        lot.status = LotStatus.OPEN
        lot.selection_day = announcement.selection_day
        lot.save(update_fields=["status", "selection_day", "times_offered", "updated_at"])
        _lot_event(lot, "announced", actor, selection_day=str(announcement.selection_day))
    announcement.contents = announcement_contents(announcement)
    announcement.status = AnnouncementStatus.PUBLISHED
    announcement.published_at = now
    announcement.published_by = actor
    announcement.save()
    return announcement


def clm_organisations() -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.LABOUR_MOBILITY_CENTRE, is_active=True
        ).select_related("region")
    )


# --- qualification documents (OUT-08) -------------------------------------------------------------

#: Accepted scans of qualification documents, and the largest one.
DOCUMENT_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


@transaction.atomic
def qualification_document_add(
    *, actor: User, kind: str, title: str, upload: Any, agency_id: int | None = None
) -> Any:
    """OUT-08: the agency files a document proving its experience or its material or labour
    resources; the CLM sees them at review. PDF, JPEG or PNG up to 10 MB."""
    from .choices import QualificationDocumentKind
    from .models import QualificationDocument

    agency = _agency_for(actor, agency_id)
    errors = FieldErrors()
    if kind not in QualificationDocumentKind.values:
        errors.add("kind", "invalid_choice", _("Choose what the document proves."), "OUT-08")
    if not title.strip():
        errors.add("title", "required", _("Name the document."))
    if upload is None:
        errors.add("file", "required", _("Attach the document."), "OUT-08")
    else:
        head = upload.read(8)
        upload.seek(0)
        is_pdf = head.startswith(b"%PDF-")
        is_png = head.startswith(b"\x89PNG")
        is_jpeg = head.startswith(b"\xff\xd8\xff")
        if not (is_pdf or is_png or is_jpeg):
            errors.add("file", "invalid_type", _("Attach a PDF, JPEG or PNG file."))
        if upload.size > MAX_DOCUMENT_BYTES:
            errors.add("file", "too_large", _("The file is larger than 10 MB."))
    errors.raise_if_any()
    return QualificationDocument.objects.create(
        agency=agency, kind=kind, title=title.strip()[:300], file=upload, uploaded_by=actor
    )


def qualification_missing(agency: Organisation) -> list[str]:
    """The kinds of OUT-08 documents the agency has not filed yet (shown at review)."""
    from .choices import QualificationDocumentKind

    filed = set(agency.qualification_documents.values_list("kind", flat=True))
    return [kind for kind in QualificationDocumentKind.values if kind not in filed]
