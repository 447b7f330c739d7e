"""Reminder e-mails end to end on a real SMTP server (aiosmtpd on a loopback port): what each
digest says, the messages read back (subjects, recipients, links, Vietnamese text, escaping),
idempotence, a refused recipient, opt-out, empty agencies, TLS, the time bound."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.config import load_settings
from services.domain.model import (
    EXTENSION,
    IN_PROGRESS,
    LEADERS_DIGEST,
    ROLE_AGENCY,
    ROLE_LEADER,
    SENT,
    Request,
    Task,
    User,
)
from services.reminders import digest as dg
from services.reminders.run import NO_RECIPIENT, NOTHING, OUT_OF_TIME, plan, run, send_one
from services.stores.seed import seed_records
from services.stores.sqlite import SQLiteStore
from tests.conftest import ADMIN, TZ
from tests.smtpserver import Mailbox, SmtpServer, self_signed

DAY = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 7, 30, tzinfo=ZoneInfo(TZ))
BASE = "https://theo-doi.example.gov.vn"
SNV_USERS = ("a@snv.gov.vn", "b@snv.gov.vn")
EVIL = "<script>alert(\"x\")</script> =cmd|' /C calc'!A0 & <b>đậm</b>"


def settings_for(server, **email):
    return load_settings(
        {
            "app": {"base_url": BASE, "timezone": TZ},
            "email": server.settings(**email),
        }
    )


def add_scenario(store):
    """SNV: one task due soon, one late, one seriously late (hostile text), one returned twice,
    an answered extension request; STP: nothing urgent. Users: two of SNV (one opted out),
    one inactive, a leader; SNV's own mailbox."""
    snap = store.load()
    store.save_agency(replace(snap.agency("SNV"), email="SoNoiVu@hungyen.gov.vn"))
    for email_ in SNV_USERS:
        store.save_user(User(email_, "Cán bộ Sở Nội vụ", "SNV", ROLE_AGENCY))
    store.save_user(User("off@snv.gov.vn", "Không nhận thư", "SNV", ROLE_AGENCY, reminders=False))
    store.save_user(User("old@snv.gov.vn", "Đã nghỉ", "SNV", ROLE_AGENCY, active=False))
    store.save_user(User("chutich@ubnd.gov.vn", "Chủ tịch", "", ROLE_LEADER))
    tasks = [
        Task("", "VB-0001", "9", "Báo cáo sơ kết quý I", "SNV", deadline=DAY + timedelta(days=2)),
        Task("", "VB-0001", "9", "Rà soát biên chế", "SNV", deadline=DAY - timedelta(days=3)),
        Task("", "VB-0001", "9", EVIL, "SNV", deadline=DAY - timedelta(days=20)),
        Task(
            "",
            "VB-0001",
            "9",
            "Tổng hợp thi đua khen thưởng",
            "SNV",
            status=IN_PROGRESS,
            returns=2,
            return_reason="Thiếu minh chứng số liệu",
        ),
        Task("", "VB-0001", "9", "Việc còn xa", "STP", deadline=DAY + timedelta(days=30)),
    ]
    added = store.add_tasks(tasks, ADMIN, NOW - timedelta(days=30))
    request = store.add_request(
        Request(
            "", added[0].id, EXTENSION, "Cần thêm thời gian", DAY + timedelta(days=20), agency="SNV"
        ),
        User(SNV_USERS[0], "", "SNV", ROLE_AGENCY),
        NOW - timedelta(days=2),
    )
    store.decide_request(
        request,
        {"state": "approved", "note": "Đồng ý"},
        ADMIN,
        NOW - timedelta(days=1),
    )
    return added


@pytest.fixture
def mailbox():
    return Mailbox(refuse={"b@snv.gov.vn"})


@pytest.fixture
def smtp(mailbox):
    server = SmtpServer(mailbox).start()
    yield server
    server.stop()


# --- what a digest says ----------------------------------------------------------------------


