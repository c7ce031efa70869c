"""Project-wide test set-up: reference data and service regulations are loaded once per test
database."""

from __future__ import annotations

import pytest


def _load_reference() -> None:
    from labormarket.reference.loader import load_reference_data
    from labormarket.services.loader import load_regulations

    load_reference_data()
    load_regulations()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        _load_reference()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):  # type: ignore[no-untyped-def]
    """Transactional tests flush every table afterwards; give them the classifiers again —
    whether they ask for the fixture or use ``@pytest.mark.django_db(transaction=True)``."""
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and bool(marker.kwargs.get("transaction"))
    if marked or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        _load_reference()
