"""Synthetic data for demos and load tests: directives, agencies, tasks and their update history.

Everything is invented and says so: every directive title starts with "[Dữ liệu mẫu]", e-mail
addresses end in ".invalid". Nothing here touches the real seed: `fill_store` writes to the store
it is given (and refuses one that already holds tasks), `main` to the SQLite file it is told.

    python -m services.demo_data --tasks 10000 --agencies 60 --directives 200 --sqlite-path PATH

The story each task tells is the one the app would record: the office imports a directive and its
tasks (updated_at = that moment, updated_by = the office), then the lead agency saves updates
through the same rules as the app (`services.store.plan_update`), each save giving history rows;
a few deadlines are extended by the office. So the history replays onto the final state exactly.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.domain.agencies import AgencyIndex
from services.domain.dates import DateError, parse_date
from services.domain.errors import StoreError
from services.domain.model import (
    CREATED,
    DEFAULT_TIMEZONE,
    DONE,
    FIELD_LABELS,
    IN_PROGRESS,
    PENDING,
    REPORT_CONFIRMED,
    REPORT_RETURNED,
    REPORT_WAITING,
    ROLE_ADMIN,
    ROLE_AGENCY,
    Agency,
    Change,
    Directive,
    PeriodReport,
    Task,
    User,
    today_local,
)
from services.domain.periods import MONTHLY, QUARTERLY, Cycle, parse_cycle, periods_until
from services.stores.base import Store, plan_period_report, plan_report_decision, plan_update

LABEL = "[Dữ liệu mẫu]"
OFFICE = User(
    "vanphong.ubnd@du-lieu-mau.invalid", "Văn phòng UBND tỉnh (dữ liệu mẫu)", "VPUB", ROLE_ADMIN
)
DEFAULT_SQLITE_PATH = "data/demo.db"

# code, name, aliases, group, successor -- successors come before the agencies merged into them,
# so any prefix of this list is consistent. Names follow the provincial apparatus after the
# 2025 mergers; the merged Sở keep their old names, inactive, for the older directives.
_SBN, _LLVT, _TW = "Sở, ban, ngành", "Lực lượng vũ trang", "Cơ quan Trung ương trên địa bàn"
_BC, _DT = "Báo chí", "Mặt trận, đoàn thể, hội"
_HUYEN, _XA = "UBND cấp huyện", "UBND cấp xã"
AGENCY_POOL: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    ("SNV", "Sở Nội vụ", (), _SBN, ""),
    ("STC", "Sở Tài chính", (), _SBN, ""),
    ("SKHCN", "Sở Khoa học và Công nghệ", ("Sở KH&CN",), _SBN, ""),
    ("SXD", "Sở Xây dựng", (), _SBN, ""),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", ("Sở NN&MT",), _SBN, ""),
    ("SYT", "Sở Y tế", (), _SBN, ""),
    ("SGDDT", "Sở Giáo dục và Đào tạo", ("Sở GD&ĐT",), _SBN, ""),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", ("Sở VHTTDL",), _SBN, ""),
    ("SCT", "Sở Công Thương", (), _SBN, ""),
    ("STP", "Sở Tư pháp", (), _SBN, ""),
    ("CAT", "Công an tỉnh", ("CA tỉnh",), _LLVT, ""),
    ("VPUB", "Văn phòng UBND tỉnh", ("VP UBND tỉnh",), _SBN, ""),
    ("STTTT", "Sở Thông tin và Truyền thông", ("Sở TT&TT",), _SBN, "SKHCN"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", ("Sở KH&ĐT",), _SBN, "STC"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", ("Sở LĐ-TB&XH",), _SBN, "SNV"),
    ("SGTVT", "Sở Giao thông vận tải", ("Sở GTVT",), _SBN, "SXD"),
    ("STNMT", "Sở Tài nguyên và Môi trường", ("Sở TN&MT",), _SBN, "SNNMT"),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", ("Sở DT&TG",), _SBN, ""),
    ("SNGV", "Sở Ngoại vụ", (), _SBN, ""),
    ("TTT", "Thanh tra tỉnh", (), _SBN, ""),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh", ("Ban QL các KCN",), _SBN, ""),
    ("BCHQS", "Bộ Chỉ huy Quân sự tỉnh", ("Bộ CHQS tỉnh",), _LLVT, ""),
    ("BAO", "Báo Hưng Yên", (), _BC, ""),
    ("DPTTH", "Đài Phát thanh và Truyền hình Hưng Yên", ("Đài PT-TH Hưng Yên",), _BC, ""),
    ("THUE", "Thuế tỉnh", (), _TW, ""),
    ("KBNN", "Kho bạc Nhà nước khu vực", ("KBNN khu vực",), _TW, ""),
    ("BHXH", "Bảo hiểm xã hội tỉnh", ("BHXH tỉnh",), _TW, ""),
    ("NHNN", "Ngân hàng Nhà nước chi nhánh khu vực", ("NHNN khu vực",), _TW, ""),
    ("TKE", "Chi cục Thống kê tỉnh", (), _TW, ""),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", ("UB MTTQ tỉnh",), _DT, ""),
    ("TDTN", "Tỉnh đoàn", (), _DT, ""),
    ("HLHPN", "Hội Liên hiệp Phụ nữ tỉnh", ("Hội LHPN tỉnh",), _DT, ""),
    ("HND", "Hội Nông dân tỉnh", (), _DT, ""),
    ("HCCB", "Hội Cựu chiến binh tỉnh", (), _DT, ""),
    ("LDLD", "Liên đoàn Lao động tỉnh", ("LĐLĐ tỉnh",), _DT, ""),
    ("HNB", "Hội Nhà báo tỉnh", (), _DT, ""),
    ("HVHNT", "Hội Văn học Nghệ thuật tỉnh", ("Hội VHNT tỉnh",), _DT, ""),
    ("LMHTX", "Liên minh Hợp tác xã tỉnh", ("Liên minh HTX tỉnh",), _DT, ""),
    ("HCTD", "Hội Chữ thập đỏ tỉnh", (), _DT, ""),
    ("TPHY", "UBND thành phố Hưng Yên", ("UBND TP Hưng Yên",), _HUYEN, ""),
    ("TXMH", "UBND thị xã Mỹ Hào", (), _HUYEN, ""),
    ("HVL", "UBND huyện Văn Lâm", (), _HUYEN, ""),
    ("HVG", "UBND huyện Văn Giang", (), _HUYEN, ""),
    ("HYM", "UBND huyện Yên Mỹ", (), _HUYEN, ""),
    ("HKC", "UBND huyện Khoái Châu", (), _HUYEN, ""),
    ("HAT", "UBND huyện Ân Thi", (), _HUYEN, ""),
    ("HKD", "UBND huyện Kim Động", (), _HUYEN, ""),
    ("HPC", "UBND huyện Phù Cừ", (), _HUYEN, ""),
    ("HTL", "UBND huyện Tiên Lữ", (), _HUYEN, ""),
)
# more agencies than the pool: communes, with invented names
_COMMUNE_FIRST = (
    "An",
    "Bình",
    "Đông",
    "Hòa",
    "Hưng",
    "Minh",
    "Nghĩa",
    "Phú",
    "Quang",
    "Tân",
    "Thanh",
    "Thuận",
    "Trung",
    "Việt",
    "Xuân",
    "Yên",
)
_COMMUNE_SECOND = (
    "Bình",
    "Châu",
    "Đạo",
    "Hải",
    "Hòa",
    "Lạc",
    "Lợi",
    "Long",
    "Mỹ",
    "Phong",
    "Phúc",
    "Sơn",
    "Thành",
    "Thịnh",
    "Tiến",
    "Vinh",
)
GROUP_WEIGHT = {_SBN: 5, _LLVT: 3, _TW: 1.5, _BC: 1.5, _DT: 1, _HUYEN: 3, _XA: 1}

_KINDS = (  # number pattern, title opening, share
    ("{n}/KH-UBND", "Kế hoạch triển khai", 3),
    ("{n}/UBND-VP", "V/v đôn đốc thực hiện", 4),
    ("{n}/QĐ-UBND", "Quyết định ban hành Chương trình hành động về", 1),
    ("{n}/CĐ-UBND", "Công điện về việc tập trung chỉ đạo", 1),
    ("{n}/TB-UBND", "Thông báo kết luận của Chủ tịch UBND tỉnh về", 2),
)
_TOPICS = (
    "chuyển đổi số và phát triển chính quyền số",
    "cải cách hành chính",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "bảo đảm trật tự an toàn giao thông",
    "xây dựng nông thôn mới",
    "giải ngân vốn đầu tư công",
    "phòng, chống dịch bệnh trên người và vật nuôi",
    "phát triển kinh tế tập thể, hợp tác xã",
    "thu hút đầu tư vào các khu công nghiệp",
    "sắp xếp đơn vị hành chính cấp xã",
    "quản lý đất đai và khoáng sản",
    "phòng, chống tham nhũng, lãng phí",
    "cải thiện chỉ số năng lực cạnh tranh cấp tỉnh",
    "bảo vệ môi trường làng nghề",
    "phát triển du lịch gắn với di tích lịch sử",
    "an sinh xã hội và giảm nghèo bền vững",
    "tuyên truyền Đại hội Đảng bộ các cấp",
    "phổ biến, giáo dục pháp luật",
    "phát triển nhà ở xã hội",
    "xóa nhà tạm, nhà dột nát",
)
_ACTIONS = (
    "Xây dựng kế hoạch triển khai",
    "Rà soát, đánh giá tình hình thực hiện",
    "Tổ chức tuyên truyền, phổ biến",
    "Kiểm tra, đôn đốc các đơn vị thực hiện",
    "Tham mưu UBND tỉnh ban hành văn bản hướng dẫn về",
    "Tổng hợp, báo cáo kết quả",
    "Bố trí nguồn lực thực hiện",
    "Hướng dẫn các địa phương triển khai",
    "Chủ trì, phối hợp với các đơn vị liên quan thực hiện",
    "Đề xuất giải pháp tháo gỡ vướng mắc về",
)
_RESULTS = (
    "Đã triển khai theo kế hoạch",
    "Đã ban hành văn bản hướng dẫn",
    "Đã tổ chức hội nghị",
    "Đã báo cáo UBND tỉnh",
    "Đang tổng hợp số liệu",
)
_SIGNERS = (
    "Nguyễn Văn An (Chủ tịch)",
    "Trần Thị Bình (KT. Chủ tịch, Phó Chủ tịch)",
    "Lê Minh Cường (KT. Chủ tịch, Phó Chủ tịch)",
    "Phạm Quốc Dũng (KT. Chủ tịch, Phó Chủ tịch)",
)
_DURATIONS = (15, 30, 30, 45, 60, 60, 90, 90, 120, 180, 270)


def _agencies(count: int, rng: random.Random) -> list[Agency]:
    out = []
    for code, name, aliases, group, successor in AGENCY_POOL[:count]:
        out.append(Agency(code, name, aliases, group, successor, active=not successor))
    names = {a.name for a in out}
    n = 0
    while len(out) < count:
        n += 1
        name = f"UBND xã {rng.choice(_COMMUNE_FIRST)} {rng.choice(_COMMUNE_SECOND)}"
        if name not in names:
            names.add(name)
            out.append(Agency(f"XA{n:03d}", name, (), _XA))
    return out


def _moment(day: date, rng: random.Random, tz: ZoneInfo) -> datetime:
    """A time within office hours on `day`."""
    minutes = rng.randrange(7 * 60 + 30, 17 * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60, rng.randrange(60)), tz)


def _day_between(lo: date, hi: date, rng: random.Random) -> date:
    return lo if hi <= lo else lo + timedelta(days=rng.randrange((hi - lo).days + 1))


def _agency_user(code: str) -> User:
    return User(
        f"canbo.{code.lower()}@du-lieu-mau.invalid",
        f"Cán bộ {code} (dữ liệu mẫu)",
        code,
        ROLE_AGENCY,
    )


def generate(
    tasks: int = 10000,
    agencies: int = 60,
    directives: int = 200,
    seed: int = 1,
    today: date | None = None,
    tz: str = DEFAULT_TIMEZONE,
) -> tuple[list[Directive], list[Agency], list[Task], list[Change]]:
    """(directives, agencies, tasks, history), deterministic for a given seed and `today`.

    Directives are issued over the 300 days before `today`; task deadlines fall 15-270 days after
    their directive (so they spread over about a year around today), 15% have none (thường
    xuyên). Each agency gets a diligence that drives how much of its work is done, and on time.
    All events happen before `today`."""
    if tasks < 0 or agencies < 1 or directives < 1:
        raise ValueError("tasks >= 0, agencies >= 1 and directives >= 1")
    rng = random.Random(seed)
    zone = ZoneInfo(tz)
    today = today or today_local(tz)
    last_day = today - timedelta(days=1)
    agency_list = _agencies(agencies, rng)
    codes = [a.code for a in agency_list]
    names = {a.code: a.name for a in agency_list}
    diligence = {c: rng.uniform(0.35, 0.97) for c in codes}
    active = [a for a in agency_list if a.active]
    merged = [a for a in agency_list if not a.active]
    weights = [GROUP_WEIGHT.get(a.group, 1) for a in active]
    # a few agencies fall silent: no update (and no new task) in their last 35-90 days
    silent = {
        a.code: today - timedelta(days=rng.randrange(35, 91))
        for a in (rng.sample(active, len(active) // 12) if len(active) >= 4 else ())
    }

    numbers = rng.sample(range(100, 100 + 20 * directives), directives)
    issued_days = sorted(today - timedelta(days=rng.randrange(1, 301)) for _ in range(directives))
    directive_list = []
    for i, issued in enumerate(issued_days):
        pattern, opening, _ = rng.choices(_KINDS, weights=[k[2] for k in _KINDS])[0]
        directive_list.append(
            Directive(
                id=f"VB-{i + 1:04d}",
                number=pattern.format(n=numbers[i]),
                issued_on=issued.isoformat(),
                issuer="UBND tỉnh Hưng Yên",
                title=f"{LABEL} {opening} {rng.choice(_TOPICS)}",
                signer=rng.choice(_SIGNERS),
            )
        )
    old_cutoff = directive_list[len(directive_list) // 4].issued_on  # merged agencies: oldest 25%

    # tasks per directive: at least one each while there are tasks to give out
    per_directive = [0] * directives
    for i in range(tasks):
        per_directive[i % directives if i < directives else rng.randrange(directives)] += 1

    task_list: list[Task] = []
    history: list[Change] = []
    n = 0
    for d, count in zip(directive_list, per_directive):
        issued = date.fromisoformat(d.issued_on)
        born = registered(d, zone)
        topic = d.title.split(" ", 3)[-1]
        no_deadline = rng.random() < 0.12  # some directives set no deadline at all
        for k in range(count):
            n += 1
            if merged and d.issued_on <= old_cutoff and rng.random() < 0.3:
                lead = rng.choice(merged).code
            else:
                lead = rng.choices(active, weights=weights)[0].code
                while lead in silent and issued >= silent[lead]:
                    lead = rng.choices(active, weights=weights)[0].code
            partners = tuple(
                rng.sample(
                    [c for c in codes if c != lead],
                    min(len(codes) - 1, rng.choice((0, 0, 1, 1, 2, 3))),
                )
            )
            deadline = None
            if not no_deadline and rng.random() > 0.05:
                deadline = issued + timedelta(days=rng.choice(_DURATIONS))
            cycle = ""
            if deadline is None and rng.random() < 0.8:  # an ongoing task: reported periodically
                kind = MONTHLY if rng.random() < 0.75 else QUARTERLY
                cycle = Cycle(kind, rng.choice((20, 25, 30)), issued).text()
            task = Task(
                id=f"NV-{n:04d}",
                directive_id=d.id,
                cycle=cycle,
                section=f"{k // 4 + 1}",
                content=f"{rng.choice(_ACTIONS)} {topic}.",
                lead=lead,
                partners=partners,
                deadline=deadline,
                updated_at=born,
                updated_by=OFFICE.email,
            )
            history.append(
                Change(
                    at=born,
                    change_id=f"{rng.getrandbits(128):032x}",
                    task_id=task.id,
                    field=CREATED,
                    old="",
                    new=names[lead],
                    actor=OFFICE.email,
                    actor_agency=OFFICE.agency,
                )
            )
            quiet_from = silent.get(lead)
            task, rows = _story(
                task,
                born.date(),
                min(last_day, quiet_from) if quiet_from else last_day,
                diligence[lead],
                rng,
                zone,
            )
            task_list.append(task)
            history.extend(rows)
    history.sort(key=lambda c: c.at)
    return directive_list, agency_list, task_list, history


def registered(directive: Directive, zone: ZoneInfo) -> datetime:
    """When the office entered a synthetic directive and its tasks (07:30 on its issue day)."""
    return datetime.combine(date.fromisoformat(directive.issued_on), time(7, 30), zone)


def _story(
    task: Task, born: date, last_day: date, diligence: float, rng: random.Random, zone: ZoneInfo
) -> tuple[Task, list[Change]]:
    """The updates an agency saves on a task, through the app's own update rules."""
    user = _agency_user(task.lead)
    rows: list[Change] = []
    last = datetime.combine(born, time(), zone)

    def save(day: date, actor: User, **changes) -> None:
        nonlocal task, last
        at = max(_moment(day, rng, zone), last + timedelta(minutes=1))
        new, _, written = plan_update(task, task, changes, actor, at)
        change_id = f"{rng.getrandbits(128):032x}"
        rows.extend(replace(c, change_id=change_id) for c in written)
        task, last = new, at

    first = born + timedelta(days=1)
    if first > last_day:
        return task, rows
    deadline = task.deadline
    overdue_now = deadline is not None and deadline < last_day
    p_done = (0.05 + 0.9 * diligence) if overdue_now else 0.35 * diligence
    done = rng.random() < p_done
    started = done or rng.random() < 0.4 + 0.5 * diligence
    if not started:
        return task, rows
    if deadline is not None and rng.random() < 0.04:  # the office extends a deadline
        day = _day_between(first, min(deadline, last_day), rng)
        save(day, OFFICE, deadline=deadline + timedelta(days=rng.choice((15, 30, 60))))
        first, deadline = day, task.deadline
    if done:
        on_time = deadline is None or rng.random() < diligence or deadline + timedelta(1) > last_day
        end = (
            _day_between(first, min(deadline, last_day), rng)
            if on_time and deadline
            else (
                _day_between(first, last_day, rng)
                if deadline is None
                else _day_between(deadline + timedelta(days=1), last_day, rng)
            )
        )
    else:
        end = last_day
    start = _day_between(first, end, rng)
    save(start, user, status=IN_PROGRESS, progress=rng.randrange(1, 6) * 10)
    for _ in range(rng.choice((0, 1, 1, 2))):
        day = _day_between(start, end, rng)
        if task.progress < 90:
            save(
                day,
                user,
                progress=min(90, task.progress + rng.randrange(1, 4) * 10),
                result=rng.choice(_RESULTS),
            )
    if done:
        # a completion of the last week is often still waiting for the office (Chờ xử lý)
        waiting = end > last_day - timedelta(days=7) and rng.random() < 0.6
        save(
            end,
            user,
            status=PENDING if waiting else DONE,
            progress=100,
            completed_on=end,
            result=f"{rng.choice(_RESULTS)}; đã hoàn thành.",
            evidence=f"Báo cáo số {rng.randrange(10, 999)}/BC-{task.lead}",
        )
    return task, rows


