"""The Monday 09:00 burst: many agencies confirming many lots at once, on real connections.

Used by the concurrency test (every accepted request present, places 1…n per lot, no agency
above 3 a day) and by ``make bench`` (latency percentiles). Each worker thread has its own
database connection; a barrier releases them together.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import close_old_connections, connection

from labormarket.core.errors import ApplicationError


@dataclass(frozen=True)
class Request:
    agency_index: int
    lot_id: int
    cms: bytes


@dataclass
class Outcome:
    request: Request
    accepted: bool
    code: str
    seconds: float
    confirmation_id: int | None = None


@dataclass
class BurstResult:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def accepted(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.accepted]

    def percentile(self, p: float) -> float:
        values = sorted(o.seconds for o in self.outcomes)
        if not values:
            return 0.0
        index = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
        return values[index]


def plan_requests(
    *,
    agencies: int,
    lot_ids: Sequence[int],
    per_agency: int,
    seed: int,
    sign: Callable[[int, int], bytes],
) -> list[Request]:
    """Each agency tries ``per_agency`` distinct random lots; the order of all is shuffled."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible test plan, not a secret
    requests = [
        Request(agency_index=a, lot_id=lot_id, cms=sign(a, lot_id))
        for a in range(agencies)
        for lot_id in rng.sample(list(lot_ids), per_agency)
    ]
    rng.shuffle(requests)
    return requests


def fire(
    requests: Sequence[Request],
    *,
    confirm: Callable[[Request], Any],
    threads: int,
) -> BurstResult:
    """Send all requests from ``threads`` workers released at once; collect every outcome."""
    result = BurstResult()
    queue = list(requests)
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        try:
            # A server's workers hold their connections (CONN_MAX_AGE): the burst does not pay
            # for opening them.
            connection.ensure_connection()
            barrier.wait()
            while True:
                with lock:
                    if not queue:
                        return
                    request = queue.pop()
                started = time.perf_counter()
                try:
                    confirmation = confirm(request)
                except ApplicationError as exc:
                    outcome = Outcome(request, False, exc.code, time.perf_counter() - started)
                else:
                    outcome = Outcome(
                        request, True, "ok", time.perf_counter() - started, confirmation.pk
                    )
                with lock:
                    result.outcomes.append(outcome)
        except Exception as exc:
            with lock:
                result.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    close_old_connections()
    barrier.wait()
    started = time.perf_counter()
    for w in workers:
        w.join()
    result.wall_seconds = time.perf_counter() - started
    return result


def fire_processes(
    requests: Sequence[Request],
    *,
    confirm: Callable[[Request], Any],
    processes: int,
    threads: int,
) -> BurstResult:
    """As :func:`fire`, from ``processes`` forked worker processes of ``threads`` threads each —
    the way a server with several worker processes meets the burst (and, on SQLite, writers in
    different processes). The processes start together on a shared barrier."""
    import multiprocessing

    from django.db import connections

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    shares = [list(requests[i::processes]) for i in range(processes)]
    connections.close_all()

    def child(share: list[Request]) -> None:
        try:
            barrier.wait()
            results.put(fire(share, confirm=confirm, threads=threads))
        except Exception as exc:
            results.put(BurstResult(errors=[f"{type(exc).__name__}: {exc}"]))
        finally:
            connections.close_all()

    workers = [context.Process(target=child, args=(share,)) for share in shares]
    for w in workers:
        w.start()
    barrier.wait()
    started = time.perf_counter()
    merged = BurstResult()
    for _ in workers:
        part = results.get()
        merged.outcomes.extend(part.outcomes)
        merged.errors.extend(part.errors)
    for w in workers:
        w.join()
    merged.wall_seconds = time.perf_counter() - started
    return merged


def confirm_with(actor_for: Callable[[int], Any], now: datetime) -> Callable[[Request], Any]:
    from .selection import lot_confirm

    def confirm(request: Request) -> Any:
        return lot_confirm(
            actor=actor_for(request.agency_index), lot_id=request.lot_id, cms=request.cms, now=now
        )

    return confirm
