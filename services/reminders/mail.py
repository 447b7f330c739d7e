"""A digest as an e-mail (plain text and HTML, built with the standard library's EmailMessage:
no hand-built MIME), and sending it through SMTP (STARTTLS, SSL, or plain for an internal relay).

Every user string (task text, reasons, agency names) is escaped in the HTML with html.escape and
reaches the text part as it is: a task that reads `<script>` or `=cmd` is shown, never run.
"""

from __future__ import annotations

import hashlib
import html
import re
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from services.config import EmailSettings
from services.domain.dates import format_date
from services.domain.errors import AppError
from services.domain.model import SENT
from services.reminders.digest import Digest

MAX_ITEMS = 50  # per section in one e-mail; the rest is counted, and on the app
FOOTER = (
    "Thư tự động của hệ thống Theo dõi nhiệm vụ, gửi mỗi sáng ngày làm việc. Để ngừng nhận thư, "
    "vào trang Nhiệm vụ của tôi (mục Nhận thư nhắc việc) hoặc đề nghị Văn phòng."
)


class MailError(AppError):
    """The SMTP server cannot be used at all (connection, TLS, login); Vietnamese message."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def message_id(digest: Digest, sender: str) -> str:
    """The same Message-ID for a digest's day and agency, whatever the run: a message resent
    after a crash is recognised as the same message by mail clients."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    key = re.sub(r"[^A-Za-z0-9-]", "-", digest.key)[:40]
    digest_hash = hashlib.sha256(f"{digest.day}|{digest.key}".encode()).hexdigest()[:12]
    return f"<nhacviec.{digest.day:%Y%m%d}.{key}.{digest_hash}@{domain}>"


# --- bodies ------------------------------------------------------------------------------------


def text_body(digest: Digest) -> str:
    lines = [f"Kính gửi: {digest.name}", ""]
    lines.append(
        f"Tình hình nhiệm vụ ngày {format_date(digest.day)}: {digest.count} mục cần chú ý."
    )
    if digest.summary:
        lines += ["", "Số liệu chung:"] + [
            f"  - {label}: {value}" for label, value in digest.summary
        ]
    for section in digest.sections:
        lines += ["", f"{section.title.upper()} ({len(section.items)})"]
        if section.note:
            lines.append(section.note)
        for item in section.items[:MAX_ITEMS]:
            head = f"{item.task_id}: " if item.task_id else ""
            lines.append(f"  - {head}{_one_line(item.text)}")
            lines.append(f"    {_one_line(item.detail)}")
            if item.link:
                lines.append(f"    {item.link}")
        if len(section.items) > MAX_ITEMS:
            lines.append(f"  ... và {len(section.items) - MAX_ITEMS} mục khác (xem trên ứng dụng).")
    if not digest.sections:
        lines += ["", "Không có nhiệm vụ nào cần nhắc hôm nay."]
    if digest.base_url:
        lines += ["", f"Mở ứng dụng: {digest.base_url}"]
    lines += ["", "--", FOOTER]
    return "\n".join(lines) + "\n"


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def html_body(digest: Digest) -> str:
    parts = [
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">',
        f"<title>{_e(digest.subject)}</title></head>",
        '<body style="font-family:Arial,Helvetica,sans-serif;color:#111827;max-width:760px">',
        f"<p>Kính gửi: <strong>{_e(digest.name)}</strong></p>",
        f"<p>Tình hình nhiệm vụ ngày {_e(format_date(digest.day))}: "
        f"<strong>{digest.count}</strong> mục cần chú ý.</p>",
    ]
    if digest.summary:
        parts.append('<table style="border-collapse:collapse;margin-bottom:12px">')
        for label, value in digest.summary:
            parts.append(
                f'<tr><td style="padding:2px 12px 2px 0">{_e(label)}</td>'
                f'<td style="text-align:right"><strong>{int(value)}</strong></td></tr>'
            )
        parts.append("</table>")
    for section in digest.sections:
        colour = section.colour if re.fullmatch(r"#[0-9a-fA-F]{6}", section.colour) else "#111827"
        parts.append(
            f'<h3 style="color:{colour};border-bottom:2px solid {colour};padding-bottom:2px">'
            f"{_e(section.title)} ({len(section.items)})</h3>"
        )
        if section.note:
            parts.append(f'<p style="margin:4px 0;color:#374151">{_e(section.note)}</p>')
        parts.append("<ul>")
        for item in section.items[:MAX_ITEMS]:
            head = f"<strong>{_e(item.task_id)}</strong>: " if item.task_id else ""
            parts.append(f'<li style="margin-bottom:6px">{head}{_e(item.text)}<br>')
            parts.append(f'<span style="color:#4b5563">{_e(item.detail)}</span>')
            if item.link:
                parts.append(f' · <a href="{_e(item.link)}">Mở nhiệm vụ</a>')
            parts.append("</li>")
        parts.append("</ul>")
        if len(section.items) > MAX_ITEMS:
            parts.append(
                f"<p>… và {len(section.items) - MAX_ITEMS} mục khác (xem trên ứng dụng).</p>"
            )
    if not digest.sections:
        parts.append("<p>Không có nhiệm vụ nào cần nhắc hôm nay.</p>")
    if digest.base_url:
        parts.append(f'<p><a href="{_e(digest.base_url)}">Mở ứng dụng Theo dõi nhiệm vụ</a></p>')
    parts.append(f'<hr><p style="font-size:12px;color:#6b7280">{_e(FOOTER)}</p></body></html>')
    return "\n".join(parts)


