"""API keys, IP-authenticated senders, the IP allow list switch and dedicated IPs."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, model_validator

from smtp2go_mcp.envelope import ApiData, NoArguments, ToolInput
from smtp2go_mcp.fields import IpAddress, MaskedApiKey, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_tool
from smtp2go_mcp.tools.access import AllowedIp, CredentialSettings, ListType, list_type_field

# GO's check of a key's format (reference §1.2): "api-" and 32 letters or digits.
FULL_KEY = re.compile(r"^api-[A-Za-z0-9]{32}$")

ApiKeyValue = Annotated[str, Field(pattern=FULL_KEY.pattern)]
EndpointPattern = Annotated[str, Field(pattern=r"^(\*|/[A-Za-z0-9_/*-]+)$", max_length=100)]


def _key_id() -> Any:
    return Field(description="The full key (views show it masked: ask its owner).")


def _endpoints() -> Any:
    return Field(
        None, min_length=1, max_length=200,
        description="Paths it may call, e.g. [\"/email/*\"] or [\"*\"]; default [\"/email/send\"]. Only ones "
        "this server's key has.")


class ApiKeyAddInput(CredentialSettings):
    endpoints: list[EndpointPattern] | None = _endpoints()


class ApiKeyIdInput(ToolInput):
    id: ApiKeyValue = _key_id()


class ApiKeyEditInput(CredentialSettings, ApiKeyIdInput):
    endpoints: list[EndpointPattern] | None = _endpoints()


class ApiKeyRemoveInput(ApiKeyIdInput):
    subaccount_id: str | None = subaccount_id_field()


class ApiKeyViewInput(ToolInput):
    id: ApiKeyValue | None = Field(None, description="Only this key (full value); default all.")
    search: SingleLine | None = Field(
        None, min_length=1, max_length=100, description="Only keys matching this.")
    subaccount_id: str | None = subaccount_id_field()


def _mask(value: Any) -> Any:
    return value[:16] + "*" * 20 if isinstance(value, str) and FULL_KEY.match(value) else value


class ApiKey(ApiData):
    api_key: MaskedApiKey | None = Field(None, description="Masked after 16 characters.")
    username: str | None = None
    status: str | None = None
    endpoints: list[str] | None = None

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
    ip_address: IpAddress = Field(description="The entry's IP address.")


class IpAuthEditInput(CredentialSettings, IpAuthInput):
    pass


class IpAuthRemoveInput(IpAuthInput):
    subaccount_id: str | None = subaccount_id_field()


class IpAuthViewInput(ToolInput):
    ip_address: IpAddress | None = Field(None, description="Only this address; default all.")
    subaccount_id: str | None = subaccount_id_field()


class IpAuthEntry(ApiData):
    ip_address: str | None = None
    status: str | None = None
    # Declared so that the nulls SMTP2GO sends for them are dropped like other absent settings.
    ippool: int | None = None
    audit_email: str | None = None


class IpAuthData(ApiData):
    results: list[IpAuthEntry] = Field(default_factory=list)


class IpAllowListSwitchInput(ToolInput):
    enabled: bool = Field(description="true: only listed addresses may log in; false: any address may.")
    type: ListType | None = list_type_field()


class IpAllowListSwitchData(ApiData):
    enabled: bool | None = None


class IpAllowListEditInput(ToolInput):
    ip_address: IpAddress = Field(description="Exactly as listed.")
    new_ip_address: IpAddress | None = Field(None, description="The replacement address.")
    description: SingleLine | None = Field(None, max_length=255, description="A new note about it.")
    type: ListType | None = list_type_field()

    @model_validator(mode="after")
    def _changes_something(self) -> "IpAllowListEditInput":
        if self.new_ip_address is None and self.description is None:
            raise ValueError("give new_ip_address, description or both")
        return self


class DedicatedIpPool(ApiData):
    id: int | None = None
    name: str | None = None
    ip_addresses: list[str] | None = None


# Removals are answered with no documented body: accept whatever comes, masking any key in it.

api_tool(
    "api_keys/add", toolset="access", kind="create", title="Create an API key",
    description="Create an API key with its own endpoints, rate limit and settings. Results show keys masked; "
    "the full key is in the SMTP2GO app (Sending > API Keys).",
    input=ApiKeyAddInput, data=list[ApiKey],
)
api_tool(
    "api_keys/edit", toolset="access", kind="update", title="Change an API key",
    description="Change some settings of an API key, e.g. its endpoints, or status 'blocked' to disable it; "
    "the rest stay as they are.",
    input=ApiKeyEditInput, data=list[ApiKey], method="PATCH",
)
api_tool(
    "api_keys/view", toolset="access", kind="read", title="View API keys",
    description="List the account's API keys (masked) with their status and endpoints, or show one key.",
    input=ApiKeyViewInput, data=list[ApiKey],
)
api_tool(
    "api_keys/remove", toolset="access", kind="remove", title="Delete an API key",
    description="Delete an API key for good: anything still using it gets HTTP 401. To pause a key instead, "
    "set status 'blocked' with SMTP2GO_API_KEYS_EDIT.",
    input=ApiKeyRemoveInput, data=ApiKey | list[ApiKey] | str,
)
api_tool(
    "api_keys/permissions", toolset="access", kind="read", title="View this key's permissions",
    description="List the endpoints this server's API key may call, e.g. to explain ENDPOINT_PERMISSION_DENIED "
    "or before giving a new key endpoints.",
    input=NoArguments, data=list[str],
)
api_tool(
    "ip_auth/view", toolset="access", kind="read", title="View IP-authenticated senders",
    description="List the IP addresses allowed to relay over SMTP without a login (IP authentication), or "
    "show one.",
    input=IpAuthViewInput, data=IpAuthData,
)
api_tool(
    "ip_auth/edit", toolset="access", kind="update", title="Change an IP-authenticated sender",
    description="Change some settings of an IP-authentication entry (created in the SMTP2GO app), e.g. status "
    "'blocked' to stop relaying from it.",
    input=IpAuthEditInput, data=list[IpAuthEntry], method="PATCH",
)
api_tool(
    "ip_auth/remove", toolset="access", kind="remove", title="Remove an IP-authenticated sender",
    description="Remove an IP-authentication entry; relaying from that address without a login is then refused.",
    input=IpAuthRemoveInput, data=IpAuthEntry | list[IpAuthEntry] | str,
)
api_tool(
    "ip_allow_list", toolset="access", kind="update", title="Turn the IP allow list on or off",
    description="Turn enforcement of the SMTP or API IP allow list on or off. When on, unlisted addresses are "
    "refused, which can lock out your own senders: check the list first.",
    input=IpAllowListSwitchInput, data=IpAllowListSwitchData,
)
api_tool(
    "ip_allow_list/edit", toolset="access", kind="update", title="Change an allowed IP address",
    description="Replace the address or change the note of an entry on the SMTP or API IP allow list.",
    input=IpAllowListEditInput, data=AllowedIp,
)
api_tool(
    "dedicated_ips/view", toolset="access", kind="read", title="View dedicated IP pools",
    description="List the account's dedicated IP pools with their ids (for the ip_pool setting) and addresses.",
    input=NoArguments, data=list[DedicatedIpPool],
)
