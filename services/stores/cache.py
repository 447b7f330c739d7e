"""A snapshot cache shared by all sessions: one load per TTL, whoever asks first.

Not st.cache_data: its TTL is fixed when the decorator runs, while ours comes from the secrets at
run time, and it would pickle a 10,000-task snapshot on every rerun; the snapshot is immutable, so
sessions can share the very object. Derived tables are memoised on the same entry.
"""

from __future__ import annotations

import threading
import time

# derived values kept over a reload that finds the same data, at most (one per page, date and
# setting in use): past it, the next reload starts afresh, so a quiet day cannot pile them up
KEEP_AT_MOST = 32


class SnapshotCache:
    def __init__(
        self, loader, ttl_seconds: float, clock=time.monotonic, version=None, check_seconds=1.0
    ):
        """`version()`, when given, is a cheap change counter of the store (PostgreSQL's
        data_version): checked at most every `check_seconds`, a new number reloads before the
        TTL, so a save made by another app replica is seen at the next rerun."""
        self._loader, self._ttl, self._clock = loader, ttl_seconds, clock
        self._version, self._check_every = version, check_seconds
        self._lock = threading.Lock()
        self._value = None
        self._loaded = self._checked = float("-inf")
        self._seen_version = None
        self._derived: dict = {}
        self._own: set = set()  # keys of values read from the store, not derived (see derived)

    def _stale(self) -> bool:
        if self._value is None or self._clock() - self._loaded >= self._ttl:
            return True
        if self._version is None or self._clock() - self._checked < self._check_every:
            return False
        self._checked = self._clock()
        return self._version() != self._seen_version

    def get(self):
        """The cached snapshot, loaded again when older than the TTL (or when the store's change
        counter moved). Concurrent callers wait for one load instead of each reading the store
        (a burst of sessions costs one read)."""
        with self._lock:
            if self._stale():
                # the counter is read before the data: a write landing between the two makes the
                # next check reload again, never hides behind a stale snapshot
                version = self._version() if self._version is not None else None
                value = self._loader()  # an exception leaves the old state, and propagates
                if not self._unchanged(value) or len(self._derived) > KEEP_AT_MOST:
                    self._derived = {}
                else:  # nothing changed: the tables derived from the same data still hold
                    self._derived = {k: v for k, v in self._derived.items() if k not in self._own}
                self._value, self._loaded = value, self._clock()
                self._seen_version, self._checked = version, self._loaded
            return self._value

    def _unchanged(self, value) -> bool:
        same = getattr(self._value, "same_data", None)  # Snapshot.same_data
        return self._value is not None and same is not None and bool(same(value))

    def derived(self, key, compute, from_snapshot: bool = True):
        """`compute(snapshot)` once per snapshot and key (e.g. the task table as of a date).
        A reload that finds the same data keeps what was derived from it, so the tables are not
        rebuilt every TTL for nothing; from_snapshot=False marks a value read from the store
        itself (the whole history), dropped at every reload all the same."""
        snapshot = self.get()
        with self._lock:
            if self._value is snapshot and key in self._derived:
                return self._derived[key]
        result = compute(snapshot)
        with self._lock:
            if self._value is snapshot:
                self._derived[key] = result
                if not from_snapshot:
                    self._own.add(key)
        return result

    def clear(self) -> None:
        with self._lock:
            self._value, self._loaded, self._derived = None, float("-inf"), {}
            self._checked = float("-inf")
