"""Per-area success cases, merged into tests.tool_cases.CASES."""
