"""smtp2go-mcp: an MCP server for SMTP2GO and for any SMTP server."""

__version__ = "0.1.0"
