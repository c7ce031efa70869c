"""Demo data for a fresh installation: organisations, one user per role and a few hundred persons.

``seed_demo()`` is idempotent. Everything is keyed by a natural key (BIN, username, IIN) and is
written only when missing or different, so a second run creates nothing and changes nothing
(no ``updated_at`` moves, no audit entries). All randomness comes from ``random.Random(SEED)``
and all dates from :data:`REFERENCE_DATE`, so every run, on any day, plans the same data; the
first ``N`` persons are the same whatever ``--persons`` is.

Persons are registered through :mod:`labormarket.registry.services` (so consents, labour status
changes and personal record cards are the real thing, recorded by the region's specialist);
education and work history, for which there is no service, are bulk-inserted.

Demo e-mail addresses use the reserved ``.example`` domains so that nothing is ever sent to a
real mailbox.
"""

from __future__ import annotations

import os
import random
import secrets
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models, transaction
from django.utils.translation import override

from labormarket.core.bin import generate_bin
from labormarket.core.iin import Sex, generate_iin
from labormarket.reference.models import (
    DisabilityGroup,
    EducationLevel,
    KatoUnit,
    Occupation,
    Region,
)
from labormarket.registry.choices import (
    ConsentEvidence,
    ConsentPurpose,
    DeregistrationReason,
    FamilyRelation,
)
from labormarket.registry.models import (
    Consent,
    EducationRecord,
    FamilyLink,
    LabourStatusChange,
    Person,
    PersonalRecordCard,
    WorkHistoryEntry,
)
from labormarket.registry.services import (
    PersonData,
    family_link_add,
    person_create,
    person_deregister,
    person_register_job_seeker,
    person_register_unemployed,
)

from .choices import OrganisationKind as Kind
from .choices import Role
from .models import Membership, Organisation, User

SEED = 2026
#: Ages, graduation years and job dates are counted from this fixed day, not from today.
REFERENCE_DATE = date(2026, 1, 1)
DEFAULT_PERSONS = 500
MAX_PERSONS = 5000
PASSWORD_FILE_NAME = "demo_password.txt"  # noqa: S105 - a file name, not a password

KARAGANDA = "350000000"
AKMOLA = "110000000"
ASTANA = "710000000"
REGION_CODES = (KARAGANDA, AKMOLA, ASTANA)


class DemoDataError(RuntimeError):
    """The demo data cannot be loaded (e.g. the reference data is missing)."""


# --- Organisations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationSpec:
    """One demo organisation; its BIN comes from ``registered_on`` and ``serial``."""

    key: str
    kind: str
    name: str
    short_name: str
    region: str
    address: str
    phone: str
    email: str
    registered_on: date
    serial: int
    parent: str = ""
    division: int = 0
    industry: str = ""


def _body(
    key: str,
    kind: str,
    name: str,
    short_name: str,
    region: str,
    address: str,
    phone: str,
    mailbox: str,
    registered: tuple[int, int, int],
    *,
    parent: str = "",
) -> OrganisationSpec:
    """A state body; a career centre is a division (BIN division digit 1) of its parent."""
    return OrganisationSpec(
        key=key,
        kind=kind,
        name=name,
        short_name=short_name,
        region=region,
        address=address,
        phone=phone,
        email=mailbox if "@" in mailbox else f"{mailbox}@gov.example",
        registered_on=date(*registered[:2], 1),
        serial=registered[2],
        parent=parent,
        division=1 if parent else 0,
    )


ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    # Karaganda region
    _body("kar.ec", Kind.EMPLOYMENT_CENTRE, "КГУ «Центр занятости населения города Караганды»",
          "ЦЗН г. Караганды", KARAGANDA, "г. Караганда, ул. Ерубаева, 50", "+77212412345",
          "czn.karaganda", (2002, 3, 1204)),
    _body("kar.cc1", Kind.CAREER_CENTRE, "Карьерный центр района Казыбек би",
          "КЦ района Казыбек би", KARAGANDA, "г. Караганда, пр. Бухар-Жырау, 47", "+77212415560",
          "kc.kazybekbi", (2002, 3, 1205), parent="kar.ec"),
    _body("kar.cc2", Kind.CAREER_CENTRE, "Карьерный центр района Әлихан Бөкейхан",
          "КЦ района Әлихан Бөкейхан", KARAGANDA, "г. Караганда, ул. Муканова, 1/2",
          "+77212437781", "kc.bokeikhan", (2002, 3, 1206), parent="kar.ec"),
    _body("kar.clm", Kind.LABOUR_MOBILITY_CENTRE,
          "КГУ «Центр трудовой мобильности» Карагандинской области", "ЦТМ Карагандинской области",
          KARAGANDA, "г. Караганда, ул. Алиханова, 13", "+77212568020", "ctm.karaganda",
          (2017, 2, 3310)),
    _body("kar.leb", Kind.LOCAL_EXECUTIVE_BODY,
          "ГУ «Управление занятости и социальных программ Карагандинской области»",
          "УЗСП Карагандинской области", KARAGANDA, "г. Караганда, ул. Абдирова, 30",
          "+77212563312", "uzsp.karaganda", (1999, 7, 802)),
    # Akmola region
    _body("akm.ec", Kind.EMPLOYMENT_CENTRE, "КГУ «Центр занятости населения Акмолинской области»",
          "ЦЗН Акмолинской области", AKMOLA, "г. Кокшетау, ул. Абая, 89", "+77162251234",
          "czn.akmola", (2002, 5, 2210)),
    _body("akm.cc1", Kind.CAREER_CENTRE, "Карьерный центр города Кокшетау", "КЦ г. Кокшетау",
          AKMOLA, "г. Кокшетау, ул. Ауэльбекова, 139", "+77162254410", "kc.kokshetau",
          (2002, 5, 2211), parent="akm.ec"),
    _body("akm.cc2", Kind.CAREER_CENTRE, "Карьерный центр Целиноградского района",
          "КЦ Целиноградского района", AKMOLA, "Целиноградский район, с. Акмол, ул. Гагарина, 17",
          "+77165131207", "kc.tselinograd", (2002, 5, 2212), parent="akm.ec"),
    _body("akm.clm", Kind.LABOUR_MOBILITY_CENTRE,
          "КГУ «Центр трудовой мобильности» Акмолинской области", "ЦТМ Акмолинской области",
          AKMOLA, "г. Кокшетау, ул. Горького, 21", "+77162297705", "ctm.akmola", (2017, 3, 3411)),
    _body("akm.leb", Kind.LOCAL_EXECUTIVE_BODY,
          "ГУ «Управление координации занятости и социальных программ Акмолинской области»",
          "УКЗСП Акмолинской области", AKMOLA, "г. Кокшетау, ул. Абая, 83", "+77162293460",
          "ukzsp.akmola", (1999, 9, 915)),
    # Astana
    _body("ast.ec", Kind.EMPLOYMENT_CENTRE, "ГУ «Центр занятости населения города Астаны»",
          "ЦЗН г. Астаны", ASTANA, "г. Астана, ул. Бейбитшилик, 11", "+77172741234", "czn.astana",
          (2003, 2, 3105)),
    _body("ast.cc1", Kind.CAREER_CENTRE, "Карьерный центр района Есиль", "КЦ района Есиль",
          ASTANA, "г. Астана, ул. Сыганак, 10", "+77172557302", "kc.esil", (2003, 2, 3106),
          parent="ast.ec"),
    _body("ast.cc2", Kind.CAREER_CENTRE, "Карьерный центр района Сарыарка", "КЦ района Сарыарка",
          ASTANA, "г. Астана, пр. Сарыарка, 31", "+77172393318", "kc.saryarka", (2003, 2, 3107),
          parent="ast.ec"),
    _body("ast.clm", Kind.LABOUR_MOBILITY_CENTRE, "ГУ «Центр трудовой мобильности города Астаны»",
          "ЦТМ г. Астаны", ASTANA, "г. Астана, пр. Республики, 60", "+77172552290",
          "ctm.astana", (2017, 4, 3512)),
    _body("ast.leb", Kind.LOCAL_EXECUTIVE_BODY,
          "ГУ «Управление занятости и социальной защиты города Астаны»", "УЗСЗ г. Астаны", ASTANA,
          "г. Астана, пр. Бауыржана Момышулы, 12", "+77172556677", "uzsz.astana", (1998, 6, 640)),
    # National bodies (both in Astana)
    _body("wdc", Kind.WORKFORCE_DEVELOPMENT_CENTER, "АО «Центр развития трудовых ресурсов»",
          "ЦРТР", ASTANA, "г. Астана, ул. Иманова, 19, 5 этаж", "+77172689100",
          "info@crtr.example", (2008, 10, 5021)),
    _body("ministry", Kind.MINISTRY,
          "Министерство труда и социальной защиты населения Республики Казахстан", "МТСЗН РК",
          ASTANA, "г. Астана, пр. Мәңгілік Ел, 8, Дом министерств, подъезд 2", "+77172743600",
          "kense@enbek.gov.example", (1998, 1, 107)),
    # Private employment agencies
    _body("pea1", Kind.PRIVATE_EMPLOYMENT_AGENCY, "ТОО «Сарыарка Персонал»", "Сарыарка Персонал",
          KARAGANDA, "г. Караганда, пр. Нуркена Абдирова, 15, офис 204", "+77212503117",
          "info@saryarka-personal.example", (2016, 8, 14027)),
    _body("pea2", Kind.PRIVATE_EMPLOYMENT_AGENCY, "ТОО «Көкше Кадр»", "Көкше Кадр", AKMOLA,
          "г. Кокшетау, ул. Абая, 112, офис 5", "+77162401290", "info@kokshe-kadr.example",
          (2018, 4, 7713)),
    _body("pea3", Kind.PRIVATE_EMPLOYMENT_AGENCY, "ТОО «Astana HR Partners»",
          "Astana HR Partners", ASTANA, "г. Астана, пр. Мәңгілік Ел, 24, офис 610",
          "+77172972415", "office@astana-hr.example", (2019, 11, 22590)),
)  # fmt: skip


