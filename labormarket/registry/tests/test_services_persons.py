"""Creating and changing persons: field-level validation, region scope, nothing half-written."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import AKMOLA, KARAGANDA, region, user_with_role
from labormarket.core.errors import ApplicationError, NotFound, ValidationFailed
from labormarket.core.testing import next_iin
from labormarket.reference.models import KatoUnit
from labormarket.registry import services
from labormarket.registry.models import Person, PersonPhone
from labormarket.registry.services import PersonData
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def specialist():
    return user_with_role(Role.SPECIALIST)


def data(**overrides) -> PersonData:
    values = {
        "last_name": "Ахметова",
        "first_name": "Айгерим",
        "middle_name": "Сериковна",
        "region_id": region(KARAGANDA).pk,
        "phone": "8 701 234 56 78",
    }
    values.update(overrides)
    return PersonData(**values)


def codes(error: ValidationFailed) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in error.fields.items()}


def test_person_create_reads_birth_date_and_sex_from_the_iin(specialist):
    iin = next_iin()
    person = services.person_create(actor=specialist, iin=f" {iin} ", data=data())
    assert person.iin == iin
    assert str(person.birth_date) == "1990-05-17"
    assert person.sex == "male"
    assert person.search_name == "ахметова айгерим сериковна"
    assert list(person.phones.values_list("number", "is_primary")) == [("+77012345678", True)]


@pytest.mark.parametrize(
    ("iin", "code"),
    [
        ("12345", "iin_length"),
        ("85010130012a", "iin_digits"),
        ("851301300123", "iin_date"),
        ("850101900123", "iin_century"),
    ],
)
def test_person_create_names_the_iin_rule_broken(specialist, iin, code):
    with pytest.raises(ValidationFailed) as caught:
        services.person_create(actor=specialist, iin=iin, data=data())
    assert codes(caught.value) == {"iin": [code]}
    assert Person.objects.count() == 0


def test_person_create_wrong_check_digit(specialist):
    valid = next_iin()
    wrong = valid[:11] + str((int(valid[11]) + 1) % 10)
    with pytest.raises(ValidationFailed) as caught:
        services.person_create(actor=specialist, iin=wrong, data=data())
    assert codes(caught.value) == {"iin": ["iin_check_digit"]}


def test_person_create_reports_every_bad_field_at_once_and_writes_nothing(specialist):
    audit_entries = LogEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.person_create(
            actor=specialist,
            iin="123",
            data=data(last_name=" ", phone="12", address_kato_code="999999999"),
        )
    assert codes(caught.value) == {
        "iin": ["iin_length"],
        "last_name": ["required"],
        "address_kato_code": ["kato_unknown"],
        "phone": ["phone_invalid"],
    }
    assert Person.objects.count() == 0
    assert PersonPhone.objects.count() == 0
    assert LogEntry.objects.count() == audit_entries


def test_person_create_refuses_a_locality_of_another_region(specialist):
    foreign = KatoUnit.objects.filter(region__kato_code=AKMOLA).first()
    with pytest.raises(ValidationFailed) as caught:
        services.person_create(
            actor=specialist, iin=next_iin(), data=data(address_kato_code=foreign.code)
        )
    assert codes(caught.value) == {"address_kato_code": ["kato_other_region"]}


def test_person_create_refuses_another_region(specialist):
    with pytest.raises(ValidationFailed) as caught:
        services.person_create(
            actor=specialist, iin=next_iin(), data=data(region_id=region(AKMOLA).pk)
        )
    assert codes(caught.value) == {"region": ["region_forbidden"]}
    assert Person.objects.count() == 0


def test_person_create_refuses_a_second_person_with_the_same_iin(specialist):
    person = PersonFactory()
    with pytest.raises(ValidationFailed) as caught:
        services.person_create(actor=specialist, iin=person.iin, data=data())
    assert codes(caught.value) == {"iin": ["iin_taken"]}
    assert Person.objects.count() == 1


def test_person_update_changes_facts_but_not_the_iin(specialist):
    person = PersonFactory()
    iin = person.iin
    updated = services.person_update(
        actor=specialist,
        person_id=person.pk,
        data=data(last_name="Ахметова-Ким", phone="+7 (747) 111-22-33"),
    )
    assert updated.iin == iin
    assert updated.last_name == "Ахметова-Ким"
    assert updated.search_name == "ахметова-ким айгерим сериковна"
    assert list(updated.phones.values_list("number", flat=True)) == ["+77471112233"]


def test_person_update_of_another_regions_person_is_not_found(specialist):
    other = PersonFactory(region=region(AKMOLA))
    with pytest.raises(NotFound):
        services.person_update(actor=specialist, person_id=other.pk, data=data())
    other.refresh_from_db()
    assert other.last_name.startswith("Иванов")


def test_leb_specialist_reads_but_cannot_change(db):
    leb = user_with_role(Role.LEB_SPECIALIST)
    person = PersonFactory()
    with pytest.raises(ApplicationError) as caught:
        services.person_update(actor=leb, person_id=person.pk, data=data())
    assert caught.value.code == "registry_read_only"
    assert caught.value.http_status == 403


def test_audit_log_masks_the_iin(specialist):
    iin = next_iin()
    person = services.person_create(actor=specialist, iin=iin, data=data())
    entry = LogEntry.objects.get_for_object(person).get()
    assert entry.changes_dict["iin"][1] == iin[:4] + "********"
    assert iin not in entry.object_repr
    assert iin not in str(entry.changes)
