"""One date format per language: `16.03.2027` / `10:00` in German, `16 Mar 2027` / `10:00` in
English, everywhere — the helpers, the template filters, the main pages, the mails and the
exports. Never a two-digit year, an AM/PM time or an ISO date in visible text."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm.db.audit import set_actor
from crm.db.engine import writing
from crm.extensions import db
from crm.formats.tables import csv_bytes
from crm.formats.tables import xlsx_bytes
from crm.models import Initiative
from crm.models import OutboxMail
from crm.models import User
from crm.web.i18n import day_key
from crm.web.i18n import format_clock
from crm.web.i18n import format_day
from crm.web.i18n import format_moment
from tests.events.helpers import form_data

START = dt.datetime(2027, 3, 16, 9, 0, tzinfo=dt.UTC)  # 10:00 in Berlin (CET)

GERMAN_DAY = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
ENGLISH_DAY = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}")
TWO_DIGIT_YEAR = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{2}(?![\d.])")
AM_PM = re.compile(r"\b\d{1,2}:\d{2}\s?(AM|PM|am|pm)\b")
GERMAN_MONTH_NAME = re.compile(
    r"\b\d{1,2}\.? (März|Mai|Okt|Dez|Jan\.|Feb\.|Apr\.|Aug\.|Sept\.|Nov\.)(?!\w)"
)  # a whole month name: "38 Mail" (a token's end, then "Mail text") is no date


# --- the helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [("de", "16.03.2027", "16.03.2027 10:00"), ("en", "16 Mar 2027", "16 Mar 2027, 10:00")],
)
def test_helpers_have_one_pattern_per_language(language, day, moment):
    assert format_day(START, language) == day
    assert format_day(START.date(), language) == day
    assert format_clock(START, language) == "10:00"
    assert format_moment(START, language) == moment
    assert format_moment(START.date(), language) == day  # a plain date stays a day
    assert format_day(None, language) == format_moment(None, language) == ""


def test_helpers_show_berlin_wall_clock_time_and_24_hours():
    late = dt.datetime(2027, 7, 1, 22, 30, tzinfo=dt.UTC)  # summer time: 00:30 next day
    assert format_moment(late, "en") == "2 Jul 2027, 00:30"
    assert format_day(late, "de") == "02.07.2027"
    assert day_key(late) == "2027-07-02"
    afternoon = dt.datetime(2027, 1, 5, 14, 5, tzinfo=dt.UTC)
    assert format_clock(afternoon, "en") == "15:05"
    assert format_day(dt.date(2027, 1, 5), "de") == "05.01.2027"
    assert format_day(dt.date(2027, 1, 5), "fr") == "05.01.2027"  # unknown language: German


def test_helpers_follow_the_request_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_moment(START) == "16 Mar 2027, 10:00"
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert format_moment(START) == "16.03.2027 10:00"
    with app.app_context():  # command line: German
        assert format_day(START) == "16.03.2027"


def test_template_filters_use_the_helpers(app):
    source = (
        "{{ d|date }}|{{ t|datetime }}|{{ t|clock }}|{{ t|day }}|"
        "{{ t|datetimeformat }}|{{ d|dateformat('short') }}"
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        out = app.jinja_env.from_string(source).render(d=START.date(), t=START)
    assert out == ("16 Mar 2027|16 Mar 2027, 10:00|10:00|2027-03-16|16 Mar 2027, 10:00|16 Mar 2027")


def test_csv_export_dates_are_german_text():
    raw = csv_bytes(["a", "b"], [[START, START.date()]]).decode("utf-8-sig")
    assert "16.03.2027 10:00;16.03.2027" in raw


def test_xlsx_date_cells_are_real_dates_shown_german():
    book = load_workbook(io.BytesIO(xlsx_bytes(["a", "b"], [[START, START.date()]])))
    moment, day = book.active[2]
    assert moment.value == dt.datetime(2027, 3, 16, 10, 0) and moment.is_date
    assert moment.number_format == "DD.MM.YYYY HH:MM"
    assert day.number_format == "DD.MM.YYYY"


# --- the pages ------------------------------------------------------------------------


HIDDEN = ("script", "style", "template", "pre")


class _VisibleText(HTMLParser):
    """The text a reader sees in the page's language: no markup, attributes, scripts or
    styles, and no quoted mail texts (`<pre>`: in their recipient's language, checked apart)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def assert_one_format(text: str, language: str, where: str) -> None:
    for pattern in (ISO_DAY, TWO_DIGIT_YEAR, AM_PM):
        found = pattern.search(text)
        assert found is None, (where, language, found.group(0) if found else "")
    other = ENGLISH_DAY if language == "de" else GERMAN_DAY
    found = other.search(text) or (GERMAN_MONTH_NAME.search(text) if language == "en" else None)
    assert found is None, (where, language, found.group(0) if found else "")


@pytest.fixture
def dated_records(app, make):
    """An event with registrations, an initiative with a member, an editor's change
    (history, review feed) and a mailed confirmation in each language."""
    now = dt.datetime.now(dt.UTC)
    event = make.event(
        title="Netzwerktreffen Datumstest",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=6),
        capacity=20,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=dt.datetime(2027, 3, 1, 11, 0, tzinfo=dt.UTC),
    )
    workshops = [
        make.workshop(event, title=f"Werkstatt {c}", position=i) for i, c in enumerate("ABC")
    ]
    ini = make.initiative(
        name="Zukunft durch Industrie", member_count=12, member_count_date=dt.date(2027, 1, 5)
    )
    org = make.organisation(name="Datumswerk GmbH")
    make.membership(org, ini, since=dt.date(2025, 4, 1))
    person = make.person()
    make.affiliation(person, org, since=dt.date(2024, 2, 29))
    editor = make.user(role="editor", initiative_id=ini.id)
    with app.app_context(), writing():
        set_actor(db.session, db.session.get(User, editor.id))
        db.session.get_one(Initiative, ini.id).founded_year = 2019
        db.session.commit()
    for language, email in (("de", "erika.de@example.org"), ("en", "erika.en@example.org")):
        public = app.test_client()
        public.post("/language", data={"language": language})
        response = public.post(
            f"/events/{event.id}/register", data=form_data(workshops, email=email)
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return {"event": event, "initiative": ini, "org": org, "person": person}


@pytest.mark.parametrize("language", ["de", "en"])
def test_pages_show_dates_in_the_languages_format(
    app, client, login_as, make, dated_records, language
):
    records = dated_records
    me = login_as("admin")
    client.post("/language", data={"language": language})
    event, ini = records["event"], records["initiative"]
    make.interaction(
        initiative_id=ini.id,
        occurred_at=dt.datetime(2026, 11, 3, 13, 30, tzinfo=dt.UTC),
        follow_up_due=dt.date(2027, 3, 16),
        follow_up_owner_id=me.id,
        author_id=me.id,
    )
    day = "16.03.2027" if language == "de" else "16 Mar 2027"
    moment = "16.03.2027 10:00" if language == "de" else "16 Mar 2027, 10:00"
    expected = {
        "/events/": [day],
        f"/events/{event.id}": [moment, "16:00"],
        f"/events/{event.id}/registrations": [],
        f"/history/initiative/{ini.id}": [],
        "/history/changes-by-initiatives": [],
        "/follow-ups": [day],
        f"/initiatives/{ini.id}": ["05.01.2027" if language == "de" else "5 Jan 2027"],
        f"/organisations/{records['org'].id}": ["01.04.2025" if language == "de" else "1 Apr 2025"],
        f"/persons/{records['person'].id}": ["29.02.2024" if language == "de" else "29 Feb 2024"],
        "/outbox": [],
        f"/events/{event.id}/register": [moment],
        "/verzeichnis/veranstaltungen": [moment],
        "/dashboard/": [day],
    }
    pattern = GERMAN_DAY if language == "de" else ENGLISH_DAY
    for path, needles in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.get_data(as_text=True))
        assert pattern.search(text), (path, "no date shown")
        for needle in needles:
            assert needle in text, (path, needle)
        assert_one_format(text, language, path)


@pytest.mark.parametrize(
    ("language", "email", "moment"),
    [
        ("de", "erika.de@example.org", "16.03.2027 10:00 – 16:00"),
        ("en", "erika.en@example.org", "16 Mar 2027, 10:00 – 16:00"),
    ],
)
def test_mails_show_dates_in_the_registrants_language(app, dated_records, language, email, moment):
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMail.body).where(OutboxMail.to_address == email)
        ).first()
    assert body is not None and moment in body
    assert_one_format(body, language, "mail")


def test_chart_labels_keep_an_events_date_whole():
    from crm.dashboard.charts import shorten

    label = "Netzwerktreffen der Industrieinitiativen (16.03.2027)"
    short = shorten(label, 37)
    assert short.endswith("… (16.03.2027)") and len(short) == 37
    assert shorten("x" * 100, 37) == "x" * 36 + "…"
    assert shorten("kurz (16.03.2027)", 37) == "kurz (16.03.2027)"
