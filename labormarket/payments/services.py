"""Writes to the payments ledger (ADR 0010).

No check-then-act: an account's counters move only by one conditional UPDATE whose WHERE clause
is the rule (``paid_out + amount <= ceiling``), in the transaction that inserts the entry, so
two concurrent payments can never both pass a check that only one of them may pass. Row locks
are not relied on (``select_for_update`` does nothing on SQLite). An idempotency key is unique
in the database: of two concurrent requests with one key, one inserts and the other reads the
winner's entry.

SQLite stores DECIMAL columns as binary floats, where 0.10 + 0.20 > 0.30. The conditional
updates therefore compute in whole tiyn (``ROUND(x * 100)``) — exact on both databases — and
store ``tiyn / 100``, the float nearest to the exact amount, so no error ever accumulates.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Round
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from labormarket.core.errors import (
    ApplicationError,
    Conflict,
    FieldErrors,
    NotFound,
    ValidationFailed,
)
from labormarket.core.money import kzt

from .choices import DIRECTION_OF_KIND, AccountKind, Direction, EntryKind, EntryStatus
from .idempotency import NotCanonical, canonical, fingerprint, key_problem
from .models import MONEY_DIGITS, MONEY_PLACES, Account, LedgerEntry

if TYPE_CHECKING:
    from labormarket.accounts.models import User

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Largest amount a Decimal(14, 2) column holds.
MAX_AMOUNT = Decimal("999999999999.99")
#: Attempts of a write that found the database busy (SQLite "database is locked", PostgreSQL
#: serialization failure or deadlock) before the caller is told to try again later.
BUSY_ATTEMPTS = 5


class LedgerBusy(ApplicationError):
    """The database stayed busy through every attempt; nothing was written. Safe to retry with
    the same idempotency key."""

    def __init__(self) -> None:
        super().__init__(
            code="ledger_busy",
            message=_("The payments ledger is busy. Try again in a moment with the same key."),
            http_status=503,
        )


# --- Exact tiyn arithmetic in SQL ----------------------------------------------------------------


def _tiyn(expression: Any) -> Round:
    """A money column in whole tiyn, exactly on both databases."""
    return Round(expression * Value(100))


def _money_from_tiyn(expression: Any) -> ExpressionWrapper:
    # ROUND() returns a float on SQLite, so this is never an integer division.
    return ExpressionWrapper(
        expression / Value(100),
        output_field=DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES),
    )


def _plus(column: str, tiyn: int) -> CombinedExpression:
    return _tiyn(F(column)) + Value(tiyn)


def _move_counter(account_id: int, column: str, tiyn: int, condition: Q) -> bool:
    """``column += tiyn`` (or ``-=`` for a negative ``tiyn``) where ``condition`` holds."""
    changed = Account.objects.filter(condition, pk=account_id).update(
        **{column: _money_from_tiyn(_plus(column, tiyn))}
    )
    return changed == 1


def _within_ceiling(tiyn: int) -> Q:
    return Q(ceiling__isnull=True) | Q(
        LessThanOrEqual(_plus("paid_out", tiyn), _tiyn(F("ceiling")))
    )


def _within_paid_out(tiyn: int) -> Q:
    return Q(LessThanOrEqual(_plus("refunded", tiyn), _tiyn(F("paid_out"))))


def _as_tiyn(amount: Decimal) -> int:
    return int(amount * 100)


def _shown(amount: Decimal | None) -> str:
    """3000000.00 → "3 000 000.00" for messages."""
    return f"{amount or Decimal(0):,.2f}".replace(",", " ")


# --- Retries when the database is busy -------------------------------------------------------------


def _is_busy(error: OperationalError) -> bool:
    text = str(error).lower()
    if "database is locked" in text or "database table is locked" in text:
        return True
    return getattr(error.__cause__, "sqlstate", None) in {"40001", "40P01"}


def _retrying(operation: Callable[[], T]) -> T:
    """Run a write transaction, again (bounded, with jitter) while the database is busy.

    Inside a caller's transaction nothing can be retried (the transaction is spoilt): the
    caller gets ``LedgerBusy`` and its own transaction rolls back.
    """
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            return operation()
        except OperationalError as error:
            if not _is_busy(error):
                raise
            if attempt == BUSY_ATTEMPTS or connection.in_atomic_block:
                logger.warning("payments ledger busy after %d attempt(s): %s", attempt, error)
                raise LedgerBusy() from error
            # Jitter spreads the retries of requests that collided; not a security matter.
            time.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311
    raise AssertionError("unreachable")


# --- Accounts --------------------------------------------------------------------------------------


def account_open(
    *,
    kind: str,
    reference: str,
    ceiling: Decimal | None = None,
    ceiling_rule: str = "",
) -> Account:
    """The account of ``kind`` + ``reference``, opened if it does not exist yet.

    Idempotent: opening it again with the same ceiling returns it; another ceiling is a
    ``Conflict("account_exists")`` (a changed contract sum is an amendment, not a re-open).
    """
    errors = FieldErrors()
    if kind not in AccountKind.values:
        errors.add("kind", "invalid", _("Unknown kind of account."))
    if not isinstance(reference, str) or not reference.strip() or len(reference) > 100:
        errors.add("reference", "invalid", _("Give the reference (1 to 100 characters)."))
    if ceiling is not None:
        problem = _amount_problem(ceiling, allow_zero=True)
        if problem:
            errors.add("ceiling", *problem)
    if len(ceiling_rule) > 20:
        errors.add("ceiling_rule", "too_long", _("A rule ID has at most 20 characters."))
    errors.raise_if_any()
    wanted = None if ceiling is None else kzt(ceiling)

    def open_it() -> tuple[Account, bool]:
        with transaction.atomic():
            return Account.objects.get_or_create(
                kind=kind,
                reference=reference,
                defaults={"ceiling": wanted, "ceiling_rule": ceiling_rule},
            )

    try:
        account, created = _retrying(open_it)
    except IntegrityError:  # a concurrent open of the same account won
        account, created = Account.objects.get(kind=kind, reference=reference), False
    if not created and (account.ceiling, account.ceiling_rule) != (wanted, ceiling_rule):
        raise Conflict(
            "account_exists",
            _("The account %(account)s exists with another ceiling (%(ceiling)s KZT).")
            % {"account": account, "ceiling": _shown(account.ceiling)},
        )
    return account


# --- Entries -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EntryRequest:
    account_id: int
    kind: str
    direction: str
    amount: Decimal
    due_on: date
    rule: str
    inputs: dict[str, Any]
    idempotency_key: str
    description: str
    fingerprint: str


def _amount_problem(amount: object, *, allow_zero: bool = False) -> tuple[str, str] | None:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        return "amount_type", _("Give the amount as a Decimal in tenge (never a float).")
    value = Decimal(amount)
    if not value.is_finite():
        return "amount_invalid", _("The amount must be a finite number.")
    if value < 0 or (value == 0 and not allow_zero):
        return "amount_not_positive", _("The amount must be more than zero.")
    if value != kzt(value):
        return "amount_precision", _("The amount has at most 2 decimal places (tiyn).")
    if value > MAX_AMOUNT:
        return "amount_too_large", _("The amount is at most 999 999 999 999.99 KZT.")
    return None


def _clean_entry_request(
    *,
    account: Account,
    kind: str,
    direction: str,
    amount: Decimal,
    due_on: date,
    rule: str,
    inputs: dict[str, Any],
    idempotency_key: str,
    description: str,
) -> _EntryRequest:
    errors = FieldErrors()
    if not isinstance(account, Account) or account.pk is None:
        errors.add("account", "required", _("Give a saved payment account."))
    if kind not in EntryKind.values:
        errors.add("kind", "invalid", _("Unknown kind of entry."))
    if direction not in Direction.values:
        errors.add("direction", "invalid", _('The direction is "out" (payment) or "in" (refund).'))
    elif kind in EntryKind.values and DIRECTION_OF_KIND[kind] != direction:
        errors.add(
            "direction",
            "direction_of_kind",
            _("A %(kind)s moves money %(direction)s.")
            % {"kind": EntryKind(kind).label, "direction": DIRECTION_OF_KIND[kind]},
        )
    problem = _amount_problem(amount)
    if problem:
        errors.add("amount", *problem)
    if isinstance(due_on, datetime) or not isinstance(due_on, date):
        errors.add("due_on", "invalid", _("Give the due date as a date."))
    if not isinstance(rule, str) or not rule.strip() or len(rule) > 20:
        errors.add("rule", "required", _("Name the rule the amount comes from (e.g. OUT-22)."))
    clean_inputs: dict[str, Any] = {}
    if not isinstance(inputs, dict):
        errors.add("inputs", "invalid", _("Give the inputs of the amount as a mapping."))
    else:
        try:
            clean_inputs = canonical(inputs)
        except NotCanonical as error:
            errors.add(
                "inputs",
                "not_exact",
                _("%(path)s cannot be kept exactly: give numbers as Decimal or int, not float.")
                % {"path": error.args[0]},
            )
    problem = key_problem(idempotency_key)
    if problem:
        errors.add("idempotency_key", *problem)
    if not isinstance(description, str):
        errors.add("description", "invalid", _("The description is text."))
    errors.raise_if_any()

    clean_amount = kzt(amount)
    payload = {
        "account": account.pk,
        "kind": kind,
        "direction": direction,
        "amount": str(clean_amount),
        "due_on": due_on.isoformat(),
        "rule": rule,
        "inputs": clean_inputs,
        "description": description,
    }
    return _EntryRequest(
        account_id=account.pk,
        kind=kind,
        direction=direction,
        amount=clean_amount,
        due_on=due_on,
        rule=rule,
        inputs=clean_inputs,
        idempotency_key=idempotency_key,
        description=description,
        fingerprint=fingerprint(payload),
    )


def _replayed(entry: LedgerEntry, request: _EntryRequest) -> LedgerEntry:
    if entry.request_fingerprint != request.fingerprint:
        raise Conflict(
            "idempotency_key_reused",
            _(
                "The idempotency key %(key)s was already used for another request (entry "
                "%(entry)s). Use a new key for a new payment."
            )
            % {"key": request.idempotency_key, "entry": entry.pk},
        )
    return entry


def _refusal(request: _EntryRequest) -> ApplicationError:
    """Why the conditional update of the account matched no row (read inside the transaction)."""
    account = Account.objects.filter(pk=request.account_id).first()
    if account is None:
        return NotFound(_("There is no such payment account."))
    if request.direction == Direction.OUT:
        return Conflict(
            "ceiling_exceeded",
            _(
                "A payment of %(amount)s KZT would bring the payments under %(account)s to "
                "%(total)s KZT, above the ceiling of %(ceiling)s KZT (%(remaining)s KZT remain)."
            )
            % {
                "amount": _shown(request.amount),
                "account": account,
                "total": _shown(account.paid_out + request.amount),
                "ceiling": _shown(account.ceiling),
                "remaining": _shown((account.ceiling or Decimal(0)) - account.paid_out),
            },
            rule=account.ceiling_rule or None,
        )
    return Conflict(
        "refund_exceeds_paid_out",
        _(
            "A refund of %(amount)s KZT would bring the refunds under %(account)s to %(total)s "
            "KZT, above the %(paid_out)s KZT paid out."
        )
        % {
            "amount": _shown(request.amount),
            "account": account,
            "total": _shown(account.refunded + request.amount),
            "paid_out": _shown(account.paid_out),
        },
    )


def _insert(request: _EntryRequest, actor: User | None) -> LedgerEntry:
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            account_id=request.account_id,
            kind=request.kind,
            direction=request.direction,
            amount=request.amount,
            due_on=request.due_on,
            rule=request.rule,
            inputs=request.inputs,
            description=request.description,
            idempotency_key=request.idempotency_key,
            request_fingerprint=request.fingerprint,
            created_by=actor,
        )
        tiyn = _as_tiyn(request.amount)
        if request.direction == Direction.OUT:
            moved = _move_counter(request.account_id, "paid_out", tiyn, _within_ceiling(tiyn))
        else:
            moved = _move_counter(request.account_id, "refunded", tiyn, _within_paid_out(tiyn))
        if not moved:
            raise _refusal(request)  # rolls the entry back: nothing is written
        return entry


def record_entry(
    *,
    account: Account,
    kind: str,
    direction: str,
    amount: Decimal,
    due_on: date,
    rule: str,
    inputs: dict[str, Any],
    idempotency_key: str,
    actor: User | None = None,
    description: str = "",
) -> tuple[LedgerEntry, bool]:
    """Record one payment (``direction="out"``) or refund (``"in"``); ``(entry, created)``.

    An outgoing entry raises the account's ``paid_out`` only if it stays within the ceiling
    (``Conflict("ceiling_exceeded")`` with the account's ceiling rule, e.g. OUT-19, otherwise);
    a refund raises ``refunded`` only up to ``paid_out`` (``Conflict("refund_exceeds_paid_out")``).
    A refused request writes nothing and keeps no trace of its key.

    Replays: the same ``idempotency_key`` with the same request returns the recorded entry
    with ``created=False`` — also when both arrive at once; with another request it is
    ``Conflict("idempotency_key_reused")``. Bad input is ``ValidationFailed`` naming the field.
    """
    request = _clean_entry_request(
        account=account,
        kind=kind,
        direction=direction,
        amount=amount,
        due_on=due_on,
        rule=rule,
        inputs=inputs,
        idempotency_key=idempotency_key,
        description=description,
    )
    existing = LedgerEntry.objects.filter(idempotency_key=request.idempotency_key).first()
    if existing is not None:
        return _replayed(existing, request), False
    try:
        return _retrying(lambda: _insert(request, actor)), True
    except IntegrityError:
        # Outside the atomic block, so the transaction is usable again. On PostgreSQL the
        # second insert of a key waited for the first to commit; the winner is visible now.
        winner = LedgerEntry.objects.filter(idempotency_key=request.idempotency_key).first()
        if winner is None:
            raise
        logger.debug("payments: entry %s was recorded by a concurrent request", winner.pk)
        return _replayed(winner, request), False


# --- Status transitions ----------------------------------------------------------------------------


def _transition_refused(entry_id: int) -> ApplicationError:
    entry = LedgerEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        return NotFound(_("There is no such ledger entry."))
    if entry.status == EntryStatus.PAID:
        return Conflict(
            "already_paid",
            _("Entry %(entry)s was already paid on %(paid_at)s.")
            % {
                "entry": entry.pk,
                "paid_at": timezone.localtime(entry.paid_at).strftime("%d.%m.%Y"),
            },
        )
    return Conflict(
        "already_cancelled", _("Entry %(entry)s has been cancelled.") % {"entry": entry.pk}
    )


def mark_paid(*, entry_id: int, actor: User | None, paid_at: datetime | None = None) -> LedgerEntry:
    """Scheduled → paid (for a refund: received), in one conditional UPDATE.

    A second call is ``Conflict("already_paid")``; a cancelled entry ``Conflict("already_cancelled")``.
    """
    moment = paid_at or timezone.now()
    errors = FieldErrors()
    if not isinstance(moment, datetime) or timezone.is_naive(moment):
        errors.add("paid_at", "invalid", _("Give the moment of payment with its time zone."))
    elif moment > timezone.now():
        errors.add("paid_at", "in_future", _("A payment cannot be made in the future."))
    errors.raise_if_any()

    def pay() -> LedgerEntry:
        with transaction.atomic():
            changed = LedgerEntry.objects.filter(pk=entry_id, status=EntryStatus.SCHEDULED).update(
                status=EntryStatus.PAID, paid_at=moment, paid_by=actor
            )
            if not changed:
                raise _transition_refused(entry_id)
            return LedgerEntry.objects.select_related("account").get(pk=entry_id)

    return _retrying(pay)


def cancel_entry(*, entry_id: int, actor: User | None, reason: str) -> LedgerEntry:
    """Scheduled → cancelled; the amount leaves the account's ``paid_out`` (or ``refunded``).

    Conditional like the recording: an outgoing entry is cancelled only while the refunds
    recorded still fit within what remains paid out (``Conflict("refunds_exceed_paid_out")``:
    cancel the refund first). A paid entry is not cancelled (``Conflict("already_paid")``).
    """
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed.single("reason", "required", _("Say why the entry is cancelled."))

    def cancel() -> LedgerEntry:
        with transaction.atomic():
            changed = LedgerEntry.objects.filter(pk=entry_id, status=EntryStatus.SCHEDULED).update(
                status=EntryStatus.CANCELLED,
                cancelled_at=timezone.now(),
                cancelled_by=actor,
                cancel_reason=reason,
            )
            if not changed:
                raise _transition_refused(entry_id)
            entry = LedgerEntry.objects.select_related("account").get(pk=entry_id)
            tiyn = _as_tiyn(entry.amount)
            if entry.direction == Direction.OUT:
                condition = Q(GreaterThanOrEqual(_plus("paid_out", -tiyn), _tiyn(F("refunded"))))
                if not _move_counter(entry.account_id, "paid_out", -tiyn, condition):
                    raise Conflict(
                        "refunds_exceed_paid_out",
                        _(
                            "Cancelling entry %(entry)s would leave less paid out under "
                            "%(account)s than has been refunded; cancel the refund first."
                        )
                        % {"entry": entry.pk, "account": entry.account},
                    )
            else:
                condition = Q(GreaterThanOrEqual(_tiyn(F("refunded")), Value(tiyn)))
                if not _move_counter(entry.account_id, "refunded", -tiyn, condition):
                    raise AssertionError("refunded below a recorded refund")  # DB constraints
            entry.account.refresh_from_db()
            return entry

    return _retrying(cancel)
