"""The labour-status state machine, the personal record card (SVC-22), consents, family."""

from __future__ import annotations

import pytest

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.tests.factories import OrganisationFactory, user_with_role
from labormarket.core.errors import Conflict, ValidationFailed
from labormarket.registry import services
from labormarket.registry.choices import FamilyRelation, LabourStatus
from labormarket.registry.models import Consent, FamilyLink, LabourStatusChange, PersonalRecordCard
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre():
    return OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_CENTRE)


@pytest.fixture
def specialist(centre):
    return user_with_role(Role.SPECIALIST, organisation=centre)


def test_svc_22_unemployed_registration_requires_job_seeker_registration(specialist, centre):
    person = PersonFactory()
    with pytest.raises(Conflict) as caught:
        services.person_register_unemployed(
            actor=specialist, person_id=person.pk, organisation=centre
        )
    assert caught.value.code == "not_job_seeker"
    assert caught.value.rule == "SVC-22"
    person.refresh_from_db()
    assert person.labour_status == LabourStatus.NOT_REGISTERED
    assert PersonalRecordCard.objects.count() == 0
    assert LabourStatusChange.objects.count() == 0


def test_svc_22_unemployed_registration_opens_the_personal_record_card(specialist, centre):
    person = PersonFactory()
    services.person_register_job_seeker(actor=specialist, person_id=person.pk, organisation=centre)
    card = services.person_register_unemployed(
        actor=specialist, person_id=person.pk, organisation=centre
    )
    person.refresh_from_db()
    assert person.labour_status == LabourStatus.UNEMPLOYED
    assert card.person == person
    assert card.number == f"35-{card.opened_at:%Y}-{card.pk:07d}"
    assert card.closed_at is None
    history = list(person.labour_status_changes.values_list("from_status", "to_status", "kind"))
    assert history == [
        ("not_registered", "job_seeker", "registered_job_seeker"),
        ("job_seeker", "unemployed", "registered_unemployed"),
    ]
    # Applying it again is a no-op returning the same card.
    again = services.person_register_unemployed(
        actor=specialist, person_id=person.pk, organisation=centre
    )
    assert again.pk == card.pk
    assert LabourStatusChange.objects.count() == 2


def test_deregistration_closes_the_card_with_the_reason(specialist, centre):
    person = PersonFactory()
    services.person_register_job_seeker(actor=specialist, person_id=person.pk, organisation=centre)
    card = services.person_register_unemployed(
        actor=specialist, person_id=person.pk, organisation=centre
    )
    services.person_deregister(
        actor=None, person_id=person.pk, reason="employed", organisation=centre
    )
    person.refresh_from_db()
    card.refresh_from_db()
    assert person.labour_status == LabourStatus.NOT_REGISTERED
    assert card.closed_at is not None
    assert card.close_reason == "employed"
    last = person.labour_status_changes.last()
    assert (last.from_status, last.to_status, last.reason) == (
        "unemployed",
        "not_registered",
        "employed",
    )
    # Deregistering a person who is not registered changes nothing.
    services.person_deregister(actor=None, person_id=person.pk, reason="employed")
    assert LabourStatusChange.objects.count() == 3


def test_deregistration_needs_a_known_reason(specialist):
    person = PersonFactory()
    with pytest.raises(ValidationFailed) as caught:
        services.person_deregister(actor=specialist, person_id=person.pk, reason="bored")
    assert list(caught.value.fields) == ["reason"]


def test_consent_give_is_idempotent_and_a_new_version_replaces_the_old(specialist):
    person = PersonFactory()
    first = services.consent_give(
        actor=specialist,
        person_id=person.pk,
        purpose="cv_publication",
        scope="CV on the exchange",
        version="1.0",
        evidence="paper",
        evidence_reference="№ 15",
    )
    same = services.consent_give(
        actor=specialist,
        person_id=person.pk,
        purpose="cv_publication",
        scope="CV on the exchange",
        version="1.0",
        evidence="paper",
        evidence_reference="№ 15",
    )
    assert same.pk == first.pk
    newer = services.consent_give(
        actor=specialist,
        person_id=person.pk,
        purpose="cv_publication",
        scope="CV on the exchange",
        version="2.0",
        evidence="eds",
    )
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    assert newer.withdrawn_at is None
    assert Consent.objects.filter(person=person).count() == 2
    assert services.has_active_consent(person, "cv_publication")
    services.consent_withdraw(actor=specialist, person_id=person.pk, consent_id=newer.pk)
    assert not services.has_active_consent(person, "cv_publication")


def test_consent_on_paper_needs_its_reference(specialist):
    person = PersonFactory()
    with pytest.raises(ValidationFailed) as caught:
        services.consent_give(
            actor=specialist,
            person_id=person.pk,
            purpose="personal_data",
            scope="all",
            version="1.0",
            evidence="paper",
        )
    assert {n: [e.code for e in errs] for n, errs in caught.value.fields.items()} == {
        "evidence_reference": ["required"]
    }
    assert Consent.objects.count() == 0


def test_family_link_is_recorded_on_both_sides(specialist):
    mother = PersonFactory(male=False)
    son = PersonFactory()
    services.family_link_add(
        actor=specialist, person_id=mother.pk, relative_id=son.pk, relation=FamilyRelation.CHILD
    )
    assert FamilyLink.objects.get(person=mother, relative=son).relation == "child"
    assert FamilyLink.objects.get(person=son, relative=mother).relation == "parent"
    with pytest.raises(ValidationFailed):
        services.family_link_add(
            actor=specialist, person_id=son.pk, relative_id=son.pk, relation="sibling"
        )