def _employer(
    number: int,
    name: str,
    short_name: str,
    region: str,
    industry: str,
    address: str,
    phone: str,
    slug: str,
    registered_on: date,
) -> OrganisationSpec:
    return OrganisationSpec(
        key=f"employer{number}",
        kind=Kind.EMPLOYER,
        name=name,
        short_name=short_name,
        region=region,
        address=address,
        phone=phone,
        email=f"hr@{slug}.example",
        registered_on=registered_on,
        serial=30000 + 137 * number,
        industry=industry,
    )


EMPLOYERS: tuple[OrganisationSpec, ...] = (
    _employer(1, "ТОО «Шахтинск Көмір»", "Шахтинск Көмір", KARAGANDA, "mining",
              "г. Шахтинск, ул. Парковая, 2", "+77215631420", "shakhtinsk-komir", date(2006, 4, 1)),
    _employer(2, "ТОО «Теміртау Металл Сервис»", "Теміртау Металл Сервис", KARAGANDA,
              "metallurgy", "г. Темиртау, пр. Республики, 1", "+77213935511",
              "temirtau-metall", date(2009, 9, 1)),
    _employer(3, "ТОО «Сарыарка Құрылыс»", "Сарыарка Құрылыс", KARAGANDA, "construction",
              "г. Караганда, ул. Складская, 4", "+77212905530", "saryarka-kurylys",
              date(2011, 2, 1)),
    _employer(4, "ТОО «Караганда Нан»", "Караганда Нан", KARAGANDA, "food",
              "г. Караганда, ул. Защитная, 19", "+77212477218", "karaganda-nan", date(2004, 6, 1)),
    _employer(5, "АО «Карагандаэнергосервис»", "Карагандаэнергосервис", KARAGANDA, "energy",
              "г. Караганда, ул. Бытовая, 28", "+77212934400", "karenergoservice",
              date(2001, 12, 1)),
    _employer(6, "ТОО «Балқаш Логистик»", "Балқаш Логистик", KARAGANDA, "logistics",
              "г. Балхаш, ул. Ленина, 6", "+77103642271", "balkash-logistic", date(2014, 7, 1)),
    _employer(7, "ТОО «Денсаулық Плюс»", "Денсаулық Плюс", KARAGANDA, "health",
              "г. Караганда, ул. Гоголя, 40", "+77212510203", "densaulyk-plus", date(2012, 10, 1)),
    _employer(8, "ТОО «Орталық Маркет»", "Орталық Маркет", KARAGANDA, "retail",
              "г. Караганда, пр. Строителей, 25", "+77212318807", "ortalyk-market",
              date(2015, 3, 1)),
    _employer(9, "ТОО «Көкше Агро»", "Көкше Агро", AKMOLA, "agriculture",
              "г. Кокшетау, Северная промзона, 3", "+77162316640", "kokshe-agro", date(2007, 1, 1)),
    _employer(10, "ТОО «Атбасар Элеватор Сервис»", "Атбасар Элеватор Сервис", AKMOLA,
              "agriculture", "г. Атбасар, ул. Вокзальная, 12", "+77163741108",
              "atbasar-elevator", date(2010, 8, 1)),
    _employer(11, "ТОО «Көкше Сүт»", "Көкше Сүт", AKMOLA, "food",
              "г. Кокшетау, ул. Ташенова, 60", "+77162264472", "kokshe-sut", date(2013, 5, 1)),
    _employer(12, "ТОО «Бурабай Курорт Сервис»", "Бурабай Курорт Сервис", AKMOLA, "services",
              "Бурабайский район, пос. Бурабай, ул. Кенесары, 3", "+77163671125",
              "burabay-resort", date(2016, 6, 1)),
    _employer(13, "ТОО «Степногорский горно-химический сервис»", "СГХС", AKMOLA, "mining",
              "г. Степногорск, 4-й микрорайон, 1", "+77164553390", "stepnogorsk-ghs",
              date(2008, 11, 1)),
    _employer(14, "ТОО «Көкшетау Жол Құрылыс»", "Көкшетау Жол Құрылыс", AKMOLA, "construction",
              "г. Кокшетау, ул. Юбилейная, 41", "+77162508834", "kokshetau-zhol",
              date(2017, 4, 1)),
    _employer(15, "ТОО «Astana Digital Solutions»", "Astana Digital Solutions", ASTANA, "it",
              "г. Астана, ул. Сыганак, 17/10", "+77172696620", "astana-digital",
              date(2019, 2, 1)),
    _employer(16, "ТОО «Есіл Құрылыс Инвест»", "Есіл Құрылыс Инвест", ASTANA, "construction",
              "г. Астана, ул. Кенесары, 40", "+77172405577", "esil-kurylys", date(2012, 9, 1)),
    _employer(17, "ТОО «Сарыарка Транс Логистик»", "Сарыарка Транс Логистик", ASTANA,
              "logistics", "г. Астана, ул. Жангельдина, 33", "+77172254419", "saryarka-trans",
              date(2014, 12, 1)),
    _employer(18, "ТОО «Астана Клининг Сервис»", "Астана Клининг Сервис", ASTANA, "services",
              "г. Астана, пр. Абая, 92", "+77172321146", "astana-cleaning", date(2018, 3, 1)),
    _employer(19, "АО «Столичный торговый дом»", "Столичный торговый дом", ASTANA, "retail",
              "г. Астана, пр. Туран, 37", "+77172797012", "stolichny-td", date(2005, 7, 1)),
    _employer(20, "ТОО «Нұр Медикал»", "Нұр Медикал", ASTANA, "health",
              "г. Астана, ул. Достык, 5", "+77172640385", "nur-medical", date(2016, 1, 1)),
)  # fmt: skip

ALL_ORGANISATIONS: tuple[OrganisationSpec, ...] = ORGANISATIONS + EMPLOYERS


def organisation_bin(spec: OrganisationSpec) -> str:
    """The spec's BIN: the first serial from ``spec.serial`` on that has a check digit."""
    serial = spec.serial
    while True:
        value = generate_bin(spec.registered_on, serial, division_digit=spec.division)
        if value is not None:
            return value
        serial += 1


# --- Users ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserSpec:
    """One demo login. ``organisation`` is an organisation key; empty for the citizen."""

    username: str
    role: str
    organisation: str
    last_name: str
    first_name: str
    middle_name: str
    sex: Sex
    birth_date: date


