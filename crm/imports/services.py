"""The import: one service behind the wizard and the command line.

`run_import` reads a file row by row (streamed), matches each row to an existing record,
and either only reports what it would do (dry run: everything is written inside one
transaction that is rolled back, so the preview is exactly what the import will do) or
writes it, one transaction per chunk of rows: a row is written whole or not at all,
rows with errors are skipped and listed, and never stop the good ones.

Every record written carries the import's history batch key (AuditEntry.batch), which
is how `crm.imports.undo` takes the import back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from crm.db.audit import BATCH_KEY
from crm.db.engine import writing
from crm.extensions import db
from crm.formats import readers
from crm.imports import mapping as m
from crm.imports.matching import (
    Match,
    OrganisationIndex,
    PersonIndex,
    fold_name,
    website_domain,
)
from crm.imports.values import (
    BadValue,
    parse_bool,
    parse_date,
    parse_email,
    parse_enum,
    parse_int,
    parse_phone,
    parse_plz,
    parse_text,
    parse_website,
    split_list,
    text,
)
from crm.models import (
    Affiliation,
    Event,
    ImportBatch,
    Initiative,
    InitiativeStatus,
    InitiativeType,
    Membership,
    MembershipRole,
    Organisation,
    OrgType,
    Person,
    Postcode,
    Registration,
    RegistrationStatus,
    SizeClass,
    Theme,
)

CHUNK = 500
PREVIEW_ROWS = 300  # row results kept for the preview (counts cover every row)
KEPT_ERRORS = 2000  # error rows kept on the batch (all are counted)

NEW, UPDATE, UNCHANGED, ERROR, REVIEW, SKIP = (
    "new",
    "update",
    "unchanged",
    "error",
    "review",
    "skip",
)


class ImportRefused(Exception):
    """The file cannot be read or no column maps (message for people, in German)."""


@dataclass
class ImportSpec:
    """What to import and how (the wizard keeps it with the upload between steps)."""

    kind: str
    path: Path
    filename: str
    settings: readers.FileSettings
    columns: dict[int, str]  # column index → field
    headers: list[str]
    mode: str = "both"
    decisions: dict[int, str] = field(default_factory=dict)  # row → new|match|skip


@dataclass
class RowResult:
    """What happens (or happened) to one row."""

    row: int
    status: str
    label: str = ""
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    column: str = ""
    message: str = ""
    candidate_id: int | None = None
    candidate_label: str = ""
    score: float = 0.0


@dataclass
class Outcome:
    """Counts of an import (or its dry run), the first row results and all error rows."""

    batch_id: int | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    review: int = 0
    total: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    rows: list[RowResult] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)

    def add(self, result: RowResult) -> None:
        """Count one row's result."""
        self.total += 1
        if result.status == NEW:
            self.created += 1
        elif result.status == UPDATE:
            self.updated += 1
        elif result.status == UNCHANGED:
            self.unchanged += 1
        elif result.status == SKIP:
            self.skipped += 1
        elif result.status == REVIEW:
            self.review += 1
            if len(self.reviews) < KEPT_ERRORS:
                self.reviews.append(
                    {
                        "row": result.row,
                        "column": result.column,
                        "message": result.message + " " + _("Nicht importiert."),
                    }
                )
        if result.status == ERROR:
            self.error_count += 1
            if len(self.errors) < KEPT_ERRORS:
                self.errors.append(
                    {"row": result.row, "column": result.column, "message": result.message}
                )
        if len(self.rows) < PREVIEW_ROWS:
            self.rows.append(result)

    def to_dict(self) -> dict[str, Any]:
        """JSON form of a dry run (kept with the upload when a job computed it)."""
        data = {k: v for k, v in vars(self).items() if k != "rows"}
        data["rows"] = [vars(r) for r in self.rows]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        """The outcome from `to_dict`."""
        values = dict(data)
        rows = [RowResult(**r) for r in values.pop("rows", [])]
        return cls(**values, rows=rows)

    def as_json(self) -> dict[str, Any]:
        """The command line's JSON object."""
        return {
            "batch": self.batch_id,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged + self.skipped,
            "errors": sorted(self.errors + self.reviews, key=lambda e: e["row"]),
        }


