"""The report dashboard: access, figures against database counts, downloads, chart geometry."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.dashboard import charts
from crm.dashboard.queries import FIGURES
from crm.extensions import db
from crm.models import Bundesland
from crm.models import EventStatus
from crm.models import Initiative
from crm.models import InitiativeType
from crm.models import Membership
from crm.models import OrgType
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Theme
from tests.helpers import csv_rows

ROUTES = ["/dashboard/"] + [
    f"/dashboard/{slug}.{fmt}" for slug in FIGURES for fmt in ("csv", "xlsx")
]
PAST = dt.date(2020, 1, 1)


def build_network(make: Any) -> dict[str, Any]:
    """A small network whose every figure has a known answer (see the tests below)."""
    ihk = make.organisation(name="IHK Essen", type=OrgType.IHK)
    old_ihk = make.organisation(name="IHK Ehemals", type=OrgType.IHK)
    hwk = make.organisation(name="HWK Köln", type=OrgType.HWK)
    firm = make.organisation(name="Stahl GmbH")
    a = make.initiative(
        name="Zukunft durch Industrie e.V.",
        laender=["05", "09"],
        themes=["Wasserstoff", "Resilienz"],
        founded_year=2019,
    )
    b = make.initiative(
        name="IHK-Projekt Rheinland",
        type=InitiativeType.IHK_PROJEKT,
        laender=["05"],
        themes=["Wasserstoff"],
        founded_year=2019,
    )
    c = make.initiative(name="Industrie Niedersachsen", laender=["03"], founded_year=2021)
    d = make.initiative(name="Themennetz ohne Jahr", type=InitiativeType.THEMENNETZWERK)
    make.membership(ihk, a)
    make.membership(firm, a)
    make.membership(firm, b)
    make.membership(hwk, b)
    make.membership(old_ihk, b, since=dt.date(2015, 1, 1), until=PAST)  # ended: not counted
    make.membership(ihk, c, since=dt.date(2099, 1, 1))  # not yet begun: not counted

    meeting = make.event(
        title="Netzwerktreffen 2023", starts_at=dt.datetime(2023, 9, 5, 8, 0, tzinfo=dt.UTC)
    )
    statuses = [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.REGISTERED,
        RegistrationStatus.ATTENDED,
        RegistrationStatus.NO_SHOW,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CANCELLED,
    ]
    for status in statuses:
        make.registration(meeting, make.person(), status=status)
    empty = make.event(
        title="Netzwerktreffen 2027", starts_at=dt.datetime(2027, 3, 9, 8, 0, tzinfo=dt.UTC)
    )
    draft = make.event(title="Entwurf", status=EventStatus.ENTWURF)
    make.registration(draft, make.person())
    return {"initiatives": [a, b, c, d], "meeting": meeting, "empty": empty}


# The answers for `build_network`, figure by figure (label → values), zero rows left out.
EXPECTED = {
    "laender": {"Niedersachsen": (1,), "Nordrhein-Westfalen": (2,), "Bayern": (1,)},
    "typen": {"Verein": (2,), "IHK-Projekt": (1,), "Themennetzwerk": (1,)},
    "ihk": {"mit IHK-Beteiligung": (1,), "ohne IHK-Beteiligung": (3,)},
    "themen": {"Wasserstoff": (2,), "Resilienz": (1,)},
    "mitglieder": {"Unternehmen": (2,), "IHK": (1,), "HWK": (1,)},
    "veranstaltungen": {
        "Netzwerktreffen 2023 (05.09.2023)": (4, 1),
        "Netzwerktreffen 2027 (09.03.2027)": (0, 0),
    },
    "gruendungen": {"2019": (2,), "2020": (0,), "2021": (1,), "ohne Angabe": (1,)},
}


@pytest.fixture
def network(make):
    return build_network(make)


def database_counts(app) -> dict[str, dict[str, tuple[int, ...]]]:
    """The same figures counted in Python from loaded records (an independent check)."""
    with app.app_context():
        inis = db.session.scalars(
            select(Initiative).options(
                selectinload(Initiative.laender),
                selectinload(Initiative.themes),
                selectinload(Initiative.memberships).selectinload(Membership.organisation),
            )
        ).all()
        regs = db.session.scalars(
            select(Registration).options(selectinload(Registration.event))
        ).all()
        land_names = {b.ags: b.name for b in db.session.scalars(select(Bundesland))}
        theme_names = set(db.session.scalars(select(Theme.name)))
        active = [m for i in inis for m in i.memberships if m.is_active]
        laender = Counter(land_names[land.ags] for i in inis for land in i.laender)
        events: dict[str, list[int]] = {}
        for reg in regs:
            if reg.event.status is EventStatus.ENTWURF:
                continue
            key = f"{reg.event.title} ({reg.event.starts_at:%d.%m.%Y})"
            seat = events.setdefault(key, [0, 0])
            seat[0] += reg.status.value in ("registered", "attended", "no_show")
            seat[1] += reg.status is RegistrationStatus.ATTENDED
        with_ihk = sum(
            any(m.is_active and m.organisation.type is OrgType.IHK for m in i.memberships)
            for i in inis
        )
        years = Counter(str(i.founded_year) if i.founded_year else "ohne Angabe" for i in inis)
        assert theme_names  # the reference vocabulary is loaded
        return {
            "laender": {k: (v,) for k, v in laender.items()},
            "typen": {k: (v,) for k, v in Counter(_type_label(i.type) for i in inis).items()},
            "ihk": {
                "mit IHK-Beteiligung": (with_ihk,),
                "ohne IHK-Beteiligung": (len(inis) - with_ihk,),
            },
            "themen": {k: (v,) for k, v in Counter(t.name for i in inis for t in i.themes).items()},
            "mitglieder": {
                k: (v,) for k, v in Counter(_org_label(m.organisation.type) for m in active).items()
            },
            "veranstaltungen": {k: tuple(v) for k, v in events.items()},
            "gruendungen": {k: (v,) for k, v in years.items()},
        }


def _type_label(value: InitiativeType) -> str:
    return {"verein": "Verein", "ihk_projekt": "IHK-Projekt", "themennetzwerk": "Themennetzwerk"}[
        value.value
    ]


def _org_label(value: OrgType) -> str:
    return {"unternehmen": "Unternehmen", "ihk": "IHK", "hwk": "HWK"}[value.value]


def nonzero(rows: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    return {k: v for k, v in rows.items() if any(v)}


def page_tables(html: str) -> dict[str, dict[str, tuple[int, ...]]]:
    """The numbers of every figure's table on the page: slug → {row label: values}."""
    tables = {}
    for slug, body in re.findall(
        r'<table class="[^"]*" data-table="([a-z]+)">.*?<tbody>(.*?)</tbody>', html, re.S
    ):
        rows = {}
        for label, cells in re.findall(r'<th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', body, re.S):
            values = tuple(int(v) for v in re.findall(r'data-value="(\d+)"', cells))
            rows[label.strip()] = values
        tables[slug] = rows
    return tables