# --- writing to a store ---------------------------------------------------------------------------

# history field label -> (task field, how to read the "new" text back)
_FIELDS = {
    FIELD_LABELS[f]: f
    for f in ("status", "progress", "result", "evidence", "completed_on", "deadline")
}


def _typed(field: str, text: str):
    if field == "progress":
        return int(text or 0)
    if field in ("completed_on", "deadline"):
        return parse_date(text)
    return text


def period_reports(
    tasks: list[Task],
    agencies: list[Agency],
    today: date,
    seed: int = 1,
    tz: str = DEFAULT_TIMEZONE,
) -> list[PeriodReport]:
    """Past periodic reports of the tasks with a cycle (the demo data only, never the seed): each
    agency reports a share of its periods given by a diligence of its own, mostly before the due
    day; the office has confirmed most of the older ones and returned a few."""
    rng = random.Random(seed * 7919 + 13)
    zone = ZoneInfo(tz)
    index = AgencyIndex(agencies)
    diligence = {a.code: rng.uniform(0.3, 0.95) for a in agencies}
    out: list[PeriodReport] = []
    for task in tasks:
        cycle = parse_cycle(task.cycle) if task.cycle else None
        if cycle is None or task.is_withdrawn:
            continue
        lead = index.current(task.lead)
        for period in periods_until(cycle, today - timedelta(days=1)):
            if rng.random() > diligence.get(lead, 0.6):
                continue  # not reported (yet)
            early = rng.random() < diligence.get(lead, 0.6)
            day = (
                period.due - timedelta(days=rng.randrange(0, 10))
                if early
                else period.due + (timedelta(days=rng.randrange(1, 20)))
            )
            day = max(day, period.start)
            if day >= today:
                continue
            at = _moment(day, rng, zone)
            state, decided_by, decided_at, note = REPORT_WAITING, "", None, ""
            if (today - day).days > 10:
                if rng.random() < 0.08:
                    state, note = REPORT_RETURNED, "Chưa nêu số liệu cụ thể; đề nghị bổ sung."
                else:
                    state = REPORT_CONFIRMED
                decided_by, decided_at = OFFICE.email, at + timedelta(days=rng.randrange(1, 5))
            out.append(
                PeriodReport(
                    id=f"BC-{len(out) + 1:04d}",
                    task_id=task.id,
                    period=period.key,
                    content=f"Kết quả {period.label.lower()}: {rng.choice(_ACTIONS).lower()}.",
                    evidence=f"{rng.randrange(10, 999)}/BC-{lead}",
                    progress=rng.choice((None, None, rng.randrange(10, 100, 10))),
                    agency=lead,
                    state=state,
                    submitted_by=_agency_user(lead).email,
                    submitted_at=at,
                    decided_by=decided_by,
                    decided_at=decided_at,
                    note=note,
                )
            )
    return out


