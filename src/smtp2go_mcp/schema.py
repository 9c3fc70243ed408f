"""JSON Schemas for tool inputs and outputs, shaped for every MCP client.

Pydantic's schemas are correct but not portable as they come: they carry a
`title` on every node (bytes in the model's context for nothing) and spell an
optional field as `anyOf: [X, null]` with `default: null`. Optional fields here
mean "absent" (inputs drop nulls before validation, outputs never emit them),
so they are published as plain `X`. Nullable fields that are always present
(the envelope's `error`, `request_id`, ...) keep their `anyOf` with a `null`
branch: a `type` array would be shorter but some clients reject it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

# Keywords whose value is a map of name -> subschema (the names are not keywords).
_MAP_KEYWORDS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_LIST_KEYWORDS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUB_KEYWORDS = ("items", "additionalProperties", "not", "contains", "propertyNames")


def model_schema(model: type[BaseModel], mode: str = "validation") -> dict[str, Any]:
    """The published JSON Schema of a pydantic model (`mode="serialization"` for outputs).

    An output schema describes what this server sends, so it drops `additionalProperties`:
    the data objects may carry fields SMTP2GO adds later, and saying so on every object costs
    context for nothing. Input schemas keep `additionalProperties: false`: clients should know
    that unknown arguments are refused.
    """
    schema = _clean(model.model_json_schema(by_alias=True, mode=mode), output=mode == "serialization")
    return _inline_single_use(schema)


# Caps above these are safety nets against runaway input (an address over 255 characters, a
# 10,000-character footer, an int32 overflow): enforced on every call with an error naming the
# field, but published they would only cost context, since no sensible argument comes near them.
_PUBLISHED_MAX_LENGTH = 255
_PUBLISHED_MAXIMUM = 2**31 - 2


def unpublished_length(schema: dict[str, Any]) -> None:
    """`json_schema_extra` for a value with a format of its own (an address, a domain, an IP, a date,
    an id copied from another tool): the format says what fits, so its length bounds are safety nets
    like the ones above, enforced but not published."""
    for node in [schema, *schema.get("anyOf", [])]:  # an optional field's bounds sit in its anyOf
        node.pop("minLength", None)
        node.pop("maxLength", None)


def _clean(node: Any, output: bool = False, top: bool = True) -> Any:
    if not isinstance(node, dict):
        return node
    # Inputs say `additionalProperties: false` once, at the top, where the arguments are. Outputs
    # list no `required`: every result carries the whole envelope (the server's instructions say so
    # once, for all tools), and nested objects are whatever the API sent.
    drop = {"title"}
    if output or not top:
        drop.add("additionalProperties")
    if output:
        drop.add("required")
    node = _collapse_optional({k: v for k, v in node.items() if k not in drop})
    if isinstance(node.get("maxLength"), int) and node["maxLength"] > _PUBLISHED_MAX_LENGTH:
        del node["maxLength"]
    if isinstance(node.get("maximum"), int) and node["maximum"] > _PUBLISHED_MAXIMUM:
        del node["maximum"]
    if output:
        node.pop("default", None)  # what the server sends has no defaults to fill in
    for key in _MAP_KEYWORDS:
        if isinstance(node.get(key), dict):
            node[key] = {name: _clean(sub, output, False) for name, sub in node[key].items()}
    for key in _LIST_KEYWORDS:
        if isinstance(node.get(key), list):
            node[key] = [_clean(sub, output, False) for sub in node[key]]
    for key in _SUB_KEYWORDS:
        if isinstance(node.get(key), dict):
            node[key] = _clean(node[key], output, False)
    return node


def _inline_single_use(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace each `$ref` to a definition used once by the definition itself (shorter, same meaning).

    Definitions used twice or more stay shared in `$defs`: that is where sharing saves bytes.
    """
    defs = schema.get("$defs")
    if not defs:
        return schema
    counts: dict[str, int] = {}

    def count(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                counts[ref[8:]] = counts.get(ref[8:], 0) + 1
            for value in node.values():
                count(value)
        elif isinstance(node, list):
            for value in node:
                count(value)

    count(schema)
    once = {name for name in defs if counts.get(name) == 1}

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in once:
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**inline(defs[ref[8:]]), **rest}
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    result = {k: inline(v) for k, v in schema.items() if k != "$defs"}
    kept = {name: inline(definition) for name, definition in defs.items() if name not in once}
    if kept:
        result["$defs"] = kept
    return result


def _collapse_optional(node: dict[str, Any]) -> dict[str, Any]:
    """`{anyOf: [X, {type: null}], default: None}` -> X, keeping the node's annotations."""
    if "default" not in node or node["default"] is not None:
        return node
    node = dict(node)
    del node["default"]
    branches = node.get("anyOf")
    if isinstance(branches, list):
        rest = [b for b in branches if b != {"type": "null"}]
        if len(rest) < len(branches):
            del node["anyOf"]
            if len(rest) == 1:
                return {**rest[0], **node}
            node["anyOf"] = rest
    return node