# -- access


@pytest.mark.parametrize("path", ROUTES)
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ROUTES)
def test_editor_is_forbidden(client, login_as, make, path):
    login_as("editor", initiative=make.initiative())
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admin_see_the_dashboard_and_the_nav_link(client, login_as, role):
    login_as(role)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "Auswertungen für Berichte" in html
    assert 'href="/dashboard/"' in html  # the nav link
    for slug in FIGURES:
        assert f'data-figure="{slug}"' in html
        assert f'href="/dashboard/{slug}.csv"' in html
        assert f'href="/dashboard/{slug}.xlsx"' in html


def test_editor_has_no_nav_link(client, login_as, make):
    login_as("editor", initiative=make.initiative())
    response = client.get("/unsere-initiative/")
    assert response.status_code == 200
    assert "Unsere Initiative" in response.get_data(as_text=True)
    assert 'href="/dashboard/"' not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/dashboard/unbekannt.csv", "/dashboard/laender.pdf", "/dashboard/laender", "/dashboard/.csv"],
)
def test_unknown_figure_or_format_is_404(client, login_as, path):
    login_as("staff")
    assert client.get(path).status_code == 404


# -- numbers


def test_empty_database_renders(client, login_as):
    login_as("staff")
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Noch keine Daten." in html
    tables = page_tables(html)
    assert len(tables["laender"]) == 16 and not any(any(v) for v in tables["laender"].values())


def test_page_numbers_match_database_counts(app, client, login_as, network):
    login_as("staff")
    html = client.get("/dashboard/").get_data(as_text=True)
    tables = page_tables(html)
    counted = database_counts(app)
    assert set(tables) == set(FIGURES)
    for slug, expected in EXPECTED.items():
        assert nonzero(tables[slug]) == nonzero(expected), slug
        assert nonzero(tables[slug]) == nonzero(counted[slug]), slug
    assert len(tables["laender"]) == 16  # every Land, zeros included
    assert "Hamburg" in tables["laender"] and tables["laender"]["Hamburg"] == (0,)
    assert list(tables["gruendungen"]) == ["2019", "2020", "2021", "ohne Angabe"]
    assert 'data-share="ihk">Anteil mit IHK-Beteiligung: 25,0\u00a0%' in html
    assert "Entwurf" not in tables["veranstaltungen"]


