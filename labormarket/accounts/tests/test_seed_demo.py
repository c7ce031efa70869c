"""``manage.py seed_demo``: idempotent demo organisations, logins and persons."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from labormarket.accounts import demo
from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.models import Membership, Organisation, User
from labormarket.core.bin import is_valid_bin
from labormarket.core.iin import is_valid_iin, parse_iin
from labormarket.registry.choices import ConsentPurpose, DeregistrationReason, LabourStatus
from labormarket.registry.models import (
    Consent,
    EducationRecord,
    FamilyLink,
    LabourStatusChange,
    Person,
    PersonalRecordCard,
    WorkHistoryEntry,
)

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "Demo-Password-2026"
KARAGANDA, AKMOLA, ASTANA = "350000000", "110000000", "710000000"


@pytest.fixture
def demo_settings(settings, tmp_path):
    """A known demo password, and a VAR_DIR (and test PKI, which the public-services demo signs
    with) that are not the project's."""
    settings.DEMO_PASSWORD = DEMO_PASSWORD
    settings.VAR_DIR = tmp_path
    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": tmp_path / "pki"}
    return settings


def seed(persons: int = 30) -> str:
    out = StringIO()
    call_command("seed_demo", "--persons", str(persons), stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "persons": Person.objects.count(),
        "consents": Consent.objects.count(),
        "status changes": LabourStatusChange.objects.count(),
        "record cards": PersonalRecordCard.objects.count(),
        "family links": FamilyLink.objects.count(),
        "education": EducationRecord.objects.count(),
        "work history": WorkHistoryEntry.objects.count(),
        "audit entries": LogEntry.objects.count(),
    }


def rows_table(output: str) -> dict[str, dict[str, int]]:
    """The "Rows" table of the command's output: kind → created/updated/existing."""
    lines = output.split("\nRows\n", 1)[1].splitlines()[2:]
    table = {}
    for line in lines:
        if not line.strip():
            break
        *kind, created, updated, existing = line.split()
        table[" ".join(kind)] = {
            "created": int(created),
            "updated": int(updated),
            "existing": int(existing),
        }
    return table


@pytest.fixture(scope="class")
def _demo_run_per_class(django_db_setup, django_db_blocker, tmp_path_factory):
    """Runs ``seed_demo --persons 30`` once for a test class, inside a transaction that is
    rolled back after the class."""
    with django_db_blocker.unblock(), transaction.atomic():
        var_dir = tmp_path_factory.mktemp("var")
        with override_settings(
            DEMO_PASSWORD=DEMO_PASSWORD,
            VAR_DIR=var_dir,
            SIGNATURES={"VERIFIER": "local", "PKI_DIR": var_dir / "pki"},
        ):
            seed(30)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_demo_run_per_class, db, demo_settings):
    """The database after ``seed_demo --persons 30``; what a test changes is rolled back."""
    return demo_settings


def test_first_run_creates_the_organisations_logins_and_persons(demo_settings):
    table = rows_table(seed(30))
    assert table["organisations"] == {"created": 40, "updated": 0, "existing": 0}
    assert table["persons"] == {"created": 31, "updated": 0, "existing": 0}
    counts = row_counts()
    assert counts["organisations"] == 40
    assert counts["users"] == 24
    assert counts["memberships"] == 23
    # 30 generated persons and the person behind the citizen login.
    assert counts["persons"] == 31


def test_the_first_persons_do_not_depend_on_how_many_are_planned():
    context = demo.PlanningContext(places={}, employers={})
    few = demo.plan_persons(20, context, set())
    many = demo.plan_persons(60, context, set())
    assert [(p.iin, p.last_name, p.first_name, p.middle_name) for p in few] == [
        (p.iin, p.last_name, p.first_name, p.middle_name) for p in many[:20]
    ]


def test_the_password_from_settings_is_not_printed(demo_settings):
    output = seed(0)
    assert DEMO_PASSWORD not in output
    assert "the value of the DEMO_PASSWORD setting" in output
    for username in ("kar.clerk", "akm.specialist", "ast.head", "admin", "citizen"):
        assert f"\n{username} " in output


