"""The start-up baseline: a one-tool server on the same MCP SDK (bench/run.py --only startup)."""

from mcp.server import MCPServer

server = MCPServer("minimal")


@server.tool()
def echo(text: str) -> str:
    """Echo the text back."""
    return text


if __name__ == "__main__":
    server.run()
