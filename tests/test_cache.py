"""The shared snapshot cache: one load per TTL, one load for a burst of sessions, clear()."""

import threading
import time

from services.stores.cache import SnapshotCache


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_ttl_and_clear():
    clock, loads = Clock(), []
    cache = SnapshotCache(lambda: loads.append(1) or object(), ttl_seconds=60, clock=clock)
    first = cache.get()
    clock.now = 59
    assert cache.get() is first and len(loads) == 1
    clock.now = 60
    assert cache.get() is not first and len(loads) == 2
    cache.clear()
    cache.get()
    assert len(loads) == 3


def test_concurrent_sessions_share_one_load():
    loads = []

    def slow_load():
        loads.append(1)
        time.sleep(0.2)
        return object()

    cache = SnapshotCache(slow_load, ttl_seconds=60)
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and len({id(r) for r in results}) == 1


def test_derived_values_are_computed_once_per_snapshot():
    clock, computed = Clock(), []
    cache = SnapshotCache(object, ttl_seconds=10, clock=clock)
    compute = lambda snap: computed.append(snap) or len(computed)
    assert cache.derived("k", compute) == cache.derived("k", compute) == 1
    clock.now = 10  # a new snapshot: derived values are recomputed
    assert cache.derived("k", compute) == 2


def test_failed_load_propagates_and_keeps_nothing_stale():
    def broken():
        raise RuntimeError("down")

    cache = SnapshotCache(broken, ttl_seconds=60)
    try:
        cache.get()
    except RuntimeError:
        pass
    else:
        raise AssertionError("the error must reach the caller")
