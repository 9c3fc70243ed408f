"""Who may use the account: the IP allow list and SMTP users."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import EmailAddress, IpAddress, Redacted, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_tool

ListType = Literal["smtp", "api"]


def list_type_field() -> Any:
    return Field(None, description="The smtp (default) or api allow list.")


class IpAllowListAddInput(ToolInput):
    ip_address: IpAddress = Field(description="IPv4 or IPv6, e.g. 203.0.113.7.")
    description: SingleLine | None = Field(None, max_length=255, description="A note about it.")
    type: ListType | None = list_type_field()


class IpAllowListRemoveInput(ToolInput):
    ip_address: IpAddress = Field(description="Exactly as listed.")
    type: ListType | None = list_type_field()


class IpAllowListViewInput(ToolInput):
    type: ListType | None = list_type_field()


class AllowedIp(ApiData):
    ip_address: str | None = None
    description: str | None = None


class IpAllowListData(ApiData):
    enabled: bool | None = None
    ip_addresses: list[AllowedIp] = Field(default_factory=list)


api_tool(
    "ip_allow_list/add", toolset="access", kind="create", title="Allow an IP address",
    description="Add an IP address to the SMTP or API allow list, so logins from it are accepted when the "
    "list is enforced.",
    input=IpAllowListAddInput, data=AllowedIp,
)
api_tool(
    "ip_allow_list/remove", toolset="access", kind="remove", title="Remove an allowed IP address",
    description="Remove an IP address from the allow list; while the list is enforced, its logins are refused.",
    input=IpAllowListRemoveInput, data=AllowedIp,
)
api_tool(
    "ip_allow_list/view", toolset="access", kind="read", title="View the IP allow list",
    description="Show whether the IP allow list is enforced and which addresses are on it.",
    input=IpAllowListViewInput, data=IpAllowListData,
)


# Settings shared by SMTP users, API keys and IP-authenticated senders (reference §2.5).
class CredentialSettings(ToolInput):
    description: SingleLine | None = Field(None, max_length=255, description="A note.")
    status: Literal["allowed", "blocked", "sandbox"] | None = Field(
        None, description="sandbox: accepted, never delivered.")
    custom_ratelimit: bool | None = Field(None, description="Apply the custom rate limit.")
    custom_ratelimit_value: int | None = Field(None, ge=1, le=2147483647, description="Emails per period.")
    custom_ratelimit_period: SingleLine | None = Field(
        None, max_length=32, description="e.g. '1 hour', '2 days' or '0:30:00'.")
    ip_pool: int | None = Field(None, ge=0, description="Dedicated IP pool id.")
    open_tracking_enabled: bool | None = Field(None, description="Track opens.")
    click_tracking_enabled: bool | None = Field(None, description="Track clicks (https links).")
    archive_enabled: bool | None = Field(None, description="Archive sent mail.")
    audit_email: EmailAddress | None = Field(None, description="BCC all mail here.")
    bounce_notifications: SingleLine | None = Field(
        None, max_length=320, description="'from' (default), 'drop' or an address.")
    feedback_enabled: bool | None = Field(None, description="Add an unsubscribe footer.")
    feedback_html: str | None = Field(
        None, max_length=10000, description="Footer HTML; may use %%UNSUBSCRIBE%% and %%EMAIL%%.")
    feedback_text: str | None = Field(
        None, max_length=10000, description="Footer text; may use %%UNSUBSCRIBE%% and %%EMAIL%%.")
    subaccount_id: str | None = subaccount_id_field()


_PASSWORD = "At least 64 bits of entropy (e.g. 16 random characters); never echoed back."


class SmtpUserAddInput(CredentialSettings):
    username: SingleLine = Field(min_length=5, max_length=100, description="The SMTP login name.")
    email_password: str | None = Field(
        None, min_length=8, max_length=128, description=_PASSWORD + " Default: SMTP2GO generates one (see its app).")


class SmtpUserEditInput(CredentialSettings):
    username: SingleLine = Field(min_length=1, max_length=100, description="The SMTP user to change.")
    email_password: str | None = Field(None, min_length=8, max_length=128, description="New password; " + _PASSWORD[0].lower() + _PASSWORD[1:])


class SmtpUserNameInput(ToolInput):
    username: SingleLine = Field(min_length=1, max_length=100, description="The SMTP user's login name.")
    subaccount_id: str | None = subaccount_id_field()


class SmtpUserViewInput(ToolInput):
    username: SingleLine | None = Field(None, min_length=1, max_length=100, description="Only this user; default all.")
    subaccount_id: str | None = subaccount_id_field()


# The settings SMTP2GO returns beyond these pass through unchanged (see tools/activity.py).
class SmtpUser(ApiData):
    username: str | None = None
    email_password: Redacted | None = Field(None, description="Always '[redacted]'.")
    status: str | None = None


class SmtpUsersData(ApiData):
    results: list[SmtpUser] = Field(default_factory=list)


api_tool(
    "users/smtp/add", toolset="access", kind="create", title="Create an SMTP user",
    description="Create SMTP login credentials for an app or device that sends through mail.smtp2go.com.",
    input=SmtpUserAddInput, data=SmtpUsersData,
)
api_tool(
    "users/smtp/edit", toolset="access", kind="update", title="Change an SMTP user",
    description="Change some settings of an SMTP user, e.g. status 'blocked' to disable it, or its password; "
    "the rest stay as they are.",
    input=SmtpUserEditInput, data=list[SmtpUser] | SmtpUsersData, method="PATCH",
)
api_tool(
    "users/smtp/remove", toolset="access", kind="remove", title="Delete an SMTP user",
    description="Delete an SMTP user; anything still logging in with it will be refused.",
    input=SmtpUserNameInput, data=SmtpUsersData,
)
api_tool(
    "users/smtp/view", toolset="access", kind="read", title="View SMTP users",
    description="List the account's SMTP users with their status and settings, or show one user.",
    input=SmtpUserViewInput, data=SmtpUsersData,
)
