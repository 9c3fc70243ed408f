"""The base classes every tool's input and output model derives from.

Inputs forbid unknown fields, so an invented argument (`offset`, `webhook_url`)
is refused with its name instead of being silently dropped. Outputs share the
envelope of DESIGN.md: `successful` and `error` always, plus `error_code`; the
SMTP2GO tools add `request_id` and `data`.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, create_model, field_validator, model_validator


class ToolInput(BaseModel):
    """Arguments of one tool. A null argument means the same as leaving it out."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, value: Any) -> Any:
        # Many models send `null` for every optional parameter they do not use.
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if v is not None}
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # Lax validation would take `true` for the integer 1: `{"id": true}` must not delete webhook 1.
        if isinstance(value, bool) and info.field_name and _takes_int(cls.model_fields[info.field_name].annotation):
            raise ValueError("a boolean is not a number; give an integer")
        return value


def _takes_int(annotation: Any) -> bool:
    """Whether a field's type takes numbers (and not booleans as such): int, float, Literal[1, 2], in unions too."""
    if get_origin(annotation) is Annotated:
        return _takes_int(get_args(annotation)[0])
    if annotation in (int, float):
        return True
    if get_origin(annotation) is Literal:
        return any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in get_args(annotation))
    options = get_args(annotation)
    return bool(options) and bool not in options and any(_takes_int(o) for o in options)


# For tools that take no arguments: any argument given is refused by name.
class NoArguments(ToolInput):
    pass


class ApiData(BaseModel):
    """A typed view of an API response object that keeps fields it does not know.

    The real API adds fields over time and sometimes sends `null` where a value
    is usually given; a null is treated as absent so the published schema can
    stay simple (an absent field and a null field mean the same to an agent).
    """

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _drop_declared_nulls(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if v is not None or k not in cls.model_fields}
        return value


class ToolOutput(BaseModel):
    """The part of the envelope every tool shares."""

    model_config = ConfigDict(extra="forbid")

    # No descriptions here: the envelope is the same on every tool, so the server's instructions
    # (sent once) explain it instead of every tool's schema repeating it.
    successful: bool
    error: str | None
    error_code: str | None

    # Fields a failure fills with null; subclasses extend it.
    failure_defaults: ClassVar[dict[str, Any]] = {}

    @classmethod
    def failure(cls, error_code: str, error: str, **fields: Any) -> "ToolOutput":
        values = {k: v for k, v in {**cls.failure_defaults, **fields}.items() if k in cls.model_fields}
        return cls(successful=False, error=error, error_code=error_code, **values)


class ApiOutput(ToolOutput):
    """Envelope of the SMTP2GO tools: the API's `request_id` and typed `data`."""

    request_id: str | None
    data: Any

    failure_defaults: ClassVar[dict[str, Any]] = {"request_id": None, "data": None}


DUPLICATE_DESCRIPTION = "True when this repeats an earlier send's result: nothing was sent this time."


class SendApiOutput(ApiOutput):
    """The envelope of the SMTP2GO send tools, which say when a call was answered as a duplicate."""

    duplicate: bool = Field(False, description=DUPLICATE_DESCRIPTION)


def api_output_model(name: str, data_type: Any, data_description: str | None,
                     base: type[ApiOutput] = ApiOutput) -> type[ApiOutput]:
    """An ApiOutput (or subclass) whose `data` is typed as `data_type` (or null)."""
    return create_model(
        name,
        __base__=base,
        data=(data_type | None, Field(description=data_description)),
    )
