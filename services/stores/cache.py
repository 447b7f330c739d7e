"""A snapshot cache shared by all sessions: one load per TTL, whoever asks first.

Not st.cache_data: its TTL is fixed when the decorator runs, while ours comes from the secrets at
run time, and it would pickle a 10,000-task snapshot on every rerun; the snapshot is immutable, so
sessions can share the very object. Derived tables are memoised on the same entry.
"""

from __future__ import annotations

import threading
import time


class SnapshotCache:
    def __init__(self, loader, ttl_seconds: float, clock=time.monotonic):
        self._loader, self._ttl, self._clock = loader, ttl_seconds, clock
        self._lock = threading.Lock()
        self._value = None
        self._loaded = float("-inf")
        self._derived: dict = {}

    def get(self):
        """The cached snapshot, loaded again when older than the TTL. Concurrent callers wait
        for one load instead of each reading the store (a burst of sessions costs one read)."""
        with self._lock:
            if self._value is None or self._clock() - self._loaded >= self._ttl:
                value = self._loader()  # an exception leaves the old state, and propagates
                self._value, self._loaded, self._derived = value, self._clock(), {}
            return self._value

    def derived(self, key, compute):
        """`compute(snapshot)` once per snapshot and key (e.g. the task table as of a date)."""
        snapshot = self.get()
        with self._lock:
            if self._value is snapshot and key in self._derived:
                return self._derived[key]
        result = compute(snapshot)
        with self._lock:
            if self._value is snapshot:
                self._derived[key] = result
        return result

    def clear(self) -> None:
        with self._lock:
            self._value, self._loaded, self._derived = None, float("-inf"), {}
