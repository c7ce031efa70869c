"""Loading service regulations from YAML (``services/regulations/*.yaml``) into the database.

A file is one version of one regulation. Loading is idempotent: a version already loaded with
the same content is left alone; a changed file of an already-loaded version replaces it only
while no application uses it (an application keeps the steps it was registered under — publish
a new ``version`` instead); a new version is added beside the old ones.

Every file is checked whole before anything is written: unknown services, roles, actions,
channels, result documents or regions, missing names in any of the three languages, a channel
without steps or with two terms, a missing registration step: :class:`RegulationError` names
the file and the field.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from labormarket.reference.models import Region

from .choices import Channel, ResultKind, ServiceCode, StepAction, StepRole
from .models import (
    Application,
    RefusalGround,
    Regulation,
    RegulationChannel,
    RegulationStep,
)

REGULATIONS_DIR = Path(__file__).resolve().parent / "regulations"
LANGUAGES = ("ru", "kk", "en")

#: The step a channel must start with: the office registers documents, the portal receives a
#: signed request (SVC-03: registration comes before anything else).
FIRST_ACTION = {
    Channel.OFFICE: {StepAction.REGISTER, StepAction.DRAFT},
    Channel.PORTAL: {StepAction.REQUEST},
}


class RegulationError(ValueError):
    """A regulation file is not valid; the message names the file and the field."""


@dataclass(frozen=True)
class LoadReport:
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


def _names(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise RegulationError(f"{where}: expected names in ru, kk and en")
    names = {}
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            raise RegulationError(f"{where}.{language}: a name is required")
        names[language] = " ".join(text.split())
    return names


def _choice(value: Any, choices: type, where: str) -> str:
    if value not in choices.values:  # type: ignore[attr-defined]
        allowed = ", ".join(choices.values)  # type: ignore[attr-defined]
        raise RegulationError(f"{where}: {value!r} is not one of {allowed}")
    return str(value)


def _date(value: Any, where: str, *, required: bool) -> date | None:
    if value is None and not required:
        return None
    if isinstance(value, date):
        return value
    raise RegulationError(f"{where}: a date (YYYY-MM-DD) is required")


def _positive_int(value: Any, where: str, *, allow_zero: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < (0 if allow_zero else 1):
        raise RegulationError(
            f"{where}: a whole number {'≥ 0' if allow_zero else '≥ 1'} is required"
        )
    return value


def parse_regulation(text: str, source: str) -> dict[str, Any]:
    """Check a regulation file and return it in normalised form (raises RegulationError)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RegulationError(f"{source}: not valid YAML ({error})") from error
    if not isinstance(raw, dict):
        raise RegulationError(f"{source}: expected a mapping")

    def where(field: str) -> str:
        return f"{source}: {field}"

    code = raw.get("code")
    if not isinstance(code, str) or not code:
        raise RegulationError(where("code") + ": required")
    data: dict[str, Any] = {
        "code": code,
        "version": _positive_int(raw.get("version"), where("version")),
        "service": _choice(raw.get("service"), ServiceCode, where("service")),
        "title": _names(raw.get("title"), where("title")),
        "act": str(raw.get("act") or "").strip(),
        "note": " ".join(str(raw.get("note") or "").split()),
        "valid_from": _date(raw.get("valid_from"), where("valid_from"), required=True),
        "valid_to": _date(raw.get("valid_to"), where("valid_to"), required=False),
        "rules": [str(rule) for rule in raw.get("rules") or []],
    }
    if not data["act"]:
        raise RegulationError(where("act") + ": the legal act is required")
    if data["valid_to"] is not None and data["valid_to"] < data["valid_from"]:
        raise RegulationError(where("valid_to") + ": before valid_from")
    regions = raw.get("regions") or []
    if not isinstance(regions, list):
        raise RegulationError(where("regions") + ": a list of KATO codes is expected")
    data["regions"] = [str(region) for region in regions]
    results = raw.get("results") or []
    if not results:
        raise RegulationError(where("results") + ": at least one result document is required")
    data["results"] = [
        _choice(kind, ResultKind, where(f"results[{i}]")) for i, kind in enumerate(results)
    ]
    if ResultKind.REFUSAL in data["results"]:
        raise RegulationError(
            where("results")
            + ": the motivated refusal is not a result of the service (its grounds go in"
            " refusal_grounds)"
        )
    grounds = []
    for i, ground in enumerate(raw.get("refusal_grounds") or []):
        if not isinstance(ground, dict) or not ground.get("code"):
            raise RegulationError(where(f"refusal_grounds[{i}].code") + ": required")
        grounds.append(
            {
                "code": str(ground["code"]),
                "rule": str(ground.get("rule") or ""),
                "name": _names(ground.get("name"), where(f"refusal_grounds[{i}].name")),
            }
        )
    if not grounds:
        raise RegulationError(
            where("refusal_grounds") + ": at least one ground is required (SVC-04)"
        )
    if len({g["code"] for g in grounds}) != len(grounds):
        raise RegulationError(where("refusal_grounds") + ": codes repeat")
    data["refusal_grounds"] = grounds

    channels = raw.get("channels")
    if not isinstance(channels, dict) or not channels:
        raise RegulationError(where("channels") + ": at least one channel is required")
    data["channels"] = {}
    for channel_code, channel in channels.items():
        at = f"channels.{channel_code}"
        _choice(channel_code, Channel, where(at))
        if not isinstance(channel, dict):
            raise RegulationError(where(at) + ": expected a mapping")
        has_minutes, has_days = "term_minutes" in channel, "term_working_days" in channel
        if has_minutes == has_days:
            raise RegulationError(
                where(at) + ": give exactly one of term_minutes, term_working_days"
            )
        steps = []
        for i, step in enumerate(channel.get("steps") or []):
            step_at = f"{at}.steps[{i}]"
            if not isinstance(step, dict) or not step.get("code"):
                raise RegulationError(where(step_at + ".code") + ": required")
            steps.append(
                {
                    "position": i + 1,
                    "code": str(step["code"]),
                    "role": _choice(step.get("role"), StepRole, where(step_at + ".role")),
                    "action": _choice(step.get("action"), StepAction, where(step_at + ".action")),
                    "minutes": _positive_int(
                        step.get("minutes"), where(step_at + ".minutes"), allow_zero=True
                    ),
                    "can_refuse": bool(step.get("can_refuse", False)),
                    "name": _names(step.get("name"), where(step_at + ".name")),
                }
            )
        if not steps:
            raise RegulationError(where(at + ".steps") + ": at least one step is required")
        if steps[0]["action"] not in FIRST_ACTION[Channel(channel_code)]:
            raise RegulationError(
                where(at + ".steps[0].action")
                + ": the first step must register the application (SVC-03)"
            )
        actions = [step["action"] for step in steps]
        for needed in (StepAction.DRAFT, StepAction.SIGN):
            if actions.count(needed) != 1:
                raise RegulationError(
                    where(at + ".steps") + f": exactly one {needed} step is required"
                )
        if actions.index(StepAction.DRAFT) > actions.index(StepAction.SIGN):
            raise RegulationError(
                where(at + ".steps") + ": the result is drafted before it is signed"
            )
        data["channels"][channel_code] = {
            "term_minutes": _positive_int(channel["term_minutes"], where(at + ".term_minutes"))
            if has_minutes
            else None,
            "term_working_days": _positive_int(
                channel["term_working_days"], where(at + ".term_working_days")
            )
            if has_days
            else None,
            "steps": steps,
        }
    return data


