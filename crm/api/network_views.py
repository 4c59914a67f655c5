"""/api/v1/ for the network module: suggested connections (with readable reasons) and the
analytics of the network (communities, brokers, isolated initiatives, links across
Länder), computed from the graph the account may see (`crm.network.queries`)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields

from crm import permissions
from crm.api.auth import api_user
from crm.api.auth import fail
from crm.api.views import allowed_if
from crm.api.views import bp
from crm.extensions import db
from crm.models import Initiative
from crm.models import Organisation
from crm.network import queries


class NodeLink(ma.Schema):
    """A record in the network: its kind, id and label."""

    kind = fields.String(required=True)
    id = fields.Integer(required=True)
    label = fields.String(required=True)


class Scored(ma.Schema):
    """How strongly a suggestion is made, and why."""

    score = fields.Float(required=True)
    reasons = fields.List(fields.String(), required=True)
    later = fields.Boolean(required=True, metadata={"description": "postponed earlier"})


class Suggestion(Scored):
    """A suggested initiative with its score and the reasons in words."""

    target_type = fields.String(required=True)
    target_id = fields.Integer(required=True)
    name = fields.String(required=True)


class Pair(Scored):
    """One of the strongest suggested pairs of the whole network."""

    source = fields.Nested(NodeLink, required=True)
    target = fields.Nested(NodeLink, required=True)


class CommunityOut(ma.Schema):
    """A group of densely linked records."""

    name = fields.String(required=True)
    size = fields.Integer(required=True)
    members = fields.List(fields.Nested(NodeLink), required=True)


class BrokerOut(ma.Schema):
    """A record that bridges groups."""

    node = fields.Nested(NodeLink, required=True)
    score = fields.Float(required=True)


class LandPairOut(ma.Schema):
    """Links between two Länder."""

    land_a = fields.String(required=True)
    land_b = fields.String(required=True)
    count = fields.Integer(required=True)
    direct = fields.Integer(required=True)


class AnalyticsOut(ma.Schema):
    """The analytics of the network."""

    nodes = fields.Integer(required=True)
    edges = fields.Integer(required=True)
    communities = fields.List(fields.Nested(CommunityOut), required=True)
    broker_measure = fields.String(required=True)
    brokers = fields.List(fields.Nested(BrokerOut), required=True)
    isolates = fields.List(fields.Nested(NodeLink), required=True)
    land_pairs = fields.List(fields.Nested(LandPairOut), required=True)


@bp.route("/network/suggestions", endpoint="network_suggestions")
class NetworkSuggestions(MethodView):
    """The strongest suggested pairs of initiatives."""

    @allowed_if(permissions.can_view_network)
    @bp.response(200, Pair(many=True))
    def get(self) -> list[Any]:
        """Pairs of initiatives that should know each other, best first (staff)."""
        return queries.network_suggestions(api_user())


@bp.route("/network/analytics", endpoint="network_analytics")
class NetworkAnalytics(MethodView):
    """Communities, brokers, isolated initiatives, links across Länder."""

    @allowed_if(permissions.can_view_network)
    @bp.response(200, AnalyticsOut)
    def get(self) -> dict[str, Any]:
        """The analytics of the initiative network (staff)."""
        found = queries.analytics(api_user())
        return {
            "nodes": found.nodes,
            "edges": found.edges,
            "communities": [
                {"name": row.name.themes, "size": row.group.size, "members": row.members}
                for row in found.communities
            ],
            "broker_measure": found.broker_measure,
            "brokers": [{"node": link, "score": b.score} for b, link in found.brokers],
            "isolates": found.isolates,
            "land_pairs": found.land_pairs,
        }


def _suggestions_for(model: Any, kind: str, record_id: int) -> list[Any]:
    user = api_user()
    record = db.session.get(model, record_id)
    if record is None or not permissions.can_view(user, record):
        fail(404, f"No such {kind}.")
    return queries.suggestions(user, kind, record_id)


@bp.route("/initiatives/<int:initiative_id>/suggestions", endpoint="initiative_suggestions")
class InitiativeSuggestions(MethodView):
    """Initiatives this initiative should know."""

    @bp.response(200, Suggestion(many=True))
    def get(self, initiative_id: int) -> list[Any]:
        """Suggested initiatives with reasons (as on the initiative's page)."""
        return _suggestions_for(Initiative, "initiative", initiative_id)


@bp.route("/organisations/<int:organisation_id>/suggestions", endpoint="organisation_suggestions")
class OrganisationSuggestions(MethodView):
    """Initiatives this organisation could join."""

    @allowed_if(permissions.can_view_directory)
    @bp.response(200, Suggestion(many=True))
    def get(self, organisation_id: int) -> list[Any]:
        """Suggested initiatives with reasons (as on the organisation's page)."""
        return _suggestions_for(Organisation, "organisation", organisation_id)
