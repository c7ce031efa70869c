"""Regulations as data: the bundled YAML loads, both referral versions side by side, and bad
files are refused whole with the file and field named."""

import re
from datetime import date
from pathlib import Path

import pytest

from labormarket.accounts.tests.factories import AKMOLA, KARAGANDA, region
from labormarket.core.errors import Conflict
from labormarket.services.choices import Channel, ServiceCode, StepAction, StepRole
from labormarket.services.loader import (
    REGULATIONS_DIR,
    RegulationError,
    load_regulation_text,
    load_regulations,
    parse_regulation,
)
from labormarket.services.models import Regulation
from labormarket.services.selectors import regulation_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)


def steps(channel):
    return [(s.role, s.action, s.duration_minutes) for s in channel.steps.order_by("position")]


def test_bundled_regulations_are_loaded_and_loading_again_changes_nothing():
    assert Regulation.objects.count() == 4
    report = load_regulations()
    assert report.created == ()
    assert report.updated == ()
    assert len(report.unchanged) == 4


def test_svc_11_job_seeker_registration_office_steps_and_durations():
    regulation, channel = regulation_for(
        service=ServiceCode.JOB_SEEKER_REGISTRATION,
        region=region(KARAGANDA),
        on_date=TODAY,
        channel=Channel.OFFICE,
    )
    assert regulation.code == "job-seeker-registration-karaganda-2017"
    assert steps(channel) == [
        (StepRole.CLERK, StepAction.REGISTER, 2),
        (StepRole.CENTRE_HEAD, StepAction.ASSIGN, 2),
        (StepRole.SPECIALIST, StepAction.DRAFT, 3),
        (StepRole.CENTRE_HEAD, StepAction.SIGN, 2),
        (StepRole.CLERK, StepAction.ISSUE, 1),
    ]
    assert (channel.term_minutes, channel.term_working_days) == (10, None)


def test_svc_10_job_seeker_registration_has_office_and_portal():
    regulation, _ = regulation_for(
        service=ServiceCode.JOB_SEEKER_REGISTRATION,
        region=region(AKMOLA),
        on_date=TODAY,
        channel=Channel.PORTAL,
    )
    assert sorted(regulation.channels.values_list("channel", flat=True)) == ["office", "portal"]
    assert regulation.results == ["job_seeker_notification"]


def test_svc_20_unemployed_registration_is_office_only():
    with pytest.raises(Conflict) as caught:
        regulation_for(
            service=ServiceCode.UNEMPLOYED_REGISTRATION,
            region=region(KARAGANDA),
            on_date=TODAY,
            channel=Channel.PORTAL,
        )
    assert (caught.value.code, caught.value.rule) == ("channel_not_available", "SVC-02")


def test_svc_21_unemployed_registration_has_the_same_five_steps_as_svc_11():
    _, job_seeker = regulation_for(
        service=ServiceCode.JOB_SEEKER_REGISTRATION,
        region=region(KARAGANDA),
        on_date=TODAY,
        channel=Channel.OFFICE,
    )
    _, unemployed = regulation_for(
        service=ServiceCode.UNEMPLOYED_REGISTRATION,
        region=region(KARAGANDA),
        on_date=TODAY,
        channel=Channel.OFFICE,
    )
    assert steps(unemployed) == steps(job_seeker)


def test_svc_31_karaganda_uses_its_own_referral_regulation():
    regulation, channel = regulation_for(
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        region=region(KARAGANDA),
        on_date=TODAY,
        channel=Channel.OFFICE,
    )
    assert regulation.code == "active-measure-referral-karaganda-2017"
    assert steps(channel) == [
        (StepRole.CLERK, StepAction.REGISTER, 2),
        (StepRole.CENTRE_HEAD, StepAction.ASSIGN, 5),
        (StepRole.SPECIALIST, StepAction.DRAFT, 20),
        (StepRole.CENTRE_HEAD, StepAction.SIGN, 2),
        (StepRole.CLERK, StepAction.ISSUE, 1),
    ]


