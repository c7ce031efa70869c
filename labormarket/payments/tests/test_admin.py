"""The admin shows the ledger and changes nothing in it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from labormarket.accounts.tests.factories import UserFactory

from .conftest import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):  # type: ignore[no-untyped-def]
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_admin_lists_and_shows_entries_read_only(admin_client, contract):
    entry, _ = record(contract)
    assert admin_client.get(reverse("admin:payments_ledgerentry_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:payments_ledgerentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert b'name="amount"' not in page.content  # shown, not editable
    account_page = admin_client.get(reverse("admin:payments_account_change", args=[contract.pk]))
    assert account_page.status_code == 200
    assert b'name="paid_out"' not in account_page.content


def test_admin_cannot_add_change_or_delete_entries(admin_client, contract):
    entry, _ = record(contract)
    assert admin_client.get(reverse("admin:payments_ledgerentry_add")).status_code == 403
    assert admin_client.get(reverse("admin:payments_account_add")).status_code == 403
    delete = reverse("admin:payments_ledgerentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.amount == contract.entries.get().amount
