"""The result documents: numbers, contents and the bilingual (Kazakh and Russian) PDF.

The PDF is rendered once, when the executor drafts the result; the head signs those exact
bytes, so the stored PDF, its SHA-256 and the signature always agree. The QR code leads to the
public verification page of the document (by a random token: no IIN or name in the URL).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from labormarket.core.pdf import qr_svg_data_uri, render_pdf

from .choices import ResultKind
from .models import Application, ResultDocument

PREFIX = {
    ResultKind.JOB_SEEKER_NOTIFICATION: "JS",
    ResultKind.UNEMPLOYED_NOTIFICATION: "UN",
    ResultKind.REFERRAL_EMPLOYMENT: "RE",
    ResultKind.REFERRAL_YOUTH_PRACTICE: "RY",
    ResultKind.REFERRAL_SOCIAL_JOBS: "RS",
    ResultKind.REFERRAL_PUBLIC_WORKS: "RP",
}


def document_number(application: Application) -> str:
    """The document's number: its kind and the application's journal number."""
    if application.service == "job_seeker_registration":
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
    names: dict[str, str] = {}
    for language in ("ru", "kk"):
        with override(language):
            names[language] = str(ResultKind(document.kind).label)
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


def render_result_pdf(document: ResultDocument) -> bytes:
    url = verification_url(document)
    return render_pdf(
        "services/pdf/result.html",
        {
            "data": document.data,
            "verification_url": url,
            "qr": qr_svg_data_uri(url),
            "token": document.verification_token,
        },
    )


def masked_person(data: dict[str, Any]) -> str:
    """The recipient as the public verification page shows them: surname and initials."""
    parts = (data.get("person", {}).get("name") or "").split()
    if not parts:
        return ""
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:] if p)])


__all__ = ["document_number", "masked_person", "render_result_pdf", "result_data"]
