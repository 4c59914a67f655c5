"""Numbers follow the locale: `0,073` and `12,5 %` on German pages, `0.073` and `12.5%`
on English ones (the `|number`, `|decimal` and `|percent` filters)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from crm.network import cache
from tests.network.helpers import share_members

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", f"0,073|1.234,500|12,5{NBSP}%|50{NBSP}%|1.234,5|"),
        ("en", "0.073|1,234.500|12.5%|50%|1,234.5|"),
    ],
)
def test_number_filters_follow_the_locale(app, language, expected):
    source = (
        "{{ 0.07349|decimal(3) }}|{{ 1234.5|decimal(3) }}|{{ 0.125|percent(1) }}|"
        "{{ 0.5|percent }}|{{ 1234.5|number }}|{{ none|percent }}"
    )
    with app.test_request_context(headers={"Accept-Language": language}):
        assert app.jinja_env.from_string(source).render() == expected


@pytest.mark.parametrize(
    ("language", "share", "rate"),
    [("de", f"(25{NBSP}%)", f"12,5{NBSP}%"), ("en", "(25%)", "12.5%")],
)
def test_assignment_figures_follow_the_locale(app, language, share, rate):
    source = (
        '{% from "events/assignment_macros.html" import legend, metric_value %}'
        "{{ legend(shares) }}|{{ metric_value(rate, 0.125) }}|{{ metric_value(number, 0.0734) }}"
    )
    shares = [SimpleNamespace(colour=0, label="Kommune", count=3, share=0.25)]
    context = {
        "shares": shares,
        "rate": SimpleNamespace(kind="rate"),
        "number": SimpleNamespace(kind="number"),
    }
    with app.test_request_context(headers={"Accept-Language": language}):
        html = app.jinja_env.from_string(source).render(**context)
    assert f"Kommune: 3 {share}" in html
    assert f"|{rate}|" in html
    assert html.endswith("0,073" if language == "de" else "0.073")


@pytest.mark.parametrize(
    ("language", "pattern"), [("de", r"\d,\d{3}</td>"), ("en", r"\d\.\d{3}</td>")]
)
def test_broker_scores_on_the_network_page_follow_the_locale(
    client, login_as, make, language, pattern
):
    cache.clear()  # a graph cached by an earlier test
    a = make.initiative(name="Zukunft Industrie Nord", laender=["03"])
    b = make.initiative(name="Bündnis Brückenland", laender=["03"])
    c = make.initiative(name="Chemieregion Mitte", laender=["15"])
    share_members(make, a, (b, 1), (c, 1))
    login_as("staff")
    client.post("/language", data={"language": language, "next": "/network/"})
    html = client.get("/network/").get_data(as_text=True)
    brokers = html.split('id="brokers-h"', 1)[1].split("</section>", 1)[0]
    assert re.search(pattern, brokers), brokers
    cache.clear()