USERS: tuple[UserSpec, ...] = (
    UserSpec("kar.clerk", Role.CLERK, "kar.ec", "Абенова", "Айгерим", "Нурлановна", "female",
             date(1996, 4, 12)),
    UserSpec("kar.specialist", Role.SPECIALIST, "kar.ec", "Искаков", "Даурен", "Маратович",
             "male", date(1988, 9, 3)),
    UserSpec("kar.sector_head", Role.SECTOR_HEAD, "kar.ec", "Ким", "Елена", "Викторовна",
             "female", date(1981, 1, 27)),
    UserSpec("kar.head", Role.CENTRE_HEAD, "kar.ec", "Жакупов", "Серик", "Болатович", "male",
             date(1972, 6, 18)),
    UserSpec("kar.cc.specialist", Role.SPECIALIST, "kar.cc1", "Петренко", "Ольга", "Сергеевна",
             "female", date(1990, 11, 5)),
    UserSpec("kar.clm_specialist", Role.CLM_SPECIALIST, "kar.clm", "Нуржанова", "Динара",
             "Ериковна", "female", date(1993, 2, 9)),
    UserSpec("kar.clm_head", Role.CLM_HEAD, "kar.clm", "Садыков", "Асхат", "Кайратович", "male",
             date(1979, 8, 30)),
    UserSpec("kar.leb_specialist", Role.LEB_SPECIALIST, "kar.leb", "Смирнова", "Татьяна",
             "Александровна", "female", date(1985, 3, 14)),
    UserSpec("kar.leb_head", Role.LEB_HEAD, "kar.leb", "Оспанов", "Бауыржан", "Ерланұлы", "male",
             date(1976, 12, 1)),
    UserSpec("akm.specialist", Role.SPECIALIST, "akm.ec", "Кусаинова", "Гульнара",
             "Темирбековна", "female", date(1987, 7, 22)),
    UserSpec("akm.sector_head", Role.SECTOR_HEAD, "akm.ec", "Бекова", "Алия", "Маратовна",
             "female", date(1984, 5, 21)),
    UserSpec("akm.head", Role.CENTRE_HEAD, "akm.ec", "Волков", "Андрей", "Николаевич", "male",
             date(1970, 10, 10)),
    UserSpec("ast.specialist", Role.SPECIALIST, "ast.ec", "Ахметова", "Жанар", "Ержановна",
             "female", date(1991, 5, 19)),
    UserSpec("ast.head", Role.CENTRE_HEAD, "ast.ec", "Тулегенов", "Нурлан", "Абаевич", "male",
             date(1975, 4, 4)),
    UserSpec("wdc.analyst", Role.WDC_ANALYST, "wdc", "Омарова", "Асель", "Сериковна", "female",
             date(1992, 8, 8)),
    UserSpec("admin", Role.ADMINISTRATOR, "wdc", "Ермеков", "Тимур", "Русланович", "male",
             date(1986, 2, 2)),
    UserSpec("ministry.analyst", Role.MINISTRY_ANALYST, "ministry", "Байжанова", "Мадина",
             "Кайратовна", "female", date(1989, 12, 24)),
    UserSpec("pea1.manager", Role.PEA_MANAGER, "pea1", "Шевченко", "Игорь", "Петрович", "male",
             date(1983, 6, 6)),
    UserSpec("pea2.manager", Role.PEA_MANAGER, "pea2", "Калиева", "Сауле", "Жумабековна",
             "female", date(1980, 9, 15)),
    UserSpec("pea3.manager", Role.PEA_MANAGER, "pea3", "Мусин", "Арман", "Ерболович", "male",
             date(1994, 1, 20)),
    UserSpec("employer1.manager", Role.EMPLOYER_MANAGER, "employer1", "Лебедева", "Наталья",
             "Игоревна", "female", date(1984, 10, 2)),
    UserSpec("employer9.manager", Role.EMPLOYER_MANAGER, "employer9", "Сатыбалдин", "Ержан",
             "Муратович", "male", date(1978, 5, 28)),
    UserSpec("employer15.manager", Role.EMPLOYER_MANAGER, "employer15", "Рахимова", "Алия",
             "Даулетовна", "female", date(1995, 3, 3)),
    UserSpec("citizen", Role.CITIZEN, "", "Жумабаев", "Ерлан", "Серикович", "male",
             date(1991, 3, 14)),
)  # fmt: skip

#: IIN serials: staff 8000+, the citizen's 9001, generated persons 3000-7999.
STAFF_IIN_SERIAL = 8000
CITIZEN_IIN_SERIAL = 9001
PERSON_IIN_SERIALS = (3000, 8000)


def _iin(birth_date: date, sex: Sex, serial: int, used: set[str], stop: int = 10_000) -> str:
    """The first IIN from ``serial`` on that exists and is not in ``used`` (which it joins)."""
    start, low = serial, serial
    while True:
        value = generate_iin(birth_date, sex, serial)
        if value is not None and value not in used:
            used.add(value)
            return value
        serial += 1
        if serial >= stop:
            serial = low
        if serial == start:
            raise DemoDataError("no free IIN serial left")


def user_iins() -> dict[str, str]:
    """The IIN of every demo user, by username (the citizen's is their person's)."""
    used: set[str] = set()
    result = {}
    for number, spec in enumerate(USERS):
        serial = CITIZEN_IIN_SERIAL if spec.role == Role.CITIZEN else STAFF_IIN_SERIAL + number
        result[spec.username] = _iin(spec.birth_date, spec.sex, serial, used)
    return result


# --- Names, places, careers -------------------------------------------------------------------

