"""The member rows of an initiative's page built in Python (#23): escaped, linked only
when the page links to organisations, the role unless a plain member, the link controls
only for those who may edit links, each with its own id and "Beenden …" as the row says."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from crm.directory.queries import Member
from crm.directory.queries import MemberOrganisation
from crm.directory.views import member_items
from crm.models import MembershipRole


def _member(member_id: int, name: str, role: MembershipRole, can_end: bool) -> Member:
    organisation = MemberOrganisation(member_id * 10, name)
    return Member(member_id, role, dt.date(2020, 1, 1), None, organisation, can_end)


def test_member_rows_escape_link_and_carry_their_controls(app):
    members = [
        _member(1, "Müller & <Söhne>", MembershipRole.MITGLIED, True),
        _member(2, "Verein", MembershipRole.GRUENDUNGSMITGLIED, False),
    ]
    calls = []

    def controls(kind: str, link_id: int, can_end: bool) -> Markup:
        calls.append((kind, link_id, can_end))
        return Markup(f"<span>{int(link_id)}</span>")  # noqa: S704 - an int

    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        linked = member_items(members, lambda i: f"/organisations/{i}", controls)
        plain = member_items(members, None, None)
    assert linked == (
        '<li><a href="/organisations/10">Müller &amp; &lt;Söhne&gt;</a><span>1</span></li>'
        '<li><a href="/organisations/20">Verein</a>'
        ' <span class="text-muted">· Gründungsmitglied</span><span>2</span></li>'
    )
    assert calls == [("membership", 1, True), ("membership", 2, False)]
    assert plain == (
        "<li>Müller &amp; &lt;Söhne&gt;</li>"
        '<li>Verein <span class="text-muted">· Gründungsmitglied</span></li>'
    )
    assert isinstance(linked, Markup)
