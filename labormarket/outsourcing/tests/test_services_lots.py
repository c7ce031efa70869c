"""Categories, consent, lots and announcements (OUT-01, OUT-02, OUT-05, OUT-06, OUT-13)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from labormarket.core.errors import ApplicationError, Forbidden, ValidationFailed
from labormarket.outsourcing import services
from labormarket.outsourcing.choices import AnnouncementStatus, LotStatus
from labormarket.outsourcing.models import CategoryAssignment, Lot, LotMember
from labormarket.registry.choices import LabourStatus
from labormarket.registry.tests.factories import PersonFactory

from .conftest import MONDAY, WEDNESDAY, announce, at, people, unemployed

pytestmark = pytest.mark.django_db


def codes(error: ApplicationError) -> dict[str, list[tuple[str, str | None]]]:
    return {name: [(e.code, e.rule) for e in errors] for name, errors in error.fields.items()}


def test_out_02_category_is_1_to_3_for_registered_unemployed_only(clm, occupation):
    person = PersonFactory(labour_status=LabourStatus.JOB_SEEKER)
    with pytest.raises(ValidationFailed) as refused:
        services.category_assign(
            actor=clm.specialist, person_id=person.pk, category=2, occupation_code=occupation.code
        )
    assert codes(refused.value) == {"person": [("not_unemployed", "OUT-02")]}
    with pytest.raises(ValidationFailed) as bad:
        services.category_assign(
            actor=clm.specialist, person_id=person.pk, category=4, occupation_code="nope"
        )
    assert codes(bad.value) == {
        "category": [("invalid_choice", "OUT-02")],
        "occupation": [("unknown_code", None)],
    }
    assert CategoryAssignment.objects.count() == 0


def test_out_02_a_new_category_replaces_the_current_one(clm, occupation):
    person = unemployed(clm, 1, occupation)
    services.category_assign(
        actor=clm.specialist, person_id=person.pk, category=3, occupation_code=occupation.code
    )
    assert list(
        CategoryAssignment.objects.filter(person=person).values_list("category", "is_current")
    ) == [(3, True), (1, False)]


def test_out_02_only_clm_staff_set_categories(clm, occupation, agencies):
    person = unemployed(clm, 1, occupation)
    with pytest.raises(Forbidden):
        services.category_assign(
            actor=agencies[0].manager,
            person_id=person.pk,
            category=2,
            occupation_code=occupation.code,
        )


def test_out_05_consent_is_recorded_with_its_evidence(clm, occupation):
    person = PersonFactory(labour_status=LabourStatus.UNEMPLOYED)
    consent = services.outsourcing_consent_record(
        actor=clm.specialist, person_id=person.pk, evidence="paper", evidence_reference="№ 17"
    )
    assert (consent.purpose, consent.version, consent.evidence_reference) == (
        "outsourcing",
        services.CONSENT_VERSION,
        "№ 17",
    )
    with pytest.raises(ValidationFailed) as refused:
        services.outsourcing_consent_record(
            actor=clm.specialist, person_id=person.pk, evidence="portal", evidence_reference=""
        )
    assert codes(refused.value) == {"evidence": [("invalid_choice", "OUT-05")]}


def test_out_06_a_lot_of_30_with_9_hard_cases_is_accepted(clm, occupation):
    members = people(clm, occupation, hard=9, easy=21)
    lot = services.lot_create(
        actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person="100000"
    )
    assert lot.members.count() == 30
    assert lot.status == LotStatus.DRAFT
    assert lot.price_per_person == Decimal("100000")
    assert lot.number.startswith("35-")


def test_out_06_a_31_person_lot_is_refused_and_nothing_is_written(clm, occupation):
    members = people(clm, occupation, hard=10, easy=21)
    with pytest.raises(ValidationFailed) as refused:
        services.lot_create(
            actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person="100000"
        )
    assert codes(refused.value) == {"people": [("too_many_people", "OUT-06")]}
    assert Lot.objects.count() == 0
    assert LotMember.objects.count() == 0


def test_out_06_a_lot_with_too_few_category_2_or_3_people_is_refused(clm, occupation):
    members = people(clm, occupation, hard=2, easy=8)  # 20 % < 30 %
    with pytest.raises(ValidationFailed) as refused:
        services.lot_create(
            actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person="100000"
        )
    assert codes(refused.value) == {"people": [("too_few_hard_cases", "OUT-06")]}
    assert "3" in refused.value.fields["people"][0].message  # 3 needed of 10
    assert Lot.objects.count() == 0


def test_out_05_a_person_without_consent_is_refused_by_name(clm, occupation):
    members = people(clm, occupation, hard=3, easy=6)
    stranger = unemployed(clm, 2, occupation, consent=False)
    ids = [p.pk for p in members] + [stranger.pk]
    with pytest.raises(ValidationFailed) as refused:
        services.lot_create(actor=clm.specialist, person_ids=ids, price_per_person="100000")
    assert codes(refused.value) == {"people[9]": [("no_consent", "OUT-05")]}
    assert stranger.last_name in refused.value.fields["people[9]"][0].message
    assert Lot.objects.count() == 0


def test_out_05_a_job_seeker_who_is_not_unemployed_is_refused(clm, occupation):
    members = people(clm, occupation, hard=3, easy=6)
    seeker = PersonFactory(labour_status=LabourStatus.JOB_SEEKER)
    with pytest.raises(ValidationFailed) as refused:
        services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in members] + [seeker.pk],
            price_per_person="100000",
        )
    assert codes(refused.value) == {"people[9]": [("not_unemployed", "OUT-05")]}


def test_out_06_a_person_is_in_at_most_one_active_lot(clm, occupation):
    members = people(clm, occupation, hard=3, easy=7)
    services.lot_create(
        actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person="1"
    )
    with pytest.raises(ValidationFailed) as refused:
        services.lot_create(
            actor=clm.specialist, person_ids=[p.pk for p in members[:3]], price_per_person="1"
        )
    assert codes(refused.value) == {
        f"people[{i}]": [("in_another_lot", "OUT-06")] for i in range(3)
    }
    assert Lot.objects.count() == 1


def test_out_06_a_withdrawn_lot_frees_its_people(clm, occupation):
    members = people(clm, occupation, hard=3, easy=7)
    first = services.lot_create(
        actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person="1"
    )
    services.lot_withdraw(actor=clm.specialist, lot_id=first.pk, reason="Пересформирование")
    second = services.lot_create(
        actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person="1"
    )
    assert second.members.count() == 10


def test_lot_price_must_be_a_positive_sum(clm, occupation):
    members = people(clm, occupation, hard=3, easy=7)
    for bad in ("0", "-5", "abc", "1.005", "NaN"):
        with pytest.raises(ValidationFailed) as refused:
            services.lot_create(
                actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person=bad
            )
        assert list(refused.value.fields) == ["price_per_person"], bad
    assert Lot.objects.count() == 0


def test_out_06_proposed_lots_all_keep_the_rules(clm, occupation):
    # 50 candidates: 14 hard cases, 36 easy ones → at most 14 + 32 usable.
    people(clm, occupation, hard=14, easy=36)
    proposals = services.lots_propose(actor=clm.specialist)
    assert len(proposals) == 2
    sizes = sorted(len(p.person_ids) for p in proposals)
    assert sum(sizes) == 46
    for proposal in proposals:
        assert len(proposal.person_ids) <= 30
        assert proposal.hard_cases * 100 >= 30 * len(proposal.person_ids)
    # Every proposal can be created as it is.
    for proposal in proposals:
        services.lot_create(
            actor=clm.specialist, person_ids=list(proposal.person_ids), price_per_person="100000"
        )
    assert LotMember.objects.filter(is_active=True).count() == 46


def test_out_01_the_announcement_has_its_five_contents(clm, occupation):
    members = people(clm, occupation, hard=3, easy=7)
    lot = services.lot_create(
        actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person="100000"
    )
    announcement = announce(clm, [lot])
    assert announcement.status == AnnouncementStatus.PUBLISHED
    assert announcement.selection_day == MONDAY
    contents = announcement.contents
    assert contents["clm"]["name"] == clm.organisation.name
    assert contents["clm"]["legal_address"] == clm.organisation.address
    assert contents["clm"]["responsible"] == clm.specialist.get_full_name()
    assert len(contents["services"]) == 4
    assert contents["lots_count"] == 1
    assert contents["by_profession"][occupation.code]["categories"] == {"1": 7, "2": 2, "3": 1}
    assert contents["draft_contract"]
    assert contents["dates"]["selection_opens"] == "2026-12-07T09:00:00+05:00"
    assert contents["dates"]["selection_closes"] == "2026-12-07T18:30:00+05:00"
    lot.refresh_from_db()
    assert (lot.status, lot.selection_day, lot.times_offered) == (LotStatus.OPEN, MONDAY, 1)


def test_out_01_announcement_is_due_on_wednesday(clm, occupation):
    with time_machine.travel(at(WEDNESDAY, 8), tick=False):
        announcement = services.announcement_draft(clm=clm.organisation, today=WEDNESDAY)
    assert announcement.selection_day == MONDAY
    assert announcement.publish_due_at == at(WEDNESDAY, 23, 59).replace(
        second=59, microsecond=999999
    )


def test_out_01_an_announcement_without_lots_cannot_be_published(clm):
    with time_machine.travel(at(WEDNESDAY, 10), tick=False):
        announcement = services.announcement_draft(clm=clm.organisation, today=WEDNESDAY)
        with pytest.raises(ValidationFailed) as refused:
            services.announcement_publish(actor=clm.specialist, announcement_id=announcement.pk)
    assert codes(refused.value) == {"lots": [("required", "OUT-01")]}
    announcement.refresh_from_db()
    assert announcement.status == AnnouncementStatus.DRAFT


def test_out_03_a_holiday_monday_moves_selection_to_the_next_working_monday():
    # Monday 23 March 2026 is Nauryz: the lots announced on 18 March wait until 30 March.
    from datetime import date

    assert services.next_selection_day(date(2026, 3, 18)) == date(2026, 3, 30)
    assert services.next_selection_day(date(2026, 12, 2)) == MONDAY
    assert services.next_selection_day(MONDAY) == date(2026, 12, 14)


def test_out_08_agency_files_documents_of_experience_and_resources(agencies, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    agency = agencies[0]
    assert services.qualification_missing(agency.organisation) == [
        "experience",
        "material_resources",
        "labour_resources",
    ]
    document = services.qualification_document_add(
        actor=agency.manager,
        kind="experience",
        title="Справка об опыте трудового посредничества",
        upload=SimpleUploadedFile("opyt.pdf", b"%PDF-1.7 test", content_type="application/pdf"),
    )
    assert document.agency == agency.organisation
    assert services.qualification_missing(agency.organisation) == [
        "material_resources",
        "labour_resources",
    ]
    with pytest.raises(ValidationFailed) as refused:
        services.qualification_document_add(
            actor=agency.manager,
            kind="other",
            title="",
            upload=SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/pdf"),
        )
    assert codes(refused.value) == {
        "kind": [("invalid_choice", "OUT-08")],
        "title": [("required", None)],
        "file": [("invalid_type", None)],
    }
    assert agency.organisation.qualification_documents.count() == 1
