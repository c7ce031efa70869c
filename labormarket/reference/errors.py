"""Domain errors of the reference data: undefined parameters and rejected classifier imports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext

from labormarket.core.errors import ApplicationError, NotFound


class ParameterNotDefined(NotFound):
    """No value of the parameter starts on or before the date (or the parameter is unknown).

    A ``NotFound`` (HTTP 404) with the stable code ``parameter_not_defined``: an amount cannot
    be computed for a date the law has not fixed the parameter for.
    """

    def __init__(self, parameter_code: str, on_date: date) -> None:
        ApplicationError.__init__(
            self,
            code="parameter_not_defined",
            message=gettext("Parameter “%(code)s” has no value on %(date)s.")
            % {"code": parameter_code, "date": on_date.isoformat()},
            http_status=404,
        )
        self.parameter_code = parameter_code
        self.on_date = on_date


@dataclass(frozen=True)
class RowError:
    """One rejected row of an imported file: the line a person sees in the file, and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return gettext("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class ImportRejected(ApplicationError):
    """The file was not imported; nothing has been written. ``row_errors`` says which lines."""

    def __init__(self, row_errors: Sequence[RowError], message: str = "") -> None:
        details = "; ".join(str(error) for error in row_errors)
        super().__init__(
            code="import_rejected",
            message=message
            or gettext("The file was not imported, nothing was written: %(details)s")
            % {"details": details},
            http_status=400,
        )
        self.row_errors = list(row_errors)
