"""A real SMTP server on a loopback port for the reminder tests (aiosmtpd), keeping every message
it accepted; it can refuse chosen recipients, speak STARTTLS or implicit TLS with a self-signed
certificate, and run a hook when a message arrives (before answering it)."""

from __future__ import annotations

import datetime
import email
import ipaddress
import socket
import ssl
import threading
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self, refuse=()):
        self.refuse = {a.lower() for a in refuse}
        self.messages: list[tuple[tuple[str, ...], email.message.EmailMessage, bytes]] = []
        self.on_data = None  # called with the number of messages received so far
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=policy.default)
        with self.lock:
            self.messages.append((tuple(envelope.rcpt_tos), msg, raw))
            count = len(self.messages)
        if self.on_data is not None:
            self.on_data(count)
        return "250 Message accepted for delivery"

    # -- reading back ------------------------------------------------------------------------

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpts, m, _ in self.messages if address.lower() in map(str.lower, rcpts)]

    def rcpts(self) -> list[str]:
        return [r.lower() for rcpts, _, _ in self.messages for r in rcpts]


class SmtpServer:
    def __init__(self, mailbox: Mailbox, tls: str = "none", certfile="", keyfile=""):
        self.mailbox, self.port = mailbox, free_port()
        kwargs = {}
        if tls != "none":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certfile, keyfile)
            kwargs = (
                {"tls_context": context, "require_starttls": True}
                if tls == "starttls"
                else {"ssl_context": context}
            )
        self.controller = Controller(mailbox, hostname="127.0.0.1", port=self.port, **kwargs)
        self.tls = tls

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def settings(self, **extra) -> dict:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "from": "Văn phòng UBND tỉnh <nhacviec@ubnd.gov.vn>",
            "reply_to": "vanphong@ubnd.gov.vn",
            "security": self.tls,
            "timeout_seconds": 10,
            **extra,
        }


def self_signed(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key (PEM files in `folder`)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(certfile), str(keyfile)
