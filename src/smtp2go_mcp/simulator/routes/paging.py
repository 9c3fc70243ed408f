"""continue_token paging, the way most list endpoints do it (reference §6.5)."""

from __future__ import annotations

import base64
import json
from typing import Any

from smtp2go_mcp.simulator.core import invalid


def page(items: list[Any], limit: int, token: str | None, *, field: str = "continue_token") -> tuple[list[Any], str | None]:
    """One page of `items` and the token for the next page (None when this is the last)."""
    offset = 0
    if token:
        try:
            offset = int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
        except (ValueError, KeyError, TypeError):
            raise invalid(field, "The continue_token is not valid; start again without one.") from None
    chunk = items[offset: offset + limit]
    following = offset + limit
    if following >= len(items):
        return chunk, None
    return chunk, base64.urlsafe_b64encode(json.dumps({"o": following}).encode()).decode()
