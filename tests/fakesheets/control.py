"""Python helpers that drive a running fake through its /_fake hooks over HTTP."""

from requests import Session


class FakeSheetsControl:
    def __init__(self, url: str, timeout: float = 10):
        self.url = url.rstrip("/")
        self.timeout = timeout  # a benchmark creating 300,000 rows needs longer
        self._session = Session()

    def _call(self, method: str, path: str, payload=None):
        response = self._session.request(
            method, self.url + path, json=payload, timeout=self.timeout
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json()

    def create(self, spec: dict) -> dict:
        """Create a spreadsheet from a spec (only "title" is required); returns its dump."""
        return self._call("POST", "/_fake/spreadsheets", spec)

    def dump(self, spreadsheet_id: str) -> dict:
        return self._call("GET", f"/_fake/spreadsheets/{spreadsheet_id}")

    def add_fault(
        self,
        path_regex: str = ".*",
        status: int | None = None,
        *,
        method: str | None = None,
        times: int = 1,
        apply: bool = False,
        delay_seconds: float = 0,
        message: str | None = None,
    ) -> None:
        spec = {
            "path_regex": path_regex,
            "status": status,
            "method": method,
            "times": times,
            "apply": apply,
            "delay_seconds": delay_seconds,
            "message": message,
        }
        self._call("POST", "/_fake/faults", spec)

    def clear_faults(self) -> None:
        self._call("DELETE", "/_fake/faults")

    def requests(self) -> list[dict]:
        """Logged /token and /v4 requests: {"method", "path", "query", "status", "body"}."""
        return self._call("GET", "/_fake/requests")

    def clear_requests(self) -> None:
        self._call("DELETE", "/_fake/requests")

    def reset(self) -> None:
        self._call("POST", "/_fake/reset")

    def set_quota(
        self, read_per_minute: int | None = None, write_per_minute: int | None = None
    ) -> None:
        payload = {"read_per_minute": read_per_minute, "write_per_minute": write_per_minute}
        self._call("POST", "/_fake/quota", payload)

    def issue_token(self, email: str) -> str:
        """An access token for `email`, for raw-HTTP tests (Authorization: Bearer ...)."""
        return self._call("POST", "/_fake/tokens", {"email": email})["access_token"]