def _address(value: str) -> Address | str:
    name, addr = parseaddr(value)
    if not addr or "@" not in addr:
        raise MailError(f"Địa chỉ e-mail không hợp lệ: «{value}» (xem [email] from, reply_to).")
    if not name:
        return addr
    user, _, domain = addr.rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


def build_message(digest: Digest, recipients, settings: EmailSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = _one_line(digest.subject)
    msg["From"] = _address(settings.sender)
    msg["To"] = ", ".join(recipients)
    if settings.reply_to:
        msg["Reply-To"] = _address(settings.reply_to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id(digest, settings.sender)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies to us
    msg.set_content(text_body(digest))
    msg.add_alternative(html_body(digest), subtype="html")
    return msg


# --- sending -----------------------------------------------------------------------------------


class SmtpSender:
    """One SMTP session for a run (reconnected after a drop). `send` returns, per recipient,
    SENT or the server's refusal ("Lỗi: 550 ...")."""

    def __init__(self, settings: EmailSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.cafile or None)

    def connect(self) -> smtplib.SMTP:
        s = self.settings
        if not s.configured:
            raise MailError("Chưa cấu hình [email] host và from trong secrets: không gửi được thư.")
        try:
            smtp: smtplib.SMTP
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout_seconds, context=self._context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
                if s.security == "starttls":
                    smtp.starttls(context=self._context())
            if s.username:
                smtp.login(s.username, s.password)
        except smtplib.SMTPAuthenticationError as e:
            raise MailError(
                f"Máy chủ thư {s.host} từ chối đăng nhập ({e.smtp_code}): kiểm tra [email] "
                "username và password (Gmail/Workspace: dùng mật khẩu ứng dụng)."
            ) from e
        except (smtplib.SMTPException, OSError) as e:
            raise MailError(
                f"Không kết nối được máy chủ thư {s.host}:{s.port} ({s.security}): {e}"
            ) from e
        self.smtp = smtp
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None

    def send(self, msg: EmailMessage, recipients) -> dict[str, str]:
        recipients = list(recipients)
        smtp = self.smtp or self.connect()
        try:
            refused = smtp.send_message(msg, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as e:
            refused = e.recipients
        except smtplib.SMTPResponseException as e:  # sender refused, data refused: none sent
            return dict.fromkeys(recipients, f"Lỗi: {e.smtp_code} {_text(e.smtp_error)}")
        except (smtplib.SMTPException, OSError) as e:  # the connection dropped: none sent
            self.smtp = None
            return dict.fromkeys(recipients, f"Lỗi: mất kết nối máy chủ thư ({e})")
        return {
            r: (f"Lỗi: {refused[r][0]} {_text(refused[r][1])}" if r in refused else SENT)
            for r in recipients
        }


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return _one_line(value)