def report_history(reports: list[PeriodReport]) -> list[Change]:
    """The history rows the store writes for these reports and their decisions (the same
    functions as a save: services.stores.base.plan_period_report / plan_report_decision)."""
    rows = []
    for r in reports:
        agency = User(r.submitted_by, agency=r.agency, role=ROLE_AGENCY)
        assert r.submitted_at is not None and (r.state == REPORT_WAITING or r.decided_at)
        sent, change = plan_period_report(
            None, [], replace(r, state=REPORT_WAITING), [], agency, r.submitted_at
        )
        rows.append(change)
        if r.state != REPORT_WAITING:
            _, decided = plan_report_decision(
                sent,
                sent,
                {"state": r.state, "note": r.note},
                OFFICE,
                r.decided_at,  # type: ignore[arg-type]
            )
            rows.append(decided)
    return rows


def fill_store(
    store: Store,
    data=None,
    *,
    fast: bool = True,
    tz: str = DEFAULT_TIMEZONE,
    today: date | None = None,
    **generate_args,
) -> dict:
    """Write synthetic data (`data` = generate(...)'s result, else generate(**generate_args)) into
    an EMPTY store; returns counts. Refuses a store that already has tasks or directives.

    The API path (any store) imports each directive with its tasks in their first state
    (add_directive), then replays every save with update_task, so the store writes the history
    itself (with its own change ids). For SQLiteStore, `fast=True` writes the same rows in one
    transaction instead (seconds instead of minutes for 10,000 tasks)."""
    if data is None:
        data = generate(tz=tz, today=today, **generate_args)
    directives, agencies, tasks, history = data
    current = store.load()
    if current.tasks or current.directives:
        raise StoreError(
            "Kho dữ liệu này đã có văn bản hoặc nhiệm vụ: dữ liệu mẫu chỉ được ghi "
            "vào một kho trống (hãy chọn một tệp mới)."
        )
    from services.stores.sqlite import SQLiteStore

    today = today or generate_args.get("today") or today_local(tz)  # the day the data is for
    reports = period_reports(tasks, agencies, today, tz=tz)
    if fast and isinstance(store, SQLiteStore):
        rows = sorted([*history, *report_history(reports)], key=lambda c: c.at)
        store.bulk_load(directives, agencies, tasks, rows, period_reports=reports)
    else:
        _fill_through_api(store, directives, agencies, tasks, history, tz)
        for r in reports:  # each through the store, as the agency and the office write them
            agency = User(r.submitted_by, agency=r.agency, role=ROLE_AGENCY)
            assert r.submitted_at is not None  # generated with their times
            added = store.add_period_report(replace(r, id=""), agency, r.submitted_at)
            if r.state != REPORT_WAITING and r.decided_at is not None:
                store.decide_period_report(
                    added, {"state": r.state, "note": r.note}, OFFICE, r.decided_at
                )
    return {
        "directives": len(directives),
        "agencies": len(agencies),
        "tasks": len(tasks),
        "history": len(history),
        "period_reports": len(reports),
    }