def test_an_agency_digest_lists_its_tasks_by_urgency_returns_and_answers(sqlite_store):
    added = add_scenario(sqlite_store)
    snap = sqlite_store.load()
    digests = {d.key: d for d in dg.build_digests(snap, DAY, base_url=BASE)}
    snv = digests["SNV"]
    titles = [s.title for s in snv.sections]
    assert titles == [
        "Quá hạn nghiêm trọng",
        "Quá hạn",
        "Sắp đến hạn",
        "Bị trả lại",
        "Đề xuất đã có kết quả",
    ]
    soon, late, serious = (
        next(s for s in snv.sections if s.key == k) for k in ("soon", "late", "serious")
    )
    assert [i.task_id for i in soon.items] == [added[0].id]
    assert soon.items[0].detail == "Hạn 12/03/2025 · còn 2 ngày"
    assert late.items[0].detail == "Hạn 07/03/2025 · quá hạn 3 ngày"
    assert serious.items[0].text == EVIL  # user text kept as it is; escaped by mail.py
    assert soon.items[0].link == f"{BASE}/my_tasks?task={added[0].id}"
    answered = snv.sections[-1].items[0]
    assert "Gia hạn đến 30/03/2025: Đã chấp thuận" in answered.detail
    assert "Đồng ý" in answered.detail
    assert snv.recipients == (*SNV_USERS, "sonoivu@hungyen.gov.vn")  # opted out, inactive left
    assert snv.count == 5
    assert digests["STP"].count == 0  # a deadline a month away is not urgent
    leaders = digests[LEADERS_DIGEST]
    assert leaders.recipients == ("chutich@ubnd.gov.vn",)
    assert [s.key for s in leaders.sections] == ["serious", "returned"]
    assert dict(leaders.summary)["Quá hạn nghiêm trọng"] == 1


def test_answered_requests_are_those_decided_since_the_last_digest(sqlite_store):
    add_scenario(sqlite_store)
    snap = sqlite_store.load()
    # a digest reached SNV after the decision: the answer is not repeated
    after = NOW - timedelta(hours=1)
    later = replace(
        snap,
        deliveries=(
            dg.Delivery(DAY - timedelta(days=1), "SNV", "a@snv.gov.vn", 3, "x", SENT, after),
        ),
    )
    snv = next(d for d in dg.build_digests(later, DAY) if d.key == "SNV")
    assert "answered" not in [s.key for s in snv.sections]


def test_the_day_is_the_office_local_date_not_the_servers(sqlite_store, smtp):
    add_scenario(sqlite_store)
    # 06:30 in Hà Nội on 11/03 is 23:30 UTC on 10/03: the digest is the one of 11/03
    utc = datetime(2025, 3, 10, 23, 30, tzinfo=ZoneInfo("UTC"))
    report = run(sqlite_store, settings_for(smtp), dry_run=True, now=utc)
    assert report.day == date(2025, 3, 11)
    snv = next(p for p in report.planned if p.digest.key == "SNV")
    assert snv.digest.subject.endswith("ngày 11/03/2025")
    soon = next(s for s in snv.digest.sections if s.key == "soon")
    assert soon.items[0].detail == "Hạn 12/03/2025 · còn 1 ngày"


# --- the messages, read back from the SMTP server --------------------------------------------


