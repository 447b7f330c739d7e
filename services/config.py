"""Settings: one object, read from the secrets mapping (st.secrets or a TOML file), with defaults.

Every key is optional; .streamlit/secrets.toml.example documents them all.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.domain.errors import AppError
from services.domain.model import DEFAULT_TIMEZONE
from services.domain.urgency import DEFAULT_SERIOUS_DAYS, DEFAULT_SOON_DAYS, Thresholds

GOOGLE_SHEETS_ENDPOINT = "https://sheets.googleapis.com"


class ConfigError(AppError, ValueError):
    """A setting that cannot be used; the message is Vietnamese and names the key."""


SECURITIES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class EmailSettings:
    """[email]: the SMTP server the reminder e-mails go through (services/reminders/mail.py)."""

    host: str = ""
    port: int = 587
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""  # the `from` key: "Văn phòng UBND tỉnh <nhacviec@ubnd.gov.vn>"
    reply_to: str = ""
    security: str = "starttls"  # starttls (port 587), ssl (port 465) or none (internal relay)
    timeout_seconds: int = 30  # per SMTP operation
    run_seconds: int = 600  # a run starts no new message after this long
    send_empty: bool = False  # mail agencies that have nothing to report too
    leaders: tuple[str, ...] = ()  # extra addresses of the leaders' digest
    cafile: str = ""  # a CA bundle for a server with a private certificate

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


@dataclass(frozen=True)
class Settings:
    due_soon_days: int = DEFAULT_SOON_DAYS  # "Sắp đến hạn" window (services.domain.urgency)
    serious_overdue_days: int = DEFAULT_SERIOUS_DAYS  # past this, "Quá hạn nghiêm trọng"
    cache_ttl_seconds: int = 60
    timezone: str = DEFAULT_TIMEZONE
    public_read: bool = False
    require_confirmation: bool = True  # an agency's "Hoàn thành" waits for the office
    sqlite_path: str = "data/local.db"
    spreadsheet: str = ""  # key or URL; set => the Google Sheet is the store
    endpoint: str = GOOGLE_SHEETS_ENDPOINT
    service_account: dict = field(default_factory=dict, compare=False, repr=False)
    auth_configured: bool = False
    postgres_url: str = field(default="", repr=False)  # set => PostgreSQL is the store
    base_url: str = ""  # the app's address, for links in the reminder e-mails
    email: EmailSettings = field(default_factory=EmailSettings)

    @property
    def urgency(self) -> Thresholds:
        return Thresholds(self.due_soon_days, self.serious_overdue_days)

    @property
    def backend(self) -> str:
        if self.postgres_url:
            return "postgres"
        return "gsheets" if self.spreadsheet else "sqlite"

    @property
    def demo_mode(self) -> bool:
        """Pick-a-role demo: only on the embedded store, and only without sign-in configured."""
        return self.backend == "sqlite" and not self.auth_configured


def _int(section: dict, key: str, default: int, low: int, high: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(
            f"Cấu hình «{key}» phải là số nguyên từ {low} đến {high} (đang là {value!r})."
        )
    return value


def _table(mapping: dict, key: str) -> dict:
    value = mapping.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"Cấu hình «[{key}]» phải là một bảng TOML.")
    return value


def _bool(table: dict, key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"Cấu hình «{key}» phải là true hoặc false.")
    return value


def load_settings(mapping: dict | None) -> Settings:
    """Settings from a secrets mapping; missing keys take their defaults."""
    mapping = mapping or {}
    app, store, sheets, postgres, email = (
        _table(mapping, "app"),
        _table(mapping, "store"),
        _table(mapping, "gsheets"),
        _table(mapping, "postgres"),
        _table(mapping, "email"),
    )
    tz = str(app.get("timezone", DEFAULT_TIMEZONE))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"Cấu hình «timezone» không hợp lệ: {tz!r} (ví dụ Asia/Ho_Chi_Minh).")
    public_read = _bool(app, "public_read", False)
    spreadsheet = str(sheets.get("spreadsheet", "")).strip()
    account = dict(sheets.get("service_account", {}) or {})
    if spreadsheet and not account.get("client_email"):
        raise ConfigError(
            "Thiếu [gsheets.service_account] (client_email, private_key, ...): "
            "dán nội dung tệp khoá JSON của tài khoản dịch vụ."
        )
    postgres_url = _postgres_url(postgres)
    if postgres_url and spreadsheet:
        raise ConfigError(
            "Cấu hình có cả [gsheets] và [postgres]: ứng dụng chỉ dùng một kho dữ liệu. Hãy bỏ "
            "một trong hai (để chép dữ liệu giữa hai kho, dùng `python -m services.cli copy` "
            "với hai tệp secrets)."
        )
    return Settings(
        due_soon_days=_int(app, "due_soon_days", DEFAULT_SOON_DAYS, 0, 365),
        serious_overdue_days=_int(app, "serious_overdue_days", DEFAULT_SERIOUS_DAYS, 1, 3650),
        cache_ttl_seconds=_int(app, "cache_ttl_seconds", 60, 0, 86400),
        timezone=tz,
        public_read=public_read,
        require_confirmation=_bool(app, "require_confirmation", True),
        sqlite_path=str(store.get("sqlite_path", "data/local.db")),
        spreadsheet=spreadsheet,
        endpoint=str(sheets.get("endpoint", GOOGLE_SHEETS_ENDPOINT)).rstrip("/"),
        service_account=account,
        auth_configured=bool(mapping.get("auth")),
        postgres_url=postgres_url,
        base_url=_base_url(app),
        email=_email(email),
    )


def _base_url(app: dict) -> str:
    url = str(app.get("base_url", "")).strip().rstrip("/")
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError(
            "Cấu hình «[app] base_url» phải là địa chỉ http(s) của ứng dụng, ví dụ "
            '"https://theo-doi.streamlit.app".'
        )
    return url


def _email(section: dict) -> EmailSettings:
    security = str(section.get("security", "starttls")).strip().lower()
    if security not in SECURITIES:
        raise ConfigError(
            f"Cấu hình «[email] security» phải là starttls, ssl hoặc none (đang là {security!r})."
        )
    leaders = section.get("leaders", [])
    if isinstance(leaders, str):
        leaders = [leaders]
    if not isinstance(leaders, list) or not all(isinstance(x, str) for x in leaders):
        raise ConfigError("Cấu hình «[email] leaders» phải là danh sách địa chỉ e-mail.")
    default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
    return EmailSettings(
        host=str(section.get("host", "")).strip(),
        port=_int(section, "port", default_port, 1, 65535),
        username=str(section.get("username", "")),
        password=str(section.get("password", "")),
        sender=str(section.get("from", "")).strip(),
        reply_to=str(section.get("reply_to", "")).strip(),
        security=security,
        timeout_seconds=_int(section, "timeout_seconds", 30, 1, 600),
        run_seconds=_int(section, "run_seconds", 600, 10, 86400),
        send_empty=_bool(section, "send_empty", False),
        leaders=tuple(x.strip().lower() for x in leaders if x.strip()),
        cafile=str(section.get("cafile", "")),
    )


def _postgres_url(section: dict) -> str:
    url = section.get("url", "")
    if not isinstance(url, str):
        raise ConfigError("Cấu hình «[postgres] url» phải là một chuỗi postgresql://…")
    url = url.strip()
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            "Cấu hình «[postgres] url» phải bắt đầu bằng postgresql:// (ví dụ "
            '"postgresql://nguoi_dung:mat_khau@may-chu:5432/theo_doi?sslmode=require").'
        )
    return url


def read_secrets_file(path: str | Path) -> dict:
    """The same TOML file Streamlit reads; a missing file means all defaults."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"Tệp cấu hình «{path}» sai cú pháp TOML: {e}") from e
