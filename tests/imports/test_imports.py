"""Imports: real files of every quirk offices produce, the dry run, idempotent updates,
undo, error rows, and the command line's JSON and exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from crm.db.engine import writing
from crm.extensions import db
from crm.formats import readers
from crm.imports import mapping as m
from crm.imports.matching import fold_name
from crm.imports.matching import name_score
from crm.imports.matching import website_domain
from crm.imports.services import ImportRefused
from crm.imports.services import prepare
from crm.imports.services import run_import
from crm.imports.undo import undo
from crm.imports.values import BadValue
from crm.imports.values import parse_bool
from crm.imports.values import parse_date
from crm.models import Affiliation
from crm.models import AuditEntry
from crm.models import ImportBatch
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from tests.helpers import count_rows


def _import(app, kind, path, **kw):
    dry_run = kw.pop("dry_run", False)
    with app.app_context():
        spec = prepare(kind, path, path.name, **kw)
        return spec, run_import(spec, dry_run=dry_run)


ORG_ROWS = [
    ["Firma", "Straße", "PLZ", "Ort", "Webseite"],
    ["Müller-Lüdenscheidt GmbH & Co. KG", "Hauptstr. 1", "50667", "Köln", "www.mueller.example"],
    ["Stahlwerk Nord AG", "Hafen 2", "47051", "", ""],
]


def _write_csv(path: Path, rows, *, encoding="utf-8", delimiter=";", bom=False) -> Path:
    lines = []
    for row in rows:
        cells = []
        for c in row:
            c = str(c)
            if any(ch in c for ch in (delimiter, '"', "\n")):
                c = '"' + c.replace('"', '""') + '"'
            cells.append(c)
        lines.append(delimiter.join(cells))
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


# -- pure helpers ----------------------------------------------------------------------


def test_names_fold_case_blanks_punctuation_and_umlaut_spellings():
    assert fold_name("Müller-Lüdenscheidt GmbH & Co. KG") == "mueller luedenscheidt gmbh co kg"
    assert fold_name("  MUELLER luedenscheidt  gmbh co. kg") == fold_name(
        "Müller-Lüdenscheidt GmbH & Co KG"
    )
    assert fold_name("Straße") == fold_name("Strasse")
    assert name_score("Stahlwerk Nord AG", "Stahlwerk Nord") > 80
    assert website_domain("https://www.Example.org/path") == "example.org"


def test_headers_map_by_synonym_in_german_and_english():
    headers = ["PLZ", "Postleitzahl", "Stadt", "E-Mail", "Tel.", "Strasse", "Firma", "Homepage"]
    assert m.field_for("organisations", "Postleitzahl") == "plz"
    assert m.field_for("organisations", " zip ") == "plz"
    assert m.field_for("organisations", "STRASSE") == "street"
    assert m.field_for("persons", "e mail") == "email"
    assert m.field_for("persons", "Tel.") == "phone"
    assert m.field_for("persons", "Position") == "function"
    assert m.field_for("persons", "Unternehmen") == "organisation"
    mapping = m.auto_mapping("organisations", headers)
    assert mapping[0] == "plz" and 1 not in mapping  # a field is taken by one column only
    assert mapping[2] == "place" and mapping[5] == "street" and mapping[6] == "name"


def test_dates_and_yes_no():
    assert parse_date("31.12.2024") == dt.date(2024, 12, 31)
    assert parse_date("1.2.24") == dt.date(2024, 2, 1)
    assert parse_date("2024-03-05") == dt.date(2024, 3, 5)
    assert parse_date("45292") == dt.date(2024, 1, 1)  # an Excel serial number
    assert parse_date(dt.datetime(2023, 5, 1)) == dt.date(2023, 5, 1)
    with pytest.raises(BadValue):
        parse_date("31.02.2024")
    assert [parse_bool(v) for v in ("ja", "x", "1", "TRUE", "nein", "0", "")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        None,
    ]


# -- file quirks -------------------------------------------------------------------------


def test_cp1252_semicolon_file_is_read_and_imported(app, tmp_path):
    path = _write_csv(tmp_path / "orgs.csv", ORG_ROWS, encoding="cp1252")
    with app.app_context():
        settings = readers.detect(path, path.name, m.header_score("organisations"))
    assert (settings.encoding, settings.delimiter, settings.header_row) == ("cp1252", ";", 1)
    _spec, outcome = _import(app, "organisations", path)
    assert (outcome.created, outcome.error_count) == (2, 0)
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.plz == "50667"))
        assert org.name == "Müller-Lüdenscheidt GmbH & Co. KG"
        assert org.kreis_ags == "05315" and org.land_ags == "05"  # PLZ → Kreis, Land
        assert org.website == "https://www.mueller.example"
        assert org.type is OrgType.SONSTIGE
        nord = db.session.scalar(select(Organisation).where(Organisation.plz == "47051"))
        assert nord.place == "Duisburg"  # the place from the PLZ when the cell is empty


def test_bom_tab_multiline_cells_title_rows_and_trailing_columns(app, tmp_path):
    rows = [
        ["Mitgliederliste 2024", "", ""],
        ["", "", ""],
        ["Vorname", "Nachname", "E-Mail ", "Notizen", "", ""],
        ["  Jörg ", "Weiß", "JOERG.WEISS@Example.ORG", "erste Zeile\nzweite; Zeile", "", ""],
        ["Anna", "Ähm", "anna@example.org", "", "", ""],
    ]
    path = _write_csv(tmp_path / "p.csv", rows, delimiter="\t", bom=True)
    with app.app_context():
        settings = readers.detect(path, path.name, m.header_score("persons"))
    assert (settings.encoding, settings.delimiter, settings.header_row) == ("utf-8-sig", "\t", 3)
    _spec, outcome = _import(app, "persons", path)
    assert outcome.created == 2 and not outcome.errors
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.last_name == "Weiß"))
        assert person.first_name == "Jörg"
        assert person.email == "joerg.weiss@example.org"
        assert person.notes == "erste Zeile\nzweite; Zeile"


def test_comma_file_with_row_numbers_of_errors_after_a_multiline_cell(app, tmp_path, runner):
    rows = [
        ["Name", "PLZ", "Notiz"],
        ["Gut AG", "50667", "a\nb\nc"],
        ["", "50667", "kein Name"],
        ["Falsche PLZ GmbH", "5O667", ""],
    ]
    path = _write_csv(tmp_path / "orgs.csv", rows, delimiter=",")
    result = runner.invoke(args=["import", "organisations", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["created"] == 1 and data["updated"] == 0 and data["unchanged"] == 0
    assert data["batch"] is not None
    # one row per record as a spreadsheet shows it (the header is row 1)
    assert data["errors"] == [
        {"row": 3, "column": "Name", "message": "Der Name fehlt."},
        {"row": 4, "column": "PLZ", "message": "„5O667“ ist keine Postleitzahl (fünf Ziffern)."},
    ]
    assert count_rows(app, Organisation) == 1


def test_xlsx_with_excel_dates_and_memberships(app, tmp_path, make):
    ini = make.initiative(name="Zukunft durch Industrie e.V.", short_name="ZdI")
    make.organisation(name="Stadtwerke Süd GmbH")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Initiative", "Mitglied", "Rolle", "Mitglied seit"])
    sheet.append(["ZdI", "Stadtwerke Sued GmbH", "Gründungsmitglied", 45292])
    sheet.append(
        ["Zukunft durch Industrie e. V.", "Neue Firma KG", "Partner", dt.datetime(2022, 3, 1)]
    )
    sheet.append(["Unbekannt", "X", "", ""])
    path = tmp_path / "mitglieder.xlsx"
    book.save(path)
    _spec, outcome = _import(app, "memberships", path)
    assert outcome.created == 2
    assert outcome.errors == [
        {"row": 4, "column": "Initiative", "message": "Initiative „Unbekannt“ gibt es nicht."}
    ]
    with app.app_context():
        members = {
            ms.organisation_id: ms
            for ms in db.session.scalars(
                select(Membership).where(Membership.initiative_id == ini.id)
            )
        }
        assert sorted(ms.since for ms in members.values()) == [
            dt.date(2022, 3, 1),
            dt.date(2024, 1, 1),
        ]
        assert {ms.role for ms in members.values()} == {
            MembershipRole.GRUENDUNGSMITGLIED,
            MembershipRole.PARTNER,
        }
        assert count_rows(app, Organisation) == 2  # "Neue Firma KG" created, Süd matched


# -- dry run, idempotence, repeated rows, modes -------------------------------------------


def test_dry_run_writes_nothing(app, tmp_path):
    path = _write_csv(tmp_path / "orgs.csv", ORG_ROWS)
    _spec, outcome = _import(app, "organisations", path, dry_run=True)
    assert outcome.created == 2 and outcome.batch_id is None
    assert count_rows(app, Organisation) == 0
    assert count_rows(app, AuditEntry) == 0
    assert count_rows(app, ImportBatch) == 0


def test_the_same_file_twice_creates_and_updates_nothing_the_second_time(app, tmp_path):
    rows = [
        ["Vorname", "Nachname", "E-Mail", "Firma", "Funktion", "Telefon"],
        ["Erika", "Muster", "erika@example.org", "Neue Werke GmbH", "Leitung", "+49 221 123"],
        ["Max", "Mustermann", "", "Neue Werke GmbH", "", ""],
        ["Max", "Mustermann", "", "Neue Werke GmbH", "", ""],  # repeated: one record
    ]
    path = _write_csv(tmp_path / "p.csv", rows)
    _spec, first = _import(app, "persons", path)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 1)
    _spec, second = _import(app, "persons", path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert count_rows(app, Person) == 2 and count_rows(app, Organisation) == 1
    assert count_rows(app, Affiliation) == 2
    with app.app_context():
        erika = db.session.scalar(select(Person).where(Person.email == "erika@example.org"))
        affiliation = db.session.scalar(
            select(Affiliation).where(Affiliation.person_id == erika.id)
        )
        assert affiliation.function == "Leitung"


def test_update_shows_changed_fields_and_modes(app, tmp_path, make):
    make.organisation(name="Stahlwerk Nord AG", plz="47051", street="Alt 1")
    path = _write_csv(tmp_path / "o.csv", ORG_ROWS)
    _spec, created_only = _import(app, "organisations", path, mode="create", dry_run=True)
    assert (created_only.created, created_only.updated, created_only.skipped) == (1, 0, 1)
    _spec, update_only = _import(app, "organisations", path, mode="update", dry_run=True)
    assert (update_only.created, update_only.updated, update_only.skipped) == (0, 1, 1)
    row = next(r for r in update_only.rows if r.status == "update")
    assert row.changes["Straße"] == ("Alt 1", "Hafen 2")


def test_similar_name_is_shown_for_a_decision_never_merged(app, tmp_path, make):
    existing = make.organisation(name="Stahlwerk Nordhafen AG", plz="47051")
    rows = [["Name", "PLZ"], ["Stahlwerk Nordhafen", "47051"]]
    path = _write_csv(tmp_path / "o.csv", rows)
    spec, outcome = _import(app, "organisations", path)
    assert (outcome.created, outcome.updated, outcome.review) == (0, 0, 1)
    assert outcome.rows[0].candidate_id == existing.id
    assert count_rows(app, Organisation) == 1
    assert "Nicht importiert" in outcome.as_json()["errors"][0]["message"]
    spec.decisions = {2: "new"}
    with app.app_context():
        decided = run_import(spec, dry_run=False)
    assert decided.created == 1 and count_rows(app, Organisation) == 2


# -- undo ------------------------------------------------------------------------------


def test_undo_removes_created_restores_updated_and_leaves_later_changes_alone(
    app, tmp_path, make, runner
):
    kept = make.organisation(name="Stahlwerk Nord AG", plz="47051", street="Alt 1")
    rows = [
        ["Name", "PLZ", "Straße"],
        ["Stahlwerk Nord AG", "47051", "Hafen 2"],
        ["Neu Eins GmbH", "50667", "A"],
        ["Neu Zwei GmbH", "50667", "B"],
    ]
    path = _write_csv(tmp_path / "o.csv", rows)
    _spec, outcome = _import(app, "organisations", path)
    assert (outcome.created, outcome.updated) == (2, 1)
    with app.app_context(), writing():  # someone changes a created record afterwards
        later = db.session.scalar(select(Organisation).where(Organisation.name == "Neu Zwei GmbH"))
        later.street = "Geändert 5"
        db.session.commit()
    result = runner.invoke(args=["import-undo", str(outcome.batch_id)])
    assert result.exit_code == 0, result.output
    assert "Neu Zwei GmbH (nach dem Import geändert)" in result.output
    with app.app_context():
        names = set(db.session.scalars(select(Organisation.name)))
        assert names == {"Stahlwerk Nord AG", "Neu Zwei GmbH"}
        assert db.session.get(Organisation, kept.id).street == "Alt 1"
        batch = db.session.get(ImportBatch, outcome.batch_id)
        assert batch.undone_at is not None
    again = runner.invoke(args=["import-undo", str(outcome.batch_id)])
    assert again.exit_code != 0 and "bereits" in again.output


def test_undo_of_persons_removes_their_new_organisations_and_affiliations(app, tmp_path):
    rows = [["Vorname", "Nachname", "Organisation"], ["Erika", "Muster", "Werk GmbH"]]
    path = _write_csv(tmp_path / "p.csv", rows)
    _spec, outcome = _import(app, "persons", path)
    assert count_rows(app, Affiliation) == 1
    with app.app_context():
        undo(outcome.batch_id)
    assert (
        count_rows(app, Person),
        count_rows(app, Organisation),
        count_rows(app, Affiliation),
    ) == (0, 0, 0)


# -- attendance, command line --------------------------------------------------------------


def test_attendance_of_a_past_event(app, tmp_path, make):
    event = make.event(title="Netzwerktreffen 2024")
    rows = [
        ["Name", "E-Mail", "Organisation", "Veranstaltung", "Teilgenommen"],
        ["Erika Muster", "erika@example.org", "Werk GmbH", "Netzwerktreffen 2024", "x"],
        ["Max Mustermann", "max@example.org", "", "Netzwerktreffen 2024", "nein"],
    ]
    path = _write_csv(tmp_path / "a.csv", rows)
    _spec, outcome = _import(app, "attendance", path)
    assert outcome.created == 2 and not outcome.errors
    with app.app_context():
        statuses = (
            {
                r.person.first_name: r.status
                for r in db.session.scalars(
                    select(Registration).where(Registration.event_id == event.id)
                )
            }
            if False
            else dict(
                db.session.execute(
                    select(Person.first_name, Registration.status).join(
                        Registration, Registration.person_id == Person.id
                    )
                ).all()
            )
        )
    assert statuses == {"Erika": RegistrationStatus.ATTENDED, "Max": RegistrationStatus.NO_SHOW}
    _spec, again = _import(app, "attendance", path)
    assert (again.created, again.updated) == (0, 0)


def test_cli_exit_codes_and_mapping_file(app, tmp_path, runner):
    unreadable = tmp_path / "kaputt.xlsx"
    unreadable.write_bytes(b"PK\x03\x04 kein zip")
    result = runner.invoke(args=["import", "organisations", str(unreadable), "--json"])
    assert result.exit_code == 2 and "error" in json.loads(result.output)
    nothing = _write_csv(tmp_path / "x.csv", [["Foo", "Bar"], ["1", "2"]])
    result = runner.invoke(args=["import", "organisations", str(nothing)])
    assert result.exit_code == 2 and "Keine Spalte" in result.output
    mapping_file = tmp_path / "map.json"
    mapping_file.write_text(json.dumps({"Foo": "name", "Bar": "plz"}), encoding="utf-8")
    result = runner.invoke(
        args=[
            "import",
            "organisations",
            str(nothing),
            "--mapping",
            str(mapping_file),
            "--dry-run",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "batch": None,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [
            {"row": 2, "column": "Bar", "message": "„2“ ist keine Postleitzahl (fünf Ziffern)."}
        ],
    }
    assert count_rows(app, Organisation) == 0


def test_prepare_refuses_an_empty_file(app, tmp_path):
    empty = tmp_path / "leer.csv"
    empty.write_bytes(b"")
    with app.app_context(), pytest.raises(ImportRefused):
        prepare("organisations", empty, "leer.csv")


def _write_ods(path: Path, rows: list[list[object]]) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand (no ODS writer needed)."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value: object) -> str:
        if isinstance(value, int | float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Blatt1">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


def test_ods_file_and_a_plz_that_lost_its_leading_zero(app, tmp_path):
    path = _write_ods(tmp_path / "liste.ods", [["Name", "PLZ"], ["Weiß AG", 1067]])
    _spec, outcome = _import(app, "organisations", path)
    assert outcome.created == 1 and not outcome.errors
    with app.app_context():
        org = db.session.scalar(select(Organisation))
        assert (org.name, org.plz, org.kreis_ags, org.land_ags) == (
            "Weiß AG",
            "01067",
            "14612",
            "14",
        )
        assert org.place is None  # 01067 names several places: not guessed


def test_initiatives_with_labels_themes_and_undo_of_an_update(app, tmp_path, runner):
    first = _write_csv(
        tmp_path / "ini.csv",
        [
            ["Initiative", "Kürzel", "Typ", "Themen", "Öffentlich", "Gegründet"],
            [
                "Zukunft durch Industrie",
                "ZdI",
                "Verein",
                "Wasserstoff; Innovation/Transfer",
                "ja",
                "2009",
            ],
        ],
    )
    _spec, outcome = _import(app, "initiatives", first)
    assert outcome.created == 1 and not outcome.errors
    second = _write_csv(
        tmp_path / "ini2.csv",
        [["Name", "Themen", "Art"], ["ZdI", "Resilienz", "Gewerkschaft"]],
    )
    _spec, update = _import(app, "initiatives", second)
    assert update.updated == 0 and update.errors == [
        {"row": 2, "column": "Art", "message": "„Gewerkschaft“ ist kein bekannter Wert."}
    ]
    third = _write_csv(tmp_path / "ini3.csv", [["Name", "Themen"], ["ZdI", "Resilienz"]])
    _spec, update = _import(app, "initiatives", third)
    assert update.updated == 1
    from crm.models import Initiative
    from crm.models import InitiativeType

    def themes() -> list[str]:
        with app.app_context():
            ini = db.session.scalar(select(Initiative))
            names = [
                t.name
                for t in db.session.scalars(
                    select(Theme)
                    .join(initiative_themes)
                    .where(initiative_themes.c.initiative_id == ini.id)
                )
            ]
            assert ini.type is InitiativeType.VEREIN and ini.public_listing
            return sorted(names)

    from crm.models import Theme
    from crm.models import initiative_themes

    assert themes() == ["Innovation/Transfer", "Resilienz", "Wasserstoff"]
    result = runner.invoke(args=["import-undo", str(update.batch_id)])
    assert result.exit_code == 0, result.output
    assert themes() == ["Innovation/Transfer", "Wasserstoff"]


def test_uploads_older_than_a_day_are_removed(app, tmp_path):
    import io
    import os
    import time

    from crm.imports import storage

    with app.test_request_context():
        token = storage.save_upload(io.BytesIO(b"Name\nA\n"), "a.csv", {"user_id": 1})
        folder = storage.folder() / token
        assert storage.load_state(token, 1) is not None
        assert storage.load_state(token, 2) is None  # someone else's upload
        assert storage.load_state("../" + token, 1) is None
        old = time.time() - 2 * 24 * 3600
        os.utime(folder, (old, old))
        assert storage.prune() == 1
        assert not folder.exists()


def test_memberships_twice_and_undo_leaves_a_record_with_new_links_alone(app, tmp_path, make):
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    other = make.initiative(name="Industriedialog Süd")
    rows = [
        ["Initiative", "Organisation", "Rolle", "Seit"],
        ["Zukunft durch Industrie e.V.", "Werk Eins GmbH", "Mitglied", "1.2.21"],
        ["Zukunft durch Industrie e.V.", "Werk Zwei GmbH", "Beirat", ""],
        ["Zukunft durch Industrie e.V.", "Werk Zwei GmbH", "Beirat", ""],  # repeated
    ]
    path = _write_csv(tmp_path / "m.csv", rows)
    _spec, first = _import(app, "memberships", path)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 1)
    _spec, second = _import(app, "memberships", path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    with app.app_context():
        werk = db.session.scalar(select(Organisation).where(Organisation.name == "Werk Eins GmbH"))
    make.membership(werk, other)  # linked by hand after the import
    with app.app_context():
        report = undo(first.batch_id)
    assert [item["label"] for item in report.left_alone] == ["Werk Eins GmbH"]
    with app.app_context():
        assert set(db.session.scalars(select(Organisation.name))) == {"Werk Eins GmbH"}
        assert list(db.session.scalars(select(Membership.initiative_id))) == [other.id]
    assert ini.id != other.id


def test_attendance_same_name_without_email_is_decided_and_undo_removes_it(app, tmp_path, make):
    make.event(title="Netzwerktreffen 2023")
    erika = make.person(first_name="Erika", last_name="Muster", email="erika@example.org")
    make.affiliation(erika, make.organisation(name="Alt AG"))
    rows = [
        ["Vorname", "Nachname", "Veranstaltung", "Status"],
        ["Erika", "Muster", "Netzwerktreffen 2023", "teilgenommen"],
        ["Jan", "Neu", "Netzwerktreffen 2023", "angemeldet"],
        ["Jan", "Neu", "Gibt es nicht", ""],
    ]
    path = _write_csv(tmp_path / "a.csv", rows)
    _spec, outcome = _import(app, "attendance", path)
    # the row's Erika has no e-mail and no organisation: the same name elsewhere is decided
    assert (outcome.created, outcome.review) == (1, 1)
    assert outcome.errors == [
        {
            "row": 4,
            "column": "Veranstaltung",
            "message": "Veranstaltung „Gibt es nicht“ gibt es nicht.",
        }
    ]
    assert count_rows(app, Registration) == 1
    with app.app_context():
        undo(outcome.batch_id)
    assert (count_rows(app, Registration), count_rows(app, Person)) == (0, 1)
    assert outcome.rows[0].candidate_id == erika.id


def test_initiative_themes_by_their_english_names(app, tmp_path):
    path = _write_csv(
        tmp_path / "initiatives_en.csv",
        [
            ["Name", "Topics"],
            ["Hydrogen Valley", "hydrogen; Circular Economy, Skilled workers/Training/STEM"],
            ["Both languages", "Wasserstoff | Hydrogen; resilience"],
            ["Unknown", "Space travel"],
        ],
        delimiter=",",
    )
    _spec, outcome = _import(app, "initiatives", path)
    assert outcome.created == 2
    assert outcome.errors == [
        {"row": 4, "column": "Topics", "message": "„Space travel“ ist kein bekanntes Thema."}
    ]
    from sqlalchemy.orm import selectinload

    from crm.models import Initiative

    with app.app_context():
        initiatives = db.session.scalars(
            select(Initiative).options(selectinload(Initiative.themes))
        )
        themes = {i.name: sorted(t.name for t in i.themes) for i in initiatives}
    assert themes == {
        "Hydrogen Valley": ["Fachkräfte/Ausbildung/MINT", "Kreislaufwirtschaft", "Wasserstoff"],
        "Both languages": ["Resilienz", "Wasserstoff"],
    }


def test_every_shipped_theme_has_an_english_name():
    from crm.imports.values import THEME_ENGLISH
    from crm.reference.loader import THEMES

    assert set(THEME_ENGLISH) == set(THEMES)


def test_an_organisation_matches_by_ags_before_website_and_name(app, tmp_path, make):
    kommune = make.organisation(name="Stadt Köln", plz="50667", ags="05315000")
    make.organisation(name="Köln Tourismus", website="https://www.koeln.example")
    assert m.auto_mapping("organisations", ["Gemeindeschlüssel"]) == {0: "ags"}
    path = _write_csv(
        tmp_path / "kommunen.csv",
        [
            ["Name", "Amtlicher Gemeindeschlüssel", "Webseite", "PLZ"],
            ["Köln, Stadt", "05315000", "www.koeln.example", "50668"],
            ["Kreis Kleve", "5154", "", ""],
            ["Kreis Kleve", "05154", "", ""],
            ["Nirgendwo", "123", "", ""],
        ],
    )
    _spec, outcome = _import(app, "organisations", path)
    assert (outcome.created, outcome.updated) == (1, 1)
    assert outcome.errors == [
        {
            "row": 5,
            "column": "Amtlicher Gemeindeschlüssel",
            "message": "„123“ ist kein Gemeindeschlüssel (acht Ziffern, für einen Kreis fünf).",
        }
    ]
    with app.app_context():
        updated = db.session.get(Organisation, kommune.id)
        assert (updated.name, updated.plz) == ("Köln, Stadt", "50668")
        kleve = db.session.scalars(select(Organisation).where(Organisation.ags == "05154"))
        assert [o.name for o in kleve] == ["Kreis Kleve"]
