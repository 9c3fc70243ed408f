"""Why an SMTP2GO call failed, as exceptions whose message tells an agent what to do.

Every message is written for the model reading the tool result: it names the
field, the setting or the wait, and never contains the API key (the client
never hands the key to an exception; see client.py).
"""

from __future__ import annotations


class Smtp2goError(Exception):
    """Base: `code` goes to the result's `error_code`, `str(exc)` to its `error`."""

    code = "api_error"

    def __init__(self, message: str, *, code: str | None = None, request_id: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.request_id = request_id
        self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, request_id={self.request_id!r})"


class MissingApiKey(Smtp2goError):
    code = "missing_api_key"

    def __init__(self) -> None:
        super().__init__(
            "No SMTP2GO API key is configured. Set SMTP2GO_API_KEY in this MCP server's environment "
            "(the `env` block of your MCP client's server entry) to a key from the SMTP2GO app "
            "(Sending > API Keys), then restart the server. To try the tools without an account, "
            "start the server with --sandbox."
        )


class InvalidArguments(Smtp2goError):
    """Arguments that pass the schema but fail a check that needs the server's settings
    (e.g. a local attachment outside the allowed directories). Nothing is sent."""

    code = "invalid_arguments"


class ApiErrorResponse(Smtp2goError):
    """The API answered with an error status or an error in its envelope."""


class InvalidApiKey(ApiErrorResponse):
    code = "invalid_api_key"


class PermissionDenied(ApiErrorResponse):
    code = "E_ApiResponseCodes.ENDPOINT_PERMISSION_DENIED"


class FieldRejected(ApiErrorResponse):
    code = "E_ApiResponseCodes.NON_VALIDATING_IN_PAYLOAD"

    def __init__(self, message: str, *, field: str | None, **kw) -> None:
        super().__init__(message, **kw)
        self.field = field


class RateLimited(ApiErrorResponse):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(ApiErrorResponse):
    code = "server_error"


class NotFound(ApiErrorResponse):
    code = "not_found"


class TransportFailure(Smtp2goError):
    """No usable HTTP answer: timeout, refused connection, broken body."""


class Timeout(TransportFailure):
    code = "timeout"


class ConnectionFailed(TransportFailure):
    code = "connection_error"


class BadResponse(TransportFailure):
    code = "bad_response"


class OutcomeUnknown(TransportFailure):
    """A send whose request went out but whose answer never came: it may have been accepted."""

    code = "outcome_unknown"
