"""Browser journeys: Playwright driving Debian's chromium against pytest-django's live server."""
