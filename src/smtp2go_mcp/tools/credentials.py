"""API keys, IP-authenticated senders, the IP allow list switch and dedicated IPs."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, model_validator

from smtp2go_mcp.envelope import ApiData, NoArguments, ToolInput
from smtp2go_mcp.fields import IpAddress, MaskedApiKey, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_tool
from smtp2go_mcp.tools.access import CredentialSettings, ListType, list_type_field

# GO's check of a key's format (reference §1.2): "api-" and 32 letters or digits.
FULL_KEY = re.compile(r"^api-[A-Za-z0-9]{32}$")

ApiKeyValue = Annotated[str, Field(pattern=FULL_KEY.pattern)]
EndpointPattern = Annotated[str, Field(pattern=r"^(\*|/[A-Za-z0-9_/*-]+)$", max_length=100)]


def _key_id() -> Any:
    return Field(description="The key's full value (api- and 32 letters/digits); views show keys masked, "
                             "so ask its owner.")


def _endpoints() -> Any:
    return Field(
        None, min_length=1, max_length=200,
        description="Paths the key may call: [\"/email/send\"] (the default), wildcards like [\"/email/*\"], "
        "[\"*\"] for all; only ones this server's own key has.")


class ApiKeyAddInput(CredentialSettings):
    endpoints: list[EndpointPattern] | None = _endpoints()


class ApiKeyIdInput(ToolInput):
    id: ApiKeyValue = _key_id()


class ApiKeyEditInput(CredentialSettings, ApiKeyIdInput):
    endpoints: list[EndpointPattern] | None = _endpoints()


class ApiKeyRemoveInput(ApiKeyIdInput):
    subaccount_id: str | None = subaccount_id_field()


class ApiKeyViewInput(ToolInput):
    id: ApiKeyValue | None = Field(None, description="Show only this key (its full value); omit to list all.")
    search: SingleLine | None = Field(
        None, min_length=1, max_length=100, description="Only keys matching this keyword.")
    subaccount_id: str | None = subaccount_id_field()


def _mask(value: Any) -> Any:
    return value[:16] + "*" * 20 if isinstance(value, str) and FULL_KEY.match(value) else value


class ApiKey(ApiData):
    api_key: MaskedApiKey | None = Field(None, description="Masked: only the first 16 characters are shown.")
    username: str | None = None
    description: str | None = None
    status: str | None = None
    endpoints: list[str] | None = None
    custom_rate_limit: bool | None = None
    custom_ratelimit_value: int | None = None
    custom_ratelimit_period: str | None = None
    ippool: int | None = None
    audit_email: str | None = None
    bounce_notifications: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_full_keys(cls, value: Any) -> Any:
        # H's schema (unlike its examples) nests each key as {request_id, data: {...}}; and a field
        # SMTP2GO adds later could carry the key too. Either way a full key must never reach a result.
        if isinstance(value, dict) and "api_key" not in value and isinstance(value.get("data"), dict):
            value = value["data"]
        if isinstance(value, dict):
            return {k: _mask(v) for k, v in value.items()}
        return value


class IpAuthInput(ToolInput):
    ip_address: IpAddress = Field(description="The IP address of the IP-authentication entry.")


class IpAuthEditInput(CredentialSettings, IpAuthInput):
    pass


class IpAuthRemoveInput(IpAuthInput):
    subaccount_id: str | None = subaccount_id_field()


class IpAuthViewInput(ToolInput):
    ip_address: IpAddress | None = Field(None, description="Show only this address; omit to list all entries.")
    subaccount_id: str | None = subaccount_id_field()


class IpAuthEntry(ApiData):
    ip_address: str | None = None
    status: str | None = None
    sending_allowed: bool | None = None
    description: str | None = None
    custom_ratelimit: bool | None = None
    custom_ratelimit_value: int | None = None
    custom_ratelimit_period: str | None = None
    ippool: int | None = None
    audit_email: str | None = None
    bounce_notifications: str | None = None


class IpAuthData(ApiData):
    results: list[IpAuthEntry] = Field(default_factory=list)
    default_ratelimit_value: int | str | None = None
    default_ratelimit_period: str | None = None


class IpAllowListSwitchInput(ToolInput):
    enabled: bool = Field(description="true: only listed addresses may log in; false: any address may.")
    type: ListType | None = list_type_field()


class IpAllowListSwitchData(ApiData):
    enabled: bool | None = None


class IpAllowListEditInput(ToolInput):
    ip_address: IpAddress = Field(description="The address to change, exactly as listed.")
    new_ip_address: IpAddress | None = Field(None, description="The address to put in its place.")
    description: SingleLine | None = Field(None, max_length=255, description="A new note on what this address is.")
    type: ListType | None = list_type_field()

    @model_validator(mode="after")
    def _changes_something(self) -> "IpAllowListEditInput":
        if self.new_ip_address is None and self.description is None:
            raise ValueError("give new_ip_address, description or both")
        return self


class AllowListEntry(ApiData):
    ip_address: str | None = None
    description: str | None = None


class DedicatedIpPool(ApiData):
    id: int | None = None
    name: str | None = None
    ip_addresses: list[str] | None = None


# Removals are answered with no documented body: accept whatever comes, masking any key in it.
_REMOVED = "Whatever SMTP2GO returns for a removal (undocumented; usually empty)."

api_tool(
    "api_keys/add", toolset="access", kind="create", title="Create an API key",
    description="Create an API key with its own endpoint permissions (by default only /email/send), rate limit, "
    "tracking and status. The full key is shown in the SMTP2GO app (Sending > API Keys), not here: results "
    "only ever show it masked.",
    input=ApiKeyAddInput, data=list[ApiKey], data_description="The key created (masked).",
)
api_tool(
    "api_keys/edit", toolset="access", kind="update", title="Change an API key",
    description="Change some settings of an API key, e.g. its endpoint permissions, or status 'blocked' to "
    "disable it. Settings you leave out keep their current values.",
    input=ApiKeyEditInput, data=list[ApiKey], method="PATCH", data_description="The key after the change (masked).",
)
api_tool(
    "api_keys/view", toolset="access", kind="read", title="View API keys",
    description="List the account's API keys (masked) with their status, endpoint permissions and settings, "
    "or show one key.",
    input=ApiKeyViewInput, data=list[ApiKey], data_description="The keys (masked).",
)
api_tool(
    "api_keys/remove", toolset="access", kind="remove", title="Delete an API key",
    description="Delete an API key for good: anything still using it is refused with HTTP 401. To pause a key "
    "instead, set its status to 'blocked' with SMTP2GO_API_KEYS_EDIT.",
    input=ApiKeyRemoveInput, data=ApiKey | list[ApiKey] | str, data_description=_REMOVED,
)
api_tool(
    "api_keys/permissions", toolset="access", kind="read", title="View this key's permissions",
    description="List the API endpoints the key this server runs with may call. Use it to explain an "
    "ENDPOINT_PERMISSION_DENIED failure, or before giving a new key endpoints (it can only get ones this key has).",
    input=NoArguments, data=list[str], data_description="The endpoint paths, e.g. /email/send.",
)
api_tool(
    "ip_auth/view", toolset="access", kind="read", title="View IP-authenticated senders",
    description="List the IP addresses allowed to relay mail over SMTP without a login (IP authentication), "
    "with their status and settings, or show one address.",
    input=IpAuthViewInput, data=IpAuthData,
)
api_tool(
    "ip_auth/edit", toolset="access", kind="update", title="Change an IP-authenticated sender",
    description="Change some settings of an IP-authentication entry, e.g. status 'blocked' to stop relaying "
    "from that address. Settings you leave out keep their current values; entries are created in the SMTP2GO app.",
    input=IpAuthEditInput, data=list[IpAuthEntry], method="PATCH", data_description="The entry after the change.",
)
api_tool(
    "ip_auth/remove", toolset="access", kind="remove", title="Remove an IP-authenticated sender",
    description="Remove an IP-authentication entry; mail relayed from that address without a login is then refused.",
    input=IpAuthRemoveInput, data=IpAuthEntry | list[IpAuthEntry] | str, data_description=_REMOVED,
)
api_tool(
    "ip_allow_list", toolset="access", kind="update", title="Turn the IP allow list on or off",
    description="Start or stop enforcing the SMTP or the API IP allow list. Once it is on, logins from any "
    "address not on the list are refused, which can lock out your own senders: check the list with "
    "SMTP2GO_IP_ALLOW_LIST_VIEW and add every sending address first.",
    input=IpAllowListSwitchInput, data=IpAllowListSwitchData, data_description="Whether the list is now enforced.",
)
api_tool(
    "ip_allow_list/edit", toolset="access", kind="update", title="Change an allowed IP address",
    description="Replace the address or change the description of an entry on the SMTP or API IP allow list.",
    input=IpAllowListEditInput, data=AllowListEntry, data_description="The entry after the change.",
)
api_tool(
    "dedicated_ips/view", toolset="access", kind="read", title="View dedicated IP pools",
    description="List the account's dedicated IP pools with their ids and addresses; the id is what the "
    "ip_pool setting of SMTP users, API keys and IP-authenticated senders takes.",
    input=NoArguments, data=list[DedicatedIpPool],
)
