"""API plumbing shared by every app: the one JSON error shape and pagination.

Every error answers ``{"error": {"code": ..., "message": ..., "rule"?: ..., "fields"?: {name:
[{"code", "message", "rule"?}]}}}`` with a 400/401/403/404/405/409/429 status.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ApplicationError, FieldError, ValidationFailed


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _field_errors_from_detail(detail: Any, prefix: str = "") -> dict[str, list[FieldError]]:
    """Flatten DRF's nested error detail into ``{"field.sub": [FieldError, ...]}``."""
    result: dict[str, list[FieldError]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors" and not prefix:
                name = "__all__"
            for sub_name, errors in _field_errors_from_detail(value, name).items():
                result.setdefault(sub_name, []).extend(errors)
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            result[prefix or "__all__"] = [
                FieldError(code=getattr(item, "code", "invalid") or "invalid", message=str(item))
                for item in detail
            ]
        else:
            for index, item in enumerate(detail):
                result.update(_field_errors_from_detail(item, f"{prefix}.{index}"))
    else:
        result[prefix or "__all__"] = [
            FieldError(code=getattr(detail, "code", "invalid") or "invalid", message=str(detail))
        ]
    return result


def _from_django_validation_error(error: DjangoValidationError) -> ValidationFailed:
    fields: dict[str, list[FieldError]] = {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            fields[name] = [
                FieldError(code=e.code or "invalid", message=" ".join(e.messages)) for e in errors
            ]
    else:
        fields["__all__"] = [
            FieldError(code=e.code or "invalid", message=" ".join(e.messages))
            for e in error.error_list
        ]
    return ValidationFailed(fields)


def error_response(error: ApplicationError) -> Response:
    return Response({"error": error.as_dict()}, status=error.http_status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn any known error into the one JSON error shape; unknown errors stay 500s."""
    if isinstance(exc, ApplicationError):
        return error_response(exc)
    if isinstance(exc, DjangoValidationError):
        return error_response(_from_django_validation_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    if isinstance(exc, exceptions.ValidationError):
        body = ValidationFailed(_field_errors_from_detail(exc.detail)).as_dict()
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else gettext("Request failed.")
        body = {"code": code, "message": message}
    response.data = {"error": body}
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.data["error"]["code"] = "not_authenticated"
    return response
