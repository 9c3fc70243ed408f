"""Real SMTP servers on loopback for the tests: aiosmtpd with STARTTLS, implicit TLS and AUTH,
plus scripted misbehaving servers (one that never answers, one that drops the connection).

The TLS certificate is made here, self-signed for localhost/127.0.0.1; tests either trust it
(as an extra CA) or not (to see an untrusted certificate refused).
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USERNAME = "mailer@example.com"
PASSWORD = "c0rrect-Horse-battery!"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    smtp_utf8: bool
    authenticated: bool

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=default_policy)  # type: ignore[return-value]


@dataclass
class Recorder:
    """aiosmtpd handler: keeps what arrives; refuses recipients and data on request."""

    refuse_recipients: set[str] = field(default_factory=set)
    refuse_data_containing: bytes | None = None
    messages: list[Received] = field(default_factory=list)
    connections: int = 0

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.refuse_recipients:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data_containing and self.refuse_data_containing in envelope.original_content:
            return "554 5.7.1 Message rejected: content policy"
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                                      envelope.smtp_utf8, bool(session.authenticated)))
        return "250 2.0.0 Ok: queued as 4Fk2QZ"


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USERNAME and \
        auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


class SmtpServer:
    """An aiosmtpd server in a thread: starttls, tls (implicit) or plain; AUTH required or not."""

    def __init__(self, mode: str, *, auth: bool, cert: Path | None = None, key: Path | None = None,
                 smtputf8: bool = True) -> None:
        self.mode = mode
        self.recorder = Recorder()
        self.port = _free_port()
        kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": self.port, "enable_SMTPUTF8": smtputf8,
                                  "server_hostname": "mx.test.local"}
        if auth:
            # aiosmtpd only knows STARTTLS as TLS: on implicit TLS the session is encrypted without it.
            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=mode == "starttls")
        if mode == "starttls":
            kwargs.update(tls_context=server_context(cert, key), require_starttls=True)
        elif mode == "tls":
            kwargs.update(ssl_context=server_context(cert, key))
        self.controller = Controller(self.recorder, **kwargs)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        return self.recorder.messages


class ScriptedServer:
    """A bare TCP server that speaks just enough SMTP to misbehave on purpose.

    behaviour: "hang" (accept, never answer), "drop_in_data" (take the DATA and close without a
    reply), "drop_after_first" (deliver the first message, then close when the next MAIL comes).
    """

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.data_commands = 0
        self.delivered = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> "ScriptedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        with conn:
            if self.behaviour == "hang":
                self._stop.wait(30)
                return
            reader = conn.makefile("rb")
            conn.sendall(b"220 scripted.test ESMTP\r\n")
            delivered_here = 0
            for raw in reader:
                line = raw.decode("ascii", "replace").strip().upper()
                if line.startswith("EHLO"):
                    conn.sendall(b"250-scripted.test\r\n250 8BITMIME\r\n")
                elif line.startswith("MAIL"):
                    if self.behaviour == "drop_after_first" and delivered_here >= 1:
                        return  # connection closed with no reply
                    conn.sendall(b"250 OK\r\n")
                elif line.startswith("RCPT"):
                    conn.sendall(b"250 OK\r\n")
                elif line == "DATA":
                    self.data_commands += 1
                    conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    for body in reader:
                        if self.behaviour == "drop_in_data":
                            time.sleep(0.05)
                            return  # gone in the middle of the message
                        if body in (b".\r\n", b".\n"):
                            break
                    self.delivered += 1
                    delivered_here += 1
                    conn.sendall(b"250 OK queued\r\n")
                elif line.startswith("QUIT"):
                    conn.sendall(b"221 bye\r\n")
                    return
                elif line.startswith("RSET") or line.startswith("NOOP"):
                    conn.sendall(b"250 OK\r\n")
                else:
                    conn.sendall(b"502 not implemented\r\n")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
