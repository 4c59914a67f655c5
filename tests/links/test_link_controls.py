"""The edit, end and delete controls of the links on a record's page (#23): rendered once per
kind with a stand-in id and filled in per link (`LinkControls`), they must lead each link to
its own pages, offer "Beenden …" only for a running link, and stay right when the page's own
address happens to hold the stand-in id."""

from __future__ import annotations

import datetime as dt
import re

from crm.links.views import LinkControls
from crm.links.views import LinkUrls
from crm.models.base import today


def _controls(html: str, kind_path: str) -> dict[int, list[str]]:
    """The control URLs of each link of one kind on a page: {link id: [paths]}."""
    found: dict[int, list[str]] = {}
    for link_id, action, query in re.findall(
        rf'href="/{kind_path}/(\d+)/(edit|end|delete)(\?[^"]*)?"', html
    ):
        found.setdefault(int(link_id), []).append(f"{action}{query}")
    return found


def _world(make):
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    running = make.membership(
        make.organisation(name="Stahlwerk Nord GmbH"), ini, since=dt.date(2020, 1, 1)
    )
    ended = make.membership(
        make.organisation(name="Stadt Duisburg"),
        ini,
        since=dt.date(2019, 1, 1),
        until=today() - dt.timedelta(days=3),
    )
    future = make.membership(
        make.organisation(name="Hafen AG"), ini, since=today() + dt.timedelta(days=30)
    )
    return ini, running, ended, future


def test_each_membership_gets_its_own_controls(client, login_as, make):
    ini, running, ended, future = _world(make)
    login_as("staff")
    html = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    back = f"?next=/initiatives/{ini.id}"
    assert _controls(html, "memberships") == {
        running.id: [f"edit{back}", f"end{back}", f"delete{back}"],
        ended.id: [f"edit{back}", f"delete{back}"],
        future.id: [f"edit{back}", f"delete{back}"],
    }


def test_a_page_address_holding_the_stand_in_id_keeps_each_links_controls(client, login_as, make):
    ini, running, ended, _future = _world(make)
    login_as("staff")
    html = client.get(f"/initiatives/{ini.id}?x=/2147483647/").get_data(as_text=True)
    controls = _controls(html, "memberships")
    assert sorted(controls) == sorted([running.id, ended.id, _future.id])
    assert [c.split("?")[0] for c in controls[running.id]] == ["edit", "end", "delete"]
    assert all("x%3D/2147483647/" in c for c in controls[running.id])
    assert "/memberships/2147483647/" not in html


def test_filled_in_controls_equal_the_controls_rendered_for_the_link(app):
    with app.test_request_context("/initiatives/5?former_page=2"):
        from flask import current_app

        template = current_app.jinja_env.get_template("links/_link_controls.html")
        controls = LinkControls(LinkUrls("/initiatives/5?former_page=2"))
        for kind in ("membership", "affiliation", "role"):
            for can_end in (True, False):
                for link_id in (1, 42, 2_147_483_646):
                    alone = template.render(
                        kind=kind, link_id=link_id, can_end=can_end, link_url=controls.urls
                    )
                    assert str(controls(kind, link_id, can_end)) == alone + "\n"
        relationship = template.render(
            kind="relationship", link_id=7, can_end=False, link_url=controls.urls
        )
        assert str(controls("relationship", 7)) == relationship + "\n"
