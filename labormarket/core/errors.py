"""One hierarchy of domain errors with stable codes.

Services raise these; the API exception handler turns them into the one JSON error shape and
views turn them into a readable message. A code is stable and machine-readable
(``iin_check_digit``, ``region_forbidden``); a rule ID (``SVC-22``) is attached where the law
names the rule that was broken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field."""

    code: str
    message: str
    rule: str | None = None

    def as_dict(self) -> dict[str, str]:
        data = {"code": self.code, "message": str(self.message)}
        if self.rule:
            data["rule"] = self.rule
        return data


@dataclass
class ApplicationError(Exception):
    """A domain rule refused the operation. Nothing has been written when this is raised."""

    code: str
    message: str
    rule: str | None = None
    fields: Mapping[str, Sequence[FieldError]] = field(default_factory=dict)
    http_status: int = 400

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": str(self.message)}
        if self.rule:
            body["rule"] = self.rule
        if self.fields:
            body["fields"] = {
                name: [error.as_dict() for error in errors] for name, errors in self.fields.items()
            }
        return body


class ValidationFailed(ApplicationError):
    """Input failed validation; ``fields`` says which field broke which rule."""

    def __init__(self, fields: Mapping[str, Sequence[FieldError]], message: str = "") -> None:
        from django.utils.translation import gettext

        super().__init__(
            code="validation_error",
            message=message or gettext("Some fields are not valid."),
            fields=fields,
            http_status=400,
        )

    @classmethod
    def single(
        cls, field_name: str, code: str, message: str, rule: str | None = None
    ) -> ValidationFailed:
        return cls({field_name: [FieldError(code=code, message=message, rule=rule)]})


class NotFound(ApplicationError):
    """The object does not exist *or* is not the actor's to see: both answer alike."""

    def __init__(self, message: str = "") -> None:
        from django.utils.translation import gettext

        super().__init__(
            code="not_found", message=message or gettext("Not found."), http_status=404
        )


class Forbidden(ApplicationError):
    """The actor may see the object but may not do this to it."""

    def __init__(self, code: str = "forbidden", message: str = "", rule: str | None = None):
        from django.utils.translation import gettext

        super().__init__(
            code=code,
            message=message or gettext("You do not have permission to do this."),
            rule=rule,
            http_status=403,
        )


class Conflict(ApplicationError):
    """The operation collides with the current state (already done, taken, changed)."""

    def __init__(self, code: str, message: str, rule: str | None = None):
        super().__init__(code=code, message=message, rule=rule, http_status=409)


class FieldErrors:
    """Collects field errors so that one answer names every problem at once::

    errors = FieldErrors()
    if not name:
        errors.add("name", "required", _("Give a name."))
    errors.raise_if_any()  # ValidationFailed with every field collected
    """

    def __init__(self) -> None:
        self.fields: dict[str, list[FieldError]] = {}

    def add(self, field_name: str, code: str, message: str, rule: str | None = None) -> None:
        self.fields.setdefault(field_name, []).append(FieldError(code, message, rule))

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields)
