"""Bounds on one import, so that a huge or hostile file is refused quickly with a Vietnamese
message instead of holding the server's memory and CPU (a 176 KB .docx can hold a million
paragraphs). A real directive is a few dozen pages; these bounds are far above that."""

from __future__ import annotations

import time

MAX_FILE_BYTES = 20 * 1024 * 1024  # an uploaded file
MAX_TEXT_CHARS = 1_000_000  # text after extraction (~300 pages)
MAX_PARAGRAPHS = 10_000  # paragraphs / lines of a document (a 40-page directive has ~600)
MAX_PAGES = 300  # pages of a PDF
MAX_TASKS = 3_000  # task rows extracted
MAX_SECONDS = 15.0  # reading one document

FILE_TOO_BIG = (
    "Tệp «{name}» quá lớn ({size} MB, giới hạn {limit} MB): hãy tách phần giao nhiệm vụ ra "
    "tệp riêng hoặc dán nội dung vào ô nhập."
)
TEXT_TOO_LONG = (
    "Văn bản quá dài ({chars} ký tự, giới hạn {limit} ký tự): hãy tách phần giao nhiệm vụ ra "
    "tệp riêng."
)
TOO_MANY_PARAGRAPHS = (
    "Văn bản có {count} đoạn, vượt giới hạn {limit} đoạn của một lần nhập: hãy tách phần giao "
    "nhiệm vụ ra tệp riêng."
)
TOO_MANY_TASKS = (
    "Văn bản có hơn {limit} nhiệm vụ: chỉ đọc {limit} nhiệm vụ đầu, hãy tách văn bản để nhập "
    "phần còn lại."
)
TOO_SLOW = (
    "Đọc văn bản quá {limit:.0f} giây nên đã dừng: kết quả có thể thiếu nhiệm vụ ở cuối văn bản, "
    "hãy tách văn bản thành nhiều phần."
)


def number(n: int) -> str:
    """1234567 -> "1.234.567" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


class Budget:
    """The time a reading may take; `spent` turns true once it is over."""

    def __init__(self, seconds: float = MAX_SECONDS):
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self.exceeded = False

    @property
    def spent(self) -> bool:
        if not self.exceeded and time.monotonic() > self._end:
            self.exceeded = True
        return self.exceeded
