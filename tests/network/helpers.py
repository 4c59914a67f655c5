"""Helpers of the network tests: initiatives linked through shared member organisations."""

from __future__ import annotations

from typing import Any

from crm.models import MembershipRole


def share_members(make: Any, hub: Any, *shares: tuple[Any, int], **org_fields: Any) -> list[Any]:
    """For each (other, n): n new organisations, members of `hub` (as Träger) and of `other`."""
    orgs = []
    for other, shared in shares:
        for n in range(shared):
            org = make.organisation(name=f"Mitglied {other.name} {n} GmbH", **org_fields)
            make.membership(org, hub, role=MembershipRole.TRAEGER)
            make.membership(org, other)
            orgs.append(org)
    return orgs


def decide_url(source: Any, target: Any, source_type="initiative", target_type="initiative") -> str:
    """The URL that takes a decision on the suggested pair (source, target)."""
    return f"/network/suggestions/{source_type}/{source.id}/{target_type}/{target.id}"
