"""Issue 13 §5, the server side: members grouped by type with "alle anzeigen" on the
initiative page, and the Kreis filter that offers only the Kreise of the chosen Land."""

from __future__ import annotations

import datetime as dt
import re

from crm.models import OrgType


def test_initiative_page_lists_ten_members_per_type_with_counts(client, login_as, make):
    login_as("staff")
    ini = make.initiative(name="Großes Bündnis", laender=["05"])
    for n in range(12):
        make.membership(make.organisation(name=f"Betrieb {n:02d} GmbH"), ini)
    for name in ("IHK Köln", "IHK Aachen"):
        make.membership(make.organisation(name=name, type=OrgType.IHK), ini)
    make.membership(make.organisation(name="Altbetrieb GmbH"), ini, until=dt.date(2020, 1, 1))

    html = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    assert 'id="members-unternehmen"' in html and 'id="members-ihk"' in html
    assert 'Unternehmen <span class="text-muted">(12)</span>' in html
    assert 'IHK <span class="text-muted">(2)</span>' in html
    assert ">14</span>" in html  # active members in the heading badge; the former one apart
    assert "Betrieb 09 GmbH" in html and "Betrieb 10 GmbH" not in html
    assert f"/initiatives/{ini.id}?alle=unternehmen#members-unternehmen" in html
    assert "alle 12 anzeigen" in html
    assert "alle 2 anzeigen" not in html  # a complete group needs no link
    assert "Frühere Mitglieder (1)" in html

    everything = client.get(f"/initiatives/{ini.id}?alle=unternehmen").get_data(as_text=True)
    assert "Betrieb 10 GmbH" in everything and "Betrieb 11 GmbH" in everything
    assert "alle 12 anzeigen" not in everything
    assert "weniger anzeigen" in everything


def test_unknown_member_type_shows_the_short_lists(client, login_as, make):
    login_as("staff")
    ini = make.initiative(name="Bündnis")
    for n in range(11):
        make.membership(make.organisation(name=f"Firma {n:02d} AG"), ini)
    for value in ("bogus", "", "<script>"):
        response = client.get(f"/initiatives/{ini.id}", query_string={"alle": value})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Firma 09 AG" in html and "Firma 10 AG" not in html


def test_member_groups_follow_the_order_of_the_types(app, make):
    from crm.directory.queries import member_groups

    ini = make.initiative(name="Reihenfolge")
    make.membership(make.organisation(name="Zeta Hochschule", type=OrgType.HOCHSCHULE), ini)
    make.membership(make.organisation(name="Alpha GmbH"), ini)
    make.membership(make.organisation(name="Stadt Beta", type=OrgType.KOMMUNE), ini)
    with app.app_context():
        groups = member_groups(ini.id)
    assert [g.type for g in groups] == [OrgType.UNTERNEHMEN, OrgType.KOMMUNE, OrgType.HOCHSCHULE]
    assert [g.count for g in groups] == [1, 1, 1]
    assert all(g.hidden == 0 for g in groups)


def _kreis_options(html: str) -> list[str]:
    select = html[html.index('id="filter-kreis"') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="(\d{5})"', select)


def test_kreis_filter_offers_the_kreise_of_the_chosen_land(client, login_as):
    login_as("staff")
    everything = _kreis_options(client.get("/initiatives/").get_data(as_text=True))
    assert len(everything) == 400
    html = client.get("/initiatives/?land=05").get_data(as_text=True)
    nrw = _kreis_options(html)
    assert len(nrw) == 53 and all(ags.startswith("05") for ags in nrw)
    assert ">Köln, Stadt<" in html and "(Nordrhein-Westfalen)<" not in html
    bremen = _kreis_options(client.get("/organisations/?land=04").get_data(as_text=True))
    assert bremen == ["04011", "04012"]
    # an unknown Land filters nothing and offers every Kreis
    assert len(_kreis_options(client.get("/organisations/?land=99").get_data(as_text=True))) == 400


def test_a_kreis_of_another_land_is_dropped(client, login_as, make):
    login_as("staff")
    make.organisation(name="Kölner Werk GmbH", kreis_ags="05315", land_ags="05")
    make.organisation(name="Bremer Werft GmbH", kreis_ags="04011", land_ags="04")
    html = client.get("/organisations/?land=04&kreis=05315").get_data(as_text=True)
    assert "Bremer Werft GmbH" in html and "Kölner Werk GmbH" not in html
    assert 'value="05315" selected' not in html
    html = client.get("/organisations/?land=05&kreis=05315").get_data(as_text=True)
    assert "Kölner Werk GmbH" in html and "Bremer Werft GmbH" not in html
    assert 'value="05315" selected' in html


def test_kreis_options_json(client, login_as):
    login_as("staff")
    data = client.get("/kreise.json?land=04").get_json()
    assert data == {
        "kreise": [
            {"ags": "04011", "label": "Bremen, Stadt"},
            {"ags": "04012", "label": "Bremerhaven, Stadt"},
        ]
    }
    assert len(client.get("/kreise.json").get_json()["kreise"]) == 400
    assert len(client.get("/kreise.json?land=<x>").get_json()["kreise"]) == 400


def test_kreis_options_json_is_for_staff_only(client, login_as, make):
    assert client.get("/kreise.json?land=04").status_code in (302, 401)
    login_as("editor", initiative=make.initiative())
    assert client.get("/kreise.json?land=04").status_code == 403