def test_charts_draw_one_bar_per_value(client, login_as, network):
    login_as("staff")
    html = client.get("/dashboard/").get_data(as_text=True)
    for slug, expected in EXPECTED.items():
        svg = re.search(rf'<svg class="bar-chart"[^>]*data-chart="{slug}">(.*?)</svg>', html, re.S)
        assert svg, slug
        bars = [
            int(v)
            for v in re.findall(
                r'<rect class="chart-bar series-\d"[^>]*data-value="(\d+)"', svg.group(1)
            )
        ]
        charted = [v for k, values in expected.items() if k != "ohne Angabe" for v in values]
        assert sorted(b for b in bars if b) == sorted(v for v in charted if v), slug
    assert ' style="' not in html  # strict CSP: no inline styles


def test_series_are_told_apart_by_a_pattern_not_by_colour_alone(client, login_as, network):
    """WCAG 1.4.1: a chart with several series draws a pattern over every bar of the second
    and later series, and its legend shows the same pattern; the patterns are defined."""
    login_as("staff")
    html = client.get("/dashboard/").get_data(as_text=True)
    for pattern in ("chart-pattern-1", "chart-pattern-2"):
        assert f'<pattern id="{pattern}"' in html
    several = 0
    for svg in re.findall(r'<svg class="bar-chart".*?</svg>', html, re.S):
        second = len(re.findall(r'class="chart-bar series-[1-9]"', svg))
        patterned = len(re.findall(r'class="chart-pattern" fill="url\(#chart-pattern-\d\)"', svg))
        assert patterned == second
        several += bool(second)
    assert several, "no chart with several series to check"
    legend = re.search(r'<ul class="chart-legend.*?</ul>', html, re.S)
    assert legend and 'fill="url(#chart-pattern-1)"' in legend.group(0)


def test_numbers_are_formatted_for_german_readers(app):
    from crm.dashboard.views import _number
    from crm.dashboard.views import _percent

    with app.test_request_context("/dashboard/", headers={"Accept-Language": "de"}):
        assert _number(2512) == "2.512"
        assert _percent(66.7) == "66,7\u00a0%"  # Babel's German pattern: a no-break space
        assert _percent(None) == ""
    with app.test_request_context("/dashboard/", headers={"Accept-Language": "en"}):
        assert _percent(66.7) == "66.7%"


