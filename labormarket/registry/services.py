"""Writes to the person registry. Every function is atomic and takes the acting user.

Bad input raises :class:`ValidationFailed` naming each field and the rule it broke; acting on
another region's person raises :class:`NotFound` (the same answer as for a person who does not
exist), and nothing is written in either case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from labormarket.accounts.models import Organisation, User
from labormarket.core.bin import InvalidBIN, parse_bin
from labormarket.core.errors import (
    ApplicationError,
    Conflict,
    FieldErrors,
    NotFound,
    ValidationFailed,
)
from labormarket.core.iin import InvalidIIN, parse_iin
from labormarket.core.phones import InvalidPhone, normalize_phone
from labormarket.reference.models import (
    DisabilityGroup,
    EducationLevel,
    KatoUnit,
    Occupation,
    Region,
)

from .choices import (
    INVERSE_RELATION,
    AccessChannel,
    AccessPurpose,
    CitizenshipStatus,
    ConsentEvidence,
    ConsentPurpose,
    DeregistrationReason,
    FamilyRelation,
    LabourStatus,
    PhoneKind,
)
from .models import (
    Consent,
    EducationRecord,
    FamilyLink,
    LabourStatusChange,
    Person,
    PersonAccessLog,
    PersonalRecordCard,
    PersonPhone,
    WorkHistoryEntry,
)
from .policies import can_use_registry, person_read_scope, person_write_scope


def search_name_of(last_name: str, first_name: str, middle_name: str) -> str:
    """The normalised name used for search: lower case, ё → е, single spaces."""
    text = " ".join(p.strip() for p in (last_name, first_name, middle_name) if p and p.strip())
    return " ".join(text.lower().replace("ё", "е").split())


@dataclass
class PersonData:
    """The editable facts of a person as entered by staff (strings as typed)."""

    last_name: str
    first_name: str
    middle_name: str = ""
    citizenship_status: str = CitizenshipStatus.CITIZEN
    region_id: int | None = None
    address_kato_code: str = ""
    street: str = ""
    house: str = ""
    flat: str = ""
    email: str = ""
    phone: str = ""
    disability_group_id: int | None = None


def _clean_person_data(
    *, actor: User, data: PersonData, errors: FieldErrors
) -> tuple[dict[str, Any], str]:
    """Validate ``data``; returns model field values and the normalised phone."""
    values: dict[str, Any] = {}
    for name in ("last_name", "first_name", "middle_name", "street", "house", "flat", "email"):
        values[name] = (getattr(data, name) or "").strip()
    for name in ("last_name", "first_name"):
        if not values[name]:
            errors.add(name, "required", _("This field is required."))
    if data.citizenship_status not in CitizenshipStatus.values:
        errors.add("citizenship_status", "invalid_choice", _("Choose a status from the list."))
    values["citizenship_status"] = data.citizenship_status

    region = Region.objects.filter(pk=data.region_id).first() if data.region_id else None
    if region is None:
        errors.add("region", "required", _("Choose the region."))
    elif not person_write_scope(actor).allows(region.pk):
        errors.add(
            "region",
            "region_forbidden",
            _("You can register and change persons only in your own region."),
        )
    values["region"] = region

    kato: KatoUnit | None = None
    code = (data.address_kato_code or "").strip()
    if code:
        kato = KatoUnit.objects.filter(code=code).first()
        if kato is None:
            errors.add(
                "address_kato_code",
                "kato_unknown",
                _("There is no locality with KATO code %(code)s.") % {"code": code},
            )
        elif region is not None and kato.region_id != region.pk:
            errors.add(
                "address_kato_code",
                "kato_other_region",
                _("The locality %(name)s is not in the chosen region.") % {"name": kato.name},
            )
    values["address_kato"] = kato

    disability = None
    if data.disability_group_id:
        disability = DisabilityGroup.objects.filter(pk=data.disability_group_id).first()
        if disability is None:
            errors.add("disability_group", "invalid_choice", _("Choose a group from the list."))
    values["disability_group"] = disability

    phone = ""
    if (data.phone or "").strip():
        try:
            phone = normalize_phone(data.phone)
        except InvalidPhone as error:
            errors.add("phone", error.code, str(error))
    values["search_name"] = search_name_of(
        values["last_name"], values["first_name"], values["middle_name"]
    )
    return values, phone


def _set_primary_phone(person: Person, phone: str) -> None:
    if not phone:
        return
    current = person.phones.filter(is_primary=True).first()
    if current and current.number == phone:
        return
    person.phones.filter(is_primary=True).update(is_primary=False)
    PersonPhone.objects.update_or_create(
        person=person, number=phone, defaults={"is_primary": True, "kind": PhoneKind.MOBILE}
    )


@transaction.atomic
def person_create(*, actor: User, iin: str, data: PersonData) -> Person:
    """Register a new person in the registry (identity by IIN)."""
    errors = FieldErrors()
    parsed = None
    try:
        parsed = parse_iin(iin)
    except InvalidIIN as error:
        errors.add("iin", error.code, str(error))
    values, phone = _clean_person_data(actor=actor, data=data, errors=errors)
    if parsed is not None and Person.objects.filter(iin=parsed.value).exists():
        errors.add("iin", "iin_taken", _("A person with this IIN is already in the registry."))
    errors.raise_if_any()
    assert parsed is not None
    try:
        with transaction.atomic():
            person = Person.objects.create(
                iin=parsed.value, birth_date=parsed.birth_date, sex=parsed.sex, **values
            )
    except IntegrityError as error:  # a concurrent registration of the same IIN won the race
        raise ValidationFailed.single(
            "iin", "iin_taken", _("A person with this IIN is already in the registry.")
        ) from error
    _set_primary_phone(person, phone)
    return person


@transaction.atomic
def person_update(*, actor: User, person_id: int, data: PersonData) -> Person:
    """Change a person's editable facts. The IIN (and so birth date and sex) is not editable."""
    person = _person_for_write(actor, person_id)
    errors = FieldErrors()
    values, phone = _clean_person_data(actor=actor, data=data, errors=errors)
    errors.raise_if_any()
    for name, value in values.items():
        setattr(person, name, value)
    person.save()
    _set_primary_phone(person, phone)
    return person


