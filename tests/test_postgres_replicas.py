"""Several app replicas on one PostgreSQL database: a save in one is seen in the other at its
next rerun (the change counter), long before the cache TTL; and the cache's counter check."""

from __future__ import annotations

import multiprocessing
import time

from services.stores.cache import SnapshotCache
from tests.replica_app import replica
from tests.test_cache import Clock


class Replica:
    def __init__(self, url: str, **kwargs):
        ctx = multiprocessing.get_context("spawn")
        self.pipe, child = ctx.Pipe()
        self.process = ctx.Process(target=replica, args=(child, url), kwargs=kwargs, daemon=True)
        self.process.start()

    def ask(self, *command, timeout: float = 120):
        self.pipe.send(command)
        assert self.pipe.poll(timeout), f"replica did not answer {command}"
        status, value = self.pipe.recv()
        assert status == "ok", value
        return value

    def stop(self):
        self.pipe.send(("stop",))
        self.process.join(timeout=20)
        if self.process.is_alive():
            self.process.kill()


def test_a_save_in_replica_a_is_seen_in_replica_b(postgres_store, postgres_url):
    a = Replica(postgres_url, email="canbo@snv.gov.vn", agency="SNV")
    b = Replica(postgres_url)
    try:
        before = b.ask("metrics")
        assert before["Tổng số nhiệm vụ"] == "29", before
        ongoing_before = int(before["Thường xuyên"])
        assert a.ask("complete", "NV-0024") == []
        saved = postgres_store.load().task("NV-0024")
        # the agency's "Hoàn thành" waits for the office ([app] require_confirmation)
        assert (saved.status, saved.updated_by) == ("Chờ xác nhận", "canbo@snv.gov.vn")
        time.sleep(1.2)  # the cache checks the counter at most once a second
        after = b.ask("metrics")  # TTL is an hour: only the change counter can refresh B
        # NV-0024 (no deadline) leaves "Thường xuyên" for "Chờ xác nhận"
        assert int(after["Thường xuyên"]) == ongoing_before - 1, (before, after)
    finally:
        a.stop()
        b.stop()


def test_cache_reloads_when_the_counter_moves_and_checks_it_at_most_once_a_second():
    clock, loads, checks, version = Clock(), [], [], [1]

    def counter():
        checks.append(clock.now)
        return version[0]

    cache = SnapshotCache(
        lambda: loads.append(1) or object(), 3600, clock=clock, version=counter, check_seconds=1
    )
    first = cache.get()
    clock.now = 0.5
    assert cache.get() is first and len(checks) == 1  # within the check interval: no query
    clock.now = 1.5
    assert cache.get() is first and len(checks) == 2 and len(loads) == 1  # same counter
    version[0] = 2  # another replica wrote
    assert cache.get() is first  # not checked again yet
    clock.now = 2.6
    second = cache.get()
    assert second is not first and len(loads) == 2
    clock.now = 4.0
    assert cache.get() is second and len(loads) == 2