def test_run_sends_each_agency_its_digest_and_the_leaders_theirs(sqlite_store, smtp, mailbox):
    added = add_scenario(sqlite_store)
    report = run(sqlite_store, settings_for(smtp), day=DAY)
    assert report.problems == []
    [msg] = mailbox.to("a@snv.gov.vn")
    assert msg["Subject"] == "[Nhắc việc] Sở Nội vụ: 5 mục cần chú ý ngày 10/03/2025"
    assert msg["From"].addresses[0].display_name == "Văn phòng UBND tỉnh"
    assert msg["Reply-To"] == "vanphong@ubnd.gov.vn"
    assert msg["Auto-Submitted"] == "auto-generated"
    raw = next(r for rcpts, _, r in mailbox.messages if "a@snv.gov.vn" in rcpts)
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0].lower()  # RFC 2047 encoded headers
    assert raw.isascii()  # the whole message travels as 7-bit: nothing is mangled on the way
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Kính gửi: Sở Nội vụ" in text and "QUÁ HẠN NGHIÊM TRỌNG (1)" in text
    assert "Thiếu minh chứng số liệu" in text and "Tổng hợp thi đua khen thưởng" in text
    assert f"{BASE}/my_tasks?task={added[0].id}" in text
    assert f'href="{BASE}/my_tasks?task={added[0].id}"' in html
    # hostile task text is inert: escaped in the HTML, as typed in the text part
    assert "<script>" not in html and "<b>đậm</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "=cmd|&#x27; /C calc&#x27;!A0 &amp; &lt;b&gt;đậm&lt;/b&gt;" in html
    assert EVIL in text
    # recipients: both active SNV users who did not opt out, and the agency's mailbox
    snv_rcpts = next(
        r for r, m, _ in mailbox.messages if m["Subject"].startswith("[Nhắc việc] Sở Nội vụ")
    )
    assert sorted(snv_rcpts) == ["a@snv.gov.vn", "sonoivu@hungyen.gov.vn"]  # b refused by server
    assert "off@snv.gov.vn" not in mailbox.rcpts() and "old@snv.gov.vn" not in mailbox.rcpts()
    [leaders] = mailbox.to("chutich@ubnd.gov.vn")
    assert leaders["Subject"] == "[Nhắc việc] Tổng hợp ngày 10/03/2025: 2 mục cần chỉ đạo"
    body = leaders.get_body(("plain",)).get_content()
    assert "BỊ TRẢ LẠI NHIỀU LẦN (1)" in body and "Sở Nội vụ · bị trả lại 2 lần" in body
    # STP has nothing urgent: no mail (send_empty is false by default)
    assert next(p for p in report.planned if p.digest.key == "STP").skipped == NOTHING
    assert len(mailbox.messages) == 2


def test_a_rerun_sends_nothing_again_and_a_refused_recipient_is_retried(
    sqlite_store, smtp, mailbox
):
    add_scenario(sqlite_store)
    settings = settings_for(smtp)
    first = run(sqlite_store, settings, day=DAY)
    assert first.failed == [("SNV", "b@snv.gov.vn", "Lỗi: 550 5.1.1 Mailbox unavailable")]
    assert first.exit_code == 1
    assert any("b@snv.gov.vn: Lỗi: 550" in line for line in first.lines())
    ledger = sqlite_store.load().deliveries
    assert sorted((d.agency, d.recipient, d.result == SENT) for d in ledger) == [
        (LEADERS_DIGEST, "chutich@ubnd.gov.vn", True),
        ("SNV", "a@snv.gov.vn", True),
        ("SNV", "b@snv.gov.vn", False),
        ("SNV", "sonoivu@hungyen.gov.vn", True),
    ]
    assert {d.items for d in ledger if d.agency == "SNV"} == {5}
    assert len({d.message_id for d in ledger if d.agency == "SNV"}) == 1

    mailbox.messages.clear()
    second = run(sqlite_store, settings, day=DAY)  # still refused: retried, the others not sent
    assert mailbox.rcpts() == []  # refused at RCPT: nothing delivered
    assert [p.pending for p in second.planned if p.results] == [("b@snv.gov.vn",)]
    assert any("gửi lại cho người nhận bị lỗi lần trước: b@snv.gov.vn" in x for x in second.lines())

    mailbox.refuse.clear()  # the mailbox is fixed: the next run delivers it, only it
    third = run(sqlite_store, settings, day=DAY)
    assert mailbox.rcpts() == ["b@snv.gov.vn"]
    assert third.exit_code == 0
    mailbox.messages.clear()
    fourth = run(sqlite_store, settings, day=DAY)
    assert mailbox.rcpts() == [] and fourth.exit_code == 0 and fourth.sent == []
    # the next day is a new digest for everyone
    run(sqlite_store, settings, day=DAY + timedelta(days=1))
    assert "a@snv.gov.vn" in mailbox.rcpts()


