"""The dashboard's figures are rendered once per data version, day and language and kept
(crm.dashboard.views.figures_html): every save, a new day and another language show at once,
and only staff ever reach them."""

from __future__ import annotations

import datetime as dt
import re

from crm.dashboard import views
from crm.models import OrgType
from crm.models import base
from tests.dashboard.test_dashboard import build_network


def table_value(html: str, slug: str, name: str) -> str:
    """The first number of the row `name` in the table of figure `slug`."""
    table = html.split(f'data-table="{slug}"', 1)[1].split("</table>", 1)[0]
    found = re.search(
        rf'<th scope="row" class="fw-normal">{re.escape(name)}</th>\s*'
        r'<td class="text-end" data-value="(\d+)">',
        table,
    )
    assert found, f"{name} not in {slug}"
    return found.group(1)


def masked(html: str) -> str:
    """`html` without its CSRF tokens (signed with the time: new every second)."""
    return re.sub(r'(name="csrf_token" value="|name="csrf-token" content=")[^"]+', r"\1", html)


def page(client) -> str:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_save_shows_on_the_next_request(client, login_as, make):
    login_as("staff")
    network = build_network(make)
    assert table_value(page(client), "typen", "Verein") == "2"
    assert table_value(page(client), "typen", "Verein") == "2"  # kept: the same

    make.initiative(name="Neuer Verein", laender=["05"])
    html = page(client)
    assert table_value(html, "typen", "Verein") == "3"
    assert table_value(html, "laender", "Nordrhein-Westfalen") == "3"

    # a new member of an existing initiative
    ihk = make.organisation(name="IHK Neu", type=OrgType.IHK)
    make.membership(ihk, network["initiatives"][2])
    assert table_value(page(client), "ihk", "mit IHK-Beteiligung") == "2"


def test_an_edited_record_shows_on_the_next_request(app, client, login_as, make):
    login_as("staff")
    network = build_network(make)
    assert table_value(page(client), "gruendungen", "ohne Angabe") == "1"
    with app.app_context():
        from crm.extensions import db
        from crm.models import Initiative

        initiative = db.session.get(Initiative, network["initiatives"][3].id)
        assert initiative is not None
        initiative.founded_year = 2020
        db.session.commit()
    html = page(client)
    assert "ohne Angabe" not in html.split('data-table="gruendungen"', 1)[1].split("</table>")[0]
    assert table_value(html, "gruendungen", "2020") == "1"


def test_a_new_day_counts_memberships_anew(client, login_as, make, monkeypatch):
    login_as("staff")
    network = build_network(make)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    firm = make.organisation(name="Morgen GmbH")
    make.membership(firm, network["initiatives"][0], since=tomorrow)
    assert table_value(page(client), "mitglieder", "Unternehmen") == "2"
    monkeypatch.setattr(base, "today", lambda: tomorrow)
    monkeypatch.setattr(views, "today", lambda: tomorrow)
    assert table_value(page(client), "mitglieder", "Unternehmen") == "3"


def test_each_language_has_its_own_figures(client, login_as, make):
    login_as("staff")
    build_network(make)
    german = page(client)
    assert "Initiativen je Land" in german and "mit IHK-Beteiligung" in german
    client.post("/language", data={"language": "en", "next": "/dashboard/"})
    english = page(client)
    assert 'lang="en"' in english
    assert "Initiativen je Land" not in english and "mit IHK-Beteiligung" not in english
    client.post("/language", data={"language": "de", "next": "/dashboard/"})
    assert masked(page(client)) == masked(german)


def test_kept_figures_are_never_shown_to_others(client, login_as, make):
    login_as("staff")
    build_network(make)
    assert "data-figure" in page(client)  # kept now
    client.post("/logout")
    login_as("editor", initiative=make.initiative(name="Eigene Initiative"))
    response = client.get("/dashboard/")
    assert response.status_code == 403
    assert "data-figure" not in response.get_data(as_text=True)
    client.post("/logout")
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "data-figure" not in response.get_data(as_text=True)
