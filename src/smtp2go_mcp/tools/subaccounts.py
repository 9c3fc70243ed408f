"""Subaccounts: finding them, their plan usage, and creating, changing, closing and reopening them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from smtp2go_mcp.api.errors import NotFound
from smtp2go_mcp.envelope import ApiData, ApiOutput, ToolInput
from smtp2go_mcp.fields import EmailAddress, SingleLine, continue_token_field
from smtp2go_mcp.registry import api_success, api_tool

State = Literal["all", "active", "closed", "suspended"]
_ID = "The subaccount id (SMTP2GO_SUBACCOUNTS_SEARCH)."


class SubaccountsSearchInput(ToolInput):
    search_terms: list[SingleLine] | None = Field(None, max_length=20, description="Matched against name and email.")
    fuzzy_search: bool = Field(True, description="Partial, case-insensitive matching; false for exact.")
    states: State = Field("all", description="Only this state.")
    sort_direction: Literal["asc", "desc"] | None = Field(None, description="Sort by name.")
    page_size: int = Field(100, ge=1, le=1000, description="Per page.")
    continue_token: str | None = continue_token_field()


class Subaccount(ApiData):
    id: str | None = None
    name: str | None = None
    email: str | None = None
    state: str | None = None
    plan_size: int | None = None
    plan_used: int | None = None
    plan_remaining: int | None = None


class SubaccountsData(ApiData):
    subaccounts: list[Subaccount] = Field(default_factory=list)
    total_count: int | None = None
    continue_token: str | None = None


api_tool(
    "subaccounts/search", toolset="subaccounts", kind="read", title="Search subaccounts",
    description="List or search subaccounts by name, email or state, with their ids and plan usage.",
    input=SubaccountsSearchInput, data=SubaccountsData,
)


class SubaccountsUsageInput(ToolInput):
    subaccount_id: SingleLine | None = Field(None, min_length=1, max_length=64, description="Only this subaccount (id); default all.")
    states: State = Field("all", description="When listing all: only this state.")


class SubaccountUsage(Subaccount):
    percent_used: float | None = None


class UsageTotals(ApiData):
    plan_size: int = 0
    plan_used: int = 0
    plan_remaining: int = 0


class SubaccountsUsageData(ApiData):
    subaccounts: list[SubaccountUsage] = Field(default_factory=list)
    count: int = 0
    totals: UsageTotals = Field(default_factory=UsageTotals)
    complete: bool = Field(True, description="False if not all were read (over 10,000).")


_PAGE_SIZE = 100
_MAX_PAGES = 100


async def _usage(args: SubaccountsUsageInput, ctx: Any, output: type[ApiOutput]) -> ApiOutput:
    """Read subaccounts/search page by page and keep the plan figures (there is no usage endpoint)."""
    rows: list[dict[str, Any]] = []
    token: str | None = None
    request_id = None
    complete = False
    for _ in range(_MAX_PAGES):
        body: dict[str, Any] = {"page_size": _PAGE_SIZE, "states": args.states if not args.subaccount_id else "all"}
        if token:
            body["continue_token"] = token
        response = await ctx.api.call("subaccounts/search", body, read_only=True)
        request_id = response.request_id
        data = response.data if isinstance(response.data, dict) else {}
        for row in data.get("subaccounts") or []:
            if isinstance(row, dict) and (not args.subaccount_id or row.get("id") == args.subaccount_id):
                rows.append(_usage_row(row))
        token = data.get("continue_token") or None
        if not token or (args.subaccount_id and rows):
            complete = True
            break
    if args.subaccount_id and not rows:
        raise NotFound(f"No subaccount has the id {args.subaccount_id!r}. List them with "
                       "SMTP2GO_SUBACCOUNTS_SEARCH to find the right id.", request_id=request_id)
    totals = {key: sum(int(r.get(key) or 0) for r in rows) for key in ("plan_size", "plan_used", "plan_remaining")}
    return api_success(output, {"subaccounts": rows, "count": len(rows), "totals": totals, "complete": complete}, request_id)


def _usage_row(row: dict[str, Any]) -> dict[str, Any]:
    keep = {k: row[k] for k in ("id", "name", "email", "state", "plan_size", "plan_used", "plan_remaining") if k in row}
    size, used = row.get("plan_size"), row.get("plan_used")
    if isinstance(size, int) and isinstance(used, int) and size > 0:
        keep["percent_used"] = round(used * 100 / size, 2)
    return keep


api_tool(
    "subaccounts/search", name="SMTP2GO_SUBACCOUNTS_USAGE", toolset="subaccounts", kind="read",
    title="Subaccount plan usage",
    description="How much of its monthly plan each subaccount (or one) has used and has left, with totals.",
    input=SubaccountsUsageInput, data=SubaccountsUsageData, handler=_usage,
)


# The plan sizes subaccount/add accepts (reference §2.8); a dedicated IP needs more than 100,000.
PlanLimit = Literal[2000, 5000, 10000, 20000, 30000, 40000, 50000, 60000, 80000, 100000, 250000, 500000,
                    1000000, 2000000, 3000000, 5000000, 10000000]
_DEDICATED_IP_MIN = 100000


class SubaccountSettings(ToolInput):
    fullname: SingleLine | None = Field(None, min_length=1, max_length=255, description="Full name.")
    dedicated_ip: bool | None = Field(
        None, description="Assign a dedicated IP; needs limit over 100000.")
    archiving: bool | None = Field(None, description="Allow email archiving.")
    enforce_2fa: bool | None = Field(None, description="Require 2FA for its team.")
    enable_sms: bool | None = Field(None, description="Allow SMS (extra charges).")
    sms_limit: int | None = Field(None, ge=0, description="Monthly SMS limit (new subaccounts: 1000).")

    def _check_dedicated_ip(self, limit: int | None) -> None:
        if self.dedicated_ip and limit is not None and limit <= _DEDICATED_IP_MIN:
            given = "" if "limit" in self.model_fields_set else " (the default)"
            raise ValueError(f"dedicated_ip is only available when limit is over {_DEDICATED_IP_MIN} "
                             f"(250000 or more), but limit is {limit}{given}")


class SubaccountAddInput(SubaccountSettings):
    fullname: SingleLine = Field(min_length=1, max_length=255, description="Full name.")
    subaccount_email: EmailAddress | None = Field(
        None, description="First team member's email; gets an invitation.")
    limit: PlanLimit = Field(10000, description="Emails per billing cycle.")
    ip_pool: int | None = Field(None, ge=0, description="Dedicated IP pool id.")

    @model_validator(mode="after")
    def _dedicated_ip_needs_a_large_plan(self) -> "SubaccountAddInput":
        self._check_dedicated_ip(self.limit)
        return self


class SubaccountEditInput(SubaccountSettings):
    id: SingleLine = Field(min_length=1, max_length=64, description=_ID)
    limit: PlanLimit | None = Field(None, description="New emails per billing cycle.")

    @model_validator(mode="after")
    def _dedicated_ip_needs_a_large_plan(self) -> "SubaccountEditInput":
        self._check_dedicated_ip(self.limit)
        return self


api_tool(
    "subaccount/add", toolset="subaccounts", kind="create", title="Create a subaccount",
    description="Create a subaccount (a client or brand with its own plan, users and stats), optionally "
    "inviting its first team member. At most 50 per hour.",
    input=SubaccountAddInput, data=Subaccount,
)
api_tool(
    "subaccount/edit", toolset="subaccounts", kind="update", title="Change a subaccount",
    description="Change a subaccount's name, plan limit or settings; the rest stay as they are.",
    input=SubaccountEditInput, data=Subaccount,
)


class SubaccountStateInput(ToolInput):
    id: SingleLine = Field(min_length=1, max_length=64, description=_ID)
    email: EmailAddress | None = Field(None, description="Its email address, as a cross-check.")


class SubaccountReinviteInput(ToolInput):
    email: EmailAddress = Field(description="Its email address, which gets the invitation.")


api_tool(
    "subaccount/close", toolset="subaccounts", kind="remove", title="Close a subaccount",
    description="Close an active subaccount so it can no longer send (SMTP2GO_SUBACCOUNT_REOPEN undoes it).",
    input=SubaccountStateInput, data=str,
)
api_tool(
    "subaccount/reopen", toolset="subaccounts", kind="update", title="Reopen a subaccount",
    description="Reopen a closed subaccount so it can send again.",
    input=SubaccountStateInput, data=str,
)
api_tool(
    "subaccount/reinvite", toolset="subaccounts", kind="update", title="Resend a subaccount invitation",
    description="Send a subaccount's invitation email again, e.g. when the first expired or got lost.",
    input=SubaccountReinviteInput, data=str,
)
