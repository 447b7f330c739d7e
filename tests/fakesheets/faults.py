"""Test-controlled misbehaviour: injected faults and per-minute quotas."""

import re
import time
from collections import deque
from dataclasses import dataclass

from .errors import ApiError, invalid

QUOTA_WINDOW_SECONDS = 60
# POST requests that Google counts as reads
READ_POSTS = (":batchGetByDataFilter", ":getByDataFilter", "developerMetadata:search")


@dataclass
class Fault:
    """Make the next `times` requests matching method + path_regex fail with `status`.

    `path_regex` is searched in the percent-decoded path. With apply=True the
    request is executed before the error is returned (a lost response).
    `delay_seconds` sleeps before answering; without `status` the request then
    proceeds normally (a slow or hung server).
    """

    path_regex: str = ".*"
    method: str | None = None
    status: int | None = None
    times: int = 1
    apply: bool = False
    delay_seconds: float = 0
    message: str | None = None

    @classmethod
    def from_spec(cls, spec: dict) -> "Fault":
        try:
            fault = cls(**spec)
            re.compile(fault.path_regex)
        except (TypeError, re.error) as error:
            raise invalid(f"Bad fault spec {spec!r}: {error}") from error
        if fault.status is not None and fault.status not in range(400, 600):
            raise invalid(f"Bad fault spec {spec!r}: status must be 400..599")
        if fault.times < 1:
            raise invalid(f"Bad fault spec {spec!r}: times must be at least 1")
        return fault

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and bool(
            re.search(self.path_regex, path)
        )

    def error(self) -> ApiError:
        return ApiError(self.status, self.message)


class Faults:
    def __init__(self):
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault matching the request."""
        for fault in self._faults:
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None


class Quota:
    """Per-minute read (GET) and write (other methods) limits, like Google's per-user quota."""

    def __init__(self, read_per_minute: int | None = None, write_per_minute: int | None = None):
        self._limits = {"Read": read_per_minute, "Write": write_per_minute}
        self._hits = {"Read": deque(), "Write": deque()}

    def check(self, method: str, path: str = "") -> None:
        kind = "Read" if method == "GET" or path.endswith(READ_POSTS) else "Write"
        limit, hits = self._limits[kind], self._hits[kind]
        if limit is None:
            return
        now = time.monotonic()
        while hits and hits[0] <= now - QUOTA_WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= limit:
            raise ApiError(
                429,
                f"Quota exceeded for quota metric '{kind} requests' and limit "
                f"'{kind} requests per minute per user' of service "
                "'sheets.googleapis.com' for consumer 'project_number:000000000000'.",
            )
        hits.append(now)