def test_svc_32_and_svc_33_other_regions_use_the_standard_190_regulation():
    regulation, office = regulation_for(
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        region=region(AKMOLA),
        on_date=TODAY,
        channel=Channel.OFFICE,
    )
    assert regulation.code == "active-measure-referral-standard-190"
    assert steps(office) == [
        (StepRole.SPECIALIST, StepAction.DRAFT, 30),
        (StepRole.SECTOR_HEAD, StepAction.APPROVE, 3),
        (StepRole.CENTRE_HEAD, StepAction.SIGN, 2),
        (StepRole.SPECIALIST, StepAction.ISSUE, 5),
    ]
    assert (office.term_minutes, office.term_working_days) == (30, None)
    portal = regulation.channels.get(channel=Channel.PORTAL)
    assert steps(portal) == [
        (StepRole.RECIPIENT, StepAction.REQUEST, 60),
        (StepRole.SPECIALIST, StepAction.DRAFT, 300),
        (StepRole.SECTOR_HEAD, StepAction.APPROVE, 60),
        (StepRole.CENTRE_HEAD, StepAction.SIGN, 30),
        (StepRole.SPECIALIST, StepAction.DELIVER, 30),
    ]
    assert (portal.term_minutes, portal.term_working_days) == (None, 1)


def test_svc_30_referral_regulations_offer_the_four_documents():
    for code in ("active-measure-referral-karaganda-2017", "active-measure-referral-standard-190"):
        assert Regulation.objects.get(code=code).results == [
            "referral_employment",
            "referral_youth_practice",
            "referral_social_jobs",
            "referral_public_works",
        ]


def test_svc_34_referral_regulations_have_the_no_record_card_ground():
    for regulation in Regulation.objects.filter(service=ServiceCode.ACTIVE_MEASURE_REFERRAL):
        ground = regulation.refusal_grounds.get(code="no-record-card")
        assert ground.rule == "SVC-34"


def test_a_regulation_not_yet_in_force_is_not_chosen():
    with pytest.raises(Conflict) as caught:
        regulation_for(
            service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
            region=region(AKMOLA),
            on_date=date(2017, 1, 1),
            channel=Channel.OFFICE,
        )
    assert caught.value.code == "no_regulation"


def _text(name: str) -> str:
    return (REGULATIONS_DIR / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("service: job_seeker_registration", "service: pensions", "service: 'pensions' is not one"),
        (
            "role: clerk\n        action: register",
            "role: janitor\n        action: register",
            "steps[0].role",
        ),
        ("action: assign", "action: dance", "steps[1].action"),
        ("minutes: 3", "minutes: -3", "steps[2].minutes"),
        (
            "    term_minutes: 10\n    steps:\n      - code: register",
            "    steps:\n      - code: register",
            "exactly one of term_minutes",
        ),
        ("  kk: Жұмыс іздейтін адамдарды тіркеу\n", "", "title.kk: a name is required"),
        ("valid_from: 2017-12-23", "valid_from: soon", "valid_from: a date"),
        ("results: [job_seeker_notification]", "results: [diploma]", "results[0]"),
        (
            "        role: clerk\n        action: register",
            "        role: clerk\n        action: issue",
            "the first step must register",
        ),
    ],
)
def test_bad_regulation_files_are_refused_naming_the_field(old, new, message):
    text = _text("job-seeker-registration-karaganda-2017.yaml")
    assert old in text
    with pytest.raises(RegulationError, match=re.escape(message)):
        parse_regulation(text.replace(old, new, 1), "bad.yaml")


def test_unknown_region_is_refused_and_nothing_is_written():
    text = (
        _text("active-measure-referral-karaganda-2017.yaml")
        .replace('regions: ["350000000"]', 'regions: ["999999999"]')
        .replace("version: 1", "version: 2")
    )
    with pytest.raises(RegulationError, match="unknown KATO codes 999999999"):
        load_regulation_text(text, "bad.yaml")
    assert Regulation.objects.filter(code="active-measure-referral-karaganda-2017").count() == 1


def test_a_new_version_is_added_beside_the_old_and_wins(tmp_path: Path):
    text = _text("active-measure-referral-standard-190.yaml")
    newer = text.replace("version: 1", "version: 2").replace(
        "valid_from: 2017-08-01", "valid_from: 2026-01-01"
    )
    assert load_regulation_text(newer, "v2.yaml") == "created"
    regulation, _ = regulation_for(
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        region=region(AKMOLA),
        on_date=TODAY,
        channel=Channel.OFFICE,
    )
    assert regulation.version == 2
    older, _ = regulation_for(
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        region=region(AKMOLA),
        on_date=date(2025, 6, 1),
        channel=Channel.OFFICE,
    )
    assert older.version == 1
