"""Tests for crm.graph.naming: community names that tell the groups apart."""

from __future__ import annotations

import networkx as nx

from crm.graph.analytics import Community
from crm.graph.analytics import communities
from crm.graph.naming import CommunityName
from crm.graph.naming import community_names


def two_regions() -> nx.Graph:
    """Two clusters of initiatives: hydrogen in the north, vehicles in the south; both
    share the common theme "Fachkräfte"."""
    g = nx.Graph()
    north = {"i:1": 5, "i:2": 2, "i:3": 1}
    south = {"i:4": 1, "i:5": 3, "i:6": 1}
    for node, members in {**north, **south}.items():
        in_north = node in north
        g.add_node(
            node,
            kind="initiative",
            label=f"Initiative {node}",
            laender={"03"} if in_north else ({"09"} if node != "i:6" else {"08"}),
            land="03" if in_north else "09",
            themes={"Fachkräfte", "Wasserstoff" if in_north else "Fahrzeugindustrie"},
        )
        for m in range(members):
            g.add_node(f"o:{node}-{m}", kind="organisation", label=f"Org {node} {m}")
            g.add_edge(node, f"o:{node}-{m}")
    for cluster in (list(north), list(south)):
        for a, b in zip(cluster, cluster[1:], strict=False):
            g.add_node(f"o:shared-{a}-{b}", kind="organisation", label="shared")
            g.add_edge(a, f"o:shared-{a}-{b}")
            g.add_edge(b, f"o:shared-{a}-{b}")
    return g


def test_names_carry_distinctive_themes_largest_member_and_land():
    g = two_regions()
    groups = communities(g, kind="initiative")
    assert len(groups) == 2
    names = community_names(g, groups)
    by_largest = {name.largest: name for name in names}
    assert set(by_largest) == {"i:1", "i:5"}
    assert by_largest["i:1"] == CommunityName(themes=("Wasserstoff",), largest="i:1", land="03")
    # two of three southern initiatives lie in Bayern: a majority names the Land
    assert by_largest["i:5"].land == "09"
    assert by_largest["i:5"].themes == ("Fahrzeugindustrie",)
    assert "Fachkräfte" not in by_largest["i:1"].themes  # everywhere: not distinctive


def test_no_land_without_a_majority_and_most_frequent_themes_for_one_group():
    g = nx.Graph()
    for n, land in enumerate(("01", "02", "03", "04"), start=1):
        g.add_node(f"i:{n}", kind="initiative", label=f"I{n}", land=land, themes={"Akzeptanz"})
    group = Community(nodes=frozenset(g.nodes), label="", size=4)
    (name,) = community_names(g, [group])
    assert name.land is None
    assert name.themes == ("Akzeptanz",)  # nothing stands out: the most frequent
    assert name.largest == "i:1"  # ties broken by node id, deterministically


def test_names_are_deterministic_and_empty_groups_are_safe():
    g = two_regions()
    groups = communities(g, kind="initiative")
    assert community_names(g, groups) == community_names(g, groups)
    empty = Community(nodes=frozenset({"gone"}), label="", size=1)
    assert community_names(g, [empty]) == [CommunityName(themes=(), largest=None, land=None)]
