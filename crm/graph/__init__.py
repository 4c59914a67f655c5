"""The network module: pure networkx code that takes plain data and returns plain data.

It imports networkx and the standard library only, never Flask or SQLAlchemy, so it
can be tested and reused without the web application. Three questions:

1. Who should connect? `suggest_connections` (explained, weights add up to the score).
2. Which workshop for whom? `assign_workshops` (min-cost flow, soft mixing quotas).
3. What does the network look like? `communities`, `brokers`, `isolates`,
   `cross_region_links`.
"""

from crm.graph.analytics import (
    BETWEENNESS,
    PARTICIPATION,
    Broker,
    Community,
    CrossRegionLink,
    brokers,
    communities,
    cross_region_links,
    isolates,
    project,
)
from crm.graph.assign import (
    MIX_ATTRIBUTES,
    UNLISTED_COST,
    Assignment,
    AssignmentMetrics,
    assign_workshops,
    first_come_first_served,
    metrics_of,
    random_assignment,
    rank_cost,
)
from crm.graph.naming import CommunityName, community_names
from crm.graph.regions import LAENDER, NEIGHBOURS, are_neighbours, neighbours_of
from crm.graph.suggest import (
    CO_ATTENDANCE,
    COMPLEMENTARY_MIX,
    FURTHER,
    NEIGHBOURING_REGION,
    PATH,
    SAME_REGION,
    SHARED_NEIGHBOUR,
    SHARED_THEME,
    Reason,
    Suggestion,
    candidate_scores,
    node_kind,
    node_label,
    suggest_connections,
    validate_graph,
)

__all__ = [
    "BETWEENNESS",
    "CO_ATTENDANCE",
    "COMPLEMENTARY_MIX",
    "FURTHER",
    "LAENDER",
    "MIX_ATTRIBUTES",
    "NEIGHBOURING_REGION",
    "NEIGHBOURS",
    "PARTICIPATION",
    "PATH",
    "SAME_REGION",
    "SHARED_NEIGHBOUR",
    "SHARED_THEME",
    "UNLISTED_COST",
    "Assignment",
    "AssignmentMetrics",
    "Broker",
    "Community",
    "CommunityName",
    "CrossRegionLink",
    "Reason",
    "Suggestion",
    "are_neighbours",
    "assign_workshops",
    "brokers",
    "candidate_scores",
    "communities",
    "community_names",
    "cross_region_links",
    "first_come_first_served",
    "isolates",
    "metrics_of",
    "neighbours_of",
    "node_kind",
    "node_label",
    "project",
    "random_assignment",
    "rank_cost",
    "suggest_connections",
    "validate_graph",
]
