"""Fixtures of the public-services tests: centres with their staff, a test PKI, a signer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.models import Membership, Organisation, User
from labormarket.accounts.tests.factories import (
    AKMOLA,
    KARAGANDA,
    OrganisationFactory,
    UserFactory,
    region,
)
from labormarket.core.signatures import TestSubject, demo_sign, make_test_pki
from labormarket.core.testing import next_iin
from labormarket.registry.choices import LabourStatus
from labormarket.registry.models import Person
from labormarket.registry.tests.factories import PersonFactory


@dataclass
class Centre:
    organisation: Organisation
    clerk: User
    specialist: User
    sector_head: User
    head: User


def staff(organisation: Organisation, role: str, **kw: object) -> User:
    user = UserFactory(iin=next_iin(date(1985, 3, 4)), **kw)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def make_centre(region_code: str) -> Centre:
    organisation = OrganisationFactory(
        kind=OrganisationKind.EMPLOYMENT_CENTRE,
        region=region(region_code),
        address="ул. Ерубаева, 50",
        phone="+77212412345",
    )
    return Centre(
        organisation=organisation,
        clerk=staff(organisation, Role.CLERK, last_name="Канцелярова"),
        specialist=staff(organisation, Role.SPECIALIST, last_name="Исполнителева"),
        sector_head=staff(organisation, Role.SECTOR_HEAD, last_name="Заведующая"),
        head=staff(organisation, Role.CENTRE_HEAD, last_name="Руководитель"),
    )


@pytest.fixture
def karaganda() -> Centre:
    return make_centre(KARAGANDA)


@pytest.fixture
def akmola() -> Centre:
    return make_centre(AKMOLA)


@pytest.fixture
def person() -> Person:
    """A person in Karaganda's registry, not registered anywhere yet."""
    return PersonFactory(region=region(KARAGANDA))


@pytest.fixture
def job_seeker() -> Person:
    return PersonFactory(region=region(KARAGANDA), labour_status=LabourStatus.JOB_SEEKER)


@pytest.fixture(scope="session")
def _pki_dir(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("pki")
    make_test_pki(directory, [])
    return directory


@pytest.fixture
def pki(_pki_dir, settings):
    """The test PKI, trusted by the verifier for this test."""
    from labormarket.core.signatures import load_test_pki

    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": _pki_dir}
    return load_test_pki(_pki_dir)


@pytest.fixture
def sign(pki) -> Callable[[User | Person, bytes], bytes]:
    """``sign(user_or_person, content)``: a detached CMS with the signer's own test key."""

    def signer(who: User | Person, content: bytes) -> bytes:
        iin = who.iin or ""
        key = f"k{iin}"
        if key not in pki.people:
            pki.issue(
                TestSubject(key=key, iin=iin, surname=who.last_name, given_name=who.first_name),
                save=True,
            )
        return demo_sign(content, iin=iin, directory=pki.directory)

    return signer
