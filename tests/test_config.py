"""Settings: defaults with no secrets at all, every key read, clear messages for bad values."""

import pytest

from services.config import ConfigError, load_settings, read_secrets_file
from services.domain.urgency import Thresholds


def test_defaults_without_any_secrets(tmp_path):
    s = load_settings(read_secrets_file(tmp_path / "missing.toml"))
    assert (s.backend, s.sqlite_path, s.due_soon_days, s.cache_ttl_seconds) == (
        "sqlite",
        "data/local.db",
        3,
        60,
    )
    assert s.serious_overdue_days == 7 and s.urgency == Thresholds(3, 7)
    assert s.timezone == "Asia/Ho_Chi_Minh" and s.demo_mode and not s.public_read


def test_example_secrets_file_is_safe_to_copy_whole_and_documents_google_sheets():
    """Copied as it is, the example keeps the embedded store and demo mode (no placeholder
    sign-in that cannot work); with its sections uncommented it means Google Sheets + sign-in."""
    import re
    import tomllib

    s = load_settings(read_secrets_file(".streamlit/secrets.toml.example"))
    assert s.backend == "sqlite" and not s.auth_configured and s.demo_mode
    text = open(".streamlit/secrets.toml.example", encoding="utf-8").read()
    postgres = re.search(r"(?m)^# \[postgres\]\n(# [a-z_]+ = .*\n)+", text).group(0)
    uncommented = re.sub(r"(?m)^# (?=\[|[a-z_]+ = )", "", text.replace(postgres, ""))
    s = load_settings(tomllib.loads(uncommented))
    assert s.backend == "gsheets" and s.auth_configured and not s.demo_mode
    assert s.service_account["type"] == "service_account"
    only_postgres = text.replace(postgres, re.sub(r"(?m)^# ", "", postgres))
    s = load_settings(tomllib.loads(only_postgres))  # either store, never both
    assert s.backend == "postgres" and s.postgres_url.startswith("postgresql://")


def test_every_key_is_read():
    s = load_settings(
        {
            "app": {
                "due_soon_days": 3,
                "cache_ttl_seconds": 5,
                "public_read": True,
                "timezone": "Asia/Bangkok",
            },
            "store": {"sqlite_path": "/tmp/x.db"},
            "gsheets": {
                "spreadsheet": "abc",
                "endpoint": "http://127.0.0.1:9/",
                "service_account": {"client_email": "a@b"},
            },
        }
    )
    assert (s.due_soon_days, s.cache_ttl_seconds, s.public_read, s.timezone) == (
        3,
        5,
        True,
        "Asia/Bangkok",
    )
    assert (s.sqlite_path, s.spreadsheet, s.endpoint) == ("/tmp/x.db", "abc", "http://127.0.0.1:9")
    assert not s.demo_mode  # Google Sheets: never demo


@pytest.mark.parametrize(
    "secrets, key",
    [
        ({"app": {"due_soon_days": "bảy"}}, "due_soon_days"),
        ({"app": {"cache_ttl_seconds": -1}}, "cache_ttl_seconds"),
        ({"app": {"timezone": "Hà Nội"}}, "timezone"),
        ({"app": {"public_read": "yes"}}, "public_read"),
        ({"gsheets": {"spreadsheet": "abc"}}, "service_account"),
    ],
)
def test_bad_values_name_the_key(secrets, key):
    with pytest.raises(ConfigError, match=key):
        load_settings(secrets)


def test_broken_toml_is_a_clear_error(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text("[app\nx = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="TOML"):
        read_secrets_file(path)
