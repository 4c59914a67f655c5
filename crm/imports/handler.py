"""The base of the import handlers: matching a row to a record and writing it, with
placeholders for records created earlier in the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import select

from crm import permissions
from crm.extensions import db
from crm.imports import mapping as m
from crm.imports.matching import Match
from crm.imports.matching import OrganisationIndex
from crm.imports.matching import fold_name
from crm.imports.outcome import ERROR
from crm.imports.outcome import NEW
from crm.imports.outcome import REVIEW
from crm.imports.outcome import SKIP
from crm.imports.outcome import UNCHANGED
from crm.imports.outcome import UPDATE
from crm.imports.outcome import RowResult
from crm.imports.spec import ImportSpec
from crm.imports.values import BadValue
from crm.imports.values import parse_plz
from crm.imports.values import parse_text
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Postcode


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


K = TypeVar("K")


def new_ids(pending: dict[int, Any]) -> dict[int, int]:
    """Placeholder → the id its object got (after the chunk's flush)."""
    return {ref: obj.id for ref, obj in pending.items()}


def renumber(table: dict[K, int], real: dict[int, int]) -> None:
    """The placeholders among the values of `table` become the ids in `real`."""
    for key, value in list(table.items()):
        if value in real:
            table[key] = real[value]


def renumber_lists(table: dict[K, list[int]], real: dict[int, int]) -> None:
    """The placeholders in the lists of `table` become the ids in `real`."""
    for key, ids in table.items():
        if any(i in real for i in ids):
            table[key] = [real.get(i, i) for i in ids]


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
    def _new_ref(self) -> int:
        ref = self._next_placeholder
        self._next_placeholder -= 1
        return ref

    def placeholder(self, obj: Any, row: int) -> int:
        ref = self._new_ref()
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
        self.settled.update(new_ids(self.pending))
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
                select(
                    Organisation.id,
                    Organisation.name,
                    Organisation.plz,
                    Organisation.website,
                    Organisation.ags,
                )
            )
            for record_id, name, plz, website, ags in rows:
                index.add(record_id, name, plz, website, ags)
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
        ref = self._new_ref()
        self.org_pending[ref] = org
        return ref

    def settle_orgs(self) -> None:
        """Organisations created in this chunk become findable by id."""
        index = self.org_index()
        real = new_ids(self.org_pending)
        renumber_lists(index.by_name, real)
        renumber(index.by_name_plz, real)
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
            if permissions.person_locked(record):  # Art. 18 GDPR: left as it is
                raise RowError(
                    self.column_of(self.label_field),
                    _("Verarbeitung eingeschränkt (Art. 18 DSGVO): nicht geändert."),
                )
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
