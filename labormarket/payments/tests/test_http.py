"""The Idempotency-Key header, and the answers a payment API gives through the error handler."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from labormarket.payments.http import idempotency_key
from labormarket.payments.models import Account, LedgerEntry

from .conftest import record


class RecordAdvance(APIView):
    """What a payment endpoint of another app looks like: the key comes from the header."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request: Request, account_id: int) -> Response:
        key = idempotency_key(request)
        account = Account.objects.get(pk=account_id)
        entry, created = record(
            account, amount=Decimal(request.data["amount"]), idempotency_key=key
        )
        return Response(
            {"id": entry.pk, "amount": str(entry.amount)},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def post(account: Account, amount: str, **headers: str) -> Response:
    request = APIRequestFactory().post("/", {"amount": amount}, format="json", headers=headers)
    return RecordAdvance.as_view()(request, account_id=account.pk)


@pytest.mark.django_db
def test_created_then_replayed_then_reused_key_is_409(contract):
    created = post(contract, "600000.00", **{"Idempotency-Key": "3f0c2a9e-advance"})
    replayed = post(contract, "600000.00", **{"Idempotency-Key": "3f0c2a9e-advance"})
    reused = post(contract, "1.00", **{"Idempotency-Key": "3f0c2a9e-advance"})
    assert (created.status_code, replayed.status_code, reused.status_code) == (201, 200, 409)
    assert replayed.data == created.data
    assert reused.data["error"]["code"] == "idempotency_key_reused"
    assert LedgerEntry.objects.count() == 1


@pytest.mark.django_db
def test_out_19_ceiling_refusal_is_a_409_with_the_rule(contract):
    response = post(contract, "3000000.01", **{"Idempotency-Key": "too-much"})
    assert response.status_code == 409
    assert (response.data["error"]["code"], response.data["error"]["rule"]) == (
        "ceiling_exceeded",
        "OUT-19",
    )
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "required"),
        ({"Idempotency-Key": ""}, "required"),
        ({"Idempotency-Key": "k" * 101}, "too_long"),
        ({"Idempotency-Key": "ключ"}, "invalid"),
    ],
)
@pytest.mark.django_db
def test_a_missing_or_invalid_key_is_a_400_naming_the_header(contract, headers, code):
    response = post(contract, "600000.00", **headers)
    assert response.status_code == 400
    fields = response.data["error"]["fields"]
    assert list(fields) == ["Idempotency-Key"]
    assert fields["Idempotency-Key"][0]["code"] == code
    assert LedgerEntry.objects.count() == 0


def test_idempotency_key_returns_the_header_value():
    request = APIRequestFactory().post("/", headers={"Idempotency-Key": "out-22:contract-17"})
    assert idempotency_key(request) == "out-22:contract-17"
