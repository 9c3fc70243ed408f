"""The simulator's plumbing: routes, request validation and the API's error shapes.

Error bodies and status codes follow reference §1.5-§1.6: 400 with
`NON_VALIDATING_IN_PAYLOAD` and one `field_validation_errors` object for a bad
field, 400 with `ENDPOINT_PERMISSION_DENIED` for a missing permission, 401 for
a bad key, and the `{request_id, data}` envelope everywhere.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smtp2go_mcp.simulator.state import SimState

Handler = Callable[["SimState", "Body"], Any]

# (method, endpoint) -> handler; filled by the route modules.
ROUTES: dict[tuple[str, str], Handler] = {}


def route(endpoint: str, method: str = "POST") -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES[(method, endpoint)] = handler
        return handler
    return register


def new_request_id() -> str:
    return str(uuid.uuid1())


VALIDATION_TEXT = (
    "An error occurred processing the json data you sent with the request, please make sure the data "
    "conforms to the specification for this call (see the documentation here: "
    "https://apidoc.smtp2go.com/documentation/#/README) and try again. Don't forget to set "
    "Content-Type to 'application/json'."
)


class SimError(Exception):
    def __init__(self, status: int, error_code: str, error: str, field: tuple[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error_code = error_code
        self.error = error
        self.field = field
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"error": self.error, "error_code": f"E_ApiResponseCodes.{self.error_code}"}
        if self.field:
            data["field_validation_errors"] = {"fieldname": self.field[0], "message": self.field[1]}
        return {"request_id": new_request_id(), "data": data}


def invalid(field: str, message: str) -> SimError:
    return SimError(400, "NON_VALIDATING_IN_PAYLOAD", VALIDATION_TEXT, (field, message))


def api_exception(message: str) -> SimError:
    return SimError(400, "API_EXCEPTION", message)


_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_MAILBOX = re.compile(r"^\s*[^<>]*<([^<>]+)>\s*$")


def is_address(value: str) -> bool:
    match = _MAILBOX.match(value)
    return bool(_ADDRESS.match(match.group(1) if match else value.strip()))


class Body:
    """The JSON body of a request, read field by field the way the API validates it."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def _get(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            raise invalid(name, f"The field '{name}' is required but was not found in the JSON payload.")
        return value

    def str(self, name: str, *, required: bool = False, default: str | None = None,
            choices: tuple[str, ...] | None = None, email: bool = False) -> Any:
        value = self._get(name, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise invalid(name, f"The field '{name}' was expecting a string but found {type(value).__name__}.")
        if choices and value not in choices:
            raise invalid(name, f"The field '{name}' must be one of {', '.join(choices)} but found '{value}'.")
        if email and not is_address(value):
            raise invalid(name, f"The field '{name}' was expecting a valid RFC-822 formatted email field but found "
                                f"'{value}', Please correct your JSON payload and try again.")
        return value

    def strs(self, name: str, *, required: bool = False, choices: tuple[str, ...] | None = None,
             max_items: int | None = None) -> Any:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(name, f"The field '{name}' was expecting a list of strings.")
        if max_items is not None and len(value) > max_items:
            raise invalid(name, f"The field '{name}' accepts at most {max_items} items.")
        for item in value:
            if choices and item not in choices:
                raise invalid(name, f"The field '{name}' contains '{item}', which is not one of {', '.join(choices)}.")
        return value

    def int(self, name: str, *, required: bool = False, default: int | None = None,
            lo: int | None = None, hi: int | None = None) -> Any:
        value = self._get(name, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(name, f"The field '{name}' was expecting an integer but found {type(value).__name__}.")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise invalid(name, f"The field '{name}' must be between {lo} and {hi}.")
        return value

    def bool(self, name: str, *, default: bool | None = None) -> Any:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise invalid(name, f"The field '{name}' was expecting a boolean but found {type(value).__name__}.")
        return value

    def obj(self, name: str, *, required: bool = False) -> Any:
        value = self._get(name, required)
        if value is not None and not isinstance(value, dict):
            raise invalid(name, f"The field '{name}' was expecting an object.")
        return value