def test_without_a_setting_the_password_is_generated_once_and_kept(settings, tmp_path):
    settings.DEMO_PASSWORD = ""
    settings.VAR_DIR = tmp_path / "var"
    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": tmp_path / "var" / "pki"}
    output = seed(0)
    path = tmp_path / "var" / "demo_password.txt"
    password = path.read_text(encoding="utf-8").strip()
    assert len(password) >= 16
    assert f"Password of every demo login: {password}" in output
    assert str(path) in output
    assert authenticate(username="kar.head", password=password) is not None

    seed(0)
    assert path.read_text(encoding="utf-8").strip() == password
    assert authenticate(username="kar.head", password=password) is not None


def test_persons_out_of_range_are_refused(demo_settings):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="between 0 and 5000"):
        seed(5001)
    assert Organisation.objects.count() == 0


def test_default_run_of_500_persons(demo_settings):
    """The default size: about 40 % job seekers, 30 % unemployed, some taken off the registers
    (employed or pension contributions), the rest never registered."""
    call_command("seed_demo", stdout=StringIO())

    assert Person.objects.count() == 501
    statuses = Counter(Person.objects.values_list("labour_status", flat=True))
    assert 170 <= statuses[LabourStatus.JOB_SEEKER] <= 230
    assert 120 <= statuses[LabourStatus.UNEMPLOYED] <= 180
    deregistrations = LabourStatusChange.objects.filter(to_status=LabourStatus.NOT_REGISTERED)
    reasons = Counter(deregistrations.values_list("reason", flat=True))
    assert set(reasons) == {
        DeregistrationReason.EMPLOYED,
        DeregistrationReason.PENSION_CONTRIBUTIONS,
    }
    assert 30 <= sum(reasons.values()) <= 80
    deregistered = Person.objects.filter(pk__in=deregistrations.values("person"))
    assert set(deregistered.values_list("labour_status", flat=True)) == {
        LabourStatus.NOT_REGISTERED
    }
    assert Counter(Person.objects.values_list("region__kato_code", flat=True)).keys() == {
        KARAGANDA,
        AKMOLA,
        ASTANA,
    }
    consents = Counter(
        Consent.objects.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True)
    )
    assert consents[ConsentPurpose.PERSONAL_DATA] == 501
    assert 250 <= consents[ConsentPurpose.CV_PUBLICATION] < 501
    assert 20 <= consents[ConsentPurpose.OUTSOURCING] <= 100
    assert EducationRecord.objects.values("person").distinct().count() == 501
    assert WorkHistoryEntry.objects.filter(occupation__level=4).count() == (
        WorkHistoryEntry.objects.count()
    )


