"""One SMTP session on aiosmtplib: connect, TLS, AUTH, then messages; every failure classified.

Each failure carries an error_code an agent can act on (auth_failed, tls_failed,
connection_failed, timeout, sender_refused, recipients_refused, data_refused,
outcome_unknown) and a message that says what to change. A connection lost
during DATA is an unknown outcome: the server may have queued the message, so
it must not be sent again blindly.
"""

from __future__ import annotations

import functools
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

import aiosmtplib
from aiosmtplib import errors as smtp_errors

from smtp2go_mcp.smtp.compose import Composed
from smtp2go_mcp.smtp.profiles import SmtpProfile


class SmtpFailure(Exception):
    def __init__(self, code: str, message: str, *, smtp_code: int | None = None, smtp_message: str | None = None,
                 nothing_sent: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.smtp_code = smtp_code
        self.smtp_message = smtp_message
        self.nothing_sent = nothing_sent  # False: the server may have the message (outcome unknown)


@dataclass
class Refusal:
    recipient: str
    code: int
    message: str


@dataclass
class Delivery:
    accepted: list[str]
    refused: list[Refusal]
    reply: str  # the server's answer to the end of DATA, e.g. "250 2.0.0 Ok: queued as 4Fk2..."


@dataclass
class SessionInfo:
    banner: str = ""
    tls_version: str | None = None
    tls_cipher: str | None = None
    extensions: list[str] = field(default_factory=list)
    auth_mechanisms: list[str] = field(default_factory=list)
    authenticated_as: str | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    stage: str = "connect"  # the step under way: where a failure happened


def _reply(response: Any) -> str:
    return f"{response.code} {response.message}".strip()


class SmtpSession:
    """Use as `async with SmtpSession(profile, ...) as session: await session.send(composed)`."""

    def __init__(self, profile: SmtpProfile, *, timeout: float = 30.0, ca_file: str | None = None) -> None:
        self.profile = profile
        self.timeout = timeout
        self.ca_files = [str(f) for f in (ca_file, profile.ca_file) if f]
        self.info = SessionInfo()
        self._smtp: aiosmtplib.SMTP | None = None

    async def __aenter__(self) -> "SmtpSession":
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _tls_context(self) -> ssl.SSLContext:
        return _tls_context(tuple(self.ca_files))

    @property
    def connected(self) -> bool:
        return self._smtp is not None and self._smtp.is_connected

    async def open(self) -> SessionInfo:
        profile = self.profile
        where = f"{profile.host}:{profile.port}"
        # A TLS context is made (once, see _tls_context) only when TLS is used.
        self._smtp = smtp = aiosmtplib.SMTP(
            hostname=profile.host, port=profile.port, use_tls=profile.security == "tls", start_tls=False,
            tls_context=self._tls_context() if profile.security == "tls" else None, timeout=self.timeout,
            local_hostname=_local_hostname())
        started = time.monotonic()
        try:
            self.info.stage = "connect"
            banner = await smtp.connect()
            self._step("connect", started, f"{_reply(banner)}" + (" (implicit TLS)" if profile.security == "tls" else ""))
            self.info.banner = _reply(banner)
            self.info.stage = "ehlo"
            await smtp.ehlo()
            if profile.security == "starttls":
                self.info.stage = "starttls"
                if not smtp.supports_extension("starttls"):
                    raise SmtpFailure("tls_failed", f"{where} does not offer STARTTLS. If it expects TLS from the "
                                      "first byte (usually port 465), use security 'tls'; use 'none' only for a relay "
                                      "on a network you trust.")
                started = time.monotonic()
                await smtp.starttls(tls_context=self._tls_context())
                await smtp.ehlo()
                self._step("starttls", started, "upgraded")
            ssl_object = smtp.get_transport_info("ssl_object")
            if ssl_object is not None:
                self.info.tls_version = ssl_object.version()
                self.info.tls_cipher = (ssl_object.cipher() or ("",))[0]
            self.info.extensions = sorted(smtp.esmtp_extensions)
            self.info.auth_mechanisms = [m.upper() for m in smtp.server_auth_methods]
            if not profile.ip_relay:
                self.info.stage = "auth"
                started = time.monotonic()
                if not smtp.supports_extension("auth"):
                    raise SmtpFailure("auth_failed", f"{where} offers no AUTH"
                                      + ("" if ssl_object else " without TLS (try security 'starttls' or 'tls')")
                                      + "; if it relays by IP address, use the sender with no username.")
                await smtp.login(profile.username or "", profile.password or "")
                self.info.authenticated_as = profile.username
                self._step("auth", started, f"authenticated as {profile.username}")
            self.info.stage = "ready"
        except SmtpFailure:
            await self.close()
            raise
        except Exception as exc:
            await self.close()
            raise self._classify_open_error(exc) from None
        return self.info

    def _step(self, name: str, started: float, detail: str) -> None:
        self.info.steps.append({"step": name, "ok": True, "ms": round((time.monotonic() - started) * 1000, 1),
                                "detail": detail})

    def _classify_open_error(self, exc: BaseException) -> SmtpFailure:
        profile = self.profile
        where = f"{profile.host}:{profile.port}"
        cause = exc.__cause__ or exc.__context__
        tls_error = next((e for e in (exc, cause) if isinstance(e, ssl.SSLError)), None)
        if isinstance(exc, smtp_errors.SMTPAuthenticationError):
            return SmtpFailure("auth_failed", f"{where} refused the login for {profile.username!r}: {exc.code} "
                               f"{_clean(exc.message, profile)}. Check the username and password (Gmail and "
                               "Outlook need an app password).", smtp_code=exc.code, smtp_message=_clean(exc.message, profile))
        if isinstance(tls_error, ssl.SSLCertVerificationError):
            return SmtpFailure("tls_failed", f"{where} presented a certificate that is not trusted "
                               f"({tls_error.verify_message}). Use the server's real name as host, or trust its CA "
                               "with SMTP2GO_MCP_SMTP_CA_FILE (or ca_file in the profile).")
        if tls_error is not None:
            hint = (" The port may expect the other TLS mode: implicit TLS ('tls') is usually port 465, STARTTLS "
                    "('starttls') port 587." if "WRONG_VERSION_NUMBER" in str(tls_error).upper()
                    or "wrong version number" in str(tls_error) else "")
            return SmtpFailure("tls_failed", f"TLS with {where} failed: {tls_error.reason or tls_error}.{hint}")
        if isinstance(exc, (smtp_errors.SMTPTimeoutError, TimeoutError)):
            return SmtpFailure("timeout", f"{where} did not answer within {self.timeout:g} s"
                               + (" (is the port right, and the server reachable from here?)"
                                  if isinstance(exc, smtp_errors.SMTPConnectTimeoutError) else "") + ".")
        if isinstance(exc, smtp_errors.SMTPResponseException):
            return SmtpFailure("connection_failed", f"{where} refused the session: {exc.code} "
                               f"{_clean(exc.message, profile)}", smtp_code=exc.code,
                               smtp_message=_clean(exc.message, profile))
        if isinstance(exc, (smtp_errors.SMTPException, OSError)):
            return SmtpFailure("connection_failed", f"Could not talk to {where}: {_clean(str(exc), profile)}. Check "
                               "the host, the port and that this machine can reach it.")
        return SmtpFailure("connection_failed", f"Could not talk to {where}: {type(exc).__name__}.")

    async def send(self, composed: Composed) -> Delivery:
        """MAIL, RCPT for each recipient, DATA. Raises SmtpFailure unless at least one recipient got it."""
        smtp = self._smtp
        if smtp is None or not smtp.is_connected:
            raise SmtpFailure("connection_failed", "The SMTP connection is closed.")
        profile = self.profile
        utf8 = composed.needs_smtputf8
        if utf8 and not smtp.supports_extension("smtputf8"):
            raise SmtpFailure("smtputf8_unsupported", f"{profile.host} does not support SMTPUTF8, which addresses "
                              "with non-ASCII characters before the @ need. Use ASCII addresses or another server.")
        options = ["SMTPUTF8"] if utf8 else []
        encoding = "utf-8" if utf8 else "ascii"
        try:
            try:
                await smtp.mail(composed.envelope_from, options=options, encoding=encoding)
            except smtp_errors.SMTPSenderRefused as exc:
                raise SmtpFailure("sender_refused", f"{profile.host} refused the sender {composed.envelope_from}: "
                                  f"{exc.code} {exc.message}. The server may only accept From addresses of the "
                                  "authenticated account or of verified domains.", smtp_code=exc.code,
                                  smtp_message=exc.message) from None
            accepted, refused = [], []
            for recipient in composed.recipients:
                try:
                    await smtp.rcpt(recipient, encoding=encoding)
                    accepted.append(recipient)
                except smtp_errors.SMTPRecipientRefused as exc:
                    refused.append(Refusal(recipient, exc.code, exc.message))
            if not accepted:
                await _reset(smtp)
                detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in refused)
                raise SmtpFailure("recipients_refused", f"{profile.host} refused every recipient ({detail}). "
                                  "Nothing was sent.", smtp_code=refused[0].code, smtp_message=refused[0].message)
            data = composed.to_bytes(smtputf8=utf8)
        except (smtp_errors.SMTPServerDisconnected, smtp_errors.SMTPTimeoutError, ConnectionError) as exc:
            raise SmtpFailure("timeout" if isinstance(exc, smtp_errors.SMTPTimeoutError) else "connection_failed",
                              f"The connection to {profile.host} failed before the message was sent "
                              f"({type(exc).__name__}); nothing was delivered.") from None
        try:
            response = await smtp.data(data)
        except smtp_errors.SMTPDataError as exc:
            await _reset(smtp)
            raise SmtpFailure("data_refused", f"{profile.host} refused the message: {exc.code} {exc.message}. "
                              "Nothing was delivered.", smtp_code=exc.code, smtp_message=exc.message) from None
        except (smtp_errors.SMTPServerDisconnected, smtp_errors.SMTPTimeoutError, ConnectionError) as exc:
            raise SmtpFailure(
                "outcome_unknown", f"The connection to {profile.host} was lost while the message was being "
                f"transferred ({type(exc).__name__}), so the server may or may not have accepted it. Do not send it "
                "again until the recipients confirm it did not arrive.", nothing_sent=False) from None
        return Delivery(accepted=accepted, refused=refused, reply=_reply(response))

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        if smtp.is_connected:
            try:
                with_timeout = min(self.timeout, 5.0)
                await smtp.quit(timeout=with_timeout)
            except Exception:
                smtp.close()


async def _reset(smtp: aiosmtplib.SMTP) -> None:
    try:
        await smtp.rset()
    except Exception:
        smtp.close()


def _local_hostname() -> str:
    name = socket.getfqdn()
    return name if name.isascii() and "." in name else "localhost.localdomain"


def _clean(text: str, profile: SmtpProfile) -> str:
    """Server text as shown to the agent, with the password taken out should a server echo it."""
    text = " ".join(str(text).split())
    if profile.password:
        text = text.replace(profile.password, "[redacted]")
    return text[:300]


@functools.lru_cache(maxsize=16)
def _tls_context(ca_files: tuple[str, ...]) -> ssl.SSLContext:
    """The TLS context for connections that trust the system's CA store plus `ca_files`.

    Built once per set of CA files and shared by every connection (a context is made for that):
    loading the CA store costs ~20 ms, a tenth of a 100-message batch. A CA file changed on disk is
    read again after a restart.
    """
    context = ssl.create_default_context()
    for ca_file in ca_files:
        context.load_verify_locations(cafile=ca_file)
    return context
