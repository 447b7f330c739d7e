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


def test_a_reload_that_finds_the_same_data_keeps_the_derived_tables():
    from dataclasses import replace
    from datetime import datetime

    from services.domain.model import Snapshot, Task

    task = Task(id="NV-0001", directive_id="VB-1", section="1", content="Việc", lead="SNV")
    data = {"snapshot": Snapshot(tasks=(task,))}
    clock, computed = Clock(), []

    def load():  # a new object at every load, as a store gives, stamped with its moment
        return replace(data["snapshot"], loaded_at=datetime(2026, 12, 1, 8, int(clock.now) % 60))

    cache = SnapshotCache(load, ttl_seconds=10, clock=clock)
    count = lambda snap: computed.append(snap) or len(computed)
    whole = []
    read_whole = lambda snap: whole.append(1) or len(whole)
    assert cache.derived("k", count) == 1 and cache.derived("all", read_whole, False) == 1
    first = cache.get()
    clock.now = 10  # reloaded: the same data, a later moment
    assert cache.get() is not first and cache.get().loaded_at != first.loaded_at
    assert cache.derived("k", count) == 1  # kept
    assert cache.derived("all", read_whole, False) == 2  # read from the store: read again
    data["snapshot"] = Snapshot(tasks=(replace(task, progress=50),))
    clock.now = 20  # reloaded: a task changed
    assert cache.derived("k", count) == 2
    clock.now = 30
    data["snapshot"] = replace(data["snapshot"], unreadable={"NV-0001": ("deadline",)})
    assert cache.derived("k", count) == 3  # a cell now unreadable is a change too


def test_same_data_ignores_only_the_moment_of_reading():
    from dataclasses import replace
    from datetime import datetime

    from services.domain.model import Agency, Snapshot

    a = Snapshot(agencies=(Agency("SNV", "Sở Nội vụ"),), loaded_at=datetime(2026, 12, 1, 8, 0))
    assert a.same_data(replace(a, loaded_at=datetime(2026, 12, 1, 8, 1)))
    assert not a.same_data(replace(a, agencies=(Agency("SNV", "Sở Nội Vụ"),)))
    assert not a.same_data(replace(a, history_since=datetime(2026, 10, 1)))
    assert not a.same_data(object())


def test_kept_derived_values_are_bounded():
    from services.stores.cache import KEEP_AT_MOST

    clock = Clock()

    class Same:  # every load equal to the last: derived values would be kept
        def same_data(self, other):
            return True

    cache = SnapshotCache(Same, ttl_seconds=10, clock=clock)
    for i in range(KEEP_AT_MOST + 1):  # one more than may be kept
        cache.derived(i, lambda _, i=i: i)
    clock.now = 10
    computed = []
    cache.derived(0, lambda _: computed.append(1) or 0)
    assert computed == [1]  # started afresh
    clock.now = 20
    cache.derived(0, lambda _: computed.append(1) or 0)
    assert computed == [1]  # few again: kept