def test_opted_out_users_get_nothing_and_send_empty_mails_quiet_agencies(
    sqlite_store, smtp, mailbox
):
    add_scenario(sqlite_store)
    sqlite_store.save_user(User("tp@stp.gov.vn", "Sở Tư pháp", "STP", ROLE_AGENCY))
    run(sqlite_store, settings_for(smtp, send_empty=True), day=DAY)
    [stp] = mailbox.to("tp@stp.gov.vn")
    assert "Không có nhiệm vụ nào cần nhắc hôm nay." in stp.get_body(("plain",)).get_content()
    assert "off@snv.gov.vn" not in mailbox.rcpts()


def test_dry_run_sends_and_records_nothing(sqlite_store, smtp, mailbox):
    add_scenario(sqlite_store)
    report = run(sqlite_store, settings_for(smtp), day=DAY, dry_run=True)
    assert mailbox.messages == [] and sqlite_store.load().deliveries == ()
    lines = "\n".join(report.lines())
    assert "chạy thử" in lines and "sẽ gửi tới a@snv.gov.vn, b@snv.gov.vn" in lines


def test_a_run_is_bounded_in_time_and_the_rest_goes_next_run(sqlite_store, smtp, mailbox):
    add_scenario(sqlite_store)
    ticks = itertools.count(0, 400)  # each check of the clock: 400 s later
    report = run(
        sqlite_store, settings_for(smtp, run_seconds=500), day=DAY, clock=lambda: next(ticks)
    )
    assert [p.skipped for p in report.planned if p.digest.key == LEADERS_DIGEST] == [OUT_OF_TIME]
    assert report.exit_code == 1
    assert "chutich@ubnd.gov.vn" not in mailbox.rcpts()
    run(sqlite_store, settings_for(smtp), day=DAY)
    assert "chutich@ubnd.gov.vn" in mailbox.rcpts()


def test_an_unreachable_server_sends_nothing_records_nothing_and_says_why(sqlite_store, smtp):
    add_scenario(sqlite_store)
    settings = settings_for(smtp, port=1)  # nothing listens there
    report = run(sqlite_store, settings, day=DAY)
    assert report.exit_code == 2
    assert "Không kết nối được máy chủ thư 127.0.0.1:1" in report.problems[0]
    assert sqlite_store.load().deliveries == ()


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_tls_with_the_servers_certificate_checked(sqlite_store, tmp_path, tls):
    add_scenario(sqlite_store)
    cert, key = self_signed(tmp_path)
    box = Mailbox()
    server = SmtpServer(box, tls=tls, certfile=cert, keyfile=key).start()
    try:
        report = run(sqlite_store, settings_for(server, cafile=cert), day=DAY)
        assert report.problems == [] and "a@snv.gov.vn" in box.rcpts()
        # a certificate nobody vouches for is refused: nothing is sent in clear
        report = run(sqlite_store, settings_for(server), day=DAY + timedelta(days=1))
        assert report.exit_code == 2 and "Không kết nối được" in report.problems[0]
    finally:
        server.stop()


def test_only_admins_send_by_hand_and_a_manual_send_follows_the_ledger(sqlite_store, smtp, mailbox):
    add_scenario(sqlite_store)
    settings = settings_for(smtp)
    with pytest.raises(Exception, match="Chỉ Quản trị"):
        send_one(sqlite_store, settings, "SNV", User("x@snv.gov.vn", "", "SNV", ROLE_AGENCY))
    planned = plan(sqlite_store.load(), settings, DAY, only="snv")
    assert [p.digest.key for p in planned] == ["SNV"]
    report = send_one(sqlite_store, settings, "SNV", ADMIN)
    assert {k for k, _ in report.sent} == {"SNV"}
    assert "chutich@ubnd.gov.vn" not in mailbox.rcpts()


# --- the command line ----------------------------------------------------------------------------


