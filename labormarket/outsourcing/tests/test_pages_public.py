"""The public outsourcing pages (OUT-01, OUT-15): the announcements with their five contents,
filtered by region and paginated, and the published contract information — open to everyone,
with nothing about the people of a lot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from labormarket.accounts.tests.factories import AKMOLA, KARAGANDA
from labormarket.outsourcing.choices import AnnouncementStatus
from labormarket.outsourcing.models import Announcement

from .apiworld import offered, sign_contract
from .conftest import MONDAY, at

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def contract(lot, agencies, sign, clm):
    first, _second = offered(lot, agencies, sign, clm)
    return sign_contract(sign, agencies[0], first.offer)


def _more_announcements(clm, count):
    """``count`` further published announcements of the CLM, one per earlier week."""
    for week in range(1, count + 1):
        Announcement.objects.create(
            clm=clm.organisation,
            selection_day=MONDAY - timedelta(weeks=week),
            status=AnnouncementStatus.PUBLISHED,
            services="-",
            contents={"lots_count": 1, "people_count": 10},
            publish_due_at=at(MONDAY - timedelta(weeks=week, days=5), 12),
            published_at=at(MONDAY - timedelta(weeks=week, days=5), 11),
        )


def test_out_01_the_announcements_are_listed_for_everyone_by_region(client, lot, clm):
    announcement = lot.announcements.get()
    url = reverse("outsourcing_public:announcements")
    page = client.get(url, **EN)
    assert page.status_code == 200
    assert list(page.context["announcements"]) == [announcement]
    text = page.content.decode()
    assert clm.organisation.name in text
    assert reverse("outsourcing_public:announcement", args=[announcement.pk]) in text
    assert "07.12.2026" in text
    same = client.get(url, {"region": KARAGANDA})
    assert list(same.context["announcements"]) == [announcement]
    other = client.get(url, {"region": AKMOLA}, **EN)
    assert (other.status_code, list(other.context["announcements"])) == (200, [])
    assert "No announcements are published yet." in other.content.decode()
    unknown = client.get(url, {"region": "999999999"})
    assert unknown.status_code == 400
    assert list(unknown.context["announcements"]) == [announcement]
    assert unknown.context["form"].errors["region"]


def test_out_01_the_announcement_list_is_paginated_keeping_the_region(client, lot, clm):
    _more_announcements(clm, 20)
    url = reverse("outsourcing_public:announcements")
    first = client.get(url, {"region": KARAGANDA})
    assert len(first.context["announcements"]) == 20
    assert f"?region={KARAGANDA}&amp;page=2" in first.content.decode()
    second = client.get(url, {"region": KARAGANDA, "page": 2})
    assert [a.selection_day for a in second.context["announcements"]] == [
        MONDAY - timedelta(weeks=20)
    ]


def test_out_01_the_announcement_list_takes_the_same_queries_for_one_or_many(client, lot, clm):
    url = reverse("outsourcing_public:announcements")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _more_announcements(clm, 15)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)


def test_out_01_the_announcement_page_shows_the_five_contents(client, lot, clm, occupation):
    announcement = lot.announcements.get()
    page = client.get(reverse("outsourcing_public:announcement", args=[announcement.pk]), **EN)
    assert page.status_code == 200
    text = page.content.decode()
    contents = page.context["contents"]
    # (1) the CLM, its address, contacts and the responsible person
    organisation = clm.organisation
    for value in (organisation.name, organisation.bin, organisation.address, organisation.phone):
        assert value in text
    assert clm.specialist.get_full_name() in text
    # (2) the services
    # ... as the announcement was drafted (a published text, in the language of its draft)
    assert len(contents["services"]) == 4
    for line in contents["services"]:
        assert line in text
    # (3) the lots and their people by category, grouped by profession
    assert (contents["lots_count"], contents["people_count"]) == (1, 10)
    assert [(r["number"], r["people"], r["categories"]) for r in contents["lots"]] == [
        (lot.number, 10, {"1": 7, "2": 2, "3": 1})
    ]
    assert [(g["code"], g["lots"], g["people"]) for g in contents["professions"]] == [
        (occupation.code, 1, 10)
    ]
    assert lot.number in text
    assert occupation.name_ru in text
    # (4) the draft contract and (5) the dates, in the region's local time
    assert "Draft outsourcing contract" in text
    assert "30 working days of the contract date (OUT-18)" in text
    assert "07.12.2026 09:00 – 18:30" in text


def test_out_01_public_pages_show_nothing_of_the_lot_people(client, lot, contract):
    announcement = lot.announcements.get()
    pages = [
        client.get(reverse("outsourcing_public:announcement", args=[announcement.pk])),
        client.get(reverse("outsourcing_public:announcements")),
        client.get(reverse("outsourcing_public:contracts")),
    ]
    people = list(lot.members.select_related("person"))
    assert len(people) == 10
    for page in pages:
        text = page.content.decode()
        assert page.status_code == 200
        for member in people:
            assert member.person.iin not in text
            assert member.person.last_name not in text
            assert member.person.birth_date.strftime("%d.%m.%Y") not in text


def test_out_01_a_draft_or_missing_announcement_is_not_public(client, clm, lot):
    draft = Announcement.objects.create(
        clm=clm.organisation,
        selection_day=MONDAY + timedelta(weeks=1),
        services="-",
        publish_due_at=at(MONDAY, 12),
    )
    assert (
        client.get(reverse("outsourcing_public:announcement", args=[draft.pk])).status_code == 404
    )
    assert client.get(reverse("outsourcing_public:announcement", args=[10**9])).status_code == 404
    listed = client.get(reverse("outsourcing_public:announcements")).context["announcements"]
    assert draft not in listed


def test_out_15_the_contract_information_is_public_by_region(client, contract, agencies):
    url = reverse("outsourcing_public:contracts")
    page = client.get(url, **EN)
    assert page.status_code == 200
    assert list(page.context["contracts"]) == [contract]
    text = page.content.decode()
    for value in (contract.number, agencies[0].organisation.name, "1,000,000.00", "25.01.2027"):
        assert value in text, value
    assert list(client.get(url, {"region": AKMOLA}).context["contracts"]) == []
    empty = client.get(url, {"region": AKMOLA}, **EN).content.decode()
    assert "No contract information is published yet." in empty


def test_out_15_the_contract_list_is_empty_before_any_contract(client, lot):
    page = client.get(reverse("outsourcing_public:contracts"))
    assert (page.status_code, list(page.context["contracts"])) == (200, [])


def test_the_public_outsourcing_item_is_in_everyones_navigation(client, lot):
    page = client.get(reverse("outsourcing_public:announcements"))
    active = [item.url for item, is_active in page.context["nav_items"] if is_active]
    assert active == [reverse("outsourcing_public:announcements")]
