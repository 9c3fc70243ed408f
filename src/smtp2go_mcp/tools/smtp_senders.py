"""Sender identities for the generic SMTP tools: create, list, delete (local state, no network)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from smtp2go_mcp.envelope import NoArguments, ToolInput, ToolOutput
from smtp2go_mcp.fields import EmailAddress, SingleLine
from smtp2go_mcp.registry import tool
from smtp2go_mcp.smtp.identities import DuplicateSender

_HOST = r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$"


def _port_text(value: str) -> str:
    if not 0 < int(value) < 65536:
        raise ValueError("port must be between 1 and 65535")
    return value


# Integration platforms send the port as a number or as digits in a string; either is kept as given.
Port = Annotated[int, Field(ge=1, le=65535)] | Annotated[str, Field(pattern=r"^[0-9]{1,5}$"), AfterValidator(_port_text)]


class SmtpConfigurationInput(ToolInput):
    host: str = Field(min_length=1, max_length=253, pattern=_HOST,
                      description="Server name or IP, e.g. smtp.gmail.com (no scheme).")
    port: Port = Field(description="e.g. 587 (STARTTLS), 465 (TLS) or 25.")
    security: Literal["starttls", "tls", "none"] | None = Field(
        None, description="none only on a trusted network; default tls for port 465, else starttls.")
    ip_relay_auth: bool = Field(False, description="The relay trusts this machine's IP: no AUTH, no credentials.")
    username: SingleLine | None = Field(None, min_length=1, max_length=320, description="SMTP AUTH login; required "
                                        "unless ip_relay_auth.")
    password: str | None = Field(None, min_length=1, max_length=1000, description="Stored locally, never shown "
                                 "again; required unless ip_relay_auth or password_env.")
    password_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=100,
                                     description="Instead of password: this server's environment variable holding "
                                     "it (keeps it out of the chat).")

    @model_validator(mode="after")
    def _credentials(self) -> "SmtpConfigurationInput":
        if self.ip_relay_auth:
            given = [n for n in ("username", "password", "password_env") if getattr(self, n)]
            if given:
                raise ValueError(f"ip_relay_auth sends no credentials; leave out {', '.join(given)}")
        else:
            if not self.username:
                raise ValueError("username is required unless ip_relay_auth is true")
            if not (self.password or self.password_env):
                raise ValueError("password (or password_env) is required unless ip_relay_auth is true")
            if self.password and self.password_env:
                raise ValueError("give password or password_env, not both")
        return self


class SenderCreateInput(ToolInput):
    sender_name: SingleLine = Field(min_length=1, max_length=100, description="From name, e.g. 'Acme Billing'.")
    email_address: EmailAddress = Field(description="The From address (one identity each).")
    smtp_configuration: SmtpConfigurationInput = Field(description="Its SMTP server.")


class SmtpConfigurationView(BaseModel):
    id: str
    host: str
    port: int | str
    security: str
    ip_relay_auth: bool
    username: str | None
    password_set: bool = Field(description="The password itself is never shown.")
    password_env: str | None


class SenderView(BaseModel):
    id: str
    sender_name: str
    email_address: str
    created_at: str
    smtp_configuration: SmtpConfigurationView


class SenderOutput(ToolOutput):
    sender: SenderView | None

    failure_defaults: ClassVar[dict[str, Any]] = {"sender": None}


async def _create(args: SenderCreateInput, ctx: Any) -> SenderOutput:
    config = args.smtp_configuration
    store = ctx.runtime.senders
    try:
        identity = store.create(sender_name=args.sender_name, email_address=args.email_address, host=config.host,
                                port=config.port, security=config.security, ip_relay_auth=config.ip_relay_auth,
                                username=config.username, password=config.password, password_env=config.password_env)
    except DuplicateSender:
        existing = store.get(args.email_address)
        return SenderOutput.failure(
            "duplicate_sender", f"A sender identity for {args.email_address} already exists "
            f"(id {existing.id if existing else '?'}). Use it as it is, or delete it with SMTP_SENDER_DELETE first.")
    return SenderOutput(successful=True, error=None, error_code=None, sender=identity.public())


tool(
    "SMTP_SENDER_CREATE", toolset="smtp", kind="create", title="Create an SMTP sender identity", open_world=False,
    description="Save a From address with the SMTP server to send it through, for SMTP_SEND_EMAIL's `sender`. "
    "Stored locally; the password is never shown again.",
    input=SenderCreateInput, output=SenderOutput, run=_create,
)


class ProfileView(BaseModel):
    name: str
    source: str
    host: str
    port: int
    security: str
    auth: str
    username: str | None


class SenderListOutput(ToolOutput):
    senders: list[SenderView]
    profiles: list[ProfileView] = Field(description="Usable as `profile`.")
    default_profile: ProfileView | None = Field(description="Used with no sender or profile.")

    failure_defaults: ClassVar[dict[str, Any]] = {"senders": [], "profiles": [], "default_profile": None}


async def _list(args: NoArguments, ctx: Any) -> SenderListOutput:
    settings = ctx.settings
    default = settings.smtp_default
    return SenderListOutput(
        successful=True, error=None, error_code=None, senders=[s.public() for s in ctx.runtime.senders.list()],
        profiles=[p.describe() for p in settings.smtp_profiles.values()],
        default_profile=default.describe() if default else None)


tool(
    "SMTP_SENDER_LIST", toolset="smtp", kind="read", title="List SMTP senders and profiles", open_world=False,
    description="List the sender identities and SMTP profiles (no passwords), to choose `sender` or `profile` "
    "for SMTP_SEND_EMAIL.",
    input=NoArguments, output=SenderListOutput, run=_list,
)


class SenderDeleteInput(ToolInput):
    email_address: EmailAddress | None = Field(None, description="Its From address.")
    id: str | None = Field(None, pattern=r"^snd_[0-9a-f]{16}$", description="Or its id (snd_...).")

    @model_validator(mode="after")
    def _one(self) -> "SenderDeleteInput":
        if bool(self.email_address) == bool(self.id):
            raise ValueError("give email_address or id (one of them)")
        return self


async def _delete(args: SenderDeleteInput, ctx: Any) -> SenderOutput:
    removed = ctx.runtime.senders.delete(email_address=args.email_address, sender_id=args.id)
    if removed is None:
        return SenderOutput.failure("not_found", f"No sender identity {args.email_address or args.id}; "
                                    "SMTP_SENDER_LIST shows the existing ones.")
    return SenderOutput(successful=True, error=None, error_code=None, sender=removed.public())


tool(
    "SMTP_SENDER_DELETE", toolset="smtp", kind="remove", title="Delete an SMTP sender identity", open_world=False,
    description="Delete a sender identity and its stored SMTP credentials.",
    input=SenderDeleteInput, output=SenderOutput, run=_delete,
)
