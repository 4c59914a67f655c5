"""The wording of community names (web layer): the parts come from `crm.graph.naming`,
the words from Babel at render time, so each user reads them in their language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
from flask_babel import gettext as _

from crm.graph import LAENDER
from crm.graph import Community
from crm.graph import CommunityName
from crm.graph import community_names


@dataclass(frozen=True)
class GroupName:
    """The name parts of one community, with the label of its largest member."""

    number: int
    parts: CommunityName
    largest_label: str | None

    @property
    def themes(self) -> str:
        """Its distinctive themes, or "Gruppe <n>" when it has none."""
        if not self.parts.themes:
            return _("Gruppe %(n)s", n=self.number)
        return " · ".join(self.parts.themes)

    @property
    def land(self) -> str:
        """The Land most members lie in, or "mehrere Länder"."""
        code = self.parts.land
        if code is None or code not in LAENDER:
            return _("mehrere Länder")
        return LAENDER[code][1]

    @property
    def title(self) -> str:
        """One line that tells the group apart from the others."""
        if self.largest_label:
            return _(
                "%(themes)s (%(land)s, um %(largest)s)",
                themes=self.themes,
                land=self.land,
                largest=self.largest_label,
            )
        return _("%(themes)s (%(land)s)", themes=self.themes, land=self.land)


def group_names(graph: nx.Graph, groups: Sequence[Community]) -> list[GroupName]:
    """The name parts of `groups` (numbered from 1), each with its largest member's label."""
    return [
        GroupName(
            number=number,
            parts=parts,
            largest_label=(
                str(graph.nodes[parts.largest].get("label")) if parts.largest is not None else None
            ),
        )
        for number, parts in enumerate(community_names(graph, groups), start=1)
    ]
