from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.models import Membership, Organisation, User
from labormarket.core.testing import next_bin
from labormarket.reference.models import Region

PASSWORD = "Correct-horse-42"

#: Region codes used across tests: "home" and "other" regions.
KARAGANDA = "350000000"
AKMOLA = "110000000"

KIND_FOR_ROLE = {
    Role.CLERK: OrganisationKind.EMPLOYMENT_CENTRE,
    Role.SPECIALIST: OrganisationKind.EMPLOYMENT_CENTRE,
    Role.SECTOR_HEAD: OrganisationKind.EMPLOYMENT_CENTRE,
    Role.CENTRE_HEAD: OrganisationKind.EMPLOYMENT_CENTRE,
    Role.CLM_SPECIALIST: OrganisationKind.LABOUR_MOBILITY_CENTRE,
    Role.CLM_HEAD: OrganisationKind.LABOUR_MOBILITY_CENTRE,
    Role.LEB_SPECIALIST: OrganisationKind.LOCAL_EXECUTIVE_BODY,
    Role.LEB_HEAD: OrganisationKind.LOCAL_EXECUTIVE_BODY,
    Role.WDC_ANALYST: OrganisationKind.WORKFORCE_DEVELOPMENT_CENTER,
    Role.MINISTRY_ANALYST: OrganisationKind.MINISTRY,
    Role.PEA_MANAGER: OrganisationKind.PRIVATE_EMPLOYMENT_AGENCY,
    Role.EMPLOYER_MANAGER: OrganisationKind.EMPLOYER,
    Role.ADMINISTRATOR: OrganisationKind.WORKFORCE_DEVELOPMENT_CENTER,
}


def region(code: str = KARAGANDA) -> Region:
    return Region.objects.get(kato_code=code)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.EMPLOYMENT_CENTRE
    name = factory.Sequence(lambda n: f"Организация {n}")
    bin = factory.LazyFunction(next_bin)
    region = factory.LazyFunction(region)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "Сейткали"
    first_name = factory.Sequence(lambda n: f"Имя{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


def user_with_role(
    role: str,
    *,
    region_code: str = KARAGANDA,
    organisation: Organisation | None = None,
    **kw: object,
) -> User:
    """A user holding ``role`` in an organisation of the right kind in the region."""
    user = UserFactory(**kw)
    if role == Role.CITIZEN:
        from labormarket.registry.tests.factories import PersonFactory

        PersonFactory(
            user=user,
            region=region(region_code),
            last_name=user.last_name,
            first_name=user.first_name,
            middle_name="",
        )
        return user
    if organisation is None:
        organisation = OrganisationFactory(kind=KIND_FOR_ROLE[role], region=region(region_code))
    Membership.objects.create(user=user, organisation=organisation, role=role)
    if role == Role.ADMINISTRATOR:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user
