"""A local SMTP2GO v3 API, faithful to the reference, for the sandbox and the tests."""

from smtp2go_mcp.simulator.app import Simulator
from smtp2go_mcp.simulator.state import SANDBOX_API_KEY

__all__ = ["SANDBOX_API_KEY", "Simulator"]
