"""Reads of the person registry, always scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from labormarket.accounts.models import User
from labormarket.core.iin import InvalidIIN, parse_iin

from .models import Person, PersonAccessLog, PersonPhone
from .policies import person_read_scope
from .services import search_name_of


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
