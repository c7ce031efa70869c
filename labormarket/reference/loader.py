"""Loading of the bundled reference data (``reference/data/*.csv``) into the database.

``load_reference_data()`` is the single entry point: ``manage.py load_reference``, ``make run``
and the test session set-up all call it. It upserts by code with one bulk statement per table
and hierarchy level, so running it again changes nothing and duplicates nothing. It never
deletes: units and occupations added later by ``import_kato`` / ``import_occupations`` stay.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction

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

DATA_DIR = Path(__file__).resolve().parent / "data"

NAME_FIELDS = ("name_ru", "name_kk", "name_en")

SIMPLE_CLASSIFIERS: tuple[tuple[str, type[SimpleClassifier]], ...] = (
    ("education_levels", EducationLevel),
    ("employment_types", EmploymentType),
    ("work_schedules", WorkSchedule),
    ("disability_groups", DisabilityGroup),
)


class ReferenceDataError(ValueError):
    """A bundled data file is inconsistent (a programming error in ``reference/data``)."""


def read_data_file(name: str, data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    """The rows of ``data/<name>.csv`` as dictionaries with stripped values."""
    path = data_dir / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def _upsert(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> None:
    """Insert ``objects``, updating the rows that already exist with the same unique key."""
    if objects:
        model._default_manager.bulk_create(
            objects,
            update_conflicts=True,
            unique_fields=list(unique_fields),
            update_fields=list(update_fields),
            batch_size=500,
        )


def _id_map(model: type[models.Model], field: str, keys: Iterable[str]) -> dict[str, int]:
    return dict(
        model._default_manager.filter(**{f"{field}__in": list(keys)}).values_list(field, "pk")
    )


def load_regions(data_dir: Path = DATA_DIR) -> int:
    """Upsert the 20 top-level KATO units (oblasts and cities of republican significance)."""
    rows = read_data_file("regions", data_dir)
    regions = [
        Region(
            kato_code=row["kato_code"],
            kind=row["kind"],
            timezone=row["timezone"],
            sort_order=int(row["sort_order"]),
            **{field: row[field] for field in NAME_FIELDS},
        )
        for row in rows
    ]
    _upsert(
        Region,
        regions,
        unique_fields=["kato_code"],
        update_fields=["kind", "timezone", "sort_order", *NAME_FIELDS],
    )
    return len(regions)


def load_kato_units(data_dir: Path = DATA_DIR) -> int:
    """Upsert the bundled districts, rural districts and localities, parents first."""
    rows = read_data_file("kato_units", data_dir)
    region_ids = dict(Region.objects.values_list("kato_code", "pk"))
    unit_ids: dict[str, int] = {}
    for level in sorted({int(row["level"]) for row in rows}):
        units = []
        for row in (row for row in rows if int(row["level"]) == level):
            region_code = f"{row['code'][:2]}0000000"
            if region_code not in region_ids:
                raise ReferenceDataError(f"KATO unit {row['code']}: no region {region_code}")
            parent_id = None
            if row["parent_code"]:
                if row["parent_code"] not in unit_ids:
                    raise ReferenceDataError(
                        f"KATO unit {row['code']}: parent {row['parent_code']} is not listed "
                        "on a higher level"
                    )
                parent_id = unit_ids[row["parent_code"]]
            units.append(
                KatoUnit(
                    code=row["code"],
                    level=level,
                    region_id=region_ids[region_code],
                    parent_id=parent_id,
                    **{field: row[field] for field in NAME_FIELDS},
                )
            )
        _upsert(
            KatoUnit,
            units,
            unique_fields=["code"],
            update_fields=["level", "region", "parent", *NAME_FIELDS],
        )
        unit_ids.update(_id_map(KatoUnit, "code", (unit.code for unit in units)))
    return len(rows)


def load_occupations(data_dir: Path = DATA_DIR) -> int:
    """Upsert the ISCO-08 groups (levels 1–4) on which the NKZ is built, parents first."""
    rows = read_data_file("occupations", data_dir)
    occupation_ids: dict[str, int] = {}
    for level in sorted({int(row["level"]) for row in rows}):
        occupations = []
        for row in (row for row in rows if int(row["level"]) == level):
            parent_id = None
            if row["parent_code"]:
                if row["parent_code"] not in occupation_ids:
                    raise ReferenceDataError(
                        f"Occupation {row['code']}: parent {row['parent_code']} is not listed "
                        "on a higher level"
                    )
                parent_id = occupation_ids[row["parent_code"]]
            occupations.append(
                Occupation(
                    code=row["code"],
                    level=level,
                    parent_id=parent_id,
                    **{field: row[field] for field in NAME_FIELDS},
                )
            )
        _upsert(
            Occupation,
            occupations,
            unique_fields=["code"],
            update_fields=["level", "parent", *NAME_FIELDS],
        )
        occupation_ids.update(_id_map(Occupation, "code", (item.code for item in occupations)))
    return len(rows)


def load_simple_classifier(
    name: str, model: type[SimpleClassifier], data_dir: Path = DATA_DIR
) -> int:
    """Upsert one flat classifier (education levels, employment types, …) from its file."""
    rows = read_data_file(name, data_dir)
    entries = [
        model(
            code=row["code"],
            sort_order=int(row["sort_order"]),
            **{field: row[field] for field in NAME_FIELDS},
        )
        for row in rows
    ]
    _upsert(model, entries, unique_fields=["code"], update_fields=["sort_order", *NAME_FIELDS])
    return len(entries)


def load_parameters(data_dir: Path = DATA_DIR) -> tuple[int, int]:
    """Upsert the parameters (MRP, minimum wage) and their dated values with legal acts."""
    definitions = read_data_file("parameter_definitions", data_dir)
    _upsert(
        Parameter,
        [
            Parameter(
                code=row["code"],
                unit=row["unit"],
                **{field: row[field] for field in NAME_FIELDS},
            )
            for row in definitions
        ],
        unique_fields=["code"],
        update_fields=["unit", *NAME_FIELDS],
    )
    parameter_ids = dict(Parameter.objects.values_list("code", "pk"))
    rows = read_data_file("parameters", data_dir)
    values: list[ParameterValue] = []
    for row in rows:
        if row["code"] not in parameter_ids:
            raise ReferenceDataError(f"Parameter value for unknown parameter {row['code']!r}")
        values.append(
            ParameterValue(
                parameter_id=parameter_ids[row["code"]],
                valid_from=date.fromisoformat(row["valid_from"]),
                value=Decimal(row["value"]),
                legal_act=row["legal_act"],
            )
        )
    _upsert(
        ParameterValue,
        values,
        unique_fields=["parameter", "valid_from"],
        update_fields=["value", "legal_act"],
    )
    return len(definitions), len(values)


def load_reference_data(data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Upsert every bundled classifier and parameter; returns the rows loaded per kind.

    Idempotent and all-or-nothing (one transaction). Entries are matched by code, so names
    corrected in ``reference/data`` reach an existing database on the next run.
    """
    counts: dict[str, Any] = {}
    with transaction.atomic():
        counts["regions"] = load_regions(data_dir)
        counts["kato_units"] = load_kato_units(data_dir)
        counts["occupations"] = load_occupations(data_dir)
        for name, model in SIMPLE_CLASSIFIERS:
            counts[name] = load_simple_classifier(name, model, data_dir)
        counts["parameters"], counts["parameter_values"] = load_parameters(data_dir)
    return counts
