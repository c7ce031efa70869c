"""``core.db.write_queue``: SQLite writers take turns through a file lock; elsewhere a no-op."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from labormarket.core.db import write_queue


def _queue_path() -> Path:
    return Path(f"{connection.settings_dict['NAME']}.writers")


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_for_the_first_to_leave_the_queue():
    if connection.vendor != "sqlite":
        pytest.skip("the queue is SQLite's; PostgreSQL has row locks")
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        with write_queue():
            order.append("first in")
            inside.set()
            release.wait(5)
            order.append("first out")
        connection.close()

    def second() -> None:
        inside.wait(5)
        with write_queue():
            order.append("second in")
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inside.wait(5)
    time.sleep(0.2)  # the second writer is waiting by now
    assert order == ["first in"]
    release.set()
    for thread in threads:
        thread.join(5)
    assert order == ["first in", "first out", "second in"]
    assert _queue_path().exists()


@pytest.mark.django_db(transaction=True)
def test_inside_an_open_transaction_or_on_postgresql_it_does_not_queue():
    """The transaction already holds (or queues for) the write lock; taking the file lock there
    could wait on a writer that waits on this transaction."""
    held = threading.Event()
    done = threading.Event()

    def holder() -> None:
        with write_queue():
            held.set()
            done.wait(5)
        connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    started = time.perf_counter()
    with transaction.atomic(), write_queue():
        waited = time.perf_counter() - started
    if connection.vendor != "sqlite":
        with write_queue():
            waited = max(waited, time.perf_counter() - started)
    done.set()
    thread.join(5)
    assert waited < 1
