"""PDF input: the text layer of a signed PDF (pypdf). A scanned PDF has no text layer: the user is
told so, in Vietnamese, rather than shown an empty result."""

from __future__ import annotations

import io

from services.importing.limits import MAX_PAGES

SCANNED = (
    "Tệp PDF «{name}» không có lớp chữ (có thể là bản scan/ảnh chụp): chưa đọc được nội dung. "
    "Hãy dùng bản PDF gốc có chữ, tệp .docx, hoặc sao chép nội dung dán vào ô nhập."
)
DAMAGED = (
    "Không mở được tệp PDF «{name}»: tệp bị hỏng, có mật khẩu hoặc không phải PDF. "
    "Hãy mở lại bằng trình đọc PDF, lưu bản khác rồi thử lại."
)
TOO_MANY_PAGES = (
    "Tệp PDF «{name}» có {pages} trang, vượt giới hạn {limit} trang của một lần nhập: hãy tách "
    "phần giao nhiệm vụ ra tệp riêng."
)
# fewer letters than this a page on average: no usable text layer
_LETTERS_PER_PAGE = 40


def pdf_text(name: str, data: bytes) -> tuple[str, str]:
    """(text, problem): the PDF's text, pages separated by blank lines; or "" and a Vietnamese
    message for a damaged, locked, too long or scanned file."""
    from pypdf import PdfReader  # imported here so that text imports do not pay for it

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return "", DAMAGED.format(name=name)
        pages = len(reader.pages)
        if pages > MAX_PAGES:
            return "", TOO_MANY_PAGES.format(name=name, pages=pages, limit=MAX_PAGES)
        texts = [page.extract_text() or "" for page in reader.pages]
    except Exception:  # pypdf raises many kinds of error on a damaged or foreign file
        return "", DAMAGED.format(name=name)
    text = "\n\n".join(texts)
    if sum(c.isalpha() for c in text) < _LETTERS_PER_PAGE * max(pages, 1) / 4:
        return "", SCANNED.format(name=name)
    return text, ""