def _person_for_write(actor: User, person_id: int) -> Person:
    person = Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None or not person_read_scope(actor).allows(person.region_id):
        raise NotFound(_("There is no such person in your region."))
    if not person_write_scope(actor).allows(person.region_id):
        raise ApplicationError(
            code="registry_read_only",
            message=_("Your role may view this person but not change them."),
            http_status=403,
        )
    return person


@transaction.atomic
def person_open_card(
    *, actor: User, person_id: int, purpose: str, channel: str = AccessChannel.WEB
) -> Person:
    """Open a person's card for a stated purpose; every opening is written to the access log."""
    if purpose not in AccessPurpose.values or purpose == AccessPurpose.OWN_DATA:
        raise ValidationFailed.single(
            "purpose", "purpose_required", _("State why you are opening this person's card.")
        )
    if not can_use_registry(actor):
        raise NotFound()
    person = Person.objects.select_related("region", "address_kato").filter(pk=person_id).first()
    if person is None or not person_read_scope(actor).allows(person.region_id):
        raise NotFound(_("There is no such person in your region."))
    PersonAccessLog.objects.create(person=person, user=actor, purpose=purpose, channel=channel)
    return person


# --- Consents ------------------------------------------------------------------------------


@transaction.atomic
def consent_give(
    *,
    actor: User,
    person_id: int,
    purpose: str,
    scope: str,
    version: str,
    evidence: str,
    evidence_reference: str = "",
) -> Consent:
    """Record a consent. Giving the same version again changes nothing; a new version replaces
    the active one (the old row is kept, withdrawn)."""
    person = _person_for_write(actor, person_id)
    errors = FieldErrors()
    if purpose not in ConsentPurpose.values:
        errors.add("purpose", "invalid_choice", _("Choose a purpose from the list."))
    if evidence not in ConsentEvidence.values:
        errors.add("evidence", "invalid_choice", _("Choose the kind of evidence."))
    if not scope.strip():
        errors.add("scope", "required", _("Describe what the consent covers."))
    if not version.strip():
        errors.add("version", "required", _("Give the version of the consent text."))
    if evidence == ConsentEvidence.PAPER and not evidence_reference.strip():
        errors.add(
            "evidence_reference",
            "required",
            _("For a paper form give its registration number."),
        )
    errors.raise_if_any()
    active = Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True)
    current = active.first()
    if current is not None and current.version == version.strip():
        return current
    active.update(withdrawn_at=timezone.now())
    return Consent.objects.create(
        person=person,
        purpose=purpose,
        scope=scope.strip(),
        version=version.strip(),
        evidence=evidence,
        evidence_reference=evidence_reference.strip(),
        recorded_by=actor,
    )


@transaction.atomic
def consent_withdraw(*, actor: User, person_id: int, consent_id: int) -> Consent:
    """Withdraw an active consent; withdrawing twice is a no-op."""
    person = _person_for_write(actor, person_id)
    consent = Consent.objects.select_for_update().filter(pk=consent_id, person=person).first()
    if consent is None:
        raise NotFound()
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
    return consent


