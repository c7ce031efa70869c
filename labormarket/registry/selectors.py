"""Reads of the person registry, always scoped to what the user may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Prefetch, QuerySet

from labormarket.accounts.models import User
from labormarket.core.iin import InvalidIIN, parse_iin

from .models import EmploymentRecord, Person, PersonAccessLog, PersonPhone
from .policies import person_read_scope
from .services import search_name_of
from .spells import ContinuousEmployment, Period, find_continuous_employment, first_new_employment

__all__ = [
    "ContinuousEmployment",
    "Period",
    "continuous_employment",
    "employment_periods_of",
    "employment_started",
    "find_continuous_employment",
    "first_new_employment",
    "person_access_log_for",
    "person_card_sections",
    "person_queryset_for",
    "person_search",
]


def person_queryset_for(user: User) -> QuerySet[Person]:
    """Every person the user may see: their regions' persons, or all for a national role."""
    scope = person_read_scope(user)
    queryset = Person.objects.select_related("region")
    if scope.all_regions:
        return queryset
    return queryset.filter(region_id__in=scope.region_ids)


def person_search(user: User, query: str) -> QuerySet[Person]:
    """Persons matching an IIN (exactly) or a name (each word a prefix of a name part, in
    order: "иван" finds Иванов; "иванов а" finds Иванов Айдар), within the user's scope."""
    queryset = person_queryset_for(user).prefetch_related(
        Prefetch("phones", queryset=PersonPhone.objects.filter(is_primary=True))
    )
    query = (query or "").strip()
    if not query:
        return queryset.none()
    if query.isdigit():
        try:
            return queryset.filter(iin=parse_iin(query).value)
        except InvalidIIN:
            return queryset.none()
    words = search_name_of(query, "", "").split()
    if not words:
        return queryset.none()
    # The first word is a prefix of the stored name (served by the index); the others are
    # prefixes of later name parts.
    queryset = queryset.filter(search_name__startswith=words[0])
    for word in words[1:]:
        queryset = queryset.filter(search_name__contains=f" {word}")
    return queryset


def person_card_sections(person: Person) -> Person:
    """The person with everything the card shows, in a fixed number of queries."""
    return (
        Person.objects.select_related(
            "region",
            "address_kato",
            "address_kato__parent",
            "disability_group",
            "registering_organisation",
        )
        .prefetch_related(
            "phones",
            "education__level",
            "work_history__occupation",
            "family_links__relative",
            "consents__recorded_by",
            "labour_status_changes__actor",
            "labour_status_changes__organisation",
            "record_cards__organisation",
        )
        .get(pk=person.pk)
    )


def person_access_log_for(person: Person, limit: int = 20) -> QuerySet[PersonAccessLog]:
    return person.access_log.select_related("user").order_by("-accessed_at")[:limit]


def _periods(person: Person, *, started_until: date) -> list[Period]:
    return [
        Period(pk, employer_bin, started_on, ended_on)
        for pk, employer_bin, started_on, ended_on in EmploymentRecord.objects.filter(
            person=person, started_on__lte=started_until
        ).values_list("pk", "employer_bin", "started_on", "ended_on")
    ]


def employment_periods_of(
    person_ids: Iterable[int], *, started_until: date
) -> dict[int, list[Period]]:
    """The employment records of many people at once, as the periods that
    :func:`find_continuous_employment` and :func:`first_new_employment` reason about — for
    reports over many people (OUT-25 monitoring) that would otherwise ask once per person.
    People without records are absent from the answer. One query."""
    found: dict[int, list[Period]] = defaultdict(list)
    for pk, person_id, employer_bin, started_on, ended_on in EmploymentRecord.objects.filter(
        person_id__in=list(person_ids), started_on__lte=started_until
    ).values_list("pk", "person_id", "employer_bin", "started_on", "ended_on"):
        found[person_id].append(Period(pk, employer_bin, started_on, ended_on))
    return dict(found)


def continuous_employment(
    person: Person, *, since: date, months: int, on: date
) -> ContinuousEmployment | None:
    """Whether, as of ``on``, the person had been continuously employed at one employer (same
    BIN) for at least ``months`` calendar months, in an employment that began on or after
    ``since`` (the outsourcing contract date) — OUT-23 (3 months), OUT-24 (6 months).

    Records at one employer with no day between them (``next.started_on <= ended_on + 1 day``)
    are one spell; a gap breaks it; ``ended_on`` empty = still employed. A spell begun before
    ``since`` does not count even if renewed after it.

    Month convention: calendar months with an end-of-month clamp (31 Jan + 1 month = 28/29 Feb);
    N months from ``start`` are **completed on the day start + N months**, and the spell must
    cover every day before it. Started 15 January: 3 months are satisfied from 15 April on
    (``on`` = 14 April: not yet); a contract of 15 January – 14 April lasted the full 3 months,
    one that ended 13 April did not.

    Returns the spell completed first (employer BIN, spell start, completion date, the ids of
    the records covering the months), or ``None``. One query.
    """
    return find_continuous_employment(
        _periods(person, started_until=on), since=since, months=months, on=on
    )


def employment_started(person: Person, *, since: date, until: date) -> EmploymentRecord | None:
    """The person's first employment that began within ``[since, until]`` (both included), for
    "employed within 30 working days of the contract date" (OUT-18: the caller computes
    ``until`` with ``core.calendar``). A renewal that continues, without a day between, a
    contract begun before ``since`` is not a new employment. Two queries when found.
    """
    period = first_new_employment(_periods(person, started_until=until), since=since, until=until)
    return None if period is None else EmploymentRecord.objects.get(pk=period.id)
