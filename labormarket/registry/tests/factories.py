from __future__ import annotations

from datetime import date

import factory
from factory.django import DjangoModelFactory

from labormarket.accounts.tests.factories import region
from labormarket.core.iin import parse_iin
from labormarket.core.testing import next_iin
from labormarket.registry.models import Person
from labormarket.registry.services import search_name_of


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        born = date(1990, 5, 17)
        male = True

    iin = factory.LazyAttribute(lambda o: next_iin(o.born, "male" if o.male else "female"))
    last_name = factory.Sequence(lambda n: f"Иванов{n}")
    first_name = "Айдар"
    middle_name = "Серикович"
    search_name = factory.LazyAttribute(
        lambda o: search_name_of(o.last_name, o.first_name, o.middle_name)
    )
    birth_date = factory.LazyAttribute(lambda o: parse_iin(o.iin).birth_date)
    sex = factory.LazyAttribute(lambda o: parse_iin(o.iin).sex)
    region = factory.LazyFunction(region)
