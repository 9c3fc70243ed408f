"""template/add|edit|delete|search|view."""

from __future__ import annotations

from typing import Any

from smtp2go_mcp.simulator.core import Body, api_exception, invalid, route
from smtp2go_mcp.simulator.routes.matching import contains
from smtp2go_mcp.simulator.routes.paging import page
from smtp2go_mcp.simulator.state import SimState, utcnow


def template_id(body: Body, name: str = "id", *, required: bool = True) -> Any:
    value = body.str(name, required=required)
    if value is not None and not 5 <= len(value) <= 24:
        raise invalid(name, f"The field '{name}' must be between 5 and 24 characters.")
    return value


def existing(state: SimState, body: Body) -> dict[str, Any]:
    tid = template_id(body)
    if tid not in state.templates:
        raise api_exception(f"No template with the id '{tid}' exists")
    return state.templates[tid]


def full_view(template: dict[str, Any]) -> dict[str, Any]:
    return {"name": template["template_name"], **template}


def _required_text(body: Body, name: str) -> str:
    value = body.str(name, required=True)
    if not value.strip():
        raise invalid(name, f"The field '{name}' must not be empty.")
    return value


@route("template/add")
def template_add(state: SimState, body: Body) -> dict[str, Any]:
    tid = template_id(body)
    name = _required_text(body, "template_name")
    if len(name) > 64:
        raise invalid("template_name", "The field 'template_name' must be between 1 and 64 characters.")
    template = {"id": tid, "template_name": name, "subject": _required_text(body, "subject"),
                "html_body": _required_text(body, "html_body"), "text_body": _required_text(body, "text_body"),
                "template_variables": body.obj("template_variables") or {}, "tags": body.strs("tags") or []}
    if tid in state.templates:
        raise api_exception(f"A template with the id '{tid}' already exists")
    template["last_updated"] = utcnow().strftime("%Y-%m-%d %H:%M:%S")
    state.templates[tid] = template
    return {k: v for k, v in template.items() if k != "last_updated"}


@route("template/delete")
def template_delete(state: SimState, body: Body) -> str:
    template = existing(state, body)
    del state.templates[template["id"]]
    return f"Successfully deleted template '{template['id']}'"


@route("template/edit")
def template_edit(state: SimState, body: Body) -> dict[str, Any]:
    template = existing(state, body)
    new_id = template_id(body, "new_id", required=False)
    if new_id and new_id != template["id"] and new_id in state.templates:
        raise api_exception(f"A template with the id '{new_id}' already exists")
    for name in ("template_name", "subject", "html_body", "text_body"):
        if body.has(name):
            template[name] = body.str(name)
    if body.has("template_variables"):
        template["template_variables"] = body.obj("template_variables")
    if body.has("tags"):
        template["tags"] = body.strs("tags")
    template["last_updated"] = utcnow().strftime("%Y-%m-%d %H:%M:%S")
    if new_id and new_id != template["id"]:
        del state.templates[template["id"]]
        template["id"] = new_id
        state.templates[new_id] = template
    return {k: v for k, v in template.items() if k != "last_updated"}


@route("template/search")
def template_search(state: SimState, body: Body) -> dict[str, Any]:
    terms = body.strs("search_terms") or []
    tags = body.strs("tags") or []
    fuzzy = body.bool("fuzzy_search", default=False)
    direction = body.str("sort_direction", default="asc", choices=("asc", "desc"))
    size = body.int("page_size", default=100, lo=1, hi=1000)

    def matches(t: dict[str, Any]) -> bool:
        if tags and not set(tags) & set(t["tags"]):
            return False
        fields = [t["template_name"], t["id"], t["subject"], *t["tags"]]
        if not terms:
            return True
        if fuzzy:
            return any(contains(f, term) for term in terms for f in fields)
        return any(term == f for term in terms for f in fields)

    found = sorted((t for t in state.templates.values() if matches(t)), key=lambda t: t["template_name"].lower(),
                   reverse=direction == "desc")
    chunk, token = page(found, size, body.str("continue_token"))
    return {"continue_token": token, "total_count": len(found),
            "templates": [{"name": t["template_name"], "id": t["id"], "subject": t["subject"], "tags": t["tags"],
                           "last_updated": t["last_updated"]} for t in chunk]}


@route("template/view")
def template_view(state: SimState, body: Body) -> dict[str, Any]:
    template = existing(state, body)
    return {k: v for k, v in full_view(template).items() if k != "template_name"}
