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
    setup: Callable[[Any], None] | None = None


def fail(data: Any) -> None:
    raise AssertionError(f"unexpected data: {data!r}")
