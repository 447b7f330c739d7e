"""Which store to use: the Google Sheet when [gsheets] is configured, else the embedded SQLite."""

from __future__ import annotations

from services.config import Settings
from services.stores.base import Store
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore


def open_store(settings: Settings) -> Store:
    if settings.backend == "gsheets":
        from services.stores.sheets import GSheetsStore  # gspread is only needed for this backend

        return GSheetsStore.from_settings(settings)
    return SQLiteStore(
        settings.sqlite_path, seed=lambda: seed_records(settings.timezone), tz=settings.timezone
    )
