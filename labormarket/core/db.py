"""Database helpers shared by the apps.

:func:`write_queue` — SQLite's writers in arrival order. SQLite has one write lock; a
connection that finds it taken sleeps in its busy handler for 1, 2, 5 … up to 100 ms at a time
and looks again, so under a burst a writer that happens to be asleep when the lock is released
loses it to one that is not, again and again: most writes wait a few milliseconds and a few
wait most of a second. Writers that first take an exclusive ``flock`` on a file beside the
database wait in the kernel instead, are woken as soon as it is released, and take the write
lock without a fight. It is used where writes come in bursts (the Monday confirmations); on
PostgreSQL, or an SQLite database in memory, it does nothing.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.db import connection

_local = threading.local()


def _queue_file() -> IO[bytes] | None:
    name = str(connection.settings_dict.get("NAME") or "")
    if (
        connection.vendor != "sqlite"
        or not name
        or name.startswith(":memory:")
        or "mode=memory" in name
    ):
        return None
    files: dict[tuple[int, str], IO[bytes]] = _local.__dict__.setdefault("files", {})
    # Each thread (and each process: a forked child shares its parent's open files) its own
    # open file, because flock excludes open files, not processes.
    key = (os.getpid(), name)
    handle = files.get(key)
    if handle is None:
        handle = files[key] = open(f"{name}.writers", "ab")  # noqa: SIM115 - kept for the thread
    return handle


@contextmanager
def write_queue() -> Iterator[None]:
    """Wait for this connection's turn to write (SQLite), then hold it for the block; wrap it
    around the whole ``transaction.atomic()`` block of the write. A no-op inside a transaction
    that is already open (it holds the write lock, or will queue for it) and on PostgreSQL."""
    handle = _queue_file() if not connection.in_atomic_block else None
    if handle is None:
        yield
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
