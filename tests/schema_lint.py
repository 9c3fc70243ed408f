"""A Python port of the MCP Inspector's schema portability lint (`tools/list --strict`).

Errors: a bare boolean where a schema object is expected. Warnings: a `type`
array, a `$ref` outside the document, and a schema that constrains nothing
(`{}` or a node with only annotations). The test-suite treats all as failures.
"""

from __future__ import annotations

from typing import Any

_BOOLEAN_OK = {"additionalProperties", "unevaluatedProperties", "additionalItems", "unevaluatedItems"}
_SUB = ["items", "contains", "not", "propertyNames", "if", "then", "else", "additionalProperties",
        "unevaluatedProperties", "additionalItems", "unevaluatedItems", "contentSchema"]
_SUB_LIST = ["allOf", "anyOf", "oneOf", "prefixItems"]
_SUB_MAP = ["properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"]
_CONSTRAINING = {
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "format", "contentMediaType", "contentEncoding", "contentSchema",
    "maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties",
    "required", "dependentRequired", "allOf", "anyOf", "oneOf", "not", "items", "prefixItems", "contains",
    "additionalItems", "unevaluatedItems", "properties", "patternProperties", "additionalProperties",
    "unevaluatedProperties", "propertyNames", "dependentSchemas", "dependencies", "$ref", "$dynamicRef",
    "$recursiveRef",
}


def lint(schema: Any) -> list[str]:
    findings: list[str] = []
    _walk(schema, "", None, findings)
    return findings


def _walk(node: Any, path: str, keyword: str | None, findings: list[str]) -> None:
    if isinstance(node, bool):
        if keyword not in _BOOLEAN_OK:
            findings.append(f"{path or '<root>'}: bare {node} where a schema object is expected")
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("type"), list):
        findings.append(f"{path or '<root>'}: `type` is an array")
    ref = node.get("$ref")
    if isinstance(ref, str) and ref and not ref.startswith("#"):
        findings.append(f"{path}: remote $ref {ref}")
    constrains = any(k in _CONSTRAINING for k in node) or ("if" in node and ("then" in node or "else" in node))
    if not constrains and keyword != "not":
        findings.append(f"{path or '<root>'}: schema constrains nothing")
    for key in _SUB_MAP:
        if isinstance(node.get(key), dict):
            for name, sub in node[key].items():
                _walk(sub, f"{path}.{key}.{name}".lstrip("."), key, findings)
    for key in _SUB_LIST:
        if isinstance(node.get(key), list):
            for i, sub in enumerate(node[key]):
                _walk(sub, f"{path}.{key}[{i}]".lstrip("."), key, findings)
    for key in _SUB:
        if key in node:
            value = node[key]
            if key == "items" and isinstance(value, list):
                for i, sub in enumerate(value):
                    _walk(sub, f"{path}.items[{i}]".lstrip("."), key, findings)
            else:
                _walk(value, f"{path}.{key}".lstrip("."), key, findings)
