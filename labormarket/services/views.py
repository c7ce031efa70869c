"""HTML pages of the public services."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .choices import DocumentStatus
from .documents import masked_person
from .models import ResultDocument

#: The largest file the verification page compares (a result PDF is far smaller).
MAX_COMPARED_BYTES = 5 * 1024 * 1024


@require_http_methods(["GET", "POST"])
def verify_document(request: HttpRequest, token: str) -> HttpResponse:
    """The public page a document's QR code leads to: is the document genuine and in force?
    Shows only what a third party needs (no IIN, the recipient's surname and initials); a
    PDF can be uploaded to compare it byte for byte with the one the centre issued."""
    document = (
        ResultDocument.objects.select_related("application__centre", "signature")
        .filter(verification_token=token)
        .exclude(status=DocumentStatus.DRAFT)
        .first()
    )
    comparison = None
    if document is not None and request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > MAX_COMPARED_BYTES:
            comparison = "invalid"
        else:
            digest = hashlib.sha256(upload.read()).hexdigest()
            comparison = "same" if digest == document.pdf_sha256 else "different"
    status = 404 if document is None else 200
    return render(
        request,
        "services/verify.html",
        {
            "document": document,
            "recipient": masked_person(document.data) if document else "",
            "comparison": comparison,
        },
        status=status,
    )