def _initial(task: Task, changes: list[Change]) -> Task:
    """The task as the office imported it: undo its changes, newest first."""
    for c in sorted(changes, key=lambda c: c.at, reverse=True):
        field = _FIELDS[c.field]
        task = replace(task, **{field: _typed(field, c.old)})
    return task


def _fill_through_api(store, directives, agencies, tasks, history, tz) -> None:
    for a in agencies:
        store.save_agency(a)
    history = [c for c in history if c.field != CREATED]  # add_directive writes these itself
    by_task = defaultdict(list)
    for c in history:
        by_task[c.task_id].append(c)
    by_directive = defaultdict(list)
    for t in tasks:
        by_directive[t.directive_id].append(t)
    state: dict[str, Task] = {}
    zone = ZoneInfo(tz)
    for d in directives:
        first = [_initial(t, by_task[t.id]) for t in by_directive[d.id]]
        _, written = store.add_directive(d, first, OFFICE, registered(d, zone))
        state.update((t.id, t) for t in written)
    saves = defaultdict(list)
    for c in history:
        saves[c.change_id].append(c)
    for rows in sorted(saves.values(), key=lambda rows: rows[0].at):
        first = rows[0]
        changes = {(f := _FIELDS[c.field]): _typed(f, c.new) for c in rows}
        role = ROLE_ADMIN if first.actor == OFFICE.email else ROLE_AGENCY
        actor = User(first.actor, agency=first.actor_agency, role=role)
        store.update_task(state[first.task_id], changes, actor, first.at)
        state[first.task_id] = replace(
            state[first.task_id], **changes, updated_at=first.at, updated_by=first.actor
        )


