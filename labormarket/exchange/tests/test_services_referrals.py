"""Candidate referrals: consent (PRG-71), the 3-working-day answer (PRG-66), hire (PRG-67)."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.tests.factories import OrganisationFactory, user_with_role
from labormarket.core.errors import Conflict, NotFound, ValidationFailed
from labormarket.exchange import services
from labormarket.exchange.models import CandidateReferral, Cv, ReferralEvent, Vacancy
from labormarket.exchange.tests.conftest import cv_data, give_consent
from labormarket.registry import services as registry_services
from labormarket.registry.models import LabourStatusChange
from labormarket.registry.tests.factories import PersonFactory

ALMATY = ZoneInfo("Asia/Almaty")
pytestmark = pytest.mark.django_db


def refer(specialist, centre, vacancy, cv):
    return services.referral_create(
        actor=specialist, vacancy_id=vacancy.pk, cv_id=cv.pk, organisation_id=centre.pk
    )


def test_prg_71_no_referral_without_the_candidates_consent(
    specialist, centre, published_vacancy, published_cv
):
    with pytest.raises(Conflict) as caught:
        refer(specialist, centre, published_vacancy, published_cv)
    assert (caught.value.code, caught.value.rule) == ("consent_missing", "PRG-71")
    assert CandidateReferral.objects.count() == 0


def test_referral_stores_the_deadline_and_refuses_a_duplicate(
    specialist, centre, published_vacancy, published_cv, job_seeker
):
    give_consent(specialist, job_seeker, "referral_to_employer")
    sent = datetime(2025, 3, 14, 10, 0, tzinfo=ALMATY)  # a Friday
    with time_machine.travel(sent):
        referral = refer(specialist, centre, published_vacancy, published_cv)
    # Mon 17, Tue 18, Wed 19 March: the answer is due by the end of Wednesday.
    assert referral.answer_due_at == datetime(2025, 3, 19, 23, 59, 59, 999999, tzinfo=ALMATY)
    assert list(referral.events.values_list("kind", flat=True)) == ["sent"]
    with pytest.raises(Conflict) as caught:
        refer(specialist, centre, published_vacancy, published_cv)
    assert caught.value.code == "already_referred"
    assert CandidateReferral.objects.count() == 1


def test_prg_66_silence_over_nauryz_becomes_a_refusal_exactly_once(
    specialist, centre, published_vacancy, published_cv, job_seeker
):
    give_consent(specialist, job_seeker, "referral_to_employer")
    with time_machine.travel(datetime(2025, 3, 20, 16, 0, tzinfo=ALMATY)):  # Thursday
        referral = refer(specialist, centre, published_vacancy, published_cv)
    # 21–25 March 2025 are Nauryz days off: Wed 26, Thu 27, Fri 28 are the 3 working days.
    assert referral.answer_due_at.astimezone(ALMATY).date().isoformat() == "2025-03-28"
    assert services.referrals_refuse_silent(now=datetime(2025, 3, 28, 23, 0, tzinfo=ALMATY)) == 0
    after = datetime(2025, 3, 29, 0, 0, 1, tzinfo=ALMATY)
    assert services.referrals_refuse_silent(now=after) == 1
    assert services.referrals_refuse_silent(now=after) == 0
    referral.refresh_from_db()
    assert referral.status == "refused_by_silence"
    assert ReferralEvent.objects.filter(referral=referral, kind="refused_by_silence").count() == 1


def test_prg_66_an_answer_before_the_deadline_is_not_overwritten(
    specialist, centre, published_vacancy, published_cv, job_seeker, employer_manager
):
    give_consent(specialist, job_seeker, "referral_to_employer")
    with time_machine.travel(datetime(2024, 12, 27, 12, 0, tzinfo=ALMATY)):  # Friday
        referral = refer(specialist, centre, published_vacancy, published_cv)
        services.referral_refuse(
            actor=employer_manager, referral_id=referral.pk, reason="experience"
        )
    # Mon 30 and Tue 31 December work; 1–2 January are holidays; Friday 3 January 2025 was a
    # day off moved from Sunday 5 January, which was worked: the third working day is Sunday 5.
    assert referral.answer_due_at.astimezone(ALMATY).date().isoformat() == "2025-01-05"
    assert services.referrals_refuse_silent(now=datetime(2025, 2, 1, tzinfo=ALMATY)) == 0
    referral.refresh_from_db()
    assert (referral.status, referral.refusal_reason) == ("refused", "experience")


def test_employer_answers_only_their_own_referrals_and_only_once(
    specialist, centre, published_vacancy, published_cv, job_seeker, employer_manager
):
    give_consent(specialist, job_seeker, "referral_to_employer")
    referral = refer(specialist, centre, published_vacancy, published_cv)
    stranger = user_with_role(
        Role.EMPLOYER_MANAGER, organisation=OrganisationFactory(kind=OrganisationKind.EMPLOYER)
    )
    with pytest.raises(NotFound):
        services.referral_hire(actor=stranger, referral_id=referral.pk)
    with pytest.raises(ValidationFailed):
        services.referral_refuse(actor=employer_manager, referral_id=referral.pk, reason="other")
    services.referral_refuse(
        actor=employer_manager, referral_id=referral.pk, reason="other", comment="Нет допуска"
    )
    with pytest.raises(Conflict) as caught:
        services.referral_hire(actor=employer_manager, referral_id=referral.pk)
    assert caught.value.code == "already_answered"
    published_vacancy.refresh_from_db()
    assert published_vacancy.places_open == 2


def test_prg_67_hire_takes_a_place_closes_at_zero_and_deregisters_the_person(
    specialist, centre, published_vacancy, published_cv, job_seeker, employer_manager
):
    give_consent(specialist, job_seeker, "referral_to_employer")
    second = PersonFactory(last_name="Оспанова", male=False)
    registry_services.person_register_job_seeker(
        actor=specialist, person_id=second.pk, organisation=centre
    )
    give_consent(specialist, second, "referral_to_employer")
    second_cv = services.cv_publish(
        actor=specialist,
        cv_id=services.cv_create(actor=specialist, person_id=second.pk, data=cv_data()).pk,
    )
    first = refer(specialist, centre, published_vacancy, published_cv)
    other = refer(specialist, centre, published_vacancy, second_cv)

    services.referral_hire(actor=employer_manager, referral_id=first.pk)
    published_vacancy.refresh_from_db()
    assert (published_vacancy.places_open, published_vacancy.status) == (1, "published")
    job_seeker.refresh_from_db()
    assert job_seeker.labour_status == "not_registered"
    change = LabourStatusChange.objects.filter(person=job_seeker).last()
    assert (change.reason, change.payload["rule"]) == ("employed", "PRG-67")
    assert Cv.objects.get(pk=published_cv.pk).status == "closed"

    services.referral_hire(actor=employer_manager, referral_id=other.pk)
    published_vacancy.refresh_from_db()
    assert (published_vacancy.places_open, published_vacancy.status) == (0, "closed")
    assert published_vacancy.close_reason == "filled"


@pytest.mark.django_db(transaction=True)
def test_prg_67_two_concurrent_hires_for_the_last_place_give_one_hire():
    """Real concurrent connections: the conditional UPDATE lets exactly one hire take it."""
    from labormarket.exchange.tests.conftest import vacancy_data

    centre = OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_CENTRE)
    specialist = user_with_role(Role.SPECIALIST, organisation=centre)
    employer = OrganisationFactory(kind=OrganisationKind.EMPLOYER)
    manager = user_with_role(Role.EMPLOYER_MANAGER, organisation=employer)
    vacancy = services.vacancy_create(
        actor=manager, employer_id=employer.pk, data=vacancy_data(places_total=1)
    )
    services.vacancy_publish(actor=manager, vacancy_id=vacancy.pk)
    referrals = []
    for name in ("Алиев", "Бекова"):
        person = PersonFactory(last_name=name)
        registry_services.person_register_job_seeker(
            actor=specialist, person_id=person.pk, organisation=centre
        )
        give_consent(specialist, person, "referral_to_employer")
        cv = services.cv_create(actor=specialist, person_id=person.pk, data=cv_data())
        services.cv_publish(actor=specialist, cv_id=cv.pk)
        referrals.append(refer(specialist, centre, vacancy, cv))

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def hire(referral_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.referral_hire(actor=manager, referral_id=referral_id)
            outcomes.append("hired")
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=hire, args=(r.pk,)) for r in referrals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["hired", "no_open_places"]
    vacancy = Vacancy.objects.get(pk=vacancy.pk)
    assert (vacancy.places_open, vacancy.status) == (0, "closed")
    assert CandidateReferral.objects.filter(status="hired").count() == 1


def test_the_candidate_is_notified_of_the_referral_and_of_the_answer(
    specialist, centre, published_vacancy, published_cv, job_seeker, employer_manager
):
    from labormarket.notifications.models import Notification

    give_consent(specialist, job_seeker, "referral_to_employer")
    referral = refer(specialist, centre, published_vacancy, published_cv)
    services.referral_refuse(actor=employer_manager, referral_id=referral.pk, reason="experience")
    kinds = list(
        Notification.objects.filter(person=job_seeker, channel="cabinet")
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["referral_sent", "referral_refused"]
    sent = Notification.objects.get(person=job_seeker, kind="referral_sent", channel="cabinet")
    assert published_vacancy.title in sent.body