def has_active_consent(person: Person, purpose: str) -> bool:
    return person.consents.filter(purpose=purpose, withdrawn_at__isnull=True).exists()


# --- Family links --------------------------------------------------------------------------


@transaction.atomic
def family_link_add(*, actor: User, person_id: int, relative_id: int, relation: str) -> FamilyLink:
    """Link two persons; the inverse link is recorded on the relative's side too."""
    person = _person_for_write(actor, person_id)
    if relation not in FamilyRelation.values:
        raise ValidationFailed.single("relation", "invalid_choice", _("Choose a relation."))
    relative = Person.objects.filter(pk=relative_id).first()
    if relative is None or not person_read_scope(actor).allows(relative.region_id):
        raise ValidationFailed.single(
            "relative", "relative_unknown", _("There is no such person in your region.")
        )
    if relative.pk == person.pk:
        raise ValidationFailed.single(
            "relative", "relative_self", _("A person cannot be their own relative.")
        )
    link, _created = FamilyLink.objects.update_or_create(
        person=person, relative=relative, defaults={"relation": relation}
    )
    FamilyLink.objects.update_or_create(
        person=relative,
        relative=person,
        defaults={"relation": INVERSE_RELATION[FamilyRelation(relation)]},
    )
    return link


# --- Labour status (driven by the public services and the exchange) -------------------------


def _record_transition(
    *,
    actor: User | None,
    person: Person,
    from_status: str,
    organisation: Organisation | None,
    reason: str = "",
    kind: str,
    payload: dict[str, Any] | None = None,
) -> LabourStatusChange:
    now = timezone.now()
    person.labour_status_since = now
    if organisation is not None:
        person.registering_organisation = organisation
    person.save(update_fields=["labour_status", "labour_status_since", "registering_organisation"])
    return LabourStatusChange.objects.create(
        person=person,
        kind=kind,
        occurred_at=now,
        actor=actor,
        from_status=from_status,
        to_status=person.labour_status,
        reason=reason,
        organisation=organisation,
        payload=payload or {},
    )


def _locked_person(person_id: int) -> Person:
    person = Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


@transaction.atomic
def person_register_job_seeker(
    *, actor: User | None, person_id: int, organisation: Organisation
) -> Person:
    """Registration as a job seeker (SVC-10). Already registered: no-op."""
    person = _locked_person(person_id)
    if person.labour_status in (LabourStatus.JOB_SEEKER, LabourStatus.UNEMPLOYED):
        return person
    from_status = person.labour_status
    person.register_as_job_seeker()
    _record_transition(
        actor=actor,
        person=person,
        from_status=from_status,
        organisation=organisation,
        kind="registered_job_seeker",
    )
    return person


@transaction.atomic
def person_register_unemployed(
    *, actor: User | None, person_id: int, organisation: Organisation
) -> PersonalRecordCard:
    """Registration as unemployed: the person must already be a job seeker, and registering
    opens their personal record card (SVC-22). Already unemployed: returns the open card."""
    person = _locked_person(person_id)
    if person.labour_status == LabourStatus.UNEMPLOYED:
        card = person.record_cards.filter(closed_at__isnull=True).first()
        if card is not None:
            return card
    if person.labour_status != LabourStatus.JOB_SEEKER:
        raise Conflict(
            code="not_job_seeker",
            message=_("Only a person registered as a job seeker can be registered as unemployed."),
            rule="SVC-22",
        )
    person.register_as_unemployed()
    _record_transition(
        actor=actor,
        person=person,
        from_status=LabourStatus.JOB_SEEKER,
        organisation=organisation,
        kind="registered_unemployed",
    )
    card = PersonalRecordCard.objects.create(
        person=person, organisation=organisation, number=f"tmp-{person.pk}-{timezone.now():%s%f}"
    )
    card.number = f"{organisation.region.kato_code[:2]}-{card.opened_at:%Y}-{card.pk:07d}"
    card.save(update_fields=["number"])
    return card


@transaction.atomic
def person_deregister(
    *,
    actor: User | None,
    person_id: int,
    reason: str,
    organisation: Organisation | None = None,
    payload: dict[str, Any] | None = None,
) -> Person:
    """Take the person off the job-seeker and unemployed registers with a reason; the open
    record card closes with the same reason. Not registered: no-op."""
    if reason not in DeregistrationReason.values:
        raise ValidationFailed.single("reason", "invalid_choice", _("Choose a reason."))
    person = _locked_person(person_id)
    if person.labour_status == LabourStatus.NOT_REGISTERED:
        return person
    from_status = person.labour_status
    person.deregister()
    _record_transition(
        actor=actor,
        person=person,
        from_status=from_status,
        organisation=organisation,
        reason=reason,
        kind="deregistered",
        payload=payload,
    )
    person.record_cards.filter(closed_at__isnull=True).update(
        closed_at=timezone.now(), close_reason=reason
    )
    return person


