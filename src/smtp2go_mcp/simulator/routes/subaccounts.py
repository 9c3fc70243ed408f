"""subaccounts/search (plural, like the real path)."""

from __future__ import annotations

from typing import Any

from smtp2go_mcp.simulator.core import Body, route
from smtp2go_mcp.simulator.routes.matching import contains
from smtp2go_mcp.simulator.routes.paging import page
from smtp2go_mcp.simulator.state import SimState

ROW_FIELDS = ("name", "email", "id", "plan_size", "plan_used", "plan_remaining", "state", "dedicated_ip")


@route("subaccounts/search")
def subaccounts_search(state: SimState, body: Body) -> dict[str, Any]:
    terms = body.strs("search_terms") or []
    fuzzy = body.bool("fuzzy_search", default=True)
    wanted = body.str("states", default="all", choices=("all", "active", "closed", "suspended"))
    direction = body.str("sort_direction", default="asc", choices=("asc", "desc"))
    size = body.int("page_size", default=100, lo=1, hi=1000)

    def matches(sub: dict[str, Any]) -> bool:
        if wanted != "all" and sub["state"].lower() != wanted:
            return False
        if not terms:
            return True
        fields = (sub["name"], sub["email"], sub["id"])
        if fuzzy:
            return any(contains(f, t) for t in terms for f in fields)
        return any(t == f for t in terms for f in fields)

    rows = sorted((s for s in state.subaccounts.values() if matches(s)), key=lambda s: s["name"].lower(),
                  reverse=direction == "desc")
    chunk, token = page(rows, size, body.str("continue_token"))
    return {"continue_token": token or "", "total_count": len(rows),
            "subaccounts": [{k: s[k] for k in ROW_FIELDS} for s in chunk]}