KAZAKH_MALE_NAMES = (
    "Серик", "Ерлан", "Нурлан", "Марат", "Болат", "Асхат", "Ержан", "Даурен", "Бауыржан",
    "Айдар", "Арман", "Алибек", "Данияр", "Ерболат", "Жандос", "Канат", "Мурат", "Нуржан",
    "Руслан", "Тимур", "Санжар", "Азамат", "Темирлан", "Ерасыл", "Талгат", "Кайрат", "Берик",
    "Жанибек", "Бекзат", "Максат", "Габит", "Кенжебек", "Амангельды", "Ермек", "Дархан",
    "Аскар", "Абай", "Медет", "Олжас", "Мирас",
)  # fmt: skip
KAZAKH_FEMALE_NAMES = (
    "Айгуль", "Гульнара", "Динара", "Жанар", "Асель", "Айгерим", "Мадина", "Алия", "Сауле",
    "Карлыгаш", "Назерке", "Дана", "Жансая", "Айжан", "Салтанат", "Гульмира", "Ботагоз",
    "Меруерт", "Индира", "Камила", "Акмарал", "Балжан", "Дильназ", "Томирис", "Асем", "Аружан",
    "Жазира", "Эльмира", "Роза", "Айнур",
)  # fmt: skip
KAZAKH_SURNAMES = (
    "Ахметов", "Сериков", "Жумабаев", "Нурланов", "Касымов", "Абенов", "Тулегенов", "Мусин",
    "Бекетов", "Омаров", "Искаков", "Утебаев", "Калиев", "Садыков", "Есенов", "Жакупов",
    "Байжанов", "Кенжебаев", "Амиров", "Смагулов", "Муканов", "Ибраев", "Ермеков",
    "Абдрахманов", "Нуржанов", "Оспанов", "Рахимов", "Сатыбалдин", "Шайхин", "Кусаинов",
    "Ахметжанов", "Бейсенов", "Дюсенов", "Жунусов", "Исабеков", "Каримов", "Мухамеджанов",
    "Сулейменов", "Токтаров", "Баймуханов",
)  # fmt: skip
#: Russian first names with the patronymics they give (male, female).
RUSSIAN_MALE_NAMES = {
    "Александр": ("Александрович", "Александровна"),
    "Сергей": ("Сергеевич", "Сергеевна"),
    "Андрей": ("Андреевич", "Андреевна"),
    "Алексей": ("Алексеевич", "Алексеевна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Владимир": ("Владимирович", "Владимировна"),
    "Николай": ("Николаевич", "Николаевна"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Юрий": ("Юрьевич", "Юрьевна"),
    "Виктор": ("Викторович", "Викторовна"),
    "Евгений": ("Евгеньевич", "Евгеньевна"),
    "Олег": ("Олегович", "Олеговна"),
    "Игорь": ("Игоревич", "Игоревна"),
    "Павел": ("Павлович", "Павловна"),
    "Константин": ("Константинович", "Константиновна"),
    "Максим": ("Максимович", "Максимовна"),
    "Артём": ("Артёмович", "Артёмовна"),
    "Денис": ("Денисович", "Денисовна"),
    "Иван": ("Иванович", "Ивановна"),
    "Виталий": ("Витальевич", "Витальевна"),
    "Роман": ("Романович", "Романовна"),
    "Вячеслав": ("Вячеславович", "Вячеславовна"),
}
RUSSIAN_FEMALE_NAMES = (
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Марина", "Юлия",
    "Екатерина", "Оксана", "Людмила", "Галина", "Валентина", "Анастасия", "Виктория",
    "Кристина", "Дарья", "Ксения", "Надежда",
)  # fmt: skip
RUSSIAN_SURNAMES = (
    "Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Шмидт", "Вебер", "Ким",
    "Пак", "Тен", "Белоусов", "Гончаров", "Сидоренко", "Кравченко", "Журавлёв", "Колесников",
)  # fmt: skip

MOBILE_PREFIXES = (
    "700",
    "701",
    "702",
    "705",
    "707",
    "708",
    "747",
    "771",
    "775",
    "776",
    "777",
    "778",
)

_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"
_LATIN = (
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r",
    "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "a", "g",
    "k", "n", "o", "u", "u", "h", "i",
)  # fmt: skip
_TRANSLIT = dict(zip(_CYRILLIC, _LATIN, strict=True))


def female_surname(surname: str) -> str:
    """The female form of a Russian-pattern surname (Ахметов → Ахметова); others stay."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    return surname


def patronymic(father: str, sex: Sex, *, kazakh: bool, kazakh_style: bool = False) -> str:
    """Серикович/Сериковна, or in the Kazakh style Серикұлы/Серикқызы."""
    male = sex == "male"
    if father in RUSSIAN_MALE_NAMES:
        return RUSSIAN_MALE_NAMES[father][0 if male else 1]
    if kazakh and kazakh_style:
        return father + ("ұлы" if male else "қызы")
    base = father[:-1] + "ев" if father.endswith("й") else father + "ов"
    return base + ("ич" if male else "на")


def transliterate(text: str) -> str:
    return "".join(_TRANSLIT.get(char, char) for char in text.lower())


@dataclass(frozen=True)
class RegionProfile:
    """How the demo population of a region looks."""

    code: str
    prefix: str
    share: int
    kazakh_share: float
    centre_kato: str
    city: str
    streets: tuple[str, ...]
    universities: tuple[str, ...]
    colleges: tuple[str, ...]
    career_weights: dict[str, float] = field(default_factory=dict)


REGION_PROFILES: dict[str, RegionProfile] = {
    KARAGANDA: RegionProfile(
        code=KARAGANDA,
        prefix="kar",
        share=45,
        kazakh_share=0.55,
        centre_kato="351000000",
        city="г. Караганда",
        streets=(
            "пр. Бухар-Жырау",
            "ул. Ерубаева",
            "пр. Нуркена Абдирова",
            "ул. Гоголя",
            "ул. Алиханова",
            "пр. Строителей",
            "ул. Ермекова",
            "ул. Жамбыла",
            "пр. Республики",
            "ул. Язева",
            "ул. Муканова",
            "ул. Гапеева",
        ),
        universities=(
            "Карагандинский университет имени академика Е. А. Букетова",
            "Карагандинский технический университет имени Абылкаса Сагинова",
            "Медицинский университет Караганды",
            "Карагандинский университет Казпотребсоюза",
        ),
        colleges=(
            "Карагандинский высший политехнический колледж",
            "Карагандинский строительный колледж",
            "Темиртауский высший политехнический колледж",
            "Карагандинский колледж технологии и сервиса",
            "Карагандинский высший медицинский колледж",
        ),
        career_weights={"mining": 3, "metallurgy": 3, "agriculture": 0.5, "it": 0.5},
    ),
    AKMOLA: RegionProfile(
        code=AKMOLA,
        prefix="akm",
        share=25,
        kazakh_share=0.5,
        centre_kato="111000000",
        city="г. Кокшетау",
        streets=(
            "ул. Абая",
            "ул. Ауэльбекова",
            "ул. Горького",
            "ул. Акана серэ",
            "ул. Сатпаева",
            "ул. Баймуканова",
            "ул. Кенесары",
            "мкр. Васильковский",
        ),
        universities=(
            "Кокшетауский университет имени Шокана Уалиханова",
            "Кокшетауский университет имени Абая Мырзахметова",
            "Казахский агротехнический исследовательский университет имени С. Сейфуллина",
        ),
        colleges=(
            "Кокшетауский высший медицинский колледж",
            "Кокшетауский политехнический колледж",
            "Щучинский многопрофильный колледж",
            "Атбасарский аграрно-технический колледж",
        ),
        career_weights={"agriculture": 3, "metallurgy": 0.2, "it": 0.3},
    ),
    ASTANA: RegionProfile(
        code=ASTANA,
        prefix="ast",
        share=30,
        kazakh_share=0.8,
        centre_kato="",
        city="г. Астана",
        streets=(
            "пр. Кабанбай батыра",
            "ул. Сыганак",
            "пр. Туран",
            "ул. Кенесары",
            "пр. Республики",
            "ул. Иманова",
            "пр. Сарыарка",
            "ул. Бейбитшилик",
            "ул. Достык",
            "пр. Абая",
            "ул. Сарайшык",
            "пр. Мәңгілік Ел",
            "ул. Алихана Бокейханова",
        ),
        universities=(
            "Евразийский национальный университет имени Л. Н. Гумилёва",
            "Казахский агротехнический исследовательский университет имени С. Сейфуллина",
            "Медицинский университет Астана",
            "Astana IT University",
        ),
        colleges=(
            "Высший колледж «Astana Polytechnic»",
            "Медицинский колледж города Астаны",
            "Колледж сервиса и технологий города Астаны",
            "Строительно-технический колледж города Астаны",
        ),
        career_weights={"it": 3, "mining": 0.1, "metallurgy": 0.1, "agriculture": 0.2},
    ),
}

VILLAGE_STREETS = (
    "ул. Центральная", "ул. Школьная", "ул. Мира", "ул. Степная", "ул. Абая", "ул. Молодёжная",
    "ул. Садовая", "ул. Жамбыла", "ул. Достык", "ул. Тауелсиздик",
)  # fmt: skip


@dataclass(frozen=True)
class Career:
    """A typical path: education level and speciality, the jobs it leads to (NKZ unit group
    code, position) and the industries that employ it."""

    key: str
    level: str  # "school", "tvet" or "higher"
    speciality: str
    jobs: tuple[tuple[str, str], ...]
    industries: tuple[str, ...]
    weight: float
    sector: str = ""


CAREERS: tuple[Career, ...] = (
    Career("accounting", "higher", "Учёт и аудит",
           (("2411", "Бухгалтер"), ("3313", "Бухгалтер-кассир"), ("4311", "Учётчик")),
           ("any",), 8),
    Career("economics", "higher", "Экономика",
           (("2631", "Экономист"), ("4110", "Офис-менеджер"), ("3322", "Торговый представитель")),
           ("any",), 6),
    Career("it", "higher", "Информационные системы",
           (("2512", "Инженер-программист"), ("4222", "Оператор контакт-центра")),
           ("it", "services"), 4, "it"),
    Career("civil_engineering", "higher", "Строительство",
           (("2142", "Инженер-строитель"), ("3112", "Техник-строитель")),
           ("construction",), 4),
    Career("mining_engineering", "higher", "Горное дело",
           (("2146", "Горный инженер"), ("3121", "Горный мастер")),
           ("mining", "metallurgy"), 3, "mining"),
    Career("teaching_primary", "higher", "Педагогика и методика начального обучения",
           (("2341", "Учитель начальных классов"),), ("education",), 4),
    Career("teaching_maths", "higher", "Математика",
           (("2330", "Учитель математики"),), ("education",), 3),
    Career("social_work", "higher", "Социальная работа",
           (("2635", "Социальный работник"), ("2422", "Главный специалист")),
           ("public",), 2),
    Career("power", "tvet", "Электроснабжение",
           (("7411", "Электромонтёр"), ("7233", "Слесарь-ремонтник")),
           ("energy", "mining", "metallurgy", "agriculture"), 6),
    Career("welding", "tvet", "Сварочное дело",
           (("7212", "Электрогазосварщик"), ("7222", "Слесарь-инструментальщик")),
           ("metallurgy", "construction", "mining"), 5, "metallurgy"),
    Career("mining", "tvet", "Открытая и подземная разработка полезных ископаемых",
           (("8111", "Горнорабочий подземный"), ("8342", "Машинист экскаватора")),
           ("mining",), 4, "mining"),
    Career("metallurgy", "tvet", "Металлургия чёрных металлов",
           (("8121", "Оператор прокатного стана"), ("7233", "Слесарь-ремонтник")),
           ("metallurgy",), 3, "metallurgy"),
    Career("transport", "tvet", "Техническое обслуживание и ремонт автомобильного транспорта",
           (("7231", "Автослесарь"), ("8332", "Водитель грузового автомобиля"),
            ("8322", "Водитель")),
           ("logistics", "agriculture", "retail"), 6),
    Career("catering", "tvet", "Организация питания",
           (("5120", "Повар"), ("5131", "Официант"), ("7512", "Пекарь")),
           ("food", "services"), 5),
    Career("nursing", "tvet", "Сестринское дело",
           (("3221", "Медицинская сестра"), ("5321", "Младшая медицинская сестра по уходу")),
           ("health",), 5),
    Career("building_trades", "tvet", "Строительство и эксплуатация зданий и сооружений",
           (("7112", "Каменщик"), ("7115", "Плотник"), ("7126", "Сантехник")),
           ("construction",), 5),
    Career("farming", "tvet", "Механизация сельского хозяйства",
           (("8341", "Тракторист-машинист"), ("6111", "Овощевод"), ("9211", "Рабочий")),
           ("agriculture",), 4, "agriculture"),
    Career("trade", "tvet", "Организация обслуживания в сфере торговли",
           (("5223", "Продавец-консультант"), ("4321", "Кладовщик")),
           ("retail", "food"), 5),
    Career("unskilled", "school", "",
           (("5223", "Продавец"), ("9112", "Уборщик служебных помещений"),
            ("9333", "Грузчик"), ("5414", "Охранник"), ("9313", "Подсобный рабочий"),
            ("9329", "Разнорабочий")),
           ("any",), 10),
)  # fmt: skip

#: Employers that are not demo organisations (no BIN), by industry; {n} is a number.
OTHER_EMPLOYERS: dict[str, tuple[str, ...]] = {
    "education": ("КГУ «Общеобразовательная школа № {n}»", "КГУ «Школа-гимназия № {n}»"),
    "health": ("ГКП на ПХВ «Городская поликлиника № {n}»", "ГКП на ПХВ «Многопрофильная больница № {n}»"),
    "public": ("ГУ «Аппарат акима района»", "КГУ «Центр оказания специальных социальных услуг № {n}»"),
    "any": (
        "ТОО «Береке Трейд»", "ИП «Жұлдыз»", "ТОО «Алтын Дән»", "ТОО «Нұр Сервис»",
        "ИП «Мерей»", "ТОО «Тұлпар Транс»", "ТОО «Самал Строй»", "ТОО «Жасыл Ел Сервис»",
        "ИП «Айсулу»", "ТОО «Дала Агро»",
    ),
}  # fmt: skip

CONSENT_VERSION = "2025.1"
CONSENT_SCOPES = {
    ConsentPurpose.PERSONAL_DATA: "Сбор и обработка персональных данных для оказания услуг "
    "в сфере занятости (Закон РК «О персональных данных и их защите»)",
    ConsentPurpose.CV_PUBLICATION: "Размещение резюме на Электронной бирже труда",
    ConsentPurpose.OUTSOURCING: "Передача сведений частному агентству занятости в рамках "
    "аутсорсинга услуг в сфере занятости",
    ConsentPurpose.NOTIFICATIONS: "Уведомления по SMS и электронной почте",
}

STATUS_NONE = "none"
STATUS_JOB_SEEKER = "job_seeker"
STATUS_UNEMPLOYED = "unemployed"
STATUS_EMPLOYED = "deregistered_employed"
STATUS_CONTRIBUTIONS = "deregistered_pension_contributions"


@dataclass
class EducationPlan:
    level: str
    institution: str
    speciality: str
    graduation_year: int


@dataclass
class JobPlan:
    employer_name: str
    employer_bin: str
    position: str
    occupation_code: str
    started_on: date
    ended_on: date | None


@dataclass
class PersonPlan:
    """Everything about one demo person, decided before anything is written."""

    index: int
    iin: str
    sex: Sex
    birth_date: date
    kazakh: bool
    kazakh_style: bool
    surname: str  # the male form
    father_name: str
    first_name: str
    region: str
    kato_code: str
    street: str
    house: str
    flat: str
    phone: str
    email: str = ""
    disability_code: str = ""
    education: list[EducationPlan] = field(default_factory=list)
    jobs: list[JobPlan] = field(default_factory=list)
    consents: list[str] = field(default_factory=list)
    evidence: str = ConsentEvidence.PAPER
    status: str = STATUS_NONE
    status_via_unemployed: bool = False
    registrar: str = "ec"
    relative: tuple[int, str] | None = None
    has_spouse: bool = False

    @property
    def last_name(self) -> str:
        return self.surname if self.sex == "male" else female_surname(self.surname)

    @property
    def middle_name(self) -> str:
        return patronymic(
            self.father_name, self.sex, kazakh=self.kazakh, kazakh_style=self.kazakh_style
        )

    @property
    def age(self) -> int:
        years = REFERENCE_DATE.year - self.birth_date.year
        birthday_to_come = (REFERENCE_DATE.month, REFERENCE_DATE.day) < (
            self.birth_date.month,
            self.birth_date.day,
        )
        return years - birthday_to_come

    def evidence_reference(self) -> str:
        if self.evidence == ConsentEvidence.PAPER:
            return f"Бланк согласия № {self.region[:2]}-{self.index + 1:05d}"
        if self.evidence == ConsentEvidence.EDS:
            return "Подписано ЭЦП (НУЦ РК) на портале Электронной биржи труда"
        if self.evidence == ConsentEvidence.PORTAL:
            return "Подтверждено в личном кабинете"
        return "Одноразовый SMS-код подтверждён"


@dataclass(frozen=True)
class Place:
    kato_code: str
    is_town: bool
    weight: float


@dataclass
class PlanningContext:
    """What the plan draws on: places per region and demo employers per region."""

    places: dict[str, list[Place]]
    employers: dict[str, list[tuple[OrganisationSpec, str]]]  # region → (spec, BIN)


def _birth_date_for_age(rng: random.Random, low: int, high: int) -> date:
    year = REFERENCE_DATE.year - rng.randint(low, high) - 1
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _clamp_birth(birth: date) -> date:
    """Keep a person of working age (18-62 at the reference date)."""
    oldest = date(REFERENCE_DATE.year - 62, 1, 2)
    youngest = date(REFERENCE_DATE.year - 18, 1, 1)
    return min(max(birth, oldest), youngest)


def _address(rng: random.Random, region: RegionProfile, places: list[Place]) -> tuple[str, ...]:
    if not places:
        return "", rng.choice(region.streets), str(rng.randint(1, 120)), str(rng.randint(1, 180))
    place = rng.choices(places, weights=[p.weight for p in places])[0]
    in_centre = region.code == ASTANA or place.kato_code == region.centre_kato
    street = rng.choice(region.streets if in_centre else VILLAGE_STREETS)
    house = str(rng.randint(1, 120))
    flat = str(rng.randint(1, 180)) if place.is_town and rng.random() < 0.7 else ""
    return place.kato_code, street, house, flat


def _phone(rng: random.Random) -> str:
    return f"+7{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"


def _fitting_employers(
    career: Career, region: str, context: PlanningContext
) -> list[tuple[OrganisationSpec, str]]:
    return [
        (spec, bin_)
        for spec, bin_ in context.employers.get(region, [])
        if "any" in career.industries or spec.industry in career.industries
    ]


def _pick_employer(
    rng: random.Random,
    career: Career,
    region: str,
    context: PlanningContext,
    demo_share: float = 0.5,
) -> tuple[str, str]:
    """(name, BIN) of an employer for a job on ``career``: a demo employer of the region in a
    fitting industry ``demo_share`` of the time, else a small local employer without a BIN."""
    fitting = _fitting_employers(career, region, context)
    if fitting and rng.random() < demo_share:
        spec, bin_ = rng.choice(fitting)
        return spec.name, bin_
    pool = [key for key in career.industries if key in OTHER_EMPLOYERS] or ["any"]
    name = rng.choice(OTHER_EMPLOYERS[rng.choice(pool)])
    return name.format(n=rng.randint(1, 98)), ""


def _plan_education(
    rng: random.Random, plan: PersonPlan, career: Career, region: RegionProfile
) -> None:
    born = plan.birth_date.year
    school = EducationPlan(
        "general_secondary", f"Средняя школа № {rng.randint(1, 95)}, {region.city}", "", born + 17
    )
    if career.level == "school":
        if rng.random() < 0.1:
            school.level, school.graduation_year = "basic_secondary", born + 15
        plan.education.append(school)
        return
    if rng.random() < 0.4:
        plan.education.append(school)
    if career.level == "tvet":
        plan.education.append(
            EducationPlan("tvet", rng.choice(region.colleges), career.speciality, born + 20)
        )
        return
    graduated = born + 22
    plan.education.append(
        EducationPlan("higher", rng.choice(region.universities), career.speciality, graduated)
    )
    if rng.random() < 0.15 and graduated + 2 < REFERENCE_DATE.year:
        plan.education.append(
            EducationPlan(
                "master", rng.choice(region.universities), career.speciality, graduated + 2
            )
        )


def _plan_jobs(
    rng: random.Random, plan: PersonPlan, career: Career, context: PlanningContext
) -> None:
    start_year = max([e.graduation_year for e in plan.education] + [plan.birth_date.year + 18])
    cursor = date(start_year, rng.randint(7, 11), 1) + timedelta(days=rng.randrange(60))
    count = rng.choices((0, 1, 2, 3), weights=(15, 35, 32, 18))[0]
    # Anyone who has been registered had no job then; only the others may still hold one.
    registered = plan.status != STATUS_NONE
    for number in range(count):
        months = rng.randint(8, 72)
        ended = cursor + timedelta(days=30 * months)
        last = number == count - 1
        if ended >= REFERENCE_DATE:
            ended = REFERENCE_DATE - timedelta(days=rng.randint(20, 200))
            last = True
        if ended <= cursor:
            break
        occupation, position = rng.choice(career.jobs)
        name, bin_ = _pick_employer(rng, career, plan.region, context)
        still_there = last and not registered and rng.random() < 0.6
        plan.jobs.append(
            JobPlan(name, bin_, position, occupation, cursor, None if still_there else ended)
        )
        if last:
            break
        cursor = ended + timedelta(days=rng.randint(20, 300))
    if plan.status in (STATUS_EMPLOYED, STATUS_CONTRIBUTIONS):
        # Taken off the registers because they work now: found a job (mostly with a demo
        # employer), or pension contributions from an employer showed up.
        share = 0.9 if plan.status == STATUS_EMPLOYED else 0.3
        name, bin_ = _pick_employer(rng, career, plan.region, context, demo_share=share)
        occupation, position = rng.choice(career.jobs)
        started = date(REFERENCE_DATE.year, rng.randint(2, 10), rng.randint(1, 28))
        plan.jobs.append(JobPlan(name, bin_, position, occupation, started, None))


def _plan_status(rng: random.Random, plan: PersonPlan) -> None:
    roll = rng.random()
    if roll < 0.40:
        plan.status = STATUS_JOB_SEEKER
    elif roll < 0.70:
        plan.status = STATUS_UNEMPLOYED
    elif roll < 0.76:
        plan.status = STATUS_EMPLOYED
    elif roll < 0.80:
        plan.status = STATUS_CONTRIBUTIONS
    plan.status_via_unemployed = plan.status == STATUS_CONTRIBUTIONS or rng.random() < 0.5
    plan.registrar = rng.choice(("ec", "cc1", "cc2"))


def _plan_consents(rng: random.Random, plan: PersonPlan) -> None:
    plan.evidence = rng.choices(
        (
            ConsentEvidence.PAPER,
            ConsentEvidence.EDS,
            ConsentEvidence.PORTAL,
            ConsentEvidence.SMS_CODE,
        ),
        weights=(40, 30, 20, 10),
    )[0]
    plan.consents = [ConsentPurpose.PERSONAL_DATA]
    registered = plan.status != STATUS_NONE
    if rng.random() < (0.8 if registered else 0.35):
        plan.consents.append(ConsentPurpose.CV_PUBLICATION)
    if plan.status in (STATUS_JOB_SEEKER, STATUS_UNEMPLOYED) and rng.random() < 0.15:
        plan.consents.append(ConsentPurpose.OUTSOURCING)
    if rng.random() < 0.4:
        plan.consents.append(ConsentPurpose.NOTIFICATIONS)


def _career_for(rng: random.Random, region: RegionProfile, age: int) -> Career:
    feasible = [c for c in CAREERS if age >= {"school": 18, "tvet": 20, "higher": 22}[c.level]]
    weights = [c.weight * region.career_weights.get(c.sector, 1) for c in feasible]
    return rng.choices(feasible, weights=weights)[0]


def _new_identity(rng: random.Random, plan_region: RegionProfile) -> dict[str, Any]:
    kazakh = rng.random() < plan_region.kazakh_share
    sex: Sex = "male" if rng.random() < 0.5 else "female"
    surname = rng.choice(KAZAKH_SURNAMES if kazakh else RUSSIAN_SURNAMES)
    return {
        "kazakh": kazakh,
        "kazakh_style": kazakh and rng.random() < 0.12,
        "sex": sex,
        "surname": surname,
        "father_name": _father_name(rng, kazakh=kazakh),
    }


def _father_name(rng: random.Random, *, kazakh: bool) -> str:
    return rng.choice(KAZAKH_MALE_NAMES if kazakh else tuple(RUSSIAN_MALE_NAMES))


def _first_name(rng: random.Random, kazakh: bool, sex: Sex) -> str:
    if kazakh:
        return rng.choice(KAZAKH_MALE_NAMES if sex == "male" else KAZAKH_FEMALE_NAMES)
    return rng.choice(tuple(RUSSIAN_MALE_NAMES) if sex == "male" else RUSSIAN_FEMALE_NAMES)


def _relative_of(rng: random.Random, anchor: PersonPlan) -> tuple[str, dict[str, Any], date, bool]:
    """How a new person relates to ``anchor``: (relation of anchor to them, identity, birth
    date, shares the anchor's home)."""
    options = ["sibling"]
    if not anchor.has_spouse and anchor.age >= 21:
        options.append("spouse")
    if anchor.age >= 41:
        options.append("child")
    kind = rng.choice(options)
    identity = {
        "kazakh": anchor.kazakh,
        "kazakh_style": anchor.kazakh_style,
        "surname": anchor.surname,
    }
    if kind == "spouse":
        anchor.has_spouse = True
        sex: Sex = "female" if anchor.sex == "male" else "male"
        gap = timedelta(days=rng.randint(0, 6 * 365))
        birth = anchor.birth_date + gap if sex == "female" else anchor.birth_date - gap
        identity.update(sex=sex, father_name=_father_name(rng, kazakh=anchor.kazakh))
        return FamilyRelation.SPOUSE, identity, _clamp_birth(birth), True
    sex = "male" if rng.random() < 0.5 else "female"
    identity["sex"] = sex
    if kind == "child":
        identity["father_name"] = (
            anchor.first_name if anchor.sex == "male" else _father_name(rng, kazakh=anchor.kazakh)
        )
        latest = (_clamp_birth(REFERENCE_DATE) - anchor.birth_date).days
        birth = anchor.birth_date + timedelta(days=rng.randint(20 * 365, min(32 * 365, latest)))
        return FamilyRelation.PARENT, identity, birth, rng.random() < 0.7
    identity["father_name"] = anchor.father_name
    shift = timedelta(days=rng.randint(365, 8 * 365))
    birth = anchor.birth_date + shift if rng.random() < 0.5 else anchor.birth_date - shift
    return FamilyRelation.SIBLING, identity, _clamp_birth(birth), False


def plan_persons(count: int, context: PlanningContext, used_iins: set[str]) -> list[PersonPlan]:
    """The demo persons, the same on every run; person ``i`` does not depend on ``count``."""
    rng = random.Random(SEED)  # noqa: S311 - demo data must be reproducible, not secret
    region_codes = list(REGION_PROFILES)
    shares = [REGION_PROFILES[code].share for code in region_codes]
    plans: list[PersonPlan] = []
    for index in range(count):
        anchor = plans[rng.randrange(index)] if index >= 5 and rng.random() < 0.12 else None
        if anchor is not None:
            relation, identity, birth, same_home = _relative_of(rng, anchor)
            region = REGION_PROFILES[anchor.region]
        else:
            region = REGION_PROFILES[rng.choices(region_codes, weights=shares)[0]]
            identity = _new_identity(rng, region)
            birth = _birth_date_for_age(
                rng, *rng.choices(((18, 24), (25, 34), (35, 44), (45, 54), (55, 61)),
                                  weights=(18, 30, 24, 18, 10))[0]
            )  # fmt: skip
            relation, same_home = "", False
        birth = _clamp_birth(birth)
        kato, street, house, flat = _address(rng, region, context.places.get(region.code, []))
        if anchor is not None and same_home:
            kato, street, house, flat = anchor.kato_code, anchor.street, anchor.house, anchor.flat
        serial = PERSON_IIN_SERIALS[0] + index % (PERSON_IIN_SERIALS[1] - PERSON_IIN_SERIALS[0])
        plan = PersonPlan(
            index=index,
            iin=_iin(birth, identity["sex"], serial, used_iins, stop=PERSON_IIN_SERIALS[1]),
            birth_date=birth,
            first_name=_first_name(rng, identity["kazakh"], identity["sex"]),
            region=region.code,
            kato_code=kato,
            street=street,
            house=house,
            flat=flat,
            phone=_phone(rng),
            relative=(anchor.index, relation) if anchor is not None else None,
            **identity,
        )
        if rng.random() < 0.3:
            plan.email = (
                f"{transliterate(plan.first_name)}.{transliterate(plan.last_name)}"
                f"{birth.year % 100:02d}@example.com"
            )
        if rng.random() < 0.04:
            plan.disability_code = rng.choice(("group_2", "group_3", "group_3"))
        _plan_status(rng, plan)
        career = _career_for(rng, region, plan.age)
        _plan_education(rng, plan, career, region)
        _plan_jobs(rng, plan, career, context)
        _plan_consents(rng, plan)
        plans.append(plan)
    return plans


def citizen_plan(iin: str) -> PersonPlan:
    """The person behind the ``citizen`` login: unemployed in Karaganda, with consents."""
    spec = next(s for s in USERS if s.role == Role.CITIZEN)
    employer = next(e for e in EMPLOYERS if e.key == "employer1")
    return PersonPlan(
        index=-1,
        iin=iin,
        sex=spec.sex,
        birth_date=spec.birth_date,
        kazakh=True,
        kazakh_style=False,
        surname=spec.last_name,
        father_name="Серик",
        first_name=spec.first_name,
        region=KARAGANDA,
        kato_code="351000000",
        street="ул. Ерубаева",
        house="12",
        flat="34",
        phone="+77015550123",
        email="erlan.zhumabaev91@example.com",
        education=[
            EducationPlan("general_secondary", "Средняя школа № 38, г. Караганда", "", 2008),
            EducationPlan(
                "higher",
                "Карагандинский технический университет имени Абылкаса Сагинова",
                "Горное дело",
                2012,
            ),
        ],
        jobs=[
            JobPlan(
                employer.name,
                organisation_bin(employer),
                "Горный мастер",
                "3121",
                date(2012, 8, 1),
                date(2019, 3, 31),
            ),
            JobPlan(
                "ТОО «Самал Строй»",
                "",
                "Инженер по охране труда",
                "2149",
                date(2019, 6, 3),
                date(2025, 9, 30),
            ),
        ],
        consents=[
            ConsentPurpose.PERSONAL_DATA,
            ConsentPurpose.CV_PUBLICATION,
            ConsentPurpose.NOTIFICATIONS,
        ],
        evidence=ConsentEvidence.PORTAL,
        status=STATUS_UNEMPLOYED,
        registrar="ec",
    )


# --- Writing ----------------------------------------------------------------------------------


class Tally:
    """Counts of rows created, updated and found unchanged, per kind of row."""

    def __init__(self) -> None:
        self.rows: dict[str, Counter[str]] = {}

    def add(self, label: str, outcome: str, count: int = 1) -> None:
        self.rows.setdefault(label, Counter())[outcome] += count


def _sync(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    tally: Tally,
    label: str,
) -> Any:
    """Get or create the row; change only the fields that differ (so nothing is saved, no
    audit entry is written and ``updated_at`` does not move when everything is right)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        tally.add(label, "created")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        tally.add(label, "existing")
        return obj
    for name in changed:
        setattr(obj, name, values[name])
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        changed.append("updated_at")
    obj.save(update_fields=changed)
    tally.add(label, "updated")
    return obj


class DemoPassword:
    """The one password of all demo users, hashed once per run.

    Every demo user gets the same encoded hash, so after one ``check_password`` the others are
    recognised by comparing strings: a second run hashes once, not once per user.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self._good: set[str] = set()
        self._fresh = ""

    def apply(self, user: User, *, new: bool = False) -> bool:
        """Make ``user``'s password the demo password; True if it had to be changed."""
        if not new:
            if user.password in self._good:
                return False
            if user.has_usable_password() and check_password(self.raw, user.password):
                self._good.add(user.password)
                return False
        if not self._fresh:
            self._fresh = make_password(self.raw)
            self._good.add(self._fresh)
        user.password = self._fresh
        return True


def demo_password() -> tuple[str, str]:
    """(password, where it comes from): ``settings.DEMO_PASSWORD`` if set, else a password
    generated once and kept in ``VAR_DIR/demo_password.txt``."""
    configured = getattr(settings, "DEMO_PASSWORD", "") or ""
    if configured:
        return configured, "the DEMO_PASSWORD setting"
    path = Path(settings.VAR_DIR) / PASSWORD_FILE_NAME
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored, str(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    password = secrets.token_urlsafe(12)
    # Readable by the owner only, from the first byte written.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    return password, str(path)


@dataclass
class LoginRow:
    username: str
    role: str
    organisation: str
    region: str
    iin: str


@dataclass
class SeedReport:
    logins: list[LoginRow]
    password: str
    password_source: str
    tally: Tally
    seconds: float = 0.0
    persons_requested: int = 0


def _regions() -> dict[str, Region]:
    regions = {r.kato_code: r for r in Region.objects.filter(kato_code__in=REGION_CODES)}
    if len(regions) != len(REGION_CODES) or not EducationLevel.objects.exists():
        raise DemoDataError("Reference data is missing: run `manage.py load_reference` first.")
    return regions


def _seed_organisations(regions: dict[str, Region], tally: Tally) -> dict[str, Organisation]:
    organisations: dict[str, Organisation] = {}
    bins = [organisation_bin(spec) for spec in ALL_ORGANISATIONS]
    if len(set(bins)) != len(bins):  # a programming error in the specs above
        raise DemoDataError("two demo organisations have the same BIN")
    for spec, bin_ in zip(ALL_ORGANISATIONS, bins, strict=True):
        organisations[spec.key] = _sync(
            Organisation,
            {"bin": bin_},
            {
                "kind": spec.kind,
                "name": spec.name,
                "short_name": spec.short_name,
                "region_id": regions[spec.region].pk,
                "parent_id": organisations[spec.parent].pk if spec.parent else None,
                "address": spec.address,
                "phone": spec.phone,
                "email": spec.email,
                "is_active": True,
            },
            tally,
            "organisations",
        )
    return organisations


def _seed_users(
    organisations: dict[str, Organisation], password: DemoPassword, tally: Tally
) -> dict[str, User]:
    iins = user_iins()
    users: dict[str, User] = {}
    for spec in USERS:
        administrator = spec.role == Role.ADMINISTRATOR
        values = {
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "middle_name": spec.middle_name,
            "iin": iins[spec.username],
            "email": f"{spec.username}@labormarket.example",
            "is_active": True,
            "is_staff": administrator,
            "is_superuser": administrator,
        }
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(username=spec.username, **values)
            password.apply(user, new=True)
            user.save()
            tally.add("users", "created")
        else:
            changed = [name for name, value in values.items() if getattr(user, name) != value]
            for name in changed:
                setattr(user, name, values[name])
            if password.apply(user):
                changed.append("password")
            if changed:
                user.save(update_fields=changed)
                tally.add("users", "updated")
            else:
                tally.add("users", "existing")
        users[spec.username] = user
        if spec.organisation:
            _sync(
                Membership,
                {"user": user, "organisation": organisations[spec.organisation], "role": spec.role},
                {"is_active": True},
                tally,
                "memberships",
            )
    return users


def _planning_context(regions: dict[str, Region]) -> PlanningContext:
    units = list(
        KatoUnit.objects.filter(region__kato_code__in=REGION_CODES, is_active=True)
        .order_by("code")
        .values_list("code", "parent__code", "region__kato_code", "name_ru")
    )
    parents = {parent for _code, parent, _region, _name in units if parent}
    places: dict[str, list[Place]] = {}
    for code, _parent, region, name in units:
        if code in parents:
            continue  # only the most precise units: localities, or cities without any below
        profile = REGION_PROFILES[region]
        is_town = name.startswith("город") or profile.code == ASTANA
        weight = 12.0 if code == profile.centre_kato else 3.0 if is_town else 1.0
        places.setdefault(region, []).append(Place(code, is_town, weight))
    employers: dict[str, list[tuple[OrganisationSpec, str]]] = {}
    for spec in EMPLOYERS:
        employers.setdefault(spec.region, []).append((spec, organisation_bin(spec)))
    return PlanningContext(places=places, employers=employers)


class _PersonWriter:
    """Creates planned persons through the registry services, bulk-inserting the rest."""

    def __init__(
        self,
        regions: dict[str, Region],
        organisations: dict[str, Organisation],
        users: dict[str, User],
        tally: Tally,
    ) -> None:
        self.regions = regions
        self.organisations = organisations
        self.actors = {
            code: users[f"{profile.prefix}.specialist"] for code, profile in REGION_PROFILES.items()
        }
        self.tally = tally
        self.levels = dict(EducationLevel.objects.values_list("code", "pk"))
        self.disability = dict(DisabilityGroup.objects.values_list("code", "pk"))
        self.kato_codes = set(KatoUnit.objects.values_list("code", flat=True))
        self.occupations = dict(
            Occupation.objects.filter(level=Occupation.Level.UNIT).values_list("code", "pk")
        )
        self.consents: list[Consent] = []
        self.education: list[EducationRecord] = []
        self.work: list[WorkHistoryEntry] = []

    def create(self, plan: PersonPlan, person_ids: dict[int, int]) -> Person:
        actor = self.actors[plan.region]
        data = PersonData(
            last_name=plan.last_name,
            first_name=plan.first_name,
            middle_name=plan.middle_name,
            region_id=self.regions[plan.region].pk,
            address_kato_code=plan.kato_code if plan.kato_code in self.kato_codes else "",
            street=plan.street,
            house=plan.house,
            flat=plan.flat,
            email=plan.email,
            phone=plan.phone,
            disability_group_id=self.disability.get(plan.disability_code),
        )
        person = person_create(actor=actor, iin=plan.iin, data=data)
        # A new person has no consents yet, so consent_give would only insert: bulk is the same
        # rows at a third of the cost.
        self.consents.extend(
            Consent(
                person=person,
                purpose=purpose,
                scope=CONSENT_SCOPES[ConsentPurpose(purpose)],
                version=CONSENT_VERSION,
                evidence=plan.evidence,
                evidence_reference=plan.evidence_reference(),
                recorded_by=actor,
            )
            for purpose in plan.consents
        )
        for education in plan.education:
            level = self.levels.get(education.level) or self.levels.get("general_secondary")
            if level is None:
                continue
            self.education.append(
                EducationRecord(
                    person=person,
                    level_id=level,
                    institution=education.institution,
                    speciality=education.speciality,
                    graduation_year=education.graduation_year,
                )
            )
        for job in plan.jobs:
            self.work.append(
                WorkHistoryEntry(
                    person=person,
                    employer_name=job.employer_name,
                    employer_bin=job.employer_bin,
                    position=job.position,
                    occupation_id=self.occupations.get(job.occupation_code),
                    started_on=job.started_on,
                    ended_on=job.ended_on,
                )
            )
        if plan.relative is not None and plan.relative[0] in person_ids:
            family_link_add(
                actor=actor,
                person_id=person.pk,
                relative_id=person_ids[plan.relative[0]],
                relation=plan.relative[1],
            )
        self._register(plan, person, actor)
        return person

    def _register(self, plan: PersonPlan, person: Person, actor: User) -> None:
        if plan.status == STATUS_NONE:
            return
        prefix = REGION_PROFILES[plan.region].prefix
        centre = self.organisations[f"{prefix}.ec"]
        person_register_job_seeker(
            actor=actor,
            person_id=person.pk,
            organisation=self.organisations[f"{prefix}.{plan.registrar}"],
        )
        if plan.status == STATUS_UNEMPLOYED or (
            plan.status in (STATUS_EMPLOYED, STATUS_CONTRIBUTIONS) and plan.status_via_unemployed
        ):
            person_register_unemployed(actor=actor, person_id=person.pk, organisation=centre)
        if plan.status in (STATUS_EMPLOYED, STATUS_CONTRIBUTIONS):
            employed = plan.status == STATUS_EMPLOYED
            new_job = plan.jobs[-1] if plan.jobs and plan.jobs[-1].ended_on is None else None
            person_deregister(
                actor=actor,
                person_id=person.pk,
                reason=(
                    DeregistrationReason.EMPLOYED
                    if employed
                    else DeregistrationReason.PENSION_CONTRIBUTIONS
                ),
                organisation=centre,
                payload={"employer_bin": new_job.employer_bin}
                if new_job and new_job.employer_bin
                else None,
            )

    def flush(self) -> None:
        Consent.objects.bulk_create(self.consents, batch_size=500)
        EducationRecord.objects.bulk_create(self.education, batch_size=500)
        WorkHistoryEntry.objects.bulk_create(self.work, batch_size=500)
        self.tally.add("education records", "created", len(self.education))
        self.tally.add("work history entries", "created", len(self.work))
        self.consents, self.education, self.work = [], [], []


def _existing_persons(iins: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(iins), 500):
        chunk = iins[start : start + 500]
        found.update(Person.objects.filter(iin__in=chunk).values_list("iin", "pk"))
    return found


def _seed_persons(
    count: int,
    regions: dict[str, Region],
    organisations: dict[str, Organisation],
    users: dict[str, User],
    tally: Tally,
) -> None:
    citizen_user = next(users[s.username] for s in USERS if s.role == Role.CITIZEN)
    used = set(user_iins().values())
    plans = [
        citizen_plan(citizen_user.iin or ""),
        *plan_persons(count, _planning_context(regions), used),
    ]
    existing = _existing_persons([plan.iin for plan in plans])
    person_ids = {plan.index: existing[plan.iin] for plan in plans if plan.iin in existing}
    counters = {
        "consents": Consent.objects.count(),
        "family links": FamilyLink.objects.count(),
        "labour status changes": LabourStatusChange.objects.count(),
        "personal record cards": PersonalRecordCard.objects.count(),
    }
    writer = _PersonWriter(regions, organisations, users, tally)
    for plan in plans:
        if plan.iin in existing:
            tally.add("persons", "existing")
            continue
        person_ids[plan.index] = writer.create(plan, person_ids).pk
        tally.add("persons", "created")
    writer.flush()
    after = {
        "consents": Consent.objects.count(),
        "family links": FamilyLink.objects.count(),
        "labour status changes": LabourStatusChange.objects.count(),
        "personal record cards": PersonalRecordCard.objects.count(),
    }
    for label, before in counters.items():
        tally.add(label, "created", after[label] - before)

    citizen = Person.objects.get(pk=person_ids[-1])
    if citizen.user_id == citizen_user.pk:
        tally.add("citizen account links", "existing")
    else:
        citizen.user = citizen_user
        citizen.save(update_fields=["user", "updated_at"])
        tally.add("citizen account links", "updated")


def seed_demo(*, persons: int = DEFAULT_PERSONS) -> SeedReport:
    """Create (or complete) the demo data; see the module docstring."""
    if not 0 <= persons <= MAX_PERSONS:
        raise DemoDataError(f"--persons must be between 0 and {MAX_PERSONS}")
    started = time.perf_counter()
    raw_password, source = demo_password()
    tally = Tally()
    with transaction.atomic():
        regions = _regions()
        organisations = _seed_organisations(regions, tally)
        users = _seed_users(organisations, DemoPassword(raw_password), tally)
        _seed_persons(persons, regions, organisations, users, tally)
    logins = []
    regions_by_id = {r.pk: r for r in regions.values()}
    for spec in USERS:
        user = users[spec.username]
        if spec.organisation:
            organisation = organisations[spec.organisation]
            org_name, region = str(organisation), regions_by_id[organisation.region_id]
        else:
            org_name, region = "— (registry person)", regions[KARAGANDA]
        logins.append(
            LoginRow(
                spec.username, spec.role, org_name, region.name_en or region.name_ru, user.iin or ""
            )
        )
    return SeedReport(
        logins=logins,
        password=raw_password,
        password_source=source,
        tally=tally,
        seconds=time.perf_counter() - started,
        persons_requested=persons,
    )


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{{:<{width}}}" for width in widths)
    return [
        line.format(*headers).rstrip(),
        line.format(*("-" * w for w in widths)).rstrip(),
        *(line.format(*row).rstrip() for row in rows),
    ]


def format_report(report: SeedReport) -> str:
    """The demo logins and the counts, in English, for the terminal."""
    with override("en"):
        lines = ["Demo logins", ""]
        lines += _table(
            ("username", "role", "organisation", "region", "IIN"),
            [(r.username, r.role, r.organisation, r.region, r.iin) for r in report.logins],
        )
        lines.append("")
        if report.password_source.startswith("the DEMO_PASSWORD"):
            lines.append("Password of every demo login: the value of the DEMO_PASSWORD setting.")
        else:
            lines.append(
                f"Password of every demo login: {report.password}  "
                f"(kept in {report.password_source})"
            )
        lines.append("Sign in with the username or with the IIN.")
        lines += ["", "Rows"]
        rows = [
            (label, str(c["created"]), str(c["updated"]), str(c["existing"]))
            for label, c in report.tally.rows.items()
        ]
        lines += _table(("kind", "created", "updated", "existing"), rows)
        lines += [
            "",
            f"Done in {report.seconds:.1f} s ({report.persons_requested} persons requested).",
        ]
    return "\n".join(lines)
