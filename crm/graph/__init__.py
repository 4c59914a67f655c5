"""The network module: pure networkx code that takes plain data and returns plain data.

It imports networkx and the standard library only, never Flask or SQLAlchemy, so it
can be tested and reused without the web application. Three questions:

1. Who should connect? `suggest_connections` (explained, weights add up to the score).
2. Which workshop for whom? `assign_workshops` (min-cost flow, soft mixing quotas).
3. What does the network look like? `communities`, `brokers`, `isolates`,
   `cross_region_links`.
"""

from crm.graph.analytics import BETWEENNESS
from crm.graph.analytics import PARTICIPATION
from crm.graph.analytics import Broker
from crm.graph.analytics import Community
from crm.graph.analytics import CrossRegionLink
from crm.graph.analytics import brokers
from crm.graph.analytics import communities
from crm.graph.analytics import cross_region_links
from crm.graph.analytics import isolates
from crm.graph.analytics import project
from crm.graph.assign import MIX_ATTRIBUTES
from crm.graph.assign import UNLISTED_COST
from crm.graph.assign import Assignment
from crm.graph.assign import AssignmentMetrics
from crm.graph.assign import assign_workshops
from crm.graph.assign import first_come_first_served
from crm.graph.assign import metrics_of
from crm.graph.assign import random_assignment
from crm.graph.assign import rank_cost
from crm.graph.naming import CommunityName
from crm.graph.naming import community_names
from crm.graph.regions import LAENDER
from crm.graph.regions import NEIGHBOURS
from crm.graph.regions import are_neighbours
from crm.graph.regions import neighbours_of
from crm.graph.suggest import CO_ATTENDANCE
from crm.graph.suggest import COMPLEMENTARY_MIX
from crm.graph.suggest import FURTHER
from crm.graph.suggest import NEIGHBOURING_REGION
from crm.graph.suggest import PATH
from crm.graph.suggest import SAME_REGION
from crm.graph.suggest import SHARED_NEIGHBOUR
from crm.graph.suggest import SHARED_THEME
from crm.graph.suggest import Reason
from crm.graph.suggest import Suggestion
from crm.graph.suggest import WalkIndex
from crm.graph.suggest import candidate_scores
from crm.graph.suggest import node_kind
from crm.graph.suggest import node_label
from crm.graph.suggest import suggest_connections
from crm.graph.suggest import validate_graph

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
    "WalkIndex",
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
