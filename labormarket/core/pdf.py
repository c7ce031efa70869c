"""PDF documents from templates (WeasyPrint) and QR codes (segno).

Documents are rendered from the project's own templates with the project's own CSS and fonts
only: WeasyPrint's URL fetcher is allowed ``data:`` URLs alone (the QR code), so a template can
never make the server fetch anything from the network or the file system.
"""

from __future__ import annotations

from typing import Any

import segno
from django.template.loader import render_to_string


def qr_svg_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data URI, for <img src> in documents and pages."""
    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2))


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` to PDF bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, context)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = HTML(string=html, url_fetcher=fetcher, base_url="/")
    return bytes(document.write_pdf())
