"""/api/v1/public/: the public directory without a token (listed initiatives only, and the
contacts who agreed to be named), for the office's website. Read-only, rate-limited per
client address, the same queries as the public web pages."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from crm.api import schemas
from crm.api.auth import fail
from crm.api.auth import install
from crm.api.lists import INITIATIVE_LINKS
from crm.api.lists import page
from crm.api.lists import query_arguments
from crm.api.parsing import TextParser
from crm.models import Initiative
from crm.public import queries

bp = Blueprint(
    "api_public",
    __name__,
    url_prefix="/api/v1/public",
    description="The public directory: listed initiatives, no token needed.",
)
bp.ARGUMENTS_PARSER = TextParser()  # a NUL character in any text: 422
install(bp, get_remote_address)

NO_TOKEN: list[dict[str, list[str]]] = []  # OpenAPI: these operations need no security


@bp.route("/initiatives", endpoint="initiatives")
class PublicInitiatives(MethodView):
    """The listed initiatives."""

    @query_arguments(bp, schemas.PublicQuery)
    @bp.response(200, schemas.PublicInitiativePage)
    @bp.doc(security=NO_TOKEN)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the publicly listed initiatives, searched and filtered like the directory."""
        wanted: dict[str, str] = {k: str(args[k]) for k in ("q", "land", "theme") if k in args}
        params = queries.parse_params(wanted)
        unknown = {
            key: ["Unknown value."]
            for key in ("land", "theme")
            if key in wanted and getattr(params, key) is None
        }
        if unknown:
            fail(422, "Unknown filter values.", errors={"query": unknown})
        query = queries.listed_query(params).options(*INITIATIVE_LINKS)
        return page(query, Initiative, args)


@bp.route("/initiatives/<int:initiative_id>", endpoint="initiative")
class PublicInitiative(MethodView):
    """One listed initiative."""

    @bp.response(200, schemas.PublicProfile)
    @bp.doc(security=NO_TOKEN)
    def get(self, initiative_id: int) -> dict[str, Any]:
        """A listed initiative with its public contacts (404 for any other)."""
        initiative = queries.listed_initiative(initiative_id)
        if initiative is None:
            fail(404, "No such listed initiative.")
        contacts = [
            {
                "name": c.name,
                "roles": [role.value for role in c.roles],
                "email": c.email,
                "phone": c.phone,
                "affiliations": [
                    {"organisation": org, "function": function} for org, function in c.affiliations
                ],
            }
            for c in queries.public_contacts(initiative.id)
        ]
        shown = schemas.PublicInitiative().fields
        return {name: getattr(initiative, name) for name in shown} | {"contacts": contacts}
