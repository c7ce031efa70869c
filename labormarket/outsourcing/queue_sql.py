"""PostgreSQL: a lot's queue place taken in one statement (docs/adr/0011).

At 09:00 on Monday every request of the burst locks its agency's row and its lot's row, reads
the agency's count and the lot's last place, and inserts. Done from Python, those locks are held
across five round trips and the commit; with forty requests on two cores the process holding
them is often waiting for a core or for its interpreter lock, and every request queued behind
the lot waits with it. :func:`take_place` sends the whole locked part as one autocommitted call
of ``outsourcing_take_place``, so the locks are held only while the server runs it (about a
millisecond), whatever the client process is doing.

The function is the SQL of ``selection._take_place`` on SQLite: agency first, then lot, in every
transaction (no lock cycles); each statement after the locks has its own snapshot, so the
counts see every confirmation committed before the locks were had; the evidence row, the
confirmation, the lot's status and its event are written together, or nothing is (a refusal
writes nothing). The rows come from the unsaved model instances, as JSON objects of their
columns (:func:`row_json`) read with ``jsonb_populate_record`` of the table's own row type, so
the function names no columns but the few it computes or tests; a column added to one of the
three tables is carried without changing it.
"""

# ruff: noqa: S608 — statements are assembled from the models' table names; values are parameters.

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models

FUNCTION = "outsourcing_take_place"
_ARGUMENTS = "jsonb, jsonb, jsonb, integer"


@dataclass(frozen=True)
class Place:
    """What the function did: the rows' ids and the place taken, or the refusal's code
    (``already_confirmed``, ``daily_limit``)."""

    confirmation_id: int | None
    signature_id: int | None
    position: int | None
    daily_number: int | None
    confirmed_at: datetime.datetime | None
    refusal: str | None


def _function_sql() -> str:
    from labormarket.accounts.models import Organisation
    from labormarket.core.models import StoredSignature

    from .choices import LotStatus
    from .models import Lot, LotConfirmation, LotEvent

    organisations = Organisation._meta.db_table
    lots = Lot._meta.db_table
    confirmations = LotConfirmation._meta.db_table
    signatures = StoredSignature._meta.db_table
    events = LotEvent._meta.db_table

    def new_id(table: str) -> str:
        return f"nextval(pg_get_serial_sequence('{table}', 'id'))"

    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(
    p_signature jsonb, p_confirmation jsonb, p_event jsonb, p_max_per_day integer,
    OUT o_confirmation bigint, OUT o_signature bigint, OUT o_place integer,
    OUT o_daily_number integer, OUT o_confirmed_at timestamptz, OUT o_refusal text)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    v_lot bigint := (p_confirmation->>'lot_id')::bigint;
    v_agency bigint := (p_confirmation->>'agency_id')::bigint;
    v_day date := (p_confirmation->>'selection_day')::date;
    v_used integer;
    v_last_at timestamptz;
BEGIN
    -- Agency first, then lot, as in every transaction that locks both.
    PERFORM 1 FROM {organisations} WHERE id = v_agency FOR UPDATE;
    PERFORM 1 FROM {lots} WHERE id = v_lot FOR UPDATE;
    -- Each statement from here on sees what was committed before the locks were had.
    IF EXISTS (SELECT 1 FROM {confirmations} c
               WHERE c.lot_id = v_lot AND c.selection_day = v_day AND c.agency_id = v_agency) THEN
        o_refusal := 'already_confirmed';
        RETURN;
    END IF;
    SELECT count(*) INTO v_used FROM {confirmations} c
     WHERE c.agency_id = v_agency AND c.selection_day = v_day;
    IF v_used >= p_max_per_day THEN
        o_refusal := 'daily_limit';
        RETURN;
    END IF;
    SELECT coalesce(max(c.position), 0) + 1, max(c.confirmed_at) INTO o_place, v_last_at
      FROM {confirmations} c
     WHERE c.lot_id = v_lot AND c.selection_day = v_day;
    o_daily_number := v_used + 1;
    -- The moment the place is taken, on the application's clock: the time the caller read
    -- plus how long this call has waited for its locks, and never before the place ahead (the
    -- caller may have read its clock well before the call reached the server).
    o_confirmed_at := greatest(
        (p_confirmation->>'confirmed_at')::timestamptz
            + (clock_timestamp() - statement_timestamp()),
        v_last_at);
    INSERT INTO {signatures}
    SELECT * FROM jsonb_populate_record(
        NULL::{signatures}, p_signature || jsonb_build_object('id', {new_id(signatures)}))
    RETURNING id INTO o_signature;
    INSERT INTO {confirmations}
    SELECT * FROM jsonb_populate_record(
        NULL::{confirmations},
        p_confirmation || jsonb_build_object(
            'id', {new_id(confirmations)}, 'position', o_place,
            'daily_number', o_daily_number, 'signature_id', o_signature,
            'confirmed_at', o_confirmed_at))
    RETURNING id INTO o_confirmation;
    IF o_place = 1 THEN
        UPDATE {lots} SET status = '{LotStatus.IN_REVIEW.value}',
               updated_at = o_confirmed_at
         WHERE id = v_lot AND status = '{LotStatus.OPEN.value}';
    END IF;
    INSERT INTO {events}
    SELECT * FROM jsonb_populate_record(
        NULL::{events},
        p_event || jsonb_build_object(
            'id', {new_id(events)}, 'occurred_at', o_confirmed_at,
            'payload', (p_event->'payload') || jsonb_build_object('position', o_place)));
END
$fn$;
"""


def install(cursor: Any) -> None:
    cursor.execute(_function_sql())


def uninstall(cursor: Any) -> None:
    cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}({_ARGUMENTS})")


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def row_json(instance: models.Model) -> str:
    """An unsaved instance's columns (all but the primary key) as one JSON object, in the form
    ``jsonb_populate_record`` reads them: bytes as bytea hex, dates and times in ISO 8601."""
    return json.dumps(
        {
            field.column: _json_value(getattr(instance, field.attname))
            for field in instance._meta.concrete_fields
            if not field.primary_key
        }
    )


def take_place(
    cursor: Any,
    *,
    signature: models.Model,
    confirmation: models.Model,
    event: models.Model,
    max_per_day: int,
) -> Place:
    """Lock, count, and insert the three rows in one call; see the module's docstring. Outside
    a transaction the call is its own, so nothing is held after it returns."""
    cursor.execute(
        f"SELECT * FROM {FUNCTION}(%s::jsonb, %s::jsonb, %s::jsonb, %s)",
        [row_json(signature), row_json(confirmation), row_json(event), max_per_day],
    )
    return Place(*cursor.fetchone())
