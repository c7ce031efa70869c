"""PDF documents from templates (WeasyPrint) and QR codes (segno).

Documents are rendered from the project's own templates with the project's own CSS and fonts
only: WeasyPrint is given a URL fetcher that refuses every network address, so a template can
never make the server fetch anything from outside.
"""

from __future__ import annotations

from typing import Any

import segno
from django.template.loader import render_to_string


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"documents load nothing from outside: {url}")


def qr_svg_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data URI, for <img src> in documents and pages."""
    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2))


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    document = HTML(string=html, url_fetcher=_no_fetching, base_url="/")
    return bytes(document.write_pdf())
