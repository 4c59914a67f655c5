"""The link controls are kept per process (#23): another record's page leads its controls
back to itself, another language gets its own words, however often a page was shown."""

from __future__ import annotations

import re

from crm.links import views


def _controls(html: str) -> list[tuple[str, str]]:
    """(href, text) of each membership control on a page."""
    return re.findall(r'href="(/memberships/\d+/\w+\?next=[^"]*)">([^<]+)</a>', html)


def test_kept_controls_follow_the_page_and_the_language(client, login_as, make):
    login_as("staff")
    first, second = make.initiative(name="Erste"), make.initiative(name="Zweite")
    a = make.membership(make.organisation(name="Werk A"), first)
    b = make.membership(make.organisation(name="Werk B"), second)
    views._kept_stamps.clear()  # noqa: SLF001 - start without kept controls
    for _ in range(2):  # rendered, then kept
        one = client.get(f"/initiatives/{first.id}").get_data(as_text=True)
        two = client.get(f"/initiatives/{second.id}").get_data(as_text=True)
        assert _controls(one) == [
            (f"/memberships/{a.id}/edit?next=/initiatives/{first.id}", "Bearbeiten"),
            (f"/memberships/{a.id}/end?next=/initiatives/{first.id}", "Beenden …"),
            (f"/memberships/{a.id}/delete?next=/initiatives/{first.id}", "Löschen …"),
        ]
        assert [href for href, _ in _controls(two)] == [
            f"/memberships/{b.id}/{action}?next=/initiatives/{second.id}"
            for action in ("edit", "end", "delete")
        ]
    client.post("/language", data={"language": "en"})
    english = client.get(f"/initiatives/{first.id}").get_data(as_text=True)
    assert [text for _, text in _controls(english)] != [text for _, text in _controls(one)]
    assert [href for href, _ in _controls(english)] == [href for href, _ in _controls(one)]
