"""The documents of the services — results and motivated refusals: numbers, contents and the
bilingual (Kazakh and Russian) PDF.

The PDF is rendered once, when the executor drafts the result or when the application is
refused; the head signs those exact bytes, so the stored PDF, its SHA-256 and the signature
always agree. The QR code leads to the public verification page of the document (by a random
token: no IIN or name in the URL).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from labormarket.core.pdf import qr_svg_data_uri, render_pdf

from .choices import ResultKind
from .models import Application, RefusalGround, ResultDocument

PREFIX = {
    ResultKind.JOB_SEEKER_NOTIFICATION: "JS",
    ResultKind.UNEMPLOYED_NOTIFICATION: "UN",
    ResultKind.REFERRAL_EMPLOYMENT: "RE",
    ResultKind.REFERRAL_YOUTH_PRACTICE: "RY",
    ResultKind.REFERRAL_SOCIAL_JOBS: "RS",
    ResultKind.REFERRAL_PUBLIC_WORKS: "RP",
    ResultKind.REFUSAL: "RF",
}

#: The languages every document is written in: Kazakh, then Russian.
DOCUMENT_LANGUAGES = ("kk", "ru")


def document_number(application: Application, *, refusal: bool = False) -> str:
    """The document's number: its kind and the application's journal number."""
    if refusal:
        kind = ResultKind.REFUSAL
    elif application.service == "job_seeker_registration":
        kind = ResultKind.JOB_SEEKER_NOTIFICATION
    elif application.service == "unemployed_registration":
        kind = ResultKind.UNEMPLOYED_NOTIFICATION
    else:
        kind = ResultKind(application.requested_result)
    return f"{PREFIX[kind]}-{application.number}"


def verification_url(document: ResultDocument) -> str:
    base = getattr(settings, "PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("services:verify", args=[document.verification_token])


def result_data(
    application: Application, document: ResultDocument, *, destination: str, details: str
) -> dict[str, Any]:
    """The facts the document states, kept with it (the PDF is rendered from these)."""
    person = application.person
    centre = application.centre
    names = _in_languages(ResultKind(document.kind).label)
    card = person.record_cards.filter(closed_at__isnull=True).first()
    return {
        "kind": document.kind,
        "title": names,
        "number": document.number,
        "date": timezone.localdate(document.drafted_at).isoformat(),
        "application": application.number,
        "registered_at": timezone.localtime(application.registered_at).strftime("%Y-%m-%d %H:%M"),
        "centre": {
            "name": centre.name,
            "bin": centre.bin,
            "address": centre.address,
            "phone": centre.phone,
        },
        "person": {
            "name": person.full_name,
            "iin": person.iin,
            "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        },
        "record_card": card.number if card else "",
        "destination": destination,
        "details": details,
        "regulation": {"code": application.regulation.code, "act": application.regulation.act},
    }


def _in_languages(label: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for language in DOCUMENT_LANGUAGES:
        with override(language):
            names[language] = str(label)
    return names


def refusal_data(
    application: Application,
    document: ResultDocument,
    *,
    grounds: Sequence[RefusalGround],
    reasons: str,
    refused_by: Any,
    refused_at: Any,
) -> dict[str, Any]:
    """What a motivated refusal states (SVC-04): the service, the application, the grounds in
    the regulation's own words (Kazakh and Russian) with their rule IDs, and the reasons in
    the words of whoever refused."""
    person = application.person
    centre = application.centre
    regulation = application.regulation
    return {
        "kind": document.kind,
        "title": _in_languages(ResultKind(document.kind).label),
        "number": document.number,
        "date": timezone.localdate(document.drafted_at).isoformat(),
        "application": application.number,
        "registered_at": timezone.localtime(application.registered_at).strftime("%Y-%m-%d %H:%M"),
        "service": {
            "ru": regulation.title_ru,
            "kk": regulation.title_kk or regulation.title_ru,
        },
        "centre": {
            "name": centre.name,
            "bin": centre.bin,
            "address": centre.address,
            "phone": centre.phone,
        },
        "person": {
            "name": person.full_name,
            "iin": person.iin,
            "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        },
        "grounds": [
            {
                "code": ground.code,
                "rule": ground.rule,
                "ru": ground.name_ru,
                "kk": ground.name_kk or ground.name_ru,
            }
            for ground in grounds
        ],
        "reasons": reasons,
        "refused_by": refused_by.get_full_name() or refused_by.username,
        "refused_at": timezone.localtime(refused_at).strftime("%Y-%m-%d %H:%M"),
        "regulation": {"code": regulation.code, "act": regulation.act},
    }


def _pdf_context(document: ResultDocument) -> dict[str, Any]:
    url = verification_url(document)
    return {
        "data": document.data,
        "verification_url": url,
        "qr": qr_svg_data_uri(url),
        "token": document.verification_token,
    }


def _template(document: ResultDocument) -> str:
    return "services/pdf/refusal.html" if document.is_refusal else "services/pdf/result.html"


def render_document_html(document: ResultDocument) -> str:
    """The HTML the document's PDF is made from (what the PDF says, for reading and tests)."""
    return render_to_string(_template(document), _pdf_context(document))


def render_result_pdf(document: ResultDocument) -> bytes:
    """The document's PDF: a result or a motivated refusal, by its kind."""
    return render_pdf(_template(document), _pdf_context(document))


def masked_person(data: dict[str, Any]) -> str:
    """The recipient as the public verification page shows them: surname and initials."""
    parts = (data.get("person", {}).get("name") or "").split()
    if not parts:
        return ""
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:] if p)])


__all__ = [
    "document_number",
    "masked_person",
    "refusal_data",
    "render_document_html",
    "render_result_pdf",
    "result_data",
]
