"""Who may use the account: the IP allow list and SMTP users."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import EmailAddress, IpAddress, Redacted, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_tool

ListType = Literal["smtp", "api"]


def list_type_field() -> Any:
    return Field(None, description="Which allow list: smtp (SMTP relay logins, the default) or api (API keys).")


class IpAllowListAddInput(ToolInput):
    ip_address: IpAddress = Field(description="IPv4 or IPv6 address to allow, e.g. 203.0.113.7.")
    description: SingleLine | None = Field(None, max_length=255, description="A note on what this address is.")
    type: ListType | None = list_type_field()


class IpAllowListRemoveInput(ToolInput):
    ip_address: IpAddress = Field(description="The address to remove, exactly as listed.")
    type: ListType | None = list_type_field()


class IpAllowListViewInput(ToolInput):
    type: ListType | None = list_type_field()


class AllowedIp(ApiData):
    ip_address: str | None = None
    description: str | None = None


class IpAllowListData(ApiData):
    enabled: bool | None = Field(None, description="Whether the allow list is enforced.")
    ip_addresses: list[AllowedIp] = Field(default_factory=list)


api_tool(
    "ip_allow_list/add", toolset="access", kind="create", title="Allow an IP address",
    description="Add an IP address to the account's allow list, so logins (SMTP or API) from it are "
    "accepted when the list is enforced.",
    input=IpAllowListAddInput, data=AllowedIp, data_description="The entry added.",
)
api_tool(
    "ip_allow_list/remove", toolset="access", kind="remove", title="Remove an allowed IP address",
    description="Remove an IP address from the allow list. While the list is enforced, logins from "
    "that address are then refused.",
    input=IpAllowListRemoveInput, data=AllowedIp, data_description="The entry removed.",
)
api_tool(
    "ip_allow_list/view", toolset="access", kind="read", title="View the IP allow list",
    description="Show whether the IP allow list is enforced and which addresses are on it.",
    input=IpAllowListViewInput, data=IpAllowListData,
)


# Settings shared by SMTP users, API keys and IP-authenticated senders (reference §2.5).
class CredentialSettings(ToolInput):
    description: SingleLine | None = Field(None, max_length=255, description="A note on what this credential is for.")
    status: Literal["allowed", "blocked", "sandbox"] | None = Field(
        None, description="allowed: may send; blocked: disabled; sandbox: accepted but never delivered.")
    custom_ratelimit: bool | None = Field(None, description="Apply custom_ratelimit_value/period instead of the account's limit.")
    custom_ratelimit_value: int | None = Field(None, ge=1, le=2147483647, description="Emails allowed per period when custom_ratelimit is on.")
    custom_ratelimit_period: SingleLine | None = Field(
        None, max_length=32, description="The rate-limit period: '<n> hours|days|weeks|months' or 'hh:mm:ss', e.g. '1 hour', '2 days', '0:30:00'.")
    ip_pool: int | None = Field(None, ge=0, description="Dedicated IP pool id to send through (see dedicated IPs).")
    open_tracking_enabled: bool | None = Field(None, description="Track opens of mail sent with this credential.")
    click_tracking_enabled: bool | None = Field(None, description="Track link clicks (needs https:// links in full <a> tags).")
    archive_enabled: bool | None = Field(None, description="Keep copies in the email archive.")
    audit_email: EmailAddress | None = Field(None, description="Address to BCC on every message sent with this credential.")
    bounce_notifications: SingleLine | None = Field(
        None, max_length=320, description="Where bounce notices go: 'from' (the sender, default), 'drop', or an email address.")
    feedback_enabled: bool | None = Field(None, description="Add an unsubscribe footer to messages.")
    feedback_html: str | None = Field(
        None, max_length=10000, description="HTML of the unsubscribe footer; may use %%UNSUBSCRIBE%% and %%EMAIL%%.")
    feedback_text: str | None = Field(
        None, max_length=10000, description="Text of the unsubscribe footer; may use %%UNSUBSCRIBE%% and %%EMAIL%%.")
    subaccount_id: str | None = subaccount_id_field()


_PASSWORD = ("Password for SMTP AUTH, with at least 64 bits of entropy (e.g. 16 random characters). "
             "It is never echoed back in results.")


class SmtpUserAddInput(CredentialSettings):
    username: SingleLine = Field(min_length=5, max_length=100, description="The SMTP login name (5-100 characters).")
    email_password: str | None = Field(
        None, min_length=8, max_length=128, description=_PASSWORD + " Omit to let SMTP2GO generate one (shown in the SMTP2GO app).")


class SmtpUserEditInput(CredentialSettings):
    username: SingleLine = Field(min_length=1, max_length=100, description="The SMTP user to change.")
    email_password: str | None = Field(None, min_length=8, max_length=128, description="A new password. " + _PASSWORD)


class SmtpUserNameInput(ToolInput):
    username: SingleLine = Field(min_length=1, max_length=100, description="The SMTP user's login name.")
    subaccount_id: str | None = subaccount_id_field()


class SmtpUserViewInput(ToolInput):
    username: SingleLine | None = Field(None, min_length=1, max_length=100, description="Show only this user; omit to list all.")
    subaccount_id: str | None = subaccount_id_field()


class SmtpUser(ApiData):
    username: str | None = None
    email_password: Redacted | None = Field(None, description="Never shown: always '[redacted]' when set.")
    status: str | None = None
    sending_allowed: bool | None = None
    description: str | None = None
    custom_ratelimit: bool | None = None
    custom_ratelimit_value: int | None = None
    custom_ratelimit_period: str | None = None
    open_tracking_enabled: bool | None = None
    click_tracking_enabled: bool | None = None
    archive_enabled: bool | None = None
    audit_email: str | None = None
    bounce_notifications: str | None = None
    feedback_enabled: bool | None = None


class SmtpUsersData(ApiData):
    results: list[SmtpUser] = Field(default_factory=list)
    default_ratelimit_value: int | str | None = None
    default_ratelimit_period: str | None = None


api_tool(
    "users/smtp/add", toolset="access", kind="create", title="Create an SMTP user",
    description="Create SMTP relay credentials (username and password) for an app or device that "
    "sends through mail.smtp2go.com, with optional rate limit, tracking and status settings.",
    input=SmtpUserAddInput, data=SmtpUsersData, data_description="The user created (password redacted).",
)
api_tool(
    "users/smtp/edit", toolset="access", kind="update", title="Change an SMTP user",
    description="Change some settings of an SMTP user, e.g. status 'blocked' to disable it or a new "
    "password. Settings you leave out keep their current values.",
    input=SmtpUserEditInput, data=list[SmtpUser] | SmtpUsersData, method="PATCH",
    data_description="The user after the change (password redacted).",
)
api_tool(
    "users/smtp/remove", toolset="access", kind="remove", title="Delete an SMTP user",
    description="Delete an SMTP user; anything still logging in with it will be refused.",
    input=SmtpUserNameInput, data=SmtpUsersData, data_description="The user removed.",
)
api_tool(
    "users/smtp/view", toolset="access", kind="read", title="View SMTP users",
    description="List the account's SMTP users with their status and settings, or show one user.",
    input=SmtpUserViewInput, data=SmtpUsersData,
)
