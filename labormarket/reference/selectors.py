"""Reads of the reference data: regions, KATO units, occupations, classifiers, parameters.

Other apps look classifiers up here and compute amounts defined in MRP or as a share of the
minimum wage with :func:`parameter_value` on the date that matters (PRG-77), keeping the
:class:`ParameterValue` record (and so its legal act) where the amount must be explained.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.db.models import Prefetch, Q, QuerySet

from .errors import ParameterNotDefined
from .models import (
    DisabilityGroup,
    EducationLevel,
    EmploymentType,
    KatoUnit,
    Occupation,
    Parameter,
    ParameterValue,
    Region,
    SimpleClassifier,
    WorkSchedule,
)
from .services import kato_structural_depth, normalise_occupation_code

# --- Parameters --------------------------------------------------------------------------------


def parameter_value_record(code: str, on_date: date) -> ParameterValue:
    """The value of parameter ``code`` in force on ``on_date``, with its legal act.

    The value in force is the one with the latest ``valid_from`` on or before the date.
    Raises :class:`ParameterNotDefined` (code ``parameter_not_defined``) when the parameter is
    unknown or no value had started by then.
    """
    record = (
        ParameterValue.objects.select_related("parameter")
        .filter(parameter__code=code, valid_from__lte=on_date)
        .order_by("-valid_from")
        .first()
    )
    if record is None:
        raise ParameterNotDefined(code, on_date)
    return record


def parameter_value(code: str, on_date: date) -> Decimal:
    """The amount of parameter ``code`` (``mrp``, ``minimum_wage`` …) in force on ``on_date``."""
    return parameter_value_record(code, on_date).value


def parameter_list() -> QuerySet[Parameter]:
    """Every parameter with its dated values in chronological order."""
    return Parameter.objects.prefetch_related(
        Prefetch("values", queryset=ParameterValue.objects.order_by("valid_from"))
    ).order_by("code")


# --- KATO --------------------------------------------------------------------------------------


def region_list() -> QuerySet[Region]:
    """The oblasts and cities of republican significance in their official order."""
    return Region.objects.order_by("sort_order", "kato_code")


def kato_unit_list(
    *,
    parent: str | None = None,
    region: str | None = None,
    level: int | None = None,
    active_only: bool = True,
) -> QuerySet[KatoUnit]:
    """KATO units below the regions, filtered by parent code, region code and level.

    ``parent`` may be a region's code (its units directly below it) or a unit's code (its
    children).
    """
    units = KatoUnit.objects.select_related("region", "parent").order_by("code")
    if active_only:
        units = units.filter(is_active=True)
    if parent is not None:
        if len(parent) == 9 and parent.isdigit() and kato_structural_depth(parent) == 1:
            units = units.filter(region__kato_code=parent, parent__isnull=True)
        else:
            units = units.filter(parent__code=parent)
    if region is not None:
        units = units.filter(region__kato_code=region)
    if level is not None:
        units = units.filter(level=level)
    return units


def kato_children(parent_code: str | None) -> QuerySet[KatoUnit]:
    """The units directly below ``parent_code`` (a region or a unit); ``None``: the districts
    and cities directly below every region."""
    if parent_code is None:
        return kato_unit_list().filter(parent__isnull=True)
    return kato_unit_list(parent=parent_code)


# --- Occupations -------------------------------------------------------------------------------


def _text_variants(text: str) -> list[str]:
    # SQLite folds case for ASCII only; trying the usual spellings of a Cyrillic word keeps
    # "врач" finding "Врачи" there too. PostgreSQL folds Unicode case itself.
    return list(dict.fromkeys([text, text.lower(), text.capitalize(), text.upper()]))


def occupation_search(
    q: str, *, queryset: QuerySet[Occupation] | None = None
) -> QuerySet[Occupation]:
    """Occupations whose code starts with ``q`` (digits, separators allowed) or whose name in
    any language contains it."""
    occupations = queryset if queryset is not None else occupation_list()
    q = q.strip()
    if not q:
        return occupations
    code = normalise_occupation_code(q)
    if code.isdigit():
        return occupations.filter(code__startswith=code)
    condition = Q()
    for variant in _text_variants(q):
        for field in ("name_ru", "name_kk", "name_en"):
            condition |= Q(**{f"{field}__icontains": variant})
    return occupations.filter(condition)


def occupation_list(
    *,
    parent: str | None = None,
    level: int | None = None,
    q: str | None = None,
    active_only: bool = True,
) -> QuerySet[Occupation]:
    """Occupation classifier entries by parent group code, level and search text."""
    occupations = Occupation.objects.select_related("parent").order_by("code")
    if active_only:
        occupations = occupations.filter(is_active=True)
    if parent is not None:
        occupations = occupations.filter(parent__code=normalise_occupation_code(parent))
    if level is not None:
        occupations = occupations.filter(level=level)
    if q:
        occupations = occupation_search(q, queryset=occupations)
    return occupations


def occupation_get(code: str) -> Occupation | None:
    """The occupation with this code (separators allowed), or ``None``."""
    return Occupation.objects.filter(code=normalise_occupation_code(code)).first()


# --- Flat classifiers ------------------------------------------------------------------------


_Classifier = TypeVar("_Classifier", bound=SimpleClassifier)


def _active(model: type[_Classifier]) -> QuerySet[_Classifier]:
    return model._default_manager.filter(is_active=True).order_by("sort_order", "code")


def education_level_list() -> QuerySet[EducationLevel]:
    return _active(EducationLevel)


def employment_type_list() -> QuerySet[EmploymentType]:
    return _active(EmploymentType)


def work_schedule_list() -> QuerySet[WorkSchedule]:
    return _active(WorkSchedule)


def disability_group_list() -> QuerySet[DisabilityGroup]:
    return _active(DisabilityGroup)
