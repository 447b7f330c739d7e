"""A protocol-level fake of the Google Sheets API v4 for tests.

Start it in-process with FakeSheetsServer().start() (or the pytest fixtures in
tests/fakesheets/fixtures.py), or standalone with `python -m tests.fakesheets`.
"""

from .control import FakeSheetsControl
from .server import FakeSheetsServer

__all__ = ["FakeSheetsControl", "FakeSheetsServer"]