# --- Education and work history --------------------------------------------------------------

#: The youngest age at which a person may work with a parent's consent (Labour Code, art. 31).
MIN_WORKING_AGE = 14


@transaction.atomic
def education_record_add(
    *,
    actor: User,
    person_id: int,
    level_code: str,
    institution: str,
    speciality: str = "",
    graduation_year: int | None = None,
) -> EducationRecord:
    """Add a completed (or current) course of education to the person's file."""
    person = _person_for_write(actor, person_id)
    errors = FieldErrors()
    level = EducationLevel.objects.filter(code=level_code, is_active=True).first()
    if level is None:
        errors.add("level", "invalid_choice", _("Choose an education level from the list."))
    if not institution.strip():
        errors.add("institution", "required", _("Name the institution."))
    if graduation_year is not None:
        earliest = person.birth_date.year + 5
        latest = timezone.localdate().year + 10
        if not earliest <= graduation_year <= latest:
            errors.add(
                "graduation_year",
                "graduation_year_impossible",
                _("The year must be between %(earliest)s and %(latest)s.")
                % {"earliest": earliest, "latest": latest},
            )
    errors.raise_if_any()
    assert level is not None  # guaranteed by raise_if_any
    return EducationRecord.objects.create(
        person=person,
        level=level,
        institution=institution.strip(),
        speciality=speciality.strip(),
        graduation_year=graduation_year,
    )


@transaction.atomic
def education_record_delete(*, actor: User, person_id: int, record_id: int) -> None:
    person = _person_for_write(actor, person_id)
    deleted, _rows = EducationRecord.objects.filter(pk=record_id, person=person).delete()
    if not deleted:
        raise NotFound()


@transaction.atomic
def work_history_add(
    *,
    actor: User,
    person_id: int,
    employer_name: str,
    position: str,
    started_on: date,
    ended_on: date | None = None,
    employer_bin: str = "",
    occupation_code: str = "",
) -> WorkHistoryEntry:
    """Add a job to the person's work history; dates must be possible for this person."""
    person = _person_for_write(actor, person_id)
    errors = FieldErrors()
    if not employer_name.strip():
        errors.add("employer_name", "required", _("Name the employer."))
    if not position.strip():
        errors.add("position", "required", _("Give the position."))
    bin_value = employer_bin.strip()
    if bin_value:
        try:
            bin_value = parse_bin(bin_value).value
        except InvalidBIN as error:
            errors.add("employer_bin", error.code, str(error))
    occupation = None
    if occupation_code.strip():
        occupation = Occupation.objects.filter(code=occupation_code.strip()).first()
        if occupation is None:
            errors.add(
                "occupation",
                "occupation_unknown",
                _("There is no occupation with code %(code)s.") % {"code": occupation_code},
            )
    today = timezone.localdate()
    adult_from = _add_years(person.birth_date, MIN_WORKING_AGE)
    if started_on > today:
        errors.add("started_on", "date_in_future", _("The start date cannot be in the future."))
    elif started_on < adult_from:
        errors.add(
            "started_on",
            "work_before_minimum_age",
            _("The person was younger than %(age)s on this date.") % {"age": MIN_WORKING_AGE},
        )
    if ended_on is not None:
        if ended_on < started_on:
            errors.add("ended_on", "ends_before_start", _("The job cannot end before it starts."))
        elif ended_on > today:
            errors.add("ended_on", "date_in_future", _("The end date cannot be in the future."))
    errors.raise_if_any()
    return WorkHistoryEntry.objects.create(
        person=person,
        employer_name=employer_name.strip(),
        employer_bin=bin_value,
        position=position.strip(),
        occupation=occupation,
        started_on=started_on,
        ended_on=ended_on,
    )


@transaction.atomic
def work_history_delete(*, actor: User, person_id: int, entry_id: int) -> None:
    person = _person_for_write(actor, person_id)
    deleted, _rows = WorkHistoryEntry.objects.filter(pk=entry_id, person=person).delete()
    if not deleted:
        raise NotFound()


@transaction.atomic
def family_link_remove(*, actor: User, person_id: int, relative_id: int) -> None:
    """Remove the link between two persons, on both sides."""
    person = _person_for_write(actor, person_id)
    deleted, _rows = FamilyLink.objects.filter(
        Q(person=person, relative_id=relative_id) | Q(person_id=relative_id, relative=person)
    ).delete()
    if not deleted:
        raise NotFound()


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year + years, day=28)
