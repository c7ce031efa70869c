"""Exchange demo data: vacancies of the demo employers, CVs of registered demo persons, the
citizen's own CV and a few referrals waiting for the employers' answer. Idempotent, and made
through the services so that everything obeys the rules it demonstrates."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.models import Membership, Organisation, User
from labormarket.reference.models import KatoUnit
from labormarket.registry import services as registry_services
from labormarket.registry.choices import ConsentPurpose, LabourStatus
from labormarket.registry.models import Person

from . import services
from .choices import CvSource, ReferralStatus, VacancyStatus
from .models import CandidateReferral, Cv, Vacancy

#: (occupation, title, salary from, salary to, skills) by the demo employers' industries.
VACANCIES: dict[str, list[tuple[str, str, int, int, list[str]]]] = {
    "mining": [
        ("8111", "Машинист горных выемочных машин", 380000, 520000, ["допуск к подземным работам"]),
        (
            "7233",
            "Слесарь-ремонтник горного оборудования",
            300000,
            420000,
            ["гидравлика", "сварка"],
        ),
    ],
    "metallurgy": [
        ("8121", "Сталевар", 400000, 550000, ["работа у печи", "охрана труда"]),
        ("7212", "Электрогазосварщик", 320000, 450000, ["сварка MIG/MAG", "чтение чертежей"]),
    ],
    "construction": [
        ("7112", "Каменщик", 250000, 350000, ["кладка кирпича", "чтение чертежей"]),
        ("3112", "Инженер ПТО", 350000, 480000, ["AutoCAD", "сметы"]),
    ],
    "food": [
        ("7512", "Пекарь", 180000, 240000, ["тестоведение", "санитарные нормы"]),
        ("8160", "Оператор линии розлива", 200000, 260000, ["наладка оборудования"]),
    ],
    "energy": [
        ("7411", "Электромонтёр", 280000, 380000, ["допуск по электробезопасности IV группа"]),
    ],
    "logistics": [
        ("8332", "Водитель категории C", 300000, 400000, ["категория C", "тахограф"]),
        ("4321", "Кладовщик", 180000, 230000, ["1С: Склад"]),
    ],
    "health": [
        (
            "2221",
            "Медицинская сестра",
            220000,
            300000,
            ["уход за больными", "сертификат специалиста"],
        ),
    ],
    "retail": [
        ("5223", "Продавец-консультант", 150000, 210000, ["кассовые операции", "қазақ тілі"]),
    ],
    "agriculture": [
        ("8341", "Тракторист-машинист", 220000, 320000, ["категория A"]),
        ("6121", "Оператор животноводческого комплекса", 170000, 220000, ["кормление скота"]),
    ],
    "services": [
        ("9112", "Уборщик помещений", 120000, 150000, []),
    ],
    "it": [
        ("2512", "Программист Python", 600000, 900000, ["Python", "Django", "PostgreSQL"]),
        ("2522", "Системный администратор", 400000, 550000, ["Linux", "сети"]),
    ],
}


@dataclass
class ExchangeDemoReport:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, label: str, outcome: str) -> None:
        row = self.counts.setdefault(label, {"created": 0, "existing": 0})
        row[outcome] += 1


def _manager_of(employer: Organisation) -> User | None:
    membership = (
        Membership.objects.filter(organisation=employer, role=Role.EMPLOYER_MANAGER)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _staff_of(region_id: int) -> tuple[User, Organisation] | None:
    membership = (
        Membership.objects.filter(
            role=Role.SPECIALIST,
            organisation__kind=OrganisationKind.EMPLOYMENT_CENTRE,
            organisation__region_id=region_id,
        )
        .select_related("user", "organisation")
        .first()
    )
    return (membership.user, membership.organisation) if membership else None


def _industry(employer: Organisation) -> str:
    from labormarket.accounts.demo import EMPLOYERS, organisation_bin

    by_bin = {organisation_bin(spec): spec.industry for spec in EMPLOYERS}
    return by_bin.get(employer.bin, "services")


def seed_exchange_demo() -> ExchangeDemoReport:
    report = ExchangeDemoReport()
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    with transaction.atomic():
        employers = list(Organisation.objects.filter(kind=OrganisationKind.EMPLOYER).order_by("pk"))
        for employer in employers:
            staff = _staff_of(employer.region_id)
            actor = _manager_of(employer) or (staff[0] if staff else None)
            locality = KatoUnit.objects.filter(region_id=employer.region_id, level=2).first()
            if actor is None or locality is None:
                continue
            for code, title, low, high, skills in VACANCIES.get(_industry(employer), []):
                if Vacancy.objects.filter(employer=employer, title=title).exists():
                    report.add("vacancies", "existing")
                    continue
                vacancy = services.vacancy_create(
                    actor=actor,
                    employer_id=employer.pk,
                    data=services.VacancyData(
                        occupation_code=code,
                        title=title,
                        locality_code=locality.code,
                        salary_min=Decimal(low),
                        salary_max=Decimal(high),
                        schedule_code=rng.choice(["full_day", "full_day", "shift"]),
                        employment_type_code="permanent",
                        places_total=rng.choice([1, 2, 3, 5]),
                        experience_years_min=rng.choice([0, 1, 3]),
                        skills=skills,
                        description=f"{employer.name}: {title.lower()}.",
                    ),
                )
                services.vacancy_publish(actor=actor, vacancy_id=vacancy.pk)
                report.add("vacancies", "created")
        _seed_cvs(report)
        _seed_citizen_cv(report)
        _seed_referrals(report)
    return report


def _seed_cvs(report: ExchangeDemoReport) -> None:
    """Centre-posted CVs for registered persons with a work history."""
    persons = (
        Person.objects.filter(
            labour_status__in=[LabourStatus.JOB_SEEKER, LabourStatus.UNEMPLOYED],
            user__isnull=True,
        )
        .prefetch_related("work_history__occupation")
        .order_by("pk")[:150]
    )
    for person in persons:
        if Cv.objects.filter(person=person, source=CvSource.CENTRE).exists():
            report.add("CVs", "existing")
            continue
        jobs = [j for j in person.work_history.all() if j.occupation_id]
        staff = _staff_of(person.region_id)
        if not jobs or staff is None:
            continue
        years = sum(((j.ended_on or timezone.localdate()) - j.started_on).days for j in jobs) // 365
        cv = services.cv_create(
            actor=staff[0],
            person_id=person.pk,
            data=services.CvData(
                title=jobs[0].position,
                occupation_codes=sorted({j.occupation.code for j in jobs if j.occupation})[:5],
                region_codes=[person.region.kato_code],
                experience_years=min(years, 70),
                skills=[],
            ),
        )
        services.cv_publish(actor=staff[0], cv_id=cv.pk)
        report.add("CVs", "created")


def _seed_citizen_cv(report: ExchangeDemoReport) -> None:
    citizen = Person.objects.filter(user__username="citizen").first()
    if citizen is None:
        return
    if Cv.objects.filter(person=citizen, source=CvSource.SELF).exists():
        report.add("CVs", "existing")
        return
    user = citizen.user
    assert user is not None
    cv = services.cv_create(
        actor=user,
        person_id=citizen.pk,
        data=services.CvData(
            title="Каменщик",
            occupation_codes=["7112"],
            region_codes=[citizen.region.kato_code],
            expected_salary=Decimal(300000),
            experience_years=5,
            skills=["кладка кирпича", "штукатурка"],
        ),
    )
    services.cv_publish(
        actor=user, cv_id=cv.pk, expires_on=timezone.localdate() + timedelta(days=20)
    )
    report.add("CVs", "created")


def _seed_referrals(report: ExchangeDemoReport) -> None:
    """A few CVs sent to Karaganda employers, waiting for their answer."""
    if CandidateReferral.objects.exists():
        report.add("referrals", "existing")
        return
    vacancies = Vacancy.objects.filter(
        status=VacancyStatus.PUBLISHED, region__kato_code="350000000"
    ).order_by("pk")[:3]
    for vacancy in vacancies:
        staff = _staff_of(vacancy.region_id)
        cv = (
            Cv.objects.filter(
                status="published", person__region_id=vacancy.region_id, source=CvSource.CENTRE
            )
            .exclude(referrals__vacancy=vacancy)
            .order_by("pk")
            .first()
        )
        if staff is None or cv is None:
            continue
        registry_services.consent_give(
            actor=staff[0],
            person_id=cv.person_id,
            purpose=ConsentPurpose.REFERRAL_TO_EMPLOYER,
            scope="Направление резюме работодателю",
            version="1.0",
            evidence="paper",
            evidence_reference=f"ДЕМО-{cv.person_id}",
        )
        referral = services.referral_create(
            actor=staff[0], vacancy_id=vacancy.pk, cv_id=cv.pk, organisation_id=staff[1].pk
        )
        assert referral.status == ReferralStatus.SENT
        report.add("referrals", "created")
