"""Success cases for the accounts tools."""

from __future__ import annotations

from tests.cases.base import Case

CASES: dict[str, Case] = {}
