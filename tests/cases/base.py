"""The shape of a success case: arguments, the request the API must receive, and checks on the data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smtp2go_mcp.simulator import SANDBOX_API_KEY

USERNAME = SANDBOX_API_KEY[:16]


@dataclass
class Case:
    args: dict[str, Any]
    endpoint: str
    body: dict[str, Any]
    check: Callable[[Any, Any], None]
    method: str = "POST"
    # Prepares the account through the simulator; may return argument values it created (ids),
    # which are merged into both the arguments and the expected request body.
    setup: Callable[[Any], dict[str, Any] | None] | None = None


def fail(data: Any) -> None:
    raise AssertionError(f"unexpected data: {data!r}")


def calling(endpoint: str, body: dict[str, Any]) -> Callable[[Any], None]:
    """A setup that makes one API call to prepare the account (and creates no argument values)."""

    def setup(simulator: Any) -> None:
        simulator.api(endpoint, body)

    return setup
