"""What base.html, the form macros and crm.web.fields give every page (issue #24): titles
that name the page and say "Fehler:" in an error state, an error summary that links to the
fields, `aria-invalid`/`aria-describedby` on fields with errors, "Pflichtfeld" in text, and
`autocomplete` on personal fields."""

from __future__ import annotations

import re

from flask import url_for

from tests.events.helpers import open_event


def title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "page without title"
    return match.group(1)


def test_error_pages_say_so_in_the_title(app, client, login_as):
    html = client.get("/gibt-es-nicht").get_data(as_text=True)
    assert title(html) == "Fehler: Seite nicht gefunden – Industrienetz"
    with app.test_request_context():
        accounts = url_for("admin.accounts")
    login_as("staff")
    response = client.get(accounts)
    assert response.status_code == 403
    assert title(response.get_data(as_text=True)) == "Fehler: Keine Berechtigung – Industrienetz"


def test_a_form_with_errors_has_a_summary_linking_to_its_fields(client, login_as):
    login_as("staff")
    ok = client.get("/initiatives/new").get_data(as_text=True)
    assert title(ok) == "Neue Initiative – Industrienetz"
    assert "data-error-summary" not in ok

    response = client.post("/initiatives/new", data={"name": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 422)
    assert title(html) == "Fehler: Neue Initiative – Industrienetz"
    summary = html.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert 'role="alert"' in html.split("data-error-summary", 1)[0].rsplit("<div", 1)[1]
    assert '<a href="#name">Name: Bitte einen Namen angeben.</a>' in summary
    field = re.search(r"<input[^>]*\bid=\"name\"[^>]*>", html)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="name-error"' in field.group(0)
    assert '<div class="invalid-feedback" id="name-error">Bitte einen Namen angeben.</div>' in html
    # summary and script: the summary takes the focus when the page loads
    assert "js/a11y.js" in html


def test_required_fields_say_so_in_text_and_personal_fields_autocomplete(client, make):
    event, _ws = open_event(make)
    html = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    # the hint follows the label, so the label itself holds only the field's name
    label = re.search(
        r'<label class="form-label" for="first_name">Vorname</label>\s*'
        r'<span class="required-hint"[^>]*>\(Pflichtfeld\)</span>',
        html,
    )
    assert label is not None
    for name, token in [
        ("first_name", "given-name"),
        ("last_name", "family-name"),
        ("email", "email"),
        ("organisation", "organization"),
    ]:
        field = re.search(rf"<input[^>]*\bid=\"{name}\"[^>]*>", html)
        assert field is not None, name
        assert f'autocomplete="{token}"' in field.group(0), field.group(0)
    # the honeypot keeps its own autocomplete="off"
    honeypot = re.search(r"<input[^>]*\bid=\"website\"[^>]*>", html)
    assert honeypot is not None and 'autocomplete="off"' in honeypot.group(0)


def test_delete_pages_name_the_record_in_the_title(client, login_as, make):
    login_as("staff")
    event, workshops = open_event(make, workshops=1)
    html = client.get(f"/events/{event.id}/workshops/{workshops[0].id}/delete").get_data(
        as_text=True
    )
    assert title(html) == f"Workshop löschen: Workshop A · {event.title} – Industrienetz"