# --- command line ---------------------------------------------------------------------------------


def _day(text: str) -> date:
    try:
        value = parse_date(text)
    except DateError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if value is None:
        raise argparse.ArgumentTypeError("cần một ngày dd/mm/yyyy")
    return value


def main(argv: list[str] | None = None) -> int:
    """`python -m services.demo_data ...` (and `services.cli demo-data ...`)."""
    parser = argparse.ArgumentParser(
        prog="demo-data",
        description="Tạo dữ liệu mẫu (giả lập) vào một tệp SQLite riêng, "
        "không trộn vào dữ liệu thật.",
    )
    parser.add_argument("--tasks", type=int, default=10000, help="số nhiệm vụ (mặc định 10000)")
    parser.add_argument("--agencies", type=int, default=60, help="số cơ quan (mặc định 60)")
    parser.add_argument("--directives", type=int, default=200, help="số văn bản (mặc định 200)")
    parser.add_argument("--seed", type=int, default=1, help="hạt giống ngẫu nhiên (mặc định 1)")
    parser.add_argument(
        "--today",
        type=_day,
        default=None,
        help="coi hôm nay là ngày này (dd/mm/yyyy); mặc định hôm nay",
    )
    parser.add_argument(
        "--sqlite-path",
        default=DEFAULT_SQLITE_PATH,
        help=f"tệp SQLite sẽ tạo (mặc định {DEFAULT_SQLITE_PATH}); phải là tệp mới hoặc trống",
    )
    parser.add_argument(
        "--through-api",
        action="store_true",
        help="ghi từng thay đổi qua giao diện Store (chậm; để kiểm tra)",
    )
    args = parser.parse_args(argv)
    if args.tasks < 0 or args.agencies < 1 or args.directives < 1:
        parser.error("--tasks >= 0, --agencies >= 1, --directives >= 1")
    from services.stores.sqlite import SQLiteStore

    try:
        store = SQLiteStore(args.sqlite_path, seed=None)
        counts = fill_store(
            store,
            fast=not args.through_api,
            tasks=args.tasks,
            agencies=args.agencies,
            directives=args.directives,
            seed=args.seed,
            today=args.today,
        )
    except StoreError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 1
    print(
        f"Đã tạo dữ liệu mẫu trong «{args.sqlite_path}»: {counts['directives']} văn bản, "
        f"{counts['agencies']} cơ quan, {counts['tasks']} nhiệm vụ, {counts['history']} dòng "
        "lịch sử."
    )
    print(f'Để xem: đặt [store] sqlite_path = "{args.sqlite_path}" trong .streamlit/secrets.toml.')
    return 0


if __name__ == "__main__":
    sys.exit(main())
