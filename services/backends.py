"""Which store to use: the Google Sheet when [gsheets] is configured, else the embedded SQLite."""
from __future__ import annotations

from .config import Settings
from .seed import seed_records
from .sqlite_store import SQLiteStore
from .store import Store


def open_store(settings: Settings) -> Store:
    if settings.backend == "gsheets":
        from .gsheets_store import GSheetsStore  # gspread is only needed for this backend
        return GSheetsStore.from_settings(settings)
    return SQLiteStore(settings.sqlite_path, seed=lambda: seed_records(settings.timezone),
                       tz=settings.timezone)
