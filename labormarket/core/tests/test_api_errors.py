"""The one JSON error shape of the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions

from labormarket.core.api import exception_handler
from labormarket.core.errors import Conflict, FieldError, NotFound, ValidationFailed


def handle(exc: Exception):
    response = exception_handler(exc, {})
    assert response is not None
    return response.status_code, response.data


def test_application_errors_keep_code_rule_and_status():
    assert handle(Conflict("not_job_seeker", "Register as a job seeker first.", rule="SVC-22")) == (
        409,
        {
            "error": {
                "code": "not_job_seeker",
                "message": "Register as a job seeker first.",
                "rule": "SVC-22",
            }
        },
    )
    status, body = handle(NotFound())
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_validation_failed_lists_fields():
    status, body = handle(ValidationFailed({"iin": [FieldError("iin_length", "12 digits")]}))
    assert status == 400
    assert body["error"]["fields"] == {"iin": [{"code": "iin_length", "message": "12 digits"}]}


def test_drf_validation_errors_are_flattened_with_codes():
    exc = exceptions.ValidationError(
        {
            "phones": [{"number": [exceptions.ErrorDetail("bad", code="phone_format")]}],
            "non_field_errors": [exceptions.ErrorDetail("nope", code="invalid")],
        }
    )
    status, body = handle(exc)
    assert status == 400
    assert body["error"]["fields"] == {
        "phones.0.number": [{"code": "phone_format", "message": "bad"}],
        "__all__": [{"code": "invalid", "message": "nope"}],
    }


def test_django_validation_error_becomes_a_field_error():
    status, body = handle(
        DjangoValidationError({"bin": [DjangoValidationError("bad", code="bin_check_digit")]})
    )
    assert status == 400
    assert body["error"]["fields"] == {"bin": [{"code": "bin_check_digit", "message": "bad"}]}


def test_other_api_exceptions_keep_their_code():
    status, body = handle(exceptions.MethodNotAllowed("PUT"))
    assert status == 405
    assert body["error"]["code"] == "method_not_allowed"
    status, body = handle(exceptions.NotAuthenticated())
    assert (status, body["error"]["code"]) == (401, "not_authenticated")


def test_unknown_exceptions_are_left_to_django():
    assert exception_handler(RuntimeError("boom"), {}) is None
