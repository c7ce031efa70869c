"""``core.pages``: a service's refusal on a page — a summary message naming the rule and every
field error with its label, the errors of visible fields also on the form, the status; 404."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404
from django.test import RequestFactory

from labormarket.core import pages
from labormarket.core.errors import Conflict, FieldError, NotFound, ValidationFailed


class SignedForm(forms.Form):
    employer_bin = forms.CharField(label="БИН работодателя")
    cms = forms.CharField(label="Подпись", widget=forms.HiddenInput)


def _request():
    request = RequestFactory().post("/", {"page": "1"})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _messages(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def _refusal() -> ValidationFailed:
    return ValidationFailed(
        {
            "employer_bin": [FieldError("bin_check_digit", "Контрольный разряд БИН неверен.")],
            "cms": [FieldError("content_mismatch", "Подписан другой документ.", "OUT-07")],
            "members[2]": [FieldError("not_in_lot", "Человек не из лота.", "OUT-17")],
        },
        message="Проверьте поля.",
    )


def test_the_summary_names_every_field_and_visible_fields_carry_their_errors():
    request, form = _request(), SignedForm({"employer_bin": "1", "cms": "x"})
    form.is_valid()
    status = pages.report_refusal(request, _refusal(), form=form, labels={"members": "Люди"})
    assert status == 400
    assert form.errors["employer_bin"] == ["Контрольный разряд БИН неверен."]
    assert "cms" not in form.errors  # hidden: only in the summary
    assert "cms" not in form.errors
    assert _messages(request) == [
        (
            "error",
            "Проверьте поля. БИН работодателя: Контрольный разряд БИН неверен. "
            "Подпись: Подписан другой документ. (OUT-07) "
            "Люди: Человек не из лота. (OUT-17)",
        )
    ]


def test_without_a_form_every_field_is_in_the_message_and_the_rule_is_named():
    request = _request()
    error = Conflict("daily_limit", "Не более 3 лотов в день.", "OUT-07")
    result, status = pages.attempt(request, lambda: (_ for _ in ()).throw(error))
    assert (result, status) == (None, 409)
    assert [text for _level, text in _messages(request)] == ["Не более 3 лотов в день. (OUT-07)"]


def test_not_found_is_the_404_page():
    with pytest.raises(Http404):
        pages.attempt(_request(), lambda: (_ for _ in ()).throw(NotFound()))


def test_run_says_the_success_and_returns_whether_it_went_through():
    request = _request()
    assert pages.run(request, lambda: None, success="Готово.") is True
    assert (
        pages.run(
            request, lambda: (_ for _ in ()).throw(Conflict("x", "Уже сделано.")), success="-"
        )
        is False
    )
    assert [text for _level, text in _messages(request)] == ["Готово.", "Уже сделано."]


@pytest.mark.parametrize(("asked", "shown"), [("2", 2), ("99", 3), ("nonsense", 1), ("", 1)])
def test_page_of_answers_any_page_number(asked, shown):
    request = RequestFactory().get("/", {"page": asked})
    assert pages.page_of(request, list(range(7)), per_page=3).number == shown


@pytest.mark.parametrize(
    ("asked", "number"),
    [("2", 2), ("99", 99), ("nonsense", 1), ("", 1), ("0", 1), ("-3", 1), ("²", 1), ("9" * 10, 1)],
)
def test_page_number_reads_the_page_a_search_is_asked_for(asked, number):
    assert pages.page_number(RequestFactory().get("/", {"page": asked})) == number


def test_searched_page_is_a_page_of_the_whole_result():
    page = pages.searched_page(["g", "h"], number=3, per_page=3, total=8)
    assert list(page.object_list) == ["g", "h"]
    assert (page.number, page.paginator.num_pages, page.paginator.count) == (3, 3, 8)
    assert (page.has_previous(), page.has_next(), page.start_index()) == (True, False, 7)
    empty = pages.searched_page([], number=1, per_page=3, total=0)
    assert (empty.paginator.num_pages, empty.has_other_pages()) == (1, False)
