from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import user_with_role
from labormarket.payments import services
from labormarket.payments.choices import AccountKind
from labormarket.payments.models import Account, LedgerEntry

#: The outsourcing worked example: 100 000 KZT per person, 30 people.
PRICE = Decimal("100000")
PEOPLE = 30
CONTRACT_SUM = Decimal("3000000.00")


def open_contract(
    reference: str = "OUT-2026-001", ceiling: Decimal | None = CONTRACT_SUM
) -> Account:
    return services.account_open(
        kind=AccountKind.OUTSOURCING_CONTRACT,
        reference=reference,
        ceiling=ceiling,
        ceiling_rule="OUT-19" if ceiling is not None else "",
    )


def record(account: Account, **overrides: Any) -> tuple[LedgerEntry, bool]:
    """``services.record_entry`` with an advance of 600 000 unless told otherwise."""
    arguments: dict[str, Any] = {
        "account": account,
        "kind": "advance",
        "direction": "out",
        "amount": Decimal("600000.00"),
        "due_on": date(2026, 3, 16),
        "rule": "OUT-22",
        "inputs": {"contract_sum": "3000000.00", "percent": 20},
        "idempotency_key": f"out-22:{account.reference}:advance",
        "description": "",
        "actor": None,
    }
    arguments.update(overrides)
    return services.record_entry(**arguments)


@pytest.fixture
def contract() -> Account:
    """An outsourcing contract of 3 000 000 KZT with nothing paid yet (OUT-19 ceiling)."""
    return open_contract()


@pytest.fixture
def clm_specialist():  # type: ignore[no-untyped-def]
    return user_with_role(Role.CLM_SPECIALIST)
