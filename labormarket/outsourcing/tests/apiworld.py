"""Helpers of the outsourcing API tests: clients, base64, the Monday confirmation through the
API, the cascade up to a signed contract, and what a refused request must leave as it was."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from labormarket.core.models import StoredSignature
from labormarket.notifications.models import Notification
from labormarket.outsourcing import contracts, selection
from labormarket.outsourcing.models import (
    AgencyCabinet,
    AgencyNotice,
    Announcement,
    CategoryAssignment,
    ContractOffer,
    Lot,
    LotConfirmation,
    LotEvent,
    LotMember,
    OutsourcingContract,
    Placement,
    ServiceAct,
    StagePayment,
)
from labormarket.payments.models import Account, LedgerEntry
from labormarket.registry.models import Consent, PersonAccessLog

from .conftest import MONDAY, at

API = "/api/v1/outsourcing"
TUESDAY = date(2026, 12, 8)
#: The day after the 30 working days of OUT-18 for a contract of 8 December 2026: stage 1 done.
AFTER_EMPLOYMENT = date(2027, 1, 26)


def client_for(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def error_of(response: Any) -> tuple[int, str, str | None]:
    body = response.json()["error"]
    return response.status_code, body["code"], body.get("rule")


def field_codes(response: Any) -> dict[str, list[tuple[str, str | None]]]:
    fields = response.json()["error"].get("fields", {})
    return {
        name: [(error["code"], error.get("rule")) for error in errors]
        for name, errors in fields.items()
    }


def api_confirm(sign, agency, lot, when: datetime | None = None, cms: str | None = None):
    """Confirm ``lot`` through the API as the agency's manager would: fetch the payload, sign
    it, post the signature."""
    client = client_for(agency.manager)
    with time_machine.travel(when or at(MONDAY, 9, 0), tick=False):
        payload = client.get(f"{API}/agency/lots/{lot.pk}/confirmation-payload/")
        assert payload.status_code == 200, payload.json()
        content = base64.b64decode(payload.json()["data"])
        signature = cms or b64(sign(agency.manager, content, bin=agency.organisation.bin))
        return client.post(f"{API}/agency/lots/{lot.pk}/confirm/", {"cms": signature})


def confirm(sign, agency, lot, minute: int = 0) -> LotConfirmation:
    payload = selection.confirmation_payload(lot, agency.organisation, lot.selection_day)
    return selection.lot_confirm(
        actor=agency.manager,
        lot_id=lot.pk,
        cms=sign(agency.manager, payload, bin=agency.organisation.bin),
        now=at(MONDAY, 9, minute),
    )


def offered(lot, agencies, sign, clm, how_many: int = 2) -> list[LotConfirmation]:
    """The lot confirmed by ``how_many`` agencies, all admitted, the draft offered to the first."""
    confirmations = [confirm(sign, a, lot, i) for i, a in enumerate(agencies[:how_many])]
    for c in confirmations:
        selection.confirmation_review(actor=clm.specialist, confirmation_id=c.pk, admit=True)
    selection.lots_advance(at(MONDAY, 18, 31))
    for c in confirmations:
        c.refresh_from_db()
    return confirmations


def sign_contract(sign, agency, offer: ContractOffer) -> OutsourcingContract:
    return contracts.contract_sign(
        actor=agency.manager,
        offer_id=offer.pk,
        cms=sign(agency.manager, bytes(offer.document), bin=agency.organisation.bin),
        now=at(TUESDAY, 10),
    )


_COUNTED = (
    AgencyCabinet,
    AgencyNotice,
    Announcement,
    CategoryAssignment,
    Consent,
    ContractOffer,
    Lot,
    LotConfirmation,
    LotEvent,
    LotMember,
    OutsourcingContract,
    Placement,
    ServiceAct,
    StagePayment,
    Account,
    LedgerEntry,
    StoredSignature,
    Notification,
    PersonAccessLog,
)


def snapshot() -> tuple:
    """Everything a refused request must leave as it was: row counts and the states."""
    return (
        tuple(model.objects.count() for model in _COUNTED),
        tuple(Lot.objects.order_by("pk").values_list("pk", "status", "selection_day")),
        tuple(LotConfirmation.objects.order_by("pk").values_list("pk", "status")),
        tuple(ContractOffer.objects.order_by("pk").values_list("pk", "status")),
        tuple(ServiceAct.objects.order_by("pk").values_list("pk", "status")),
        tuple(Announcement.objects.order_by("pk").values_list("pk", "status")),
        tuple(Account.objects.order_by("pk").values_list("pk", "paid_out", "refunded")),
        tuple(AgencyCabinet.objects.order_by("pk").values_list("pk", "contact_phone")),
    )


def count_queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)
