"""Which store to use: PostgreSQL when [postgres] url is set, the Google Sheet when [gsheets] is
configured, else the embedded SQLite."""

from __future__ import annotations

from services.config import Settings
from services.stores.base import Store
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore


def open_store(settings: Settings, seed: bool = True) -> Store:
    """The configured store. A brand-new database is seeded with data/seed/ unless `seed` is
    False (a copy target starts empty)."""
    seeder = (lambda: seed_records(settings.timezone)) if seed else None
    if settings.backend == "postgres":
        from services.stores.postgres import PostgresStore  # psycopg only for this backend

        return PostgresStore(settings.postgres_url, seed=seeder, tz=settings.timezone)
    if settings.backend == "gsheets":
        from services.stores.sheets import GSheetsStore  # gspread is only needed for this backend

        return GSheetsStore.from_settings(settings)
    return SQLiteStore(settings.sqlite_path, seed=seeder, tz=settings.timezone)