def _write(regulation: Regulation, data: dict[str, Any], regions: list[Region]) -> None:
    regulation.regions.set(regions)
    regulation.refusal_grounds.all().delete()
    regulation.channels.all().delete()
    RefusalGround.objects.bulk_create(
        RefusalGround(
            regulation=regulation,
            code=ground["code"],
            rule=ground["rule"],
            name_ru=ground["name"]["ru"],
            name_kk=ground["name"]["kk"],
            name_en=ground["name"]["en"],
        )
        for ground in data["refusal_grounds"]
    )
    for channel_code, channel in data["channels"].items():
        row = RegulationChannel.objects.create(
            regulation=regulation,
            channel=channel_code,
            term_minutes=channel["term_minutes"],
            term_working_days=channel["term_working_days"],
        )
        RegulationStep.objects.bulk_create(
            RegulationStep(
                channel=row,
                position=step["position"],
                code=step["code"],
                role=step["role"],
                action=step["action"],
                duration_minutes=step["minutes"],
                can_refuse=step["can_refuse"],
                name_ru=step["name"]["ru"],
                name_kk=step["name"]["kk"],
                name_en=step["name"]["en"],
            )
            for step in channel["steps"]
        )


@transaction.atomic
def load_regulation_text(text: str, source: str) -> str:
    """Load one regulation; returns "created", "updated" or "unchanged"."""
    data = parse_regulation(text, source)
    checksum = hashlib.sha256(text.encode()).hexdigest()
    regions = list(Region.objects.filter(kato_code__in=data["regions"]))
    missing = sorted(set(data["regions"]) - {region.kato_code for region in regions})
    if missing:
        raise RegulationError(f"{source}: regions: unknown KATO codes {', '.join(missing)}")
    fields = {
        "service": data["service"],
        "title_ru": data["title"]["ru"],
        "title_kk": data["title"]["kk"],
        "title_en": data["title"]["en"],
        "act": data["act"],
        "note": data["note"],
        "valid_from": data["valid_from"],
        "valid_to": data["valid_to"],
        "results": data["results"],
        "rules": data["rules"],
        "source_file": source,
        "checksum": checksum,
    }
    existing = (
        Regulation.objects.select_for_update()
        .filter(code=data["code"], version=data["version"])
        .first()
    )
    if existing is None:
        regulation = Regulation.objects.create(code=data["code"], version=data["version"], **fields)
        _write(regulation, data, regions)
        return "created"
    if existing.checksum == checksum:
        return "unchanged"
    if Application.objects.filter(regulation=existing).exists():
        raise RegulationError(
            f"{source}: version {data['version']} of {data['code']} is used by applications "
            "and cannot change; give the new text a new version"
        )
    for name, value in fields.items():
        setattr(existing, name, value)
    existing.save()
    _write(existing, data, regions)
    return "updated"


def load_regulations(directory: Path = REGULATIONS_DIR) -> LoadReport:
    """Load every ``*.yaml`` of ``directory`` (all checked before any is written)."""
    files = sorted(directory.glob("*.yaml"))
    texts = [(path.name, path.read_text(encoding="utf-8")) for path in files]
    for name, text in texts:
        parse_regulation(text, name)
    outcome: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    with transaction.atomic():
        for name, text in texts:
            outcome[load_regulation_text(text, name)].append(name)
    return LoadReport(
        created=tuple(outcome["created"]),
        updated=tuple(outcome["updated"]),
        unchanged=tuple(outcome["unchanged"]),
    )
