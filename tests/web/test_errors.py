"""Error pages and ids in paths: no input answers 500; a real 500 can be found in the log."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from werkzeug.routing import ValidationError

from crm.web.converters import ID_MAX
from crm.web.converters import IdConverter
from crm.web.errors import REQUEST_ID_HEADER

ODD_IDS = ["9223372036854775808", "99999999999999999999", str(ID_MAX + 1), "0", "9" * 5000]


def _int_rules(app: Flask) -> list[tuple[str, str, list[str]]]:
    """(endpoint, method, int argument names) of every rule with an integer in its path."""
    found = []
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IdConverter)]
        if ints:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, ints))
    return found


def _path(app: Flask, endpoint: str, ints: list[str], odd: str, which: str) -> str:
    """The rule's path with `odd` for the argument `which` and 1 for the others."""
    rule = next(r for r in app.url_map.iter_rules(endpoint))
    args = {name: 1 for name in rule.arguments}
    path = rule.build(args, append_unknown=False)[1]  # type: ignore[index]
    # Build with a marker, then put the odd text in (building would reject it).
    marker = 7_654_321
    marked = rule.build(args | {which: marker}, append_unknown=False)[1]  # type: ignore[index]
    assert path
    return marked.replace(str(marker), odd)


def test_every_int_in_the_url_map_is_the_bounded_converter(app):
    assert app.url_map.converters["int"] is IdConverter
    rules = _int_rules(app)
    assert len(rules) > 30
    for rule in app.url_map.iter_rules():
        for conv in rule._converters.values():
            assert type(conv).__name__ != "IntegerConverter" or isinstance(conv, IdConverter)


def test_id_converter_bounds(app):
    conv = IdConverter(app.url_map)
    assert conv.to_python("1") == 1
    assert conv.to_python(str(ID_MAX)) == ID_MAX
    for odd in ODD_IDS:
        with pytest.raises(ValidationError):
            conv.to_python(odd)


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_out_of_range_ids_are_404_on_every_route(app, client, login_as, role):
    login_as(role)
    checked = 0
    for endpoint, method, ints in _int_rules(app):
        for which in ints:
            for odd in ODD_IDS:
                path = _path(app, endpoint, ints, odd, which)
                response = client.open(path, method=method)
                assert response.status_code == 404, (method, path[:80], response.status_code)
                checked += 1
    assert checked > 100


def test_huge_ids_from_the_issue_are_404(app, client, login_as, make):
    login_as("admin")
    event = make.event()
    huge = "9223372036854775808"
    for path in (
        f"/organisations/{huge}",
        f"/persons/{huge}",
        f"/events/{huge}/register",
        f"/history/person/{huge}",
        f"/events/{event.id}/workshops/{huge}/edit",
    ):
        assert client.get(path).status_code == 404, path


def test_every_response_carries_a_request_id(client):
    response = client.get("/login")
    rid = response.headers[REQUEST_ID_HEADER]
    assert re.fullmatch(r"[0-9a-f]{16}", rid)
    assert client.get("/login").headers[REQUEST_ID_HEADER] != rid


def test_a_sane_incoming_request_id_is_kept_an_odd_one_replaced(client):
    sane = "proxy-4711.abc_DEF"
    assert client.get("/login", headers={REQUEST_ID_HEADER: sane}).headers[REQUEST_ID_HEADER] == (
        sane
    )
    for odd in [
        "short",
        "x" * 65,
        "evil;Set-Cookie: a=b",
        "<script>alert(1)</script>",
        "-abcdefgh",
    ]:
        got = client.get("/login", headers={REQUEST_ID_HEADER: odd}).headers[REQUEST_ID_HEADER]
        assert got != odd
        assert re.fullmatch(r"[0-9a-f]{16}", got)


@pytest.fixture
def failing_app(make_app):
    """An app of its own with one test-only route that raises."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def boom() -> str:
        raise RuntimeError("Absichtlicher Testfehler")

    boom.is_public = True  # type: ignore[attr-defined]
    app.add_url_rule("/_test/boom", "test_boom", boom)
    return app


def test_a_server_error_shows_and_logs_its_request_id(failing_app, caplog):
    client = failing_app.test_client()
    with caplog.at_level(logging.ERROR, logger=failing_app.logger.name):
        response = client.get("/_test/boom")
    assert response.status_code == 500
    rid = response.headers[REQUEST_ID_HEADER]
    html = response.get_data(as_text=True)
    assert "Fehlernummer" in html
    assert f"<code data-request-id>{rid}</code>" in html
    assert "Absichtlicher Testfehler" not in html  # no trace for the user
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == rid]
    assert logged, "the traceback is logged under the request id"
    assert any(r.exc_info and "Absichtlicher Testfehler" in str(r.exc_info[1]) for r in logged)
    assert any(rid in r.getMessage() for r in logged)


def test_a_server_error_keeps_a_sane_incoming_id(failing_app, caplog):
    client = failing_app.test_client()
    with caplog.at_level(logging.ERROR, logger=failing_app.logger.name):
        response = client.get("/_test/boom", headers={REQUEST_ID_HEADER: "lb-20261206-0001"})
    assert response.status_code == 500
    assert response.headers[REQUEST_ID_HEADER] == "lb-20261206-0001"
    assert "lb-20261206-0001" in response.get_data(as_text=True)
    assert any("lb-20261206-0001" in r.getMessage() for r in caplog.records)


def test_other_error_pages_show_no_error_number(client):
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert "Fehlernummer" not in response.get_data(as_text=True)
    assert REQUEST_ID_HEADER in response.headers
