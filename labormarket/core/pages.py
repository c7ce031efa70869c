"""What the HTML pages do with a service's answer (the API's counterpart is ``core.api``).

A service refuses with an :class:`~labormarket.core.errors.ApplicationError`: a message, the
rule it applies, and errors per field. A page shows it as one error message — a summary at the
top naming the rule and every field error with its label and rule — and each field error also
beside its field when the page has a form with that field visible; the page answers with the
refusal's HTTP status. "Not found" — missing, or not the user's — is the 404 page, as for any
other URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

from .errors import ApplicationError, NotFound

T = TypeVar("T")

#: Rows per page of the workspaces' lists.
PAGE_SIZE = 25


def _with_rule(message: object, rule: str | None) -> str:
    return f"{message} ({rule})" if rule else str(message)


def _label(name: str, form: forms.BaseForm | None, labels: Mapping[str, Any] | None) -> str:
    """A field's label: the form's, else the page's ``labels`` (``members[2]`` is looked up as
    ``members`` too), else none."""
    base = name.split("[", 1)[0]
    field = form.fields.get(name) if form is not None else None
    if field is not None and field.label:
        return str(field.label)
    for key in (name, base):
        if labels and key in labels:
            return str(labels[key])
    return ""


def report_refusal(
    request: HttpRequest,
    error: ApplicationError,
    *,
    form: forms.BaseForm | None = None,
    labels: Mapping[str, Any] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> int:
    """Show a service's refusal (see the module's docstring) and return its HTTP status.
    ``aliases`` map a service's field names to the form's, where they differ."""
    if isinstance(error, NotFound):
        raise Http404 from error
    parts = [_with_rule(error.message, error.rule)]
    for service_name, field_errors in error.fields.items():
        name = (aliases or {}).get(service_name, service_name)
        field = form.fields.get(name) if form is not None else None
        for field_error in field_errors:
            detail = _with_rule(field_error.message, field_error.rule)
            if form is not None and field is not None and not field.widget.is_hidden:
                form.add_error(name, forms.ValidationError(detail, code=field_error.code))
            label = _label(name, form, labels)
            parts.append(f"{label}: {detail}" if label else detail)
    messages.error(request, " ".join(parts))
    return error.http_status


def attempt(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    form: forms.BaseForm | None = None,
    labels: Mapping[str, Any] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> tuple[T | None, int]:
    """Run a service: ``(its result, 200)``, or ``(None, the refusal's status)`` with the
    refusal shown by :func:`report_refusal`."""
    try:
        return action(), 200
    except ApplicationError as error:
        return None, report_refusal(request, error, form=form, labels=labels, aliases=aliases)


def run(
    request: HttpRequest,
    action: Callable[[], object],
    *,
    success: str,
    form: forms.BaseForm | None = None,
    labels: Mapping[str, Any] | None = None,
) -> bool:
    """Run a service for a page that redirects either way: the success message, or the
    refusal shown by :func:`report_refusal`. True when it went through."""
    _result, status = attempt(request, action, form=form, labels=labels)
    if status == 200:
        messages.success(request, success)
    return status == 200


def page_of(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``items`` the request's ``?page=`` asks for (the last for one past the end,
    the first for nonsense)."""
    return Paginator(items, per_page).get_page(request.GET.get("page") or 1)


def page_number(request: HttpRequest) -> int:
    """The ``?page=`` number asked for, for a list a search cuts into pages itself (then
    :func:`searched_page`): 1 for nonsense (and for numbers of more than nine digits)."""
    text = request.GET.get("page") or ""
    if text.isascii() and text.isdigit() and len(text) <= 9 and int(text) > 0:
        return int(text)
    return 1


def searched_page(items: Sequence[T], *, number: int, per_page: int, total: int) -> Page:
    """Page ``number`` of ``total`` results that a search has already cut (``items`` are that
    page's), as the same kind of page as :func:`page_of` gives, for the same pager."""
    return Page(items, number, Paginator(range(total), per_page))
