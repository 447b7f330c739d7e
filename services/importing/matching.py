"""Agency names as directives write them, matched to the registry.

A name is matched exactly, then by alias / abbreviation ("Sở TT&TT"), then without accents and
case (services.domain.fold), then approximately (rapidfuzz, a typo or two); a group ("Các sở, ban,
ngành tỉnh") is recognised as a group; anything else that looks like an agency ("Sở Ngoại vụ") is
kept as an unknown name, to be proposed to the admin as a new agency.

Positions matter (the parser needs to know where a name ends), so matching runs on `Folded` text: a
lower-case, accent-free copy of the text with exactly the same length, so that a span found in the
folded copy is the same span in the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from services.domain.model import Agency

# The 2025 restructuring of provincial departments took effect on 01/03/2025.
MERGER_MONTH = "2025-03"


def _fold_table() -> dict[int, str]:
    # Every common character has an entry: str.translate is slow on characters it must look up
    # and miss.
    table = {cp: chr(cp) for cp in (*range(0x250), *range(0x2000, 0x2070))}
    for cp in (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        base = (
            "".join(
                c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c)
            )
            .lower()
            .replace("đ", "d")
        )
        if len(base) == 1:
            table[cp] = base
    table[ord("Đ")] = table[ord("đ")] = "d"
    return table


_FOLD = _fold_table()


def fold_same_length(text: str) -> str:
    """Lower-case, accent-free text of the same length (for NFC text), so spans line up."""
    return text.translate(_FOLD)


class Folded:
    """A text and its same-length folded copy, for matching by position."""

    def __init__(self, text: str):
        self.text = text
        self.folded = fold_same_length(text)


@dataclass(frozen=True)
class AgencyRef:
    """One agency (or group) named in a directive."""

    written: str  # as written in the text
    code: str | None = None  # registry code; None for a group or an unknown name
    how: str = "unknown"  # "exact", "alias", "folded", "fuzzy", "group", "person" or "unknown"
    group: str = ""  # the registry group a group phrase stands for

    @property
    def is_group(self) -> bool:
        return self.how == "group"

    @property
    def is_generic(self) -> bool:
        """A group kept as one lead ("các Bộ, ngành liên quan"): no registry group stands for it."""
        return self.how == "generic"

    @property
    def is_unknown(self) -> bool:
        return self.how == "unknown"

    @property
    def is_person(self) -> bool:
        """A leader named in person ("Phó Thủ tướng Chính phủ Trần Hồng Hà"), not an agency."""
        return self.how == "person"


# Groups whose usual wording differs from the registry's group name (folded regex -> group).
_GROUP_WORDING = (
    (
        r"(?:cac\s+)?so,?\s+(?:ban,?\s+)?nganh(?:\s+(?:cua\s+)?(?:tinh|thanh pho))?",
        "Sở, ban, ngành",
    ),
    (
        r"cac\s+co\s+quan\s+chuyen\s+mon(?:\s+thuoc\s+(?:ubnd|uy ban nhan dan)\s+tinh)?",
        "Sở, ban, ngành",
    ),
    (
        r"(?:ubnd|uy ban nhan dan)\s+cac\s+huyen(?:,?\s+thi\s+xa)?(?:,?\s+(?:thanh\s+pho|tp))?",
        "UBND cấp huyện",
    ),
    (r"(?:ubnd|uy ban nhan dan)\s+cac\s+xa(?:,?\s+phuong)?(?:,?\s+thi\s+tran)?", "UBND cấp xã"),
    (r"cac\s+co\s+quan\s+bao\s+chi(?:\s+(?:cua\s+)?tinh)?", "Báo chí"),
    (r"cac\s+luc\s+luong\s+vu\s+trang(?:\s+tinh)?", "Lực lượng vũ trang"),
)
_RELATED = r"(?:\s+(?:co\s+)?lien\s+quan)?"  # "các sở, ngành liên quan"
# A person's title in front of an agency ("Giám đốc Sở Y tế", "Chủ tịch UBND các huyện").
_TITLE = re.compile(
    r"(?:cac\s+)?(?:dong chi\s+)?"
    r"(?:(?:pho\s+)?(?:giam doc|chu tich(?:\s+kiem\s+tong giam doc)?|chanh|tong bien tap"
    r"|chi huy truong|truong|tong giam doc|thu tuong)|thu truong|bo truong)\s+"
)
_HONORIFIC = re.compile(r"(?:cac\s+)?dong chi\s+")
# An office-holder named without a body ("Bộ trưởng, Thủ trưởng cơ quan ngang Bộ, ..."): a lead
# kept as written, when a list separator or the end follows.
_HOLDER = re.compile(
    r"(?:cac\s+)?(?:dong chi\s+)?(?:pho\s+)?(?:bo truong|thu truong|chu tich|tong giam doc"
    r"|giam doc|thu tuong(?:\s+chinh phu)?)(?=\s*(?:[,;:]|\s(?:va|cung)\s|$))"
)
# A leader named in person ("Giao Phó Thủ tướng Chính phủ Trần Hồng Hà trực tiếp chỉ đạo"): the
# title, then a personal name of two to four capitalised words.
_PERSON_TITLE = re.compile(
    r"(?:(?:dong chi\s+)?(?:pho\s+)?thu tuong(?:\s+chinh phu)?|dong chi)(?=\s)"
)
_PERSON_NAME = re.compile(
    r"(?:\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][^\W\d_]*){2,4}(?![\w])"
)
# Words that start an agency's name; `True` = the next word must be capitalised ("Sở Ngoại vụ").
_KEYWORDS = (
    ("bo chi huy quan su", False),
    ("bo chi huy bo doi bien phong", False),
    ("dai truyen hinh", False),
    ("dai tieng noi", False),
    ("dai phat thanh", False),
    ("thong tan xa", False),
    ("ngan hang nha nuoc", False),
    ("cuc thue", False),
    ("hoi dong nhan dan", False),
    ("hoi dong thanh vien", False),
    ("uy ban mat tran", False),
    ("uy ban nhan dan tinh", True),
    ("uy ban nhan dan xa", True),
    ("uy ban nhan dan phuong", True),
    ("ubnd tinh", True),
    ("ubnd xa", True),
    ("ubnd phuong", True),
    ("tong cuc", True),
    ("tong cong ty", True),
    ("tap doan", True),
    ("tap chi", True),
    ("cong ty", True),
    ("hoi dong", True),
    ("ban quan ly", False),
    ("bo", True),
    ("vu", True),
    ("bao hiem xa hoi", False),
    ("lien doan lao dong", False),
    ("mat tran to quoc", False),
    ("kho bac nha nuoc", False),
    ("tinh doan", False),
    ("cong an", False),
    ("van phong", False),
    ("thanh tra", False),
    ("ubnd huyen", True),
    ("ubnd thanh pho", True),
    ("ubnd thi xa", True),
    ("uy ban nhan dan huyen", True),
    ("uy ban nhan dan thanh pho", True),
    ("chi cuc", True),
    ("trung tam", True),
    ("benh vien", True),
    ("ngan hang", True),
    ("so", True),
    ("ban", True),
    ("bao", True),
    ("dai", True),
    ("hoi", True),
    ("cuc", True),
    ("truong", True),
    ("vien", True),
)
# A generic group, kept as one lead written as printed: "các Bộ, ngành liên quan", "UBND các xã,
# phường", "các sở, ban, ngành, đoàn thể tỉnh", "Ủy ban nhân dân các tỉnh, thành phố trực thuộc
# Trung ương". Optionally under an office-holder ("Thủ trưởng các sở, ...", "Chủ tịch UBND các ...").
_UNIT = (
    r"(?:bo|so|ban|nganh|co quan(?:\s+chuyen mon)?(?!\s+(?:ngang bo|thuoc chinh phu))|don vi|dia phuong"
    r"|doan the|to chuc|tinh|thanh pho|huyen|thi xa|xa|phuong|thi tran|dac khu|cap|hoi"
    r"|doanh nghiep|tap doan|tong cong ty|truong hoc|co so giao duc|co so|ca nhan|hop tac xa"
    r"|chu (?:rung|dau tu|so huu|cong trinh|du an)|nha (?:dau tu|thau|cung cap)|ho gia dinh)"
)
_GENERIC_GROUP = re.compile(
    r"(?:(?:thu truong|chu tich|giam doc|nguoi dung dau|lanh dao)\s+)?"
    r"(?:(?:cac\s+)?co quan (?:ngang bo|thuoc chinh phu)(?!\w)"
    r"|(?:ubnd|uy ban nhan dan)\s+(?:cap\s+(?:tinh|huyen|xa)"  # "UBND cấp xã", "UBND phường, xã"
    r"|(?:xa|phuong|huyen|thi tran|dac khu)(?:\s*,\s*(?:xa|phuong|huyen|thi tran|dac khu))+)(?!\w)"
    r"|(?:(?:ubnd|uy ban nhan dan)\s+)?cac\s+"
    + _UNIT
    # after a bare space "tổ chức" is the verb ("UBND các xã, phường tổ chức rà soát")
    + r"(?:(?:\s*,\s*|\s+va\s+|\s+(?!to chuc(?!\w)))"
    + _UNIT
    + r"(?!\w))*)"
    r"(?:\s+(?:co\s+)?lien\s+quan|\s+khac|\s+truc thuoc(?:\s+trung uong)?"
    r"|\s+(?:cua\s+)?(?:tinh|thanh pho)|\s+tren dia ban(?:\s+(?:tinh|thanh pho))?)*"
    r"(?!\w)"
)
_KEYWORD = re.compile("|".join(rf"{k}(?!\w)" for k, _ in _KEYWORDS))
_NEEDS_CAPITAL = {k for k, cap in _KEYWORDS if cap}
# Where an unknown agency's name stops: the verb of the sentence, a preposition, a date.
# Where an unknown agency's name stops: the verb of the sentence, a preposition, a date. Matched
# on the lower-case text WITH its accents: "khí hậu" is part of a name, "khi" (when) is not.
_NAME_STOP = re.compile(
    r"(?:chủ trì|phối hợp|thực hiện|tham mưu|khẩn trương|có trách nhiệm|chịu trách nhiệm|tổ chức"
    r"|triển khai|hướng dẫn|báo cáo|theo dõi|kiểm tra|rà soát|xây dựng|chỉ đạo|tiếp tục"
    r"|nghiên cứu|đề xuất|hoàn thành|quản lý|bố trí|đảm bảo|bảo đảm|tập trung|chủ động|căn cứ"
    r"|tổng hợp|thông báo|dự thảo|ban hành|đôn đốc|tăng cường|đẩy mạnh|phát huy|nâng cao|rà soát"
    r"|nghiêm túc|kịp thời|thường xuyên|quyết liệt"  # adverbs that open the predicate
    r"|yêu cầu|đề nghị"  # "Bộ X yêu cầu ...": the author asks, the name has ended
    r"|hoàn thiện|cập nhật|đánh giá|thẩm định|phổ biến|tuyên truyền|giám sát|vận hành"
    r"|sửa đổi|bổ sung|điều chỉnh|khảo sát|công bố|lựa chọn|tiếp nhận"
    r"|là|làm|tại|theo|về|trong|trước|cùng|với|để|nhằm|gửi|cấp|lập|giúp|có|được|sẽ|cần|phải"
    r"|sau|khi|nếu|này|do|các|những|một|và|đã|đang|chưa|không|trên|từ|đến|cho|thì|mà|của)(?!\w)"
)
_ZONE = r"(?:khu|cum)\s+(?:cong nghe cao|cong nghiep|che xuat|kinh te(?:\s+cua khau)?)"
# Where a group is: "trên địa bàn tỉnh", "trong các khu công nghệ cao, khu công nghiệp, cụm ..."
_AREA = re.compile(
    r"\s+tren dia ban(?:\s+(?:tinh|thanh pho|xa|phuong))?(?!\w)"
    rf"|\s+(?:trong|tai)\s+cac\s+{_ZONE}(?:\s*(?:,|\s(?:va|cac))\s*{_ZONE})*(?!\w)"
)
# verbs that end a generic group's description even when no stop word does ("bảo đảm")
ROLE_WORD = re.compile(
    r"(?:bao dam|dam bao|chu dong|tuan thu|phoi hop|thuc hien|trien khai|to chuc|xay dung"
    r"|nghien cuu|huong dan|tham gia|chap hanh|khan truong|tiep tuc|tang cuong|ho tro)(?!\w)"
)
_PROVINCE_TAIL = re.compile(r"\s+tinh(?!\w)")
_SEPARATOR = re.compile(r"\s*(?:,|;|\s(?:va|cung)(?=\s))\s*")
_MAX_NAME_WORDS = 12  # "Viện Khoa học Khí tượng thủy văn và Biến đổi khí hậu"


def _max_edits(length: int) -> int:
    """Typos tolerated in a name of this length: a short name allows one."""
    return 1 if length <= 12 else 2 if length <= 25 else 3


def _clean(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


class AgencyMatcher:
    """Resolves what a directive writes to registry codes, groups or unknown names."""

    def __init__(self, agencies: Iterable[Agency]):
        self.agencies = {a.code: a for a in agencies}
        self._exact: dict[str, tuple[str, str]] = {}  # text -> (code, "exact" | "alias")
        self._folded: dict[str, str] = {}  # folded name or alias -> code
        for a in self.agencies.values():
            for key, how in (
                (a.code, "exact"),
                *((x, "alias") for x in a.aliases),
                (a.name, "exact"),
            ):
                if key:
                    self._exact[_clean(key)] = (a.code, how)
            for key in (*a.aliases, a.name):  # codes are not words of a sentence ("CAT")
                if key:
                    self._folded[fold_same_length(_clean(key))] = a.code
        keys = sorted(self._folded, key=len, reverse=True)  # longest first: "Sở Nội vụ tỉnh"
        self._key_re = re.compile("|".join(rf"{re.escape(k)}(?![\w&])" for k in keys) or r"(?!x)x")
        self._fuzzy_keys = list(self._folded)
        self._groups = self._group_patterns()
        self._formed_by_merger = {
            code
            for code, n in Counter(
                a.successor for a in self.agencies.values() if not a.active and a.successor
            ).items()
            if n >= 2
        }

    def _group_patterns(self) -> list[tuple[re.Pattern, str]]:
        patterns = [(re.compile(rf"{p}{_RELATED}(?!\w)"), g) for p, g in _GROUP_WORDING]
        worded = {g for _, g in _GROUP_WORDING}
        for group in {a.group for a in self.agencies.values()} - worded:
            words = re.findall(r"\w+", fold_same_length(group))
            if len(words) >= 2:  # "các hội" alone is too common a phrase to mean the group
                wording = r"cac\s+" + r",?\s+".join(words) + _RELATED + r"(?!\w)"
                patterns.append((re.compile(wording), group))
        return patterns

    # --- one name -----------------------------------------------------------------------------

    def resolve(self, name: str) -> AgencyRef | None:
        """What a single name (a heading, a table cell) refers to; None when it is not a name."""
        text = _clean(name).strip(" .;,:-")
        if not text:
            return None
        if text in self._exact:
            code, how = self._exact[text]
            return AgencyRef(text, code, how)
        ft = Folded(text)
        refs, end = self.read_list(ft, 0, strict=False)
        if len(refs) == 1 and not text[end:].strip(" .;,"):
            return refs[0]
        if fuzzy := self._fuzzy(text):
            return fuzzy
        looks_like_agency = _KEYWORD.match(ft.folded) and text[0].isupper()
        return AgencyRef(text) if looks_like_agency else None

    def _fuzzy(self, written: str) -> AgencyRef | None:
        query = fold_same_length(written)
        limit = _max_edits(len(query))
        found = process.extract(
            query, self._fuzzy_keys, scorer=Levenshtein.distance, score_cutoff=limit, limit=5
        )
        if not found:
            return None
        kind = query.split(" ", 1)[0]  # "Bộ X" is never "Sở X": the kind of body must agree
        found = [f for f in found if f[0].split(" ", 1)[0] == kind]
        if not found:
            return None
        best = min(d for _, d, _ in found)
        codes = {self._folded[k] for k, d, _ in found if d == best}
        if len(codes) != 1:  # as close to two agencies: do not guess
            return None
        return AgencyRef(written, codes.pop(), "fuzzy")

    # --- names inside a sentence --------------------------------------------------------------

    def read_list(self, ft: Folded, pos: int, strict: bool = True) -> tuple[list[AgencyRef], int]:
        """The agencies named one after another from `pos` ("Sở A, Sở B và Sở C") and where the
        list ends. `strict` (inside a sentence) ends an unknown name at its verb; without it (a
        table cell) the name runs on."""
        refs: list[AgencyRef] = []
        end = pos
        while True:
            start = end
            if refs:
                sep = _SEPARATOR.match(ft.folded, end)
                if not sep:
                    break
                start = sep.end()
            ref, after = self._read_one(ft, _skip_spaces(ft.folded, start), strict)
            if ref is None:
                break
            if refs and ref.is_generic and (shared := _shared_title(refs[-1], ref)):
                # "Thủ trưởng cơ quan ngang Bộ, cơ quan thuộc Chính phủ": the title is shared
                ref = AgencyRef(f"{shared} {ref.written}", None, "generic")
            refs.append(ref)
            end = after
        return refs, end

    def _read_one(self, ft: Folded, pos: int, strict: bool) -> tuple[AgencyRef | None, int]:
        title = _TITLE.match(ft.folded, pos)
        for start in (title.end(), pos) if title else (pos,):
            for read in (self._read_group, self._read_registered, self._read_unknown):
                ref, end = read(ft, start, strict)
                if ref is not None:
                    if start != pos and ref.is_generic:  # "Thủ trưởng các sở, ban, ngành"
                        return AgencyRef(ft.text[pos:end], None, "generic"), end
                    if start != pos and ref.is_group:  # the holders of a registry group
                        return AgencyRef(ft.text[pos:end], None, "group", ref.group), end
                    return ref, end
        if (person := _PERSON_TITLE.match(ft.folded, pos)) and (
            name := _PERSON_NAME.match(ft.text, person.end())
        ):
            first = _skip_spaces(ft.folded, person.end())
            if not (_KEYWORD.match(ft.folded, first) or _TITLE.match(ft.folded, first)):
                comma = re.match(r",\s*", ft.folded[name.end() :])
                office = name.end() + comma.end() if comma else -1
                if comma and _TITLE.match(ft.folded, office):
                    # "đồng chí Nguyễn Văn A, Giám đốc Sở Nội vụ": the office names the body
                    ref, end = self._read_one(ft, office, strict)
                    if ref is not None:
                        return ref, end
                return AgencyRef(ft.text[pos : name.end()], None, "person"), name.end()
        if holder := _HOLDER.match(ft.folded, pos):
            title = _HONORIFIC.match(ft.folded, pos)  # "Các đồng chí Bộ trưởng" -> "Bộ trưởng"
            begin = title.end() if title else pos
            return AgencyRef(ft.text[begin : holder.end()], None, "generic"), holder.end()
        return None, pos

    def _read_group(self, ft: Folded, pos: int, _strict: bool):
        generic = _GENERIC_GROUP.match(ft.folded, pos)
        for pattern, group in self._groups:
            if m := pattern.match(ft.folded, pos):
                # "các sở, ban, ngành, đoàn thể tỉnh": the registry's group, as written in full
                end = max(m.end(), generic.end() if generic else 0)
                return AgencyRef(ft.text[pos:end], None, "group", group), end
        if generic:
            end = self._described(ft, generic.end())
            return AgencyRef(ft.text[pos:end], None, "generic"), end
        return None, pos

    def _described(self, ft: Folded, end: int) -> int:
        """A generic group with the words that describe it ("Các doanh nghiệp viễn thông trên
        địa bàn Thành phố"): lower-case words up to the verb, a few at most."""
        for _ in range(5):
            m = re.match(r" ([^\W\d_]+)(?=[\s,;:.]|$)", ft.text[end : end + 40])
            stop = _NAME_STOP.match(ft.text[end + 1 : end + 41].lower())
            if not m or stop or ROLE_WORD.match(ft.folded, end + 1):
                break
            end += m.end()
        if tail := _AREA.match(ft.folded, end):
            end = tail.end()
        return end

    def _read_registered(self, ft: Folded, pos: int, _strict: bool):
        m = self._key_re.match(ft.folded, pos)
        if not m:
            return None, pos
        end = m.end()
        if tail := _PROVINCE_TAIL.match(ft.folded, end):
            end = tail.end()  # "Sở Văn hóa, Thể thao và Du lịch tỉnh"
        written = ft.text[pos:end]
        code = self._folded[m.group()]
        how = self._exact.get(_clean(ft.text[pos : m.end()]), (code, "folded"))[1]
        return AgencyRef(written, code, how), end

    def _read_unknown(self, ft: Folded, pos: int, strict: bool):
        m = _KEYWORD.match(ft.folded, pos)
        if not m or not ft.text[pos].isupper():
            return None, pos
        window = ft.text[m.end() : m.end() + 200]  # a name is short; never scan the whole text
        words = list(re.finditer(r"[^\s,;:.()\[\]\"“”/]+", window))
        if m.group() in _NEEDS_CAPITAL and not (
            words and words[0].start() == 1 and words[0].group()[0].isupper()
        ):
            return None, pos
        end = m.end()
        for i, w in enumerate(words):
            word_pos = m.end() + w.start()
            if (
                w.start() == end - m.end() + 2
                and ft.text[end:word_pos] == ", "
                and self._comma_in_name(ft, word_pos)
            ):
                pass  # "Bộ Văn hóa, Thể thao và Du lịch": a comma inside the name
            elif w.start() != end - m.end() + 1 or i >= _MAX_NAME_WORDS:
                break  # punctuation or a double space between the words: the name ended
            folded_word = ft.folded[word_pos : word_pos + 40]
            lower_word = ft.text[word_pos : word_pos + 40].lower()
            # a verb is written in lower case: "Sở Tài chính", "UBND huyện Văn Lâm" go on
            checked = (i > 0 or m.group() not in _NEEDS_CAPITAL) and not w.group()[0].isupper()
            if not strict and re.match(r"va cac\s", folded_word):
                break  # "Vụ Pháp chế và các đơn vị liên quan" (a cell): a group follows
            if checked and strict and _NAME_STOP.match(lower_word):
                # "Ban Quản lý các khu công nghiệp", "Ban Quản lý các dự án": what it manages
                managed = m.group() == "ban quan ly" and i == 0 and folded_word.startswith("cac ")
                joined = folded_word.startswith("va ") and self._continues_name(ft, word_pos)
                if not (managed or joined):
                    break
            if w.group()[0].isdigit():
                break
            end = m.end() + w.end()
        written = ft.text[pos:end]
        return self._fuzzy(written) or AgencyRef(written), end

    def _comma_in_name(self, ft: Folded, pos: int) -> bool:
        """Whether a capitalised word after a comma goes on the name ("Bộ Lao động, Thương binh
        và Xã hội", "Viện Chiến lược, Chính sách ...") rather than start the next one: it starts
        no agency, title or group, and "và" + a capital soon closes the name."""
        if not ft.text[pos : pos + 1].isupper():
            return False
        folded = ft.folded
        if _KEYWORD.match(folded, pos) or _TITLE.match(folded, pos) or _HOLDER.match(folded, pos):
            return False
        if self._key_re.match(folded, pos) or _GENERIC_GROUP.match(folded, pos):
            return False
        # the part after the comma ends the name: "Thể thao và Du lịch", "Chính sách tài ..."
        return bool(re.match(r"\w+(?: \w+){0,3} va \w", folded[pos : pos + 50]))

    def _continues_name(self, ft: Folded, and_pos: int) -> bool:
        """Whether "và" inside an unknown name joins two words of it ("Tài nguyên và Môi trường")
        rather than two agencies ("Sở A và Sở B")."""
        nxt = and_pos + 3
        if nxt >= len(ft.text) or _KEYWORD.match(ft.folded, nxt):
            return False
        # "Trung tâm Truyền thông tài nguyên và môi trường": a lower-case word that is no verb
        return ft.text[nxt].isupper() or not _NAME_STOP.match(ft.text[nxt : nxt + 40].lower())

    # --- groups and mergers -------------------------------------------------------------------

    def members(self, group: str, issued_on: str) -> list[Agency]:
        """The agencies a group meant on the document's date, in registry order.

        Rule: before the 2025 merger, the bodies of that time -- every member except one formed by
        merging two or more dissolved members (SNNMT from SNNPTNT + STNMT); from then on (or when
        the date is unknown), the active members."""
        same = [
            a
            for a in self.agencies.values()
            if fold_same_length(a.group) == fold_same_length(group)
        ]
        if issued_on and issued_on[:7] < MERGER_MONTH:
            return [a for a in same if a.code not in self._formed_by_merger]
        return [a for a in same if a.active]

    def is_home(self, issuer: str) -> bool:
        """Whether a document comes from the registry's own province: the place in its issuer
        ("UBND tỉnh Hưng Yên") is named in the registry ("Báo Hưng Yên"). A group such as "các
        sở, ban, ngành tỉnh" means the registry's members only then. No issuer read: assumed."""
        folded = fold_same_length(issuer or "")
        if not folded.strip():
            return True
        m = re.search(r"(?:tinh|thanh pho)\s+(\w.*)", folded)
        if not m:
            return False
        place = " ".join(m.group(1).split())
        return any(
            place in fold_same_length(a.name)
            or any(place in fold_same_length(x) for x in a.aliases)
            for a in self.agencies.values()
        )

    def merged_into(self, code: str) -> Agency | None:
        """The agency a dissolved agency was merged into (following chains), or None."""
        agency, seen = self.agencies.get(code), set()
        while agency and agency.successor and agency.code not in seen:
            seen.add(agency.code)
            agency = self.agencies.get(agency.successor)
        return agency if agency and agency.code != code else None

    def name(self, code: str) -> str:
        agency = self.agencies.get(code)
        return agency.name if agency else code


def starts_agency_name(text: str) -> bool:
    """Whether a text starts the way an agency's name does ("Sở ...", "Cục ...", "Vụ ...")."""
    return bool(text[:1].isupper() and _KEYWORD.match(fold_same_length(text)))


def _shared_title(previous: AgencyRef, ref: AgencyRef) -> str:
    """The office-holder title of `previous` that a bare generic body after it shares."""
    if not previous.is_generic or _TITLE.match(fold_same_length(ref.written)):
        return ""
    title = _TITLE.match(fold_same_length(previous.written))
    if not title or fold_same_length(ref.written).startswith("cac "):
        return ""
    return previous.written[: title.end()].strip()


def _skip_spaces(folded: str, pos: int) -> int:
    while pos < len(folded) and folded[pos] == " ":
        pos += 1
    return pos


@lru_cache(maxsize=8)
def matcher_for(agencies: tuple[Agency, ...]) -> AgencyMatcher:
    """One matcher per registry (building it compiles a regular expression of every name)."""
    return AgencyMatcher(agencies)