class RowError(Exception):
    """A row that cannot be imported: the column and the reason."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _show(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "value"):
        from crm.web.labels import label

        return str(label(value))
    if isinstance(value, list):
        return ", ".join(getattr(v, "name", str(v)) for v in value)
    return str(value)


# -- reading a file --------------------------------------------------------------------


def inspect_file(path: Path, filename: str, kind: str) -> readers.FileSettings:
    """Detected format, encoding, delimiter and header row (ImportRefused if unreadable)."""
    try:
        return readers.detect(path, filename, m.header_score(kind))
    except readers.UnreadableFile as exc:
        raise ImportRefused(str(exc)) from exc
    except OSError as exc:
        raise ImportRefused(_("Die Datei lässt sich nicht öffnen.")) from exc


def read_headers(path: Path, settings: readers.FileSettings) -> readers.Sheet:
    """The header and the first rows with these settings (ImportRefused if unreadable)."""
    try:
        return readers.read_sheet(path, settings)
    except readers.UnreadableFile as exc:
        raise ImportRefused(str(exc)) from exc


def prepare(
    kind: str,
    path: Path,
    filename: str,
    *,
    mode: str = "both",
    saved: dict[str, str] | None = None,
) -> ImportSpec:
    """Detect how to read a file and map its columns (the command line's way)."""
    if kind not in m.KINDS:
        raise ImportRefused(_("Unbekannte Art des Imports: %(kind)s", kind=kind))
    settings = inspect_file(path, filename, kind)
    sheet = read_headers(path, settings)
    columns = (
        m.apply_saved(kind, sheet.headers, saved) if saved else m.auto_mapping(kind, sheet.headers)
    )
    spec = ImportSpec(kind, path, filename, settings, columns, sheet.headers, mode)
    check_spec(spec)
    return spec


def check_spec(spec: ImportSpec) -> None:
    """ImportRefused when no column maps or a required field has no column."""
    if not spec.columns:
        raise ImportRefused(_("Keine Spalte der Datei passt zu einem Feld."))
    missing = m.missing_required(spec.kind, spec.columns)
    if missing:
        raise ImportRefused(
            _(
                "Diese Pflichtfelder fehlen in der Zuordnung: %(fields)s",
                fields=", ".join(missing),
            )
        )
    if spec.mode not in m.MODES:
        raise ImportRefused(_("Unbekannter Modus: %(mode)s", mode=spec.mode))


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        yield chunk


# -- the handlers of each kind ---------------------------------------------------------


class Handler:
    """Matches and writes the rows of one kind. Placeholders (negative ids) stand for
    records created earlier in the same file until their chunk is flushed."""

    model: type[Any]
    label_field = "name"

    def __init__(self, spec: ImportSpec) -> None:
        self.spec = spec
        self.mode = spec.mode
        self._next_placeholder = -1
        self.pending: dict[int, Any] = {}  # placeholder → new object (this chunk)
        self.settled: dict[int, int] = {}  # placeholder → id (earlier chunks)
        self.first_row: dict[int, int] = {}  # placeholder → row that created it
        self._plz_cache: dict[str, dict[str, Any]] = {}
        self._org_index: OrganisationIndex | None = None
        self._postcodes: dict[str, list[Any]] | None = None

    # placeholders
    def placeholder(self, obj: Any, row: int) -> int:
        ref = self._next_placeholder
        self._next_placeholder -= 1
        self.pending[ref] = obj
        self.first_row[ref] = row
        return ref

    def resolve(self, ref: int) -> Any:
        """The record of a reference: a pending new object or a loaded one."""
        if ref < 0:
            if ref in self.pending:
                return self.pending[ref]
            ref = self.settled[ref]
        return db.session.get(self.model_of_ref(ref), ref)

    def model_of_ref(self, _ref: int) -> type[Any]:
        return self.model

    def settle(self) -> None:
        """After a chunk's flush: placeholders become ids, the objects are let go."""
        for ref, obj in self.pending.items():
            self.settled[ref] = obj.id
        self.pending.clear()

    def prefetch(self, ids: list[int]) -> None:
        """Load the existing records of a chunk in one query."""
        if ids:
            list(db.session.scalars(select(self.model).where(self.model.id.in_(ids))))

    # values
    def cell(self, values: dict[str, Any], name: str, parse: Callable[[Any], Any]) -> Any:
        if name not in values:
            return None
        try:
            return parse(values[name])
        except BadValue as exc:
            raise RowError(self.column_of(name), str(exc)) from exc

    def column_of(self, name: str) -> str:
        for index, mapped in self.spec.columns.items():
            if mapped == name and index < len(self.spec.headers):
                return self.spec.headers[index]
        return m.field_label(self.spec.kind, name)

    def address(self, values: dict[str, Any], out: dict[str, Any]) -> None:
        """Street, PLZ, place and what the PLZ says: Kreis, Land, position (only when the
        PLZ names one Kreis; a PLZ spanning several Kreise sets only what they share)."""
        out["street"] = self.cell(values, "street", lambda c: parse_text(c, 200))
        out["plz"] = self.cell(values, "plz", parse_plz)
        out["place"] = self.cell(values, "place", lambda c: parse_text(c, 120))
        plz = out["plz"]
        if plz:
            if plz not in self._plz_cache:
                found = self.postcodes().get(plz, [])
                if not found:
                    raise RowError(
                        self.column_of("plz"), _("Die PLZ %(plz)s ist unbekannt.", plz=plz)
                    )
                kreise = {c.kreis_ags for c in found}
                laender = {c.land_ags for c in found}
                derived: dict[str, Any] = {}
                if len(laender) == 1:
                    derived["land_ags"] = found[0].land_ags
                if len(kreise) == 1:
                    derived["kreis_ags"] = found[0].kreis_ags
                    derived["lat"], derived["lon"] = found[0].lat, found[0].lon
                if len({c.place for c in found}) == 1:
                    derived["_place"] = found[0].place
                self._plz_cache[plz] = derived
            derived = dict(self._plz_cache[plz])
            place = derived.pop("_place", None)
            if not out["place"] and place:
                out["place"] = place
            out.update(derived)

    def postcodes(self) -> dict[str, list[Any]]:
        """The postcode table in memory (reference data: its size does not depend on the
        file), read once per import instead of once per PLZ."""
        if self._postcodes is None:
            table: dict[str, list[Any]] = {}
            for row in db.session.execute(
                select(
                    Postcode.plz,
                    Postcode.place,
                    Postcode.kreis_ags,
                    Postcode.land_ags,
                    Postcode.lat,
                    Postcode.lon,
                )
            ):
                table.setdefault(row.plz, []).append(row)
            self._postcodes = table
        return self._postcodes

    # organisations, shared by several kinds
    def org_index(self) -> OrganisationIndex:
        if self._org_index is None:
            index = OrganisationIndex()
            rows = db.session.execute(
                select(Organisation.id, Organisation.name, Organisation.plz, Organisation.website)
            )
            for record_id, name, plz, website in rows:
                index.add(record_id, name, plz, website)
            self._org_index = index
        return self._org_index

    def organisation_for(
        self, values: dict[str, Any], row: int, *, create: bool
    ) -> tuple[Any, bool]:
        """(the organisation named in the row's "organisation" cell, created?) — created
        with type "sonstige" when there is none of that name; (None, False) when empty."""
        name = self.cell(values, "organisation", lambda c: parse_text(c, 200))
        if not name:
            return None, False
        index = self.org_index()
        same = index.by_name.get(fold_name(name), [])
        if same:
            ref = same[0]
            return (self.org_pending.get(ref) if ref < 0 else ref), False
        if not create:
            raise RowError(
                self.column_of("organisation"), _("Organisation „%(name)s“ fehlt.", name=name)
            )
        org = Organisation(name=name, type=OrgType.SONSTIGE)
        db.session.add(org)
        ref = self.placeholder_org(org)
        index.add(ref, name, None, None)
        return org, True

    org_pending: dict[int, Any]

    def placeholder_org(self, org: Any) -> int:
        ref = self._next_placeholder
        self._next_placeholder -= 1
        self.org_pending[ref] = org
        return ref

    def settle_orgs(self) -> None:
        """Organisations created in this chunk become findable by id."""
        index = self.org_index()
        for ref, org in self.org_pending.items():
            real = org.id
            for folded, ids in index.by_name.items():
                if ref in ids:
                    index.by_name[folded] = [real if i == ref else i for i in ids]
            for key, value in list(index.by_name_plz.items()):
                if value == ref:
                    index.by_name_plz[key] = real
        self.org_pending.clear()

    # the row
    def parse(self, values: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def match(self, parsed: dict[str, Any]) -> Match | None:
        raise NotImplementedError

    def remember(self, ref: int, parsed: dict[str, Any]) -> None:
        raise NotImplementedError

    def label(self, parsed: dict[str, Any]) -> str:
        return str(parsed.get(self.label_field) or "")

    def candidate_label(self, record_id: int) -> str:
        record = db.session.get(self.model, record_id)
        return str(getattr(record, self.label_field, "")) if record else ""

    def create(self, parsed: dict[str, Any], row: int) -> Any:
        obj = self.model(**{k: v for k, v in parsed.items() if not k.startswith("_")})
        db.session.add(obj)
        return obj

    def diff(self, record: Any, parsed: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
        """Fields whose non-empty new value differs (empty cells never blank data)."""
        return {
            k: (getattr(record, k), v)
            for k, v in parsed.items()
            if not k.startswith("_") and v not in (None, "", []) and getattr(record, k) != v
        }

    def after_write(self, record: Any, parsed: dict[str, Any], row: int) -> dict[str, Any]:
        """Links written with the record (an affiliation); their changes for the preview."""
        return {}

    def process(self, row: int, values: dict[str, Any]) -> RowResult:
        """Plan and write one row (the caller rolls back a dry run)."""
        try:
            parsed = self.parse(values)
            result = RowResult(row=row, status=UNCHANGED, label=self.label(parsed))
            keep_names = False  # a similar record chosen by a person keeps its own name
            found = self.match(parsed)
            decision = self.spec.decisions.get(row)
            if found is not None and not found.exact:
                result.candidate_id = found.record_id if found.record_id > 0 else None
                result.candidate_label = (
                    self.candidate_label(found.record_id) if found.record_id > 0 else ""
                )
                result.score = found.score
                if decision == "match":
                    found = Match(found.record_id, True)
                    keep_names = True
                elif decision == "new":
                    found = None
                elif decision == "skip":
                    result.status = SKIP
                    result.message = _("übersprungen (so entschieden)")
                    return result
                else:
                    result.status = REVIEW
                    result.column = self.column_of(self.label_field)
                    result.message = _(
                        "Ähnlich wie „%(name)s“ (%(score)s %%): bitte entscheiden.",
                        name=result.candidate_label,
                        score=f"{found.score:.0f}",
                    )
                    return result
            if found is None:
                if self.mode == "update":
                    result.status = SKIP
                    result.message = _("nicht vorhanden; nur Aktualisieren gewählt")
                    return result
                obj = self.create(parsed, row)
                ref = self.placeholder(obj, row)
                self.after_write(obj, parsed, row)
                self.remember(ref, parsed)
                result.status = NEW
                return result
            record = self.resolve(found.record_id)
            if found.record_id < 0:
                result.message = f"wie Zeile {self.first_row.get(found.record_id, '?')}"
            if self.mode == "create" and found.record_id > 0:
                result.status = SKIP
                result.message = _("schon vorhanden; nur Anlegen gewählt")
                return result
            changes = self.diff(record, parsed)
            if keep_names:
                for key in ("name", "first_name", "last_name"):
                    changes.pop(key, None)
            for key, (_old, new) in changes.items():
                setattr(record, key, new)
            links = self.after_write(record, parsed, row)
            changes.update(links)
            if changes:
                result.status = UPDATE
                result.changes = {
                    m.field_label(self.spec.kind, k): (_show(old), _show(new))
                    for k, (old, new) in changes.items()
                }
            return result
        except RowError as exc:
            return RowResult(row=row, status=ERROR, column=exc.column, message=exc.message)


class OrganisationHandler(Handler):
    model = Organisation

    def __init__(self, spec: ImportSpec) -> None:
        super().__init__(spec)
        self.org_pending = {}

    def parse(self, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.cell(values, "name", lambda c: parse_text(c, 200))}
        if not out["name"]:
            raise RowError(self.column_of("name"), _("Der Name fehlt."))
        out["legal_name"] = self.cell(values, "legal_name", lambda c: parse_text(c, 250))
        out["other_names"] = self.cell(values, "other_names", lambda c: parse_text(c, 5000))
        out["type"] = self.cell(values, "type", lambda c: parse_enum(OrgType, c))
        out["size_class"] = self.cell(values, "size_class", lambda c: parse_enum(SizeClass, c))
        out["website"] = self.cell(values, "website", parse_website)
        self.address(values, out)
        return out

    def match(self, parsed: dict[str, Any]) -> Match | None:
        return self.org_index().find(parsed["name"], parsed.get("plz"), parsed.get("website"))

    def remember(self, ref: int, parsed: dict[str, Any]) -> None:
        self.org_index().add(ref, parsed["name"], parsed.get("plz"), parsed.get("website"))

    def create(self, parsed: dict[str, Any], row: int) -> Any:
        parsed = dict(parsed)
        parsed["type"] = parsed.get("type") or OrgType.SONSTIGE
        return super().create(parsed, row)

    def settle(self) -> None:
        index = self.org_index()
        real = {ref: obj.id for ref, obj in self.pending.items()}
        for key, value in list(index.by_domain.items()):
            if value in real:
                index.by_domain[key] = real[value]
        for pair, value in list(index.by_name_plz.items()):
            if value in real:
                index.by_name_plz[pair] = real[value]
        for folded, ids in index.by_name.items():
            if any(i in real for i in ids):
                index.by_name[folded] = [real.get(i, i) for i in ids]
        for block in index.blocks.values():
            for ref in [r for r in block if r in real]:
                block[real[ref]] = block.pop(ref)
        super().settle()


class PersonHandler(Handler):
    model = Person
    label_field = "last_name"

    def __init__(self, spec: ImportSpec) -> None:
        super().__init__(spec)
        self.org_pending = {}
        self.chunk_affiliations: dict[tuple[int, int], Any] = {}
        self.index = PersonIndex()
        affiliations: dict[int, list[int]] = {}
        for person_id, org_id in db.session.execute(
            select(Affiliation.person_id, Affiliation.organisation_id)
        ):
            affiliations.setdefault(person_id, []).append(org_id)
        for pid, first, last, email in db.session.execute(
            select(Person.id, Person.first_name, Person.last_name, Person.email).where(
                Person.anonymised_at.is_(None)
            )
        ):
            self.index.add(pid, first, last, email, affiliations.get(pid, []))

    def parse(self, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "salutation": self.cell(values, "salutation", lambda c: parse_text(c, 20)),
            "title": self.cell(values, "title", lambda c: parse_text(c, 40)),
            "first_name": self.cell(values, "first_name", lambda c: parse_text(c, 100)),
            "last_name": self.cell(values, "last_name", lambda c: parse_text(c, 100)),
            "email": self.cell(values, "email", parse_email),
            "phone": self.cell(values, "phone", parse_phone),
            "notes": self.cell(values, "notes", lambda c: parse_text(c, 20000)),
            "source": self.cell(values, "source", lambda c: parse_text(c, 200)),
        }
        if out["last_name"] and not out["first_name"] and "first_name" not in values:
            first, _, last = out["last_name"].rpartition(" ")
            if first:
                out["first_name"], out["last_name"] = first, last
        if not out["last_name"]:
            raise RowError(self.column_of("last_name"), _("Der Nachname fehlt."))
        out["_organisation"] = values.get("organisation")
        out["_function"] = self.cell(values, "function", lambda c: parse_text(c, 120))
        return out

    def _org_id_for_match(self, parsed: dict[str, Any]) -> int | None:
        name = text(parsed.get("_organisation"))
        if not name:
            return None
        ids = self.org_index().by_name.get(fold_name(name), [])
        return ids[0] if ids else None

    def match(self, parsed: dict[str, Any]) -> Match | None:
        return self.index.find(
            parsed["first_name"] or "",
            parsed["last_name"],
            parsed["email"],
            self._org_id_for_match(parsed),
        )

    def remember(self, ref: int, parsed: dict[str, Any]) -> None:
        org = self._org_id_for_match(parsed)
        self.index.add(
            ref,
            parsed["first_name"] or "",
            parsed["last_name"],
            parsed["email"],
            [org] if org is not None else [],
        )

    def label(self, parsed: dict[str, Any]) -> str:
        return " ".join(p for p in (parsed.get("first_name"), parsed.get("last_name")) if p)

    def candidate_label(self, record_id: int) -> str:
        person = db.session.get(Person, record_id)
        return f"{person.first_name} {person.last_name}" if person else ""

    def create(self, parsed: dict[str, Any], row: int) -> Any:
        parsed = dict(parsed)
        parsed["first_name"] = parsed.get("first_name") or ""
        return super().create(parsed, row)

    def after_write(self, record: Any, parsed: dict[str, Any], row: int) -> dict[str, Any]:
        org, created = self.organisation_for(
            {"organisation": parsed["_organisation"]}, row, create=True
        )
        if org is None:
            return {}
        function = parsed.get("_function")
        existing = self.chunk_affiliations.get(
            (id(record), org if isinstance(org, int) else id(org))
        )
        if existing is None and isinstance(org, int) and record.id is not None:
            existing = db.session.scalar(
                select(Affiliation).where(
                    Affiliation.person_id == record.id, Affiliation.organisation_id == org
                )
            )
        if existing is not None:
            if function and existing.function != function:
                old = existing.function
                existing.function = function
                return {"function": (old, function)}
            return {}
        affiliation = Affiliation(function=function)
        affiliation.person = record
        self.chunk_affiliations[(id(record), org if isinstance(org, int) else id(org))] = (
            affiliation
        )
        if isinstance(org, int):
            affiliation.organisation_id = org
        else:
            affiliation.organisation = org
        db.session.add(affiliation)
        name = text(parsed["_organisation"])
        return {"organisation": (None, name + (" (neu)" if created else ""))}

    def settle(self) -> None:
        real_orgs = {ref: org.id for ref, org in self.org_pending.items()}
        if real_orgs:
            self.index.by_name_org = {
                (name, real_orgs.get(org, org) if org is not None else None): pid
                for (name, org), pid in self.index.by_name_org.items()
            }
        real = {ref: obj.id for ref, obj in self.pending.items()}
        for table in (self.index.by_email, self.index.by_name_org):
            for key, value in list(table.items()):
                if value in real:
                    table[key] = real[value]  # type: ignore[index]
        for key, ids in self.index.by_name.items():
            if any(i in real for i in ids):
                self.index.by_name[key] = [real.get(i, i) for i in ids]
        self.settle_orgs()
        self.chunk_affiliations.clear()
        super().settle()


class InitiativeHandler(Handler):
    model = Initiative

    def __init__(self, spec: ImportSpec) -> None:
        super().__init__(spec)
        self.by_name: dict[str, int] = {}
        self.by_domain: dict[str, int] = {}
        for iid, name, short, website in db.session.execute(
            select(Initiative.id, Initiative.name, Initiative.short_name, Initiative.website)
        ):
            self.by_name.setdefault(fold_name(name), iid)
            if short:
                self.by_name.setdefault(fold_name(short), iid)
            if website_domain(website):
                self.by_domain.setdefault(website_domain(website), iid)
        self.themes = {fold_name(t.name): t for t in db.session.scalars(select(Theme))}

    def _themes(self, cell: Any) -> list[Any]:
        found = []
        for part in split_list(cell):
            theme = self.themes.get(fold_name(part))
            if theme is None:
                hits = [t for k, t in self.themes.items() if fold_name(part) in k]
                if len(hits) != 1:
                    raise BadValue(_("„%(part)s“ ist kein bekanntes Thema.", part=part))
                theme = hits[0]
            if theme not in found:
                found.append(theme)
        return found

    def parse(self, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.cell(values, "name", lambda c: parse_text(c, 200))}
        if not out["name"]:
            raise RowError(self.column_of("name"), _("Der Name fehlt."))
        out["short_name"] = self.cell(values, "short_name", lambda c: parse_text(c, 60))
        out["type"] = self.cell(values, "type", lambda c: parse_enum(InitiativeType, c))
        out["status"] = self.cell(values, "status", lambda c: parse_enum(InitiativeStatus, c))
        out["founded_year"] = self.cell(
            values, "founded_year", lambda c: parse_int(c, minimum=1800, maximum=2100)
        )
        out["region_label"] = self.cell(values, "region_label", lambda c: parse_text(c, 120))
        out["description"] = self.cell(values, "description", lambda c: parse_text(c, 20000))
        out["goals"] = self.cell(values, "goals", lambda c: parse_text(c, 20000))
        out["member_count"] = self.cell(values, "member_count", parse_int)
        out["public_listing"] = self.cell(values, "public_listing", parse_bool)
        out["website"] = self.cell(values, "website", parse_website)
        out["themes"] = self.cell(values, "themes", self._themes) or []
        self.address(values, out)
        return out

    def match(self, parsed: dict[str, Any]) -> Match | None:
        domain = website_domain(parsed.get("website"))
        if domain and domain in self.by_domain:
            return Match(self.by_domain[domain], True)
        for key in (parsed["name"], parsed.get("short_name")):
            if key and fold_name(key) in self.by_name:
                return Match(self.by_name[fold_name(key)], True)
        return None

    def remember(self, ref: int, parsed: dict[str, Any]) -> None:
        self.by_name.setdefault(fold_name(parsed["name"]), ref)
        if parsed.get("short_name"):
            self.by_name.setdefault(fold_name(parsed["short_name"]), ref)
        if website_domain(parsed.get("website")):
            self.by_domain.setdefault(website_domain(parsed.get("website")), ref)

    def create(self, parsed: dict[str, Any], row: int) -> Any:
        parsed = dict(parsed)
        parsed["type"] = parsed.get("type") or InitiativeType.SONSTIGE
        parsed["status"] = parsed.get("status") or InitiativeStatus.AKTIV
        if parsed.get("public_listing") is None:
            parsed["public_listing"] = False
        return super().create(parsed, row)

    def resolve(self, ref: int) -> Any:
        if ref < 0 and ref in self.pending:
            return self.pending[ref]
        real = self.settled.get(ref, ref)
        return db.session.scalar(
            select(Initiative).where(Initiative.id == real).options(selectinload(Initiative.themes))
        )

    def diff(self, record: Any, parsed: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
        themes = parsed.pop("themes", [])
        changes = super().diff(record, parsed)
        parsed["themes"] = themes
        if themes and record.id is not None:
            current = list(record.themes)
            wanted = current + [t for t in themes if t not in current]
            if wanted != current:
                changes["themes"] = (current, wanted)
        return changes

    def settle(self) -> None:
        real = {ref: obj.id for ref, obj in self.pending.items()}
        for table in (self.by_name, self.by_domain):
            for key, value in list(table.items()):
                if value in real:
                    table[key] = real[value]
        super().settle()


def _initiative_lookup() -> dict[str, int]:
    table: dict[str, int] = {}
    for iid, name, short in db.session.execute(
        select(Initiative.id, Initiative.name, Initiative.short_name)
    ):
        table.setdefault(fold_name(name), iid)
        if short:
            table.setdefault(fold_name(short), iid)
    return table


class MembershipHandler(Handler):
    model = Membership

    def __init__(self, spec: ImportSpec) -> None:
        super().__init__(spec)
        self.org_pending = {}
        self.initiatives = _initiative_lookup()
        self.existing: dict[tuple[int, Any], int] = {}
        for mid, iid, oid in db.session.execute(
            select(Membership.id, Membership.initiative_id, Membership.organisation_id)
        ):
            self.existing.setdefault((iid, oid), mid)

    def parse(self, values: dict[str, Any]) -> dict[str, Any]:
        name = self.cell(values, "initiative", lambda c: parse_text(c, 200))
        if not name:
            raise RowError(self.column_of("initiative"), _("Die Initiative fehlt."))
        iid = self.initiatives.get(fold_name(name))
        if iid is None:
            raise RowError(
                self.column_of("initiative"), _("Initiative „%(name)s“ gibt es nicht.", name=name)
            )
        if not text(values.get("organisation")):
            raise RowError(self.column_of("organisation"), _("Die Organisation fehlt."))
        out: dict[str, Any] = {
            "initiative_id": iid,
            "role": self.cell(values, "role", lambda c: parse_enum(MembershipRole, c)),
            "since": self.cell(values, "since", parse_date),
            "until": self.cell(values, "until", parse_date),
            "_organisation": values.get("organisation"),
            "_name": f"{text(values.get('organisation'))} – {name}",
        }
        if out["since"] and out["until"] and out["until"] < out["since"]:
            raise RowError(self.column_of("until"), _("„Bis“ liegt vor „Seit“."))
        ids = self.org_index().by_name.get(fold_name(text(values.get("organisation"))), [])
        out["_org_ref"] = ids[0] if ids else None
        return out

    def label(self, parsed: dict[str, Any]) -> str:
        return str(parsed["_name"])

    def match(self, parsed: dict[str, Any]) -> Match | None:
        ref = parsed["_org_ref"]
        if ref is None:
            return None
        found = self.existing.get((parsed["initiative_id"], ref))
        return Match(found, True) if found is not None else None

    def remember(self, ref: int, parsed: dict[str, Any]) -> None:
        pass

    def create(self, parsed: dict[str, Any], row: int) -> Any:
        org, _created = self.organisation_for(
            {"organisation": parsed["_organisation"]}, row, create=True
        )
        membership = Membership(
            initiative_id=parsed["initiative_id"],
            role=parsed.get("role") or MembershipRole.MITGLIED,
            since=parsed.get("since"),
            until=parsed.get("until"),
        )
        if isinstance(org, int):
            membership.organisation_id = org
            key: Any = (parsed["initiative_id"], org)
        else:
            membership.organisation = org
            key = (parsed["initiative_id"], self._org_ref_of(org))
        db.session.add(membership)
        self._last_key = key
        return membership

    def _org_ref_of(self, org: Any) -> int:
        for ref, obj in self.org_pending.items():
            if obj is org:
                return ref
        return 0

    def placeholder(self, obj: Any, row: int) -> int:
        ref = super().placeholder(obj, row)
        self.existing[self._last_key] = ref
        return ref

    def settle(self) -> None:
        real_orgs = {ref: org.id for ref, org in self.org_pending.items()}
        real = {ref: obj.id for ref, obj in self.pending.items()}
        self.existing = {
            (iid, real_orgs.get(oid, oid)): real.get(mid, mid)
            for (iid, oid), mid in self.existing.items()
        }
        self.settle_orgs()
        super().settle()


class AttendanceHandler(PersonHandler):
    """Registrations of past events: the person found (or created) and their status."""

    def __init__(self, spec: ImportSpec) -> None:
        super().__init__(spec)
        self.events: dict[str, list[int]] = {}
        for eid, title, slug in db.session.execute(select(Event.id, Event.title, Event.slug)):
            self.events.setdefault(fold_name(title), []).append(eid)
            self.events.setdefault(fold_name(slug), []).append(eid)
        self.registrations: dict[tuple[int, Any], int] = {
            (eid, pid): rid
            for rid, eid, pid in db.session.execute(
                select(Registration.id, Registration.event_id, Registration.person_id)
            )
        }
        self.chunk_registrations: dict[tuple[int, int], Any] = {}
        self.mode = "both"  # the mode concerns the registrations, never the persons
        self.registration_mode = spec.mode

    def parse(self, values: dict[str, Any]) -> dict[str, Any]:
        out = super().parse(values)
        name = self.cell(values, "event", lambda c: parse_text(c, 200))
        if not name:
            raise RowError(self.column_of("event"), _("Die Veranstaltung fehlt."))
        events = sorted(set(self.events.get(fold_name(name), [])))
        if not events:
            raise RowError(
                self.column_of("event"), _("Veranstaltung „%(name)s“ gibt es nicht.", name=name)
            )
        if len(events) > 1:
            raise RowError(
                self.column_of("event"), _("„%(name)s“ meint mehrere Veranstaltungen.", name=name)
            )
        out["_event_id"] = events[0]
        attended = self.cell(values, "attended", parse_bool)
        status = self.cell(values, "status", lambda c: parse_enum(RegistrationStatus, c))
        if attended is not None:
            status = RegistrationStatus.ATTENDED if attended else RegistrationStatus.NO_SHOW
        out["_status"] = status or RegistrationStatus.REGISTERED
        return out

    def after_write(self, record: Any, parsed: dict[str, Any], row: int) -> dict[str, Any]:
        from crm.events.services import new_token

        changes = super().after_write(record, parsed, row)
        event_id = parsed["_event_id"]
        registration = self.chunk_registrations.get((event_id, id(record)))
        if registration is None and record.id is not None:
            existing_id = self.registrations.get((event_id, record.id))
            if existing_id is not None:
                registration = db.session.get(Registration, existing_id)
        if registration is not None:
            if registration.status != parsed["_status"]:
                old = registration.status
                registration.status = parsed["_status"]
                changes["status"] = (old, parsed["_status"])
            return changes
        _token, token_hash = new_token()
        registration = Registration(
            event_id=event_id,
            status=parsed["_status"],
            token_hash=token_hash,
            organisation_text=text(parsed.get("_organisation")) or None,
            function=parsed.get("_function"),
        )
        registration.person = record
        self.chunk_registrations[(event_id, id(record))] = registration
        db.session.add(registration)
        self._new_registrations.append((event_id, registration))
        changes["status"] = (None, parsed["_status"])
        return changes

    _new_registrations: list[tuple[int, Any]]

    def process(self, row: int, values: dict[str, Any]) -> RowResult:
        self._new_registrations = getattr(self, "_new_registrations", [])
        return super().process(row, values)

    def settle(self) -> None:
        for event_id, registration in getattr(self, "_new_registrations", []):
            self.registrations[(event_id, registration.person_id)] = registration.id
        self._new_registrations = []
        self.chunk_registrations.clear()
        super().settle()


HANDLERS: dict[str, type[Handler]] = {
    "organisations": OrganisationHandler,
    "persons": PersonHandler,
    "initiatives": InitiativeHandler,
    "memberships": MembershipHandler,
    "attendance": AttendanceHandler,
}


# -- running it ------------------------------------------------------------------------


def _values(columns: dict[int, str], cells: list[Any]) -> dict[str, Any]:
    return {name: cells[i] if i < len(cells) else None for i, name in columns.items()}


def new_batch(
    spec: ImportSpec, user: Any = None, *, status: str = "running", rows_total: int | None = None
) -> int:
    """Record an import about to run (its id is what undo and the progress page use)."""
    with writing():
        batch = ImportBatch(
            kind=spec.kind,
            mode=spec.mode,
            filename=spec.filename[:255],
            user_id=getattr(user, "id", None),
            user_label=getattr(user, "email", None),
            audit_batch="import-" + uuid.uuid4().hex[:24],
            error_rows=[],
            status=status,
            rows_total=rows_total,
        )
        db.session.add(batch)
        db.session.commit()
        return batch.id


def _progress_of(batch_id: int) -> Callable[[int], None]:
    def report(rows: int) -> None:
        with writing():
            db.session.execute(
                update(ImportBatch).where(ImportBatch.id == batch_id).values(rows_done=rows)
            )
            db.session.commit()

    return report


def run_import(
    spec: ImportSpec,
    *,
    dry_run: bool,
    user: Any = None,
    batch_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Dry run or import of a file (see the module docstring). Returns the outcome; the
    batch (for undo) is recorded unless it is a dry run (`batch_id`: one recorded before,
    e.g. when the import runs as a background job)."""
    check_spec(spec)
    outcome = Outcome()
    if dry_run:
        _run(spec, outcome, "dry-run", dry_run=True, progress=progress)
        return outcome
    if batch_id is None:
        batch_id = new_batch(spec, user)
    outcome.batch_id = batch_id
    audit_key = db.session.scalar(select(ImportBatch.audit_batch).where(ImportBatch.id == batch_id))
    if audit_key is None:
        raise ImportRefused(_("Diesen Import gibt es nicht."))
    failure: str | None = None
    try:
        _run(spec, outcome, audit_key, dry_run=False, progress=_progress_of(batch_id))
    except ImportRefused as exc:
        failure = str(exc)
        raise
    finally:
        _record_counts(outcome, failure)
    return outcome


def _run(
    spec: ImportSpec,
    outcome: Outcome,
    audit_key: str,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None,
) -> None:
    # End the caller's (read) transaction, so that the import's begins as a write
    # transaction (on SQLite, a read transaction cannot safely turn into a writing one).
    db.session.commit()
    try:
        with writing():
            handler = HANDLERS[spec.kind](spec)
            rows = readers.data_rows(spec.path, spec.settings)
            for chunk in _chunks(rows, CHUNK):
                db.session.info[BATCH_KEY] = audit_key
                with db.session.no_autoflush:  # one flush per chunk, not one per query
                    results = [handler.process(n, _values(spec.columns, c)) for n, c in chunk]
                try:
                    db.session.flush()
                except SQLAlchemyError as exc:
                    db.session.rollback()
                    raise ImportRefused(
                        _(
                            "Die Daten verletzen eine Regel der Datenbank; nichts aus diesem "
                            "Abschnitt (Zeilen %(first)s–%(last)s) wurde geschrieben.",
                            first=chunk[0][0],
                            last=chunk[-1][0],
                        )
                    ) from exc
                handler.settle()
                for result in results:
                    outcome.add(result)
                if not dry_run:
                    db.session.commit()
                if progress is not None:
                    progress(outcome.total)
            if dry_run:
                db.session.rollback()
    except readers.UnreadableFile as exc:
        db.session.rollback()
        raise ImportRefused(str(exc)) from exc


def _record_counts(outcome: Outcome, failure: str | None = None) -> None:
    with writing():
        batch = db.session.get(ImportBatch, outcome.batch_id)
        if batch is not None:
            batch.status = "failed" if failure else "done"
            batch.message = failure
            batch.rows_done = outcome.total
            batch.created = outcome.created
            batch.updated = outcome.updated
            batch.unchanged = outcome.unchanged + outcome.skipped + outcome.review
            batch.errors = outcome.error_count
            batch.error_rows = outcome.errors[:200]
            db.session.commit()


def spec_from_state(state: dict[str, Any], path: Path) -> ImportSpec:
    """The import as the wizard keeps it between its steps (JSON)."""
    settings = readers.FileSettings(**state["settings"])
    return ImportSpec(
        kind=state["kind"],
        path=path,
        filename=state.get("filename", path.name),
        settings=settings,
        columns={int(k): v for k, v in (state.get("columns") or {}).items()},
        headers=list(state.get("headers") or []),
        mode=state.get("mode", "both"),
        decisions={int(k): v for k, v in (state.get("decisions") or {}).items()},
    )


def count_rows(spec: ImportSpec) -> int:
    """How many data rows a file has (read once more, streamed)."""
    return sum(1 for _ in readers.data_rows(spec.path, spec.settings))