def _secrets(tmp_path, server, **email) -> str:
    import json

    lines = [
        "[app]",
        f"base_url = {json.dumps(BASE)}",
        "[store]",
        f"sqlite_path = {json.dumps(str(tmp_path / 'test.db'))}",
        "[email]",
    ]
    lines += [f"{k} = {json.dumps(v)}" for k, v in {**server.settings(), **email}.items()]
    path = tmp_path / "secrets.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(path)


def test_cli_remind_dry_run_then_send_then_rerun(sqlite_store, smtp, mailbox, tmp_path):
    import subprocess
    import sys

    add_scenario(sqlite_store)
    secrets = _secrets(tmp_path, smtp)

    def cli(*args):
        done = subprocess.run(
            [sys.executable, "-m", "services.cli", "--secrets", secrets, "remind", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done.returncode, done.stdout + done.stderr

    code, out = cli("--dry-run", "--date", "10/03/2025")
    assert code == 0 and mailbox.messages == []
    assert "===== [Nhắc việc] Sở Nội vụ: 5 mục cần chú ý ngày 10/03/2025 =====" in out
    assert "Người nhận: a@snv.gov.vn, b@snv.gov.vn, sonoivu@hungyen.gov.vn" in out
    code, out = cli("--date", "10/03/2025", "--to-agency", "SNV")
    assert code == 1  # b@ refused: retried next run
    assert "đã gửi 2/3" in out and "b@snv.gov.vn: Lỗi: 550" in out
    assert sorted(mailbox.rcpts()) == ["a@snv.gov.vn", "sonoivu@hungyen.gov.vn"]
    code, out = cli("--date", "10/03/2025")
    assert "chutich@ubnd.gov.vn" in mailbox.rcpts()
    assert mailbox.rcpts().count("a@snv.gov.vn") == 1
    code, out = cli("--date", "31/02/2025")
    assert code == 2 and "Lỗi" in out
    code, out = cli("--to-agency", "KHONGCO")
    assert code == 2 and "Không có cơ quan mã «KHONGCO»" in out


# --- Quản trị: preview and send by hand; a user's own opt-out -----------------------------------


def test_admin_previews_todays_digests_and_sends_one_by_hand(tmp_path, smtp, mailbox):
    from services.domain.model import ROLE_ADMIN
    from tests.conftest import open_app

    store = SQLiteStore(str(tmp_path / "app.db"), seed=lambda: seed_records(TZ), tz=TZ)
    add_scenario(store)
    secrets = {"app": {"base_url": BASE, "timezone": TZ}, "email": smtp.settings()}
    at = open_app(tmp_path, ROLE_ADMIN, page="views/admin.py", secrets=secrets)
    at.segmented_control(key="admin_section").set_value("Nhắc việc").run()
    assert not at.exception
    table = at.dataframe[0].value
    snv = table[table["Mã"] == "SNV"].iloc[0]
    assert snv["Sẽ gửi tới"] == "a@snv.gov.vn, b@snv.gov.vn, sonoivu@hungyen.gov.vn"
    # today STP's task is late too, but nobody of STP is a user yet
    assert table[table["Mã"] == "STP"].iloc[0]["Ghi chú"] == NO_RECIPIENT
    at.selectbox[0].select("SNV").run()
    preview = at.code[0].value
    assert preview.startswith("Kính gửi: Sở Nội vụ") and EVIL in preview  # shown as text
    assert mailbox.messages == []
    next(b for b in at.button if b.label == "Gửi thư này ngay").click().run()
    assert not at.exception
    assert sorted(mailbox.rcpts()) == ["a@snv.gov.vn", "sonoivu@hungyen.gov.vn"]
    assert any("b@snv.gov.vn: Lỗi: 550" in t.value for t in at.text)
    ledger = store.load().deliveries
    assert {(d.recipient, d.ok) for d in ledger} == {
        ("a@snv.gov.vn", True),
        ("b@snv.gov.vn", False),
        ("sonoivu@hungyen.gov.vn", True),
    }


def test_a_user_opts_out_of_their_own_reminders_only(sqlite_store):
    from services.domain.errors import PermissionDenied
    from services.reminders.prefs import set_reminders

    add_scenario(sqlite_store)
    me = User("a@snv.gov.vn", "", "SNV", ROLE_AGENCY)
    assert set_reminders(sqlite_store, me, False).reminders is False
    snap = sqlite_store.load()
    assert "a@snv.gov.vn" not in dg.agency_recipients(snap, "SNV")
    assert next(u for u in snap.users if u.email == "b@snv.gov.vn").reminders  # others untouched
    with pytest.raises(PermissionDenied):
        set_reminders(sqlite_store, User("nobody@x.vn", "", "SNV", ROLE_AGENCY), False)
    set_reminders(sqlite_store, me, True)
    assert "a@snv.gov.vn" in dg.agency_recipients(sqlite_store.load(), "SNV")


# --- configuration and the schedule --------------------------------------------------------------


def test_email_settings_defaults_and_refusals():
    from services.config import ConfigError

    s = load_settings({})
    assert not s.email.configured and s.base_url == "" and s.email.security == "starttls"
    assert load_settings({"email": {"security": "ssl"}}).email.port == 465
    assert "password" not in repr(load_settings({"email": {"password": "bí-mật"}}).email)
    for bad in ({"security": "tls"}, {"port": 0}, {"leaders": [1]}, {"send_empty": "yes"}):
        with pytest.raises(ConfigError):
            load_settings({"email": bad})
    with pytest.raises(ConfigError, match="base_url"):
        load_settings({"app": {"base_url": "theo-doi.streamlit.app"}})
    example = open(".streamlit/secrets.toml.example", encoding="utf-8").read()
    for key in ("host", "port", "username", "password", "from", "reply_to", "security"):
        assert f"# {key} = " in example
    assert "# base_url = " in example


def test_the_workflow_runs_daily_at_0730_hanoi_time_with_repository_secrets():
    import yaml

    flow = yaml.safe_load(open(".github/workflows/remind.yml", encoding="utf-8"))
    crons = [c["cron"] for c in flow[True]["schedule"]]  # YAML 1.1 reads `on:` as True
    assert crons[0] == "30 0 * * *"  # 00:30 UTC = 07:30 Asia/Ho_Chi_Minh
    assert flow["concurrency"]["group"] == "remind"
    steps = flow["jobs"]["remind"]["steps"]
    script = "\n".join(s.get("run", "") for s in steps)
    assert "python -m services.cli remind" in script
    assert any("secrets.REMIND_SECRETS_TOML" in str(s.get("env", {})) for s in steps)


def test_periodic_reports_owed_are_in_the_agency_and_the_leaders_digests(sqlite_store):
    """A monthly report since January: on 10/03/2025 January's and February's are owed (due the
    25th), March's is not due yet; the agency's digest lists both, the leaders' names the agency."""
    cycle = "Hằng tháng, hạn ngày 25, từ 01/01/2025"
    task = Task("", "VB-0001", "9", "Báo cáo tình hình cải cách hành chính", "SNV", cycle=cycle)
    (added,) = sqlite_store.add_tasks([task], ADMIN, NOW - timedelta(days=90))
    snap = sqlite_store.load()
    digests = {d.key: d for d in dg.build_digests(snap, DAY, base_url=BASE)}
    section = next(s for s in digests["SNV"].sections if s.key == "periods")
    assert section.title == "Báo cáo định kỳ chưa nộp"
    mine = [i for i in section.items if i.task_id == added.id]
    assert [i.detail.split(" · ")[1] for i in mine] == ["hạn 25/01/2025", "hạn 25/02/2025"]
    assert "quá hạn 44 ngày" in mine[0].detail and mine[0].link.endswith(f"task={added.id}")
    leaders = next(s for s in digests[LEADERS_DIGEST].sections if s.key == "agency_periods")
    assert any(i.text == "Sở Nội vụ" for i in leaders.items)
