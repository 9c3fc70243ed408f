"""Sender domains, single sender emails and allowed recipients."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import AddressOrDomain, DomainName, EmailAddress, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_tool
from smtp2go_mcp.tools.senders import DomainsData, SenderDomain, SubaccountOnlyInput

# One DNS label: what SMTP2GO puts in front of the domain (link.example.com -> "link").
Subdomain = Annotated[str, Field(min_length=1, max_length=63, pattern=r"^[A-Za-z0-9-]+$")]

_DOMAIN = "The sender domain, e.g. example.com."
_DOMAINS_DATA = "The domain with its DNS records (dkim_*, rpath_*, trackers) and their verification state."


class DomainVerifyInput(ToolInput):
    domain: DomainName = Field(description=_DOMAIN)
    requisition_ssl: bool | None = Field(
        None, description="Request a TLS certificate for the tracking subdomain once verified "
        "(SMTP2GO's default: true).")
    subaccount_id: str | None = subaccount_id_field()


class DomainViewInput(ToolInput):
    domain: DomainName | None = Field(
        None, description="Show only this domain (setup_link is filled only then); omit to list all.")
    subaccount_id: str | None = subaccount_id_field()


class DomainRemoveInput(ToolInput):
    domain: DomainName = Field(description=_DOMAIN)
    subaccount_id: str | None = subaccount_id_field()


class SubdomainChangeInput(ToolInput):
    domain: DomainName = Field(description=_DOMAIN)
    old_subdomain: Subdomain = Field(description="The subdomain label in use now (e.g. 'link' of link.example.com).")
    new_subdomain: Subdomain = Field(description="The label to use instead; its CNAME must then be published.")
    subaccount_id: str | None = subaccount_id_field()


class SubaccountAccessInput(ToolInput):
    domain: DomainName = Field(description="A sender domain of the master account.")
    subaccounts: list[Annotated[SingleLine, Field(min_length=1, max_length=64)]] = Field(
        max_length=1000, description="Ids of the subaccounts that may send from it (SMTP2GO_SUBACCOUNTS_SEARCH). "
        "Replaces the current list; an empty list revokes all access.")
    future_subaccounts: bool = Field(False, description="Also give access to subaccounts created later.")


class RemovedDomainsData(ApiData):
    domains: list[dict[str, Any]] = Field(default_factory=list)


class ViewedDomain(SenderDomain):
    from_master: bool | None = None


class DomainViewData(ApiData):
    domains: list[ViewedDomain] = Field(default_factory=list)


class SubaccountAccessData(ApiData):
    domain: str | None = None
    subaccounts: list[str] | None = None
    future_subaccounts: bool | None = None


api_tool(
    "domain/verify", toolset="senders", kind="update", title="Verify a sender domain",
    description="Check a sender domain's DNS records now instead of waiting for SMTP2GO's periodic check "
    "(about every 7 minutes). Use it after publishing the records SMTP2GO_DOMAIN_ADD returned.",
    input=DomainVerifyInput, data=DomainsData, data_description=_DOMAINS_DATA,
)
api_tool(
    "domain/view", toolset="senders", kind="read", title="View sender domains",
    description="List the account's sender domains with their DNS records and what is verified, or show one "
    "domain (with its setup_link, a page that helps publish the records).",
    input=DomainViewInput, data=DomainViewData,
    data_description="The domains; from_master is true for a domain the master account shares with this subaccount.",
)
api_tool(
    "domain/remove", toolset="senders", kind="remove", title="Remove a sender domain",
    description="Remove a sender domain from the account; mail from its addresses is then refused unless "
    "another verified sender covers it.",
    input=DomainRemoveInput, data=RemovedDomainsData, data_description="An empty domains list.",
)
api_tool(
    "domain/tracking", toolset="senders", kind="update", title="Change a tracking subdomain",
    description="Rename a sender domain's subdomain for open and click tracking links (e.g. link.example.com "
    "to track.example.com). Publish the new CNAME, then verify the domain.",
    input=SubdomainChangeInput, data=DomainsData, data_description=_DOMAINS_DATA,
)
api_tool(
    "domain/returnpath", toolset="senders", kind="update", title="Change a return-path subdomain",
    description="Rename the return-path (bounce) subdomain of a sender domain, the rpath_selector. "
    "Publish the new CNAME, then verify the domain.",
    input=SubdomainChangeInput, data=DomainsData, data_description=_DOMAINS_DATA,
)
api_tool(
    "domain/subaccount_access", toolset="senders", kind="replace", title="Share a sender domain with subaccounts",
    description="Set which subaccounts may send from one of the master account's sender domains. The list "
    "replaces the current one; an empty list revokes access.",
    input=SubaccountAccessInput, data=SubaccountAccessData, data_description="The domain's access list after the call.",
)


class SingleSenderAddInput(ToolInput):
    email_address: EmailAddress = Field(description="The From address to verify.")
    message: str | None = Field(None, max_length=2000, description="Text to add to the verification email.")
    subaccount_id: str | None = subaccount_id_field()


class SingleSenderViewInput(ToolInput):
    email_address: EmailAddress | None = Field(None, description="Show only this address; omit to list all.")
    subaccount_id: str | None = subaccount_id_field()


class SingleSenderRemoveInput(ToolInput):
    email_address: EmailAddress = Field(description="The single sender address to remove.")
    subaccount_id: str | None = subaccount_id_field()


class SingleSender(ApiData):
    email_address: str | None = None
    verified: bool | None = None


class SingleSendersData(ApiData):
    senders: list[SingleSender] = Field(default_factory=list)


api_tool(
    "single_sender_emails/add", toolset="senders", kind="create", title="Add a single sender email",
    description="Allow sending from one address without verifying its whole domain: SMTP2GO emails it a "
    "verification link (calling again for an unverified address resends it). Check the outcome with "
    "SMTP2GO_SINGLE_SENDER_EMAILS_VIEW.",
    # The API documents no meaningful answer here (its example is a placeholder), so take whatever comes.
    input=SingleSenderAddInput, data=dict[str, Any] | str, data_description="The API's acknowledgement.",
)
api_tool(
    "single_sender_emails/view", toolset="senders", kind="read", title="View single sender emails",
    description="List the single sender addresses and whether each has been verified by its owner.",
    input=SingleSenderViewInput, data=SingleSendersData,
)
api_tool(
    "single_sender_emails/remove", toolset="senders", kind="remove", title="Remove a single sender email",
    description="Remove a single sender address; mail from it is then refused unless its domain is verified.",
    input=SingleSenderRemoveInput, data=str, data_description="'OK' once removed.",
)


class AllowedRecipientsData(ApiData):
    allowed_recipients: list[str] = Field(default_factory=list)
    enabled: bool | None = Field(None, description="Whether sending is restricted to the list.")


_LIST = "Email addresses or whole domains (example.com)."
_ENABLED = "Restrict sending to the listed recipients (true) or ignore the list (false)"


class AllowedRecipientsChange(ToolInput):
    allowed_recipients: list[AddressOrDomain] = Field(min_length=1, max_length=1000, description=_LIST)
    enabled: bool | None = Field(None, description=_ENABLED + "; omit to leave it as it is.")
    subaccount_id: str | None = subaccount_id_field()


class AllowedRecipientsUpdateInput(ToolInput):
    allowed_recipients: list[AddressOrDomain] = Field(
        max_length=1000, description=_LIST + " Replaces the whole list; an empty list clears it.")
    enabled: bool = Field(description=_ENABLED + ".")
    subaccount_id: str | None = subaccount_id_field()


_RECIPIENTS = "The allowed-recipients list and whether it is enforced, after the call."

api_tool(
    "allowed_recipients/add", toolset="senders", kind="update", title="Add allowed recipients",
    description="Append addresses or domains to the allowed-recipients list, which (when enabled) limits "
    "who the account may send to, e.g. for a staging account. Entries already present are kept once.",
    input=AllowedRecipientsChange, data=AllowedRecipientsData, data_description=_RECIPIENTS,
)
api_tool(
    "allowed_recipients/remove", toolset="senders", kind="remove", title="Remove allowed recipients",
    description="Remove addresses or domains from the allowed-recipients list; entries not on it are ignored.",
    input=AllowedRecipientsChange, data=AllowedRecipientsData, data_description=_RECIPIENTS,
)
api_tool(
    "allowed_recipients/update", toolset="senders", kind="replace", title="Replace allowed recipients",
    description="Replace the whole allowed-recipients list and switch it on or off. To add or remove single "
    "entries use SMTP2GO_ALLOWED_RECIPIENTS_ADD or _REMOVE instead.",
    input=AllowedRecipientsUpdateInput, data=AllowedRecipientsData, data_description=_RECIPIENTS,
)
api_tool(
    "allowed_recipients/view", toolset="senders", kind="read", title="View allowed recipients",
    description="Show the allowed-recipients list and whether sending is restricted to it.",
    input=SubaccountOnlyInput, data=AllowedRecipientsData, data_description=_RECIPIENTS,
)
