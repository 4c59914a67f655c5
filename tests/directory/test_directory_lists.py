"""Directory lists: the Kreis/theme/format/size/IHK filters, paging from the end, exports."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm.db.engine import writing
from crm.extensions import db
from crm.models import Format
from crm.models import Initiative
from crm.models import Kreis
from crm.models import OrgType
from crm.models import SizeClass
from crm.models import Theme
from crm.web.pagination import paginate
from tests.helpers import csv_rows


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _link(
    app,
    initiative_id: int,
    *,
    theme: str | None = None,
    kreis: str | None = None,
    format_name: str | None = None,
) -> None:
    from sqlalchemy.orm import selectinload

    with app.app_context(), writing():
        ini = db.session.scalar(
            select(Initiative)
            .where(Initiative.id == initiative_id)
            .options(
                selectinload(Initiative.themes),
                selectinload(Initiative.kreise),
                selectinload(Initiative.formats),
            )
        )
        if theme:
            ini.themes.append(db.session.scalar(select(Theme).where(Theme.name == theme)))
        if kreis:
            ini.kreise.append(db.session.get_one(Kreis, kreis))
        if format_name:
            ini.formats.append(db.session.scalar(select(Format).where(Format.name == format_name)))
        db.session.commit()


def _first_names(app, model) -> str:
    with app.app_context():
        return db.session.scalar(select(model.name).order_by(model.id))


def test_initiative_list_filters_by_kreis_theme_format_and_ihk(app, client, login_as, make):
    login_as("staff")
    theme = _first_names(app, Theme)
    format_name = _first_names(app, Format)
    a = make.initiative(name="Alpha Bündnis")
    b = make.initiative(name="Beta Bündnis", kreis_ags="05315")  # seat in Köln
    c = make.initiative(name="Gamma Bündnis")
    _link(app, a.id, theme=theme, kreis="09162", format_name=format_name)
    make.membership(make.organisation(name="IHK Köln", type=OrgType.IHK), b)
    make.membership(make.organisation(name="Stahl AG"), c)
    with app.app_context():
        theme_id = db.session.scalar(select(Theme.id).where(Theme.name == theme))
        format_id = db.session.scalar(select(Format.id).where(Format.name == format_name))

    by_kreis = _html(client, "/initiatives/?kreis=09162")
    assert "Alpha Bündnis" in by_kreis and "Beta Bündnis" not in by_kreis
    seat = _html(client, "/initiatives/?kreis=05315")
    assert "Beta Bündnis" in seat and "Alpha Bündnis" not in seat
    by_theme = _html(client, f"/initiatives/?theme={theme_id}")
    assert "Alpha Bündnis" in by_theme and "Gamma Bündnis" not in by_theme
    by_format = _html(client, f"/initiatives/?format={format_id}")
    assert "Alpha Bündnis" in by_format and "Beta Bündnis" not in by_format
    with_ihk = _html(client, "/initiatives/?ihk=1")
    assert "Beta Bündnis" in with_ihk and "Gamma Bündnis" not in with_ihk
    without_ihk = _html(client, "/initiatives/?ihk=0")
    assert "Gamma Bündnis" in without_ihk and "Beta Bündnis" not in without_ihk


def test_ended_ihk_membership_does_not_count(client, login_as, make):
    import datetime as dt

    login_as("staff")
    ini = make.initiative(name="Früher mit Kammer")
    make.membership(
        make.organisation(name="IHK Alt", type=OrgType.IHK), ini, until=dt.date(2020, 1, 1)
    )
    assert "Früher mit Kammer" not in _html(client, "/initiatives/?ihk=1")
    assert "Früher mit Kammer" in _html(client, "/initiatives/?ihk=0")


def test_organisation_list_filters_by_kreis_and_size(client, login_as, make):
    login_as("staff")
    make.organisation(name="Klein GmbH", size_class=SizeClass.KLEIN, kreis_ags="05315")
    make.organisation(name="Groß AG", size_class=SizeClass.GROSS, kreis_ags="09162")
    small = _html(client, "/organisations/?size=klein")
    assert "Klein GmbH" in small and "Groß AG" not in small
    munich = _html(client, "/organisations/?kreis=09162")
    assert "Groß AG" in munich and "Klein GmbH" not in munich
    assert "Bayern" in _html(client, "/organisations/?q=gro")  # the Land by name, not code


@pytest.mark.parametrize(
    "query", ["kreis=99999", "theme=abc", "theme=999999", "format=-1", "ihk=maybe", "size=riesig"]
)
def test_unknown_filter_values_are_ignored(client, login_as, make, query):
    login_as("staff")
    make.initiative(name="Bleibt sichtbar")
    make.organisation(name="Auch sichtbar GmbH")
    assert "Bleibt sichtbar" in _html(client, f"/initiatives/?{query}")
    assert "Auch sichtbar GmbH" in _html(client, f"/organisations/?{query}")


@pytest.mark.parametrize("total", [1, 9, 10, 11, 25, 30, 31])
def test_paging_from_the_end_gives_the_same_pages(app, make, total):
    for n in range(total):
        make.organisation(name=f"Firma {n:02d}", place=None if n % 3 else "Köln")
    from crm.directory import queries

    with app.app_context():
        for sort in ("name", "place"):
            for desc in (False, True):
                params = queries.ListParams(sort=sort, desc=desc)
                forward = queries.organisations_query(params)
                everything = [o.id for o in db.session.scalars(forward)]
                pages = (total + 9) // 10
                seen = []
                for number in range(1, pages + 1):
                    page = paginate(
                        forward,
                        number,
                        10,
                        reverse=lambda p=params: queries.organisations_query(p, reverse=True),
                    )
                    seen.extend(o.id for o in page.items)
                assert seen == everything, (sort, desc)


def test_initiative_export_as_csv_follows_filters_and_neutralises_formulas(client, login_as, make):
    login_as("staff")
    make.initiative(name='=HYPERLINK("http://evil")', laender=["05"])
    make.initiative(name="Bayern-Bündnis", laender=["09"])
    response = client.get("/initiatives/export.csv?land=05")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(body)
    assert rows[0][:2] == ["ID", "Name"]
    assert len(rows) == 2
    assert rows[1][1].startswith("'=")
    assert rows[1][5] == "Nordrhein-Westfalen"


def test_organisation_and_person_exports_as_xlsx(client, login_as, make):
    login_as("staff")
    org = make.organisation(name="Stahlwerk Nord AG")
    person = make.person(first_name="Jörg", last_name="Müller", email="j.mueller@example.org")
    make.affiliation(person, org)
    orgs = load_workbook(io.BytesIO(client.get("/organisations/export.xlsx").get_data()))
    values = [cell.value for cell in orgs.active[2]]
    assert "Stahlwerk Nord AG" in values
    persons = client.get("/persons/export.xlsx?q=muller")
    assert persons.status_code == 200
    sheet = load_workbook(io.BytesIO(persons.get_data())).active
    row = [cell.value for cell in sheet[2]]
    assert "Müller" in row and "j.mueller@example.org" in row and "Stahlwerk Nord AG" in row


def test_export_of_unknown_format_is_404(client, login_as):
    login_as("staff")
    for path in ("/initiatives/export.pdf", "/organisations/export.exe", "/persons/export.csv1"):
        assert client.get(path).status_code == 404


def test_exports_are_staff_only(client, login_as, make):
    own = make.initiative(name="Eigene")
    login_as("editor", initiative=own)
    for path in ("/initiatives/export.csv", "/organisations/export.xlsx", "/persons/export.csv"):
        assert client.get(path).status_code == 403


def test_list_pages_link_to_their_exports_with_the_filters(client, login_as):
    login_as("staff")
    html = _html(client, "/initiatives/?land=05&sort=type")
    assert "/initiatives/export.csv?land=05&amp;sort=type" in html
    assert "/initiatives/export.xlsx?land=05&amp;sort=type" in html


def test_every_shown_column_sorts(client, login_as, make):
    login_as("staff")
    make.initiative(name="Nord-Bündnis", laender=["01"])
    make.initiative(name="Süd-Bündnis", laender=["09"])
    html = _html(client, "/initiatives/?sort=laender")
    assert html.index("Nord-Bündnis") < html.index("Süd-Bündnis")
    html = _html(client, "/initiatives/?sort=laender&dir=desc")
    assert html.index("Süd-Bündnis") < html.index("Nord-Bündnis")
    make.person(last_name="Anrufbar", phone="030 23125-101")
    make.person(last_name="Später", phone="030 23125-199")
    html = _html(client, "/persons/?sort=phone&dir=desc")
    assert html.index("Später") < html.index("Anrufbar")


def test_option_tags_escape_and_select():
    from crm.web.templating import option_tags

    html = str(option_tags([("1", "A & B"), ('2"x', "<b>")], '2"x'))
    assert html == (
        '<option value="1">A &amp; B</option>\n<option value="2&#34;x" selected>&lt;b&gt;</option>'
    )
    assert "selected" not in str(option_tags([("1", "a")], None))
