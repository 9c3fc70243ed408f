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
    """The published JSON Schema of a pydantic model (`mode="serialization"` for outputs)."""
    return _clean(model.model_json_schema(by_alias=True, mode=mode))


def _clean(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = {k: v for k, v in node.items() if k != "title"}
    node = _collapse_optional(node)
    for key in _MAP_KEYWORDS:
        if isinstance(node.get(key), dict):
            node[key] = {name: _clean(sub) for name, sub in node[key].items()}
    for key in _LIST_KEYWORDS:
        if isinstance(node.get(key), list):
            node[key] = [_clean(sub) for sub in node[key]]
    for key in _SUB_KEYWORDS:
        if isinstance(node.get(key), dict):
            node[key] = _clean(node[key])
    return node


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