@pytest.mark.parametrize("slug", list(EXPECTED))
def test_csv_download_matches(client, login_as, network, slug):
    login_as("staff")
    response = client.get(f"/dashboard/{slug}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f'filename="auswertung-{slug}.csv"' in response.headers["Content-Disposition"]
    rows = csv_rows(response.data)
    got = {r[0]: r[1:] for r in rows[1:]}
    width = len(next(iter(EXPECTED[slug].values())))
    numbers = {k: tuple(int(x) for x in v[:width]) for k, v in got.items()}
    assert nonzero(numbers) == nonzero(EXPECTED[slug])
    for label, values in EXPECTED[slug].items():
        assert numbers[label] == values, (slug, label)


def test_csv_shares_use_a_decimal_comma(client, login_as, network):
    login_as("staff")
    rows = csv_rows(client.get("/dashboard/ihk.csv").data)
    assert rows == [
        ["Beteiligung", "Initiativen", "Anteil in %"],
        ["mit IHK-Beteiligung", "1", "25,0"],
        ["ohne IHK-Beteiligung", "3", "75,0"],
    ]


@pytest.mark.parametrize("slug", list(EXPECTED))
def test_xlsx_download_matches(client, login_as, network, slug):
    login_as("staff")
    response = client.get(f"/dashboard/{slug}.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    width = len(next(iter(EXPECTED[slug].values())))
    got = {r[0]: tuple(r[1 : 1 + width]) for r in rows[1:]}
    assert all(isinstance(v, int) for values in got.values() for v in values)
    assert nonzero(got) == nonzero(EXPECTED[slug])


def test_one_aggregate_query_per_figure_whatever_the_data(app, client, login_as, make):
    """The page's own SQL: one statement per figure on the first view after a save, the
    same with and without data; none on the next views (the figures are kept)."""
    from tests.helpers import recorded

    login_as("staff")

    def own_statements() -> tuple[int, int]:
        client.get("/account/password")  # warm-up
        with recorded(app) as baseline:
            client.get("/account/password")
        with recorded(app) as first:
            assert client.get("/dashboard/").status_code == 200
        with recorded(app) as again:
            assert client.get("/dashboard/").status_code == 200
        return len(first) - len(baseline), len(again) - len(baseline)

    empty = own_statements()
    build_network(make)
    build_network(make)
    assert own_statements() == empty == (len(FIGURES), 0)


def test_english_interface_renders(client, login_as, network):
    login_as("staff")
    client.post("/language", data={"language": "en", "next": "/dashboard/"})
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert 'lang="en"' in response.get_data(as_text=True)
    assert client.get("/dashboard/typen.csv").status_code == 200


# -- charts.py (pure)


def test_nice_maximum():
    assert charts.nice_maximum(0) == 1
    assert charts.nice_maximum(1) == 1
    assert charts.nice_maximum(3) == 3
    assert charts.nice_maximum(7) == 10
    assert charts.nice_maximum(19) == 20
    assert charts.nice_maximum(21) == 25
    assert charts.nice_maximum(2512) == 3000
    assert charts.nice_maximum(0.3) == pytest.approx(0.3)
    assert charts.nice_maximum(41) == 50


def test_tick_values():
    assert charts.tick_values(1) == [0, 1]
    assert charts.tick_values(5) == [0, 1, 2, 3, 4, 5]
    assert charts.tick_values(25) == [0, 5, 10, 15, 20, 25]
    assert charts.tick_values(5000) == [0, 1000, 2000, 3000, 4000, 5000]


def test_bar_chart_geometry():
    chart = charts.bar_chart([("Bayern", (10,)), ("Berlin", (5,)), ("Bremen", (0,))], ["n"])
    assert chart.maximum == 10
    assert len(chart.rows) == 3
    full, half, empty = (row.bars[0] for row in chart.rows)
    span = chart.plot_right - chart.plot_left
    assert full.x == half.x == chart.plot_left
    assert full.width == pytest.approx(span)
    assert half.width == pytest.approx(span / 2)
    assert empty.width == 0
    assert full.y < half.y < empty.y
    assert half.y - full.y == charts.BAR_HEIGHT + charts.ROW_GAP
    assert chart.rows[0].text_x < chart.plot_left  # labels left of the bars
    assert full.text_x > full.x + full.width  # value right of its bar
    assert chart.height == pytest.approx(empty.y + empty.height + charts.BOTTOM)
    assert chart.view_box == f"0 0 720 {charts.coord(chart.height)}"
    assert [t.text for t in chart.ticks] == ["0", "2", "4", "6", "8", "10"]
    assert chart.ticks[-1].x == pytest.approx(chart.plot_right)


def test_grouped_bars_and_series_classes():
    chart = charts.bar_chart([("Treffen", (160, 141))], ["Anmeldungen", "Teilnahmen"])
    first, second = chart.rows[0].bars
    assert (first.series, second.series) == (0, 1)
    assert second.y == first.y + charts.BAR_HEIGHT + charts.BAR_GAP
    assert chart.maximum == 200
    assert chart.series == ("Anmeldungen", "Teilnahmen")


def test_german_formatting_and_long_labels():
    chart = charts.bar_chart([("x" * 100, (2512,)), ("kurz", (1.5,))], ["n"])
    assert chart.rows[0].bars[0].text == "2.512"
    assert chart.rows[1].bars[0].text == "1,5"
    assert chart.rows[0].text.endswith("…") and len(chart.rows[0].text) < 100
    assert chart.rows[0].label == "x" * 100
    assert chart.plot_left == charts.MAX_LABEL_WIDTH + charts.LABEL_PAD
    assert charts.plain(1234567) == "1.234.567"


def test_custom_formatter_and_empty_chart():
    chart = charts.bar_chart([], ["n"], fmt=lambda v: f"<{v:g}>")
    assert chart.rows == () and chart.maximum == 1
    assert [t.text for t in chart.ticks] == ["<0>", "<1>"]
    negative = charts.bar_chart([("a", (-3,))], ["n"])
    assert negative.rows[0].bars[0].width == 0


def test_coord():
    assert charts.coord(12.0) == "12"
    assert charts.coord(12.345) == "12.35"
    assert charts.coord(-0.001) == "0"
