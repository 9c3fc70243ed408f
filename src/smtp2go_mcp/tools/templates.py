"""Email templates: creating, finding, reading, changing and deleting them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import SingleLine, continue_token_field
from smtp2go_mcp.registry import api_tool

# Template ids are case-sensitive, 5-24 characters (reference §6.6).
TemplateId = SingleLine


_VARIABLES = "Defaults for the {{ variables }}, e.g. {\"name\": \"there\"}."


def template_id_field(description: str) -> Any:
    return Field(min_length=5, max_length=24, pattern=r"^\S+$", description=description)


class TemplateEditInput(ToolInput):
    id: TemplateId = template_id_field("The template's id (case-sensitive).")
    new_id: TemplateId | None = Field(None, min_length=5, max_length=24, pattern=r"^\S+$", description="A new id.")
    template_name: SingleLine | None = Field(None, min_length=1, max_length=64, description="New name.")
    subject: SingleLine | None = Field(None, min_length=1, max_length=998, description="New subject; may use {{ variables }}.")
    html_body: str | None = Field(None, min_length=1, max_length=5_000_000, description="New HTML body.")
    text_body: str | None = Field(None, min_length=1, max_length=5_000_000, description="New plain-text body.")
    template_variables: dict[str, Any] | None = Field(None, description=_VARIABLES)
    tags: list[SingleLine] | None = Field(None, max_length=50, description="Replaces the current tags.")


# add/edit echo the template under `template_name`; search and view call it `name` (reference §2.9).
class Template(ApiData):
    id: str | None = None
    template_name: str | None = None
    subject: str | None = None
    tags: list[str] | None = None


api_tool(
    "template/edit", toolset="templates", kind="update", title="Change a template",
    description="Change a template's name, subject, bodies, default variables, tags or id; the rest stay as "
    "they are.",
    input=TemplateEditInput, data=Template,
)


class TemplateAddInput(ToolInput):
    template_name: SingleLine = Field(min_length=1, max_length=64, description="Display name.")
    id: TemplateId = template_id_field("The new id (case-sensitive); emails use it as template_id.")
    subject: SingleLine = Field(min_length=1, max_length=998, description="Subject; may use {{ variables }}.")
    html_body: str = Field(min_length=1, max_length=5_000_000, description="HTML body.")
    text_body: str = Field(min_length=1, max_length=5_000_000, description="Plain-text body.")
    template_variables: dict[str, Any] | None = Field(None, description=_VARIABLES)
    tags: list[SingleLine] | None = Field(None, max_length=50, description="Tags to file it under.")


api_tool(
    "template/add", toolset="templates", kind="create", title="Create a template",
    description="Create an email template whose subject and bodies may use {{ variable }} placeholders, to "
    "send later by its id.",
    input=TemplateAddInput, data=Template,
)


class TemplateDeleteInput(ToolInput):
    id: TemplateId = template_id_field("The template's id (case-sensitive), from SMTP2GO_TEMPLATE_SEARCH.")


api_tool(
    "template/delete", toolset="templates", kind="remove", title="Delete a template",
    description="Delete a template for good; emails can no longer be sent with its id as template_id.",
    input=TemplateDeleteInput, data=str,
)


class TemplateSearchInput(ToolInput):
    search_terms: list[SingleLine] | None = Field(None, max_length=20, description="Matched against name, id, subject and tags.")
    tags: list[SingleLine] | None = Field(None, max_length=50, description="Only templates with these tags.")
    fuzzy_search: bool = Field(False, description="Partial, case-insensitive matching.")
    sort_direction: Literal["asc", "desc"] | None = Field(None, description="Sort by name.")
    page_size: int = Field(100, ge=1, le=1000, description="Per page.")
    continue_token: str | None = continue_token_field()


class TemplateSummary(ApiData):
    id: str | None = None
    name: str | None = None
    subject: str | None = None
    tags: list[str] | None = None
    last_updated: str | None = None


class TemplateSearchData(ApiData):
    templates: list[TemplateSummary] = Field(default_factory=list)
    total_count: int | None = None
    continue_token: str | None = None


api_tool(
    "template/search", toolset="templates", kind="read", title="Search templates",
    description="List email templates or find them by name, id, subject or tag.",
    input=TemplateSearchInput, data=TemplateSearchData,
)


class TemplateViewInput(ToolInput):
    id: TemplateId = template_id_field("The template's id (case-sensitive), from SMTP2GO_TEMPLATE_SEARCH.")


class TemplateDetails(TemplateSummary):
    html_body: str | None = None
    text_body: str | None = None
    template_variables: dict[str, Any] | None = None


api_tool(
    "template/view", toolset="templates", kind="read", title="View a template",
    description="Show one template in full: subject, bodies, default variables and tags.",
    input=TemplateViewInput, data=TemplateDetails,
)
