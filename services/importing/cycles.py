"""Reporting cycles as Vietnamese administrative documents write them, proposed to the reviewer.

General rules (not tied to any one document):
- a cycle is proposed only where the text asks for a REPORT ("báo cáo", "gửi báo cáo", "tổng hợp
  báo cáo"): "ngân sách hằng năm", "chi thường xuyên" or "hằng năm, rà soát ..." are not cycles;
- the frequency: "hằng tháng / mỗi tháng / định kỳ tháng / báo cáo tháng" -> monthly;
  "hằng quý / mỗi quý / theo quý / báo cáo quý" -> quarterly; "6 tháng / sáu tháng / nửa năm /
  sơ kết 6 tháng" -> half-yearly; "hằng năm / mỗi năm / báo cáo năm / tổng kết năm" -> yearly;
  when several are written ("báo cáo định kỳ hằng quý, năm") the most frequent one is proposed;
- the due day: "trước ngày 25", "chậm nhất ngày 25", "trước ngày 20 của tháng cuối quý",
  "ngày 25 hằng tháng"; a yearly "trước ngày 30/11" or "ngày 30 tháng 11 hằng năm" keeps its
  month; a day with a year ("trước ngày 25/12/2025") is a deadline, not a cycle;
- no day written: the period's last day is proposed (day 31, clamped to the month), flagged
  for the reviewer.
"""

from __future__ import annotations

import re

from services.domain.periods import HALF_YEARLY, MONTHLY, QUARTERLY, YEARLY, Cycle, CycleError
from services.importing.matching import fold_same_length as _fold

_REPORT = re.compile(r"(?<!\w)bao cao(?!\w)")
_KINDS = (  # most frequent first: "hằng quý, năm" proposes quarterly
    (
        MONTHLY,
        re.compile(
            r"(?<!\w)(?:hang thang|moi thang|thang mot lan|dinh ky (?:hang )?thang"
            r"|bao cao (?:dinh ky )?thang(?! \d)|ngay \d{1,2} hang thang)(?!\w)"
        ),
    ),
    (
        QUARTERLY,
        re.compile(
            r"(?<!\w)(?:hang quy|moi quy|theo quy(?! (?:dinh|che|hoach|trinh|mo))|dinh ky (?:hang )?quy|bao cao (?:dinh ky )?quy"
            r"(?! (?:i|v|\d))|thang cuoi (?:cua )?quy)(?!\w)"
        ),
    ),
    (
        HALF_YEARLY,
        re.compile(
            r"(?<!\w)(?:(?:dinh ky |bao cao |so ket )?(?:6|sau) thang(?! (?:dau|cuoi) nam \d)"
            r"|nua nam|hai lan moi nam|02 lan/nam|2 lan/nam)(?!\w)"
        ),
    ),
    (
        YEARLY,
        re.compile(
            r"(?<!\w)(?:hang nam|moi nam|dinh ky (?:hang )?nam|bao cao (?:dinh ky )?nam(?! \d)"
            r"|tong ket nam)(?!\w)"
        ),
    ),
)
_DAY = re.compile(
    r"(?<!\w)(?:truoc|cham nhat(?: vao)?|han|vao|den)?\s*(?:ngay\s+)(?P<d>\d{1,2})"
    r"(?:\s*(?:/|-|\.|\s+thang\s+)\s*(?P<m>\d{1,2}))?(?P<y>\s*(?:/|-|\.|\s+nam\s+)\s*\d{4})?"
    r"(?!\d)"
)


def propose_cycle(text: str) -> tuple[str, str]:
    """(the cycle's text, a note for the reviewer) proposed from an assignment's wording, or
    ("", "") when it asks for no periodic report."""
    folded = _fold(text or "")
    if not _REPORT.search(folded):
        return "", ""
    kind = next((k for k, pattern in _KINDS if pattern.search(folded)), None)
    if kind is None:
        return "", ""
    day, month = None, None
    for m in _DAY.finditer(folded):
        if m["y"]:
            continue  # a dated deadline, not a recurring day
        day = int(m["d"])
        month = int(m["m"]) if m["m"] else None
        break
    if kind != YEARLY:
        month = None  # "trước ngày 20 tháng cuối quý": the day only
    guessed = day is None
    try:
        cycle = Cycle(kind, day or 31, month=month)
    except CycleError:
        cycle, guessed = Cycle(kind, 31), True
    if guessed:
        note = f"đề xuất kỳ báo cáo «{cycle.text()}» (văn bản không ghi ngày: lấy cuối kỳ), cần xác nhận"
    else:
        note = f"đề xuất kỳ báo cáo «{cycle.text()}» theo văn bản"
    return cycle.text(), note