class TestAfterOneRun:
    """One ``seed_demo --persons 30`` shared by these tests (see ``seeded``)."""

    def test_second_run_creates_nothing_and_changes_nothing(self, seeded):
        before = row_counts()
        stamps = dict(Organisation.objects.values_list("bin", "updated_at"))
        passwords = dict(User.objects.values_list("username", "password"))
        persons = list(Person.objects.values_list("iin", "updated_at", "labour_status"))

        output = seed(30)

        assert row_counts() == before
        assert dict(Organisation.objects.values_list("bin", "updated_at")) == stamps
        assert dict(User.objects.values_list("username", "password")) == passwords
        assert list(Person.objects.values_list("iin", "updated_at", "labour_status")) == persons
        table = rows_table(output)
        assert table["organisations"] == {"created": 0, "updated": 0, "existing": 40}
        assert table["users"] == {"created": 0, "updated": 0, "existing": 24}
        assert table["persons"] == {"created": 0, "updated": 0, "existing": 31}

    def test_a_larger_run_adds_only_the_missing_persons(self, seeded):
        first = set(Person.objects.values_list("iin", flat=True))
        seed(40)
        assert Person.objects.count() == 41
        assert first <= set(Person.objects.values_list("iin", flat=True))

    def test_every_role_has_a_demo_user(self, seeded):
        held = set(Membership.objects.filter(is_active=True).values_list("role", flat=True))
        if Person.objects.filter(user__isnull=False).exists():
            held.add(Role.CITIZEN)
        assert held == set(Role.values)

    def test_demo_usernames_are_the_documented_ones(self, seeded):
        assert set(User.objects.values_list("username", flat=True)) == {
            "kar.clerk",
            "kar.specialist",
            "kar.sector_head",
            "kar.head",
            "kar.cc.specialist",
            "kar.clm_specialist",
            "kar.clm_head",
            "kar.leb_specialist",
            "kar.leb_head",
            "akm.specialist",
            "akm.sector_head",
            "akm.head",
            "ast.specialist",
            "ast.head",
            "wdc.analyst",
            "admin",
            "ministry.analyst",
            "pea1.manager",
            "pea2.manager",
            "pea3.manager",
            "employer1.manager",
            "employer9.manager",
            "employer15.manager",
            "citizen",
        }

    def test_only_the_administrator_is_staff_and_superuser(self, seeded):
        assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == [
            "admin"
        ]
        assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
            "admin"
        ]
        assert Membership.objects.get(user__username="admin").role == Role.ADMINISTRATOR

    def test_each_region_has_a_centre_two_career_centres_a_clm_and_a_leb(self, seeded):
        for code in (KARAGANDA, AKMOLA, ASTANA):
            kinds = Counter(
                Organisation.objects.filter(region__kato_code=code).values_list("kind", flat=True)
            )
            assert kinds[OrganisationKind.EMPLOYMENT_CENTRE] == 1
            assert kinds[OrganisationKind.CAREER_CENTRE] == 2
            assert kinds[OrganisationKind.LABOUR_MOBILITY_CENTRE] == 1
            assert kinds[OrganisationKind.LOCAL_EXECUTIVE_BODY] == 1
            centre = Organisation.objects.get(
                region__kato_code=code, kind=OrganisationKind.EMPLOYMENT_CENTRE
            )
            career_centres = Organisation.objects.filter(
                region__kato_code=code, kind=OrganisationKind.CAREER_CENTRE
            )
            assert {c.parent_id for c in career_centres} == {centre.pk}

    def test_national_bodies_agencies_and_employers(self, seeded):
        national = Organisation.objects.filter(
            kind__in=[OrganisationKind.WORKFORCE_DEVELOPMENT_CENTER, OrganisationKind.MINISTRY]
        )
        assert sorted(national.values_list("kind", "region__kato_code")) == [
            (OrganisationKind.MINISTRY, ASTANA),
            (OrganisationKind.WORKFORCE_DEVELOPMENT_CENTER, ASTANA),
        ]
        agencies = Organisation.objects.filter(kind=OrganisationKind.PRIVATE_EMPLOYMENT_AGENCY)
        assert sorted(agencies.values_list("region__kato_code", flat=True)) == [
            AKMOLA,
            KARAGANDA,
            ASTANA,
        ]
        employers = Organisation.objects.filter(kind=OrganisationKind.EMPLOYER)
        assert Counter(employers.values_list("region__kato_code", flat=True)) == {
            KARAGANDA: 8,
            AKMOLA: 6,
            ASTANA: 6,
        }
        assert all(
            is_valid_bin(bin_) for bin_ in Organisation.objects.values_list("bin", flat=True)
        )

    def test_pea_and_employer_managers_belong_to_their_organisation(self, seeded):
        managers = Membership.objects.filter(role=Role.PEA_MANAGER).select_related("organisation")
        assert {m.organisation.kind for m in managers} == {
            OrganisationKind.PRIVATE_EMPLOYMENT_AGENCY
        }
        assert managers.values("organisation").distinct().count() == 3
        employer_managers = Membership.objects.filter(role=Role.EMPLOYER_MANAGER)
        assert {m.organisation.kind for m in employer_managers} == {OrganisationKind.EMPLOYER}

    def test_every_iin_is_valid_and_unique(self, seeded):
        person_iins = list(Person.objects.values_list("iin", flat=True))
        user_iins = list(User.objects.values_list("iin", flat=True))
        assert all(is_valid_iin(iin) for iin in person_iins)
        assert all(iin and is_valid_iin(iin) for iin in user_iins)
        assert len(set(person_iins)) == len(person_iins)
        assert len(set(user_iins)) == len(user_iins)

    def test_birth_date_and_sex_match_the_iin(self, seeded):
        for iin, birth_date, sex in Person.objects.values_list("iin", "birth_date", "sex"):
            parsed = parse_iin(iin)
            assert (parsed.birth_date, parsed.sex) == (birth_date, sex)

    def test_persons_are_in_the_three_regions_with_a_phone_and_data_consent(self, seeded):
        persons = Person.objects.all()
        assert set(persons.values_list("region__kato_code", flat=True)) <= {
            KARAGANDA,
            AKMOLA,
            ASTANA,
        }
        assert persons.filter(phones__is_primary=True).count() == persons.count()
        active_data_consents = Consent.objects.filter(
            purpose=ConsentPurpose.PERSONAL_DATA, withdrawn_at__isnull=True
        )
        assert active_data_consents.count() == persons.count()
        with_kato = persons.exclude(address_kato=None)
        assert with_kato.count() == persons.count()
        assert all(p.address_kato.region_id == p.region_id for p in with_kato)

    def test_unemployed_persons_have_an_open_card_from_their_regions_centre(self, seeded):
        unemployed = Person.objects.filter(labour_status=LabourStatus.UNEMPLOYED)
        assert unemployed.exists()
        for person in unemployed:
            card = PersonalRecordCard.objects.get(person=person, closed_at__isnull=True)
            assert card.organisation.kind == OrganisationKind.EMPLOYMENT_CENTRE
            assert card.organisation.region_id == person.region_id
        assert (
            not PersonalRecordCard.objects.filter(closed_at__isnull=True)
            .exclude(person__labour_status=LabourStatus.UNEMPLOYED)
            .exists()
        )

    def test_family_links_are_recorded_both_ways(self, seeded):
        links = set(FamilyLink.objects.values_list("person_id", "relative_id"))
        assert links
        assert {(relative, person) for person, relative in links} == links

    def test_the_citizen_login_is_an_unemployed_person_in_karaganda(self, seeded):
        person = Person.objects.select_related("user", "region").get(user__username="citizen")
        assert person.region.kato_code == KARAGANDA
        assert person.labour_status == LabourStatus.UNEMPLOYED
        assert person.user.iin == person.iin
        assert person.record_cards.filter(closed_at__isnull=True).count() == 1
        assert set(person.consents.values_list("purpose", flat=True)) == {
            ConsentPurpose.PERSONAL_DATA,
            ConsentPurpose.CV_PUBLICATION,
            ConsentPurpose.NOTIFICATIONS,
        }

    def test_demo_password_from_settings_signs_in_by_username_and_by_iin(self, seeded):
        specialist = User.objects.get(username="kar.specialist")
        assert authenticate(username="kar.specialist", password=DEMO_PASSWORD) == specialist
        assert authenticate(username=specialist.iin, password=DEMO_PASSWORD) == specialist
        citizen = User.objects.get(username="citizen")
        assert authenticate(username=citizen.iin, password=DEMO_PASSWORD) == citizen
        assert authenticate(username="kar.specialist", password="wrong") is None

    def test_a_changed_demo_password_is_applied_on_the_next_run(self, seeded):
        with override_settings(DEMO_PASSWORD="Another-Password-7"):
            seed(0)
        assert authenticate(username="admin", password="Another-Password-7") is not None
        assert authenticate(username="admin", password=DEMO_PASSWORD) is None

    def test_a_second_run_checks_the_password_once_and_hashes_nothing(self, seeded):
        with (
            mock.patch.object(demo, "check_password", wraps=demo.check_password) as check,
            mock.patch.object(demo, "make_password", wraps=demo.make_password) as make,
        ):
            seed(0)
        assert check.call_count == 1
        assert make.call_count == 0

    def test_education_and_work_history_keep_the_registry_rules(self, seeded):
        """The bulk-inserted rows obey what education_record_add / work_history_add check."""
        for record in EducationRecord.objects.select_related("person"):
            assert record.graduation_year >= record.person.birth_date.year + 5
        today = timezone.localdate()
        for job in WorkHistoryEntry.objects.select_related("person", "occupation"):
            assert (job.started_on - job.person.birth_date).days >= 14 * 366
            assert job.started_on <= today
            assert job.ended_on is None or job.started_on <= job.ended_on <= today
            assert job.employer_bin == "" or is_valid_bin(job.employer_bin)
            assert job.occupation.level == 4
