"""The import handler of each kind: organisations, persons, initiatives, memberships and
attendance (registrations of past events).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.imports.handler import Handler
from crm.imports.handler import RowError
from crm.imports.handler import new_ids
from crm.imports.handler import renumber
from crm.imports.handler import renumber_lists
from crm.imports.matching import Match
from crm.imports.matching import PersonIndex
from crm.imports.matching import fold_name
from crm.imports.matching import website_domain
from crm.imports.outcome import RowResult
from crm.imports.spec import ImportSpec
from crm.imports.values import parse_ags
from crm.imports.values import parse_bool
from crm.imports.values import parse_date
from crm.imports.values import parse_email
from crm.imports.values import parse_enum
from crm.imports.values import parse_int
from crm.imports.values import parse_phone
from crm.imports.values import parse_text
from crm.imports.values import parse_vocabulary
from crm.imports.values import parse_website
from crm.imports.values import text
from crm.imports.values import vocabulary_table
from crm.models import Affiliation
from crm.models import Event
from crm.models import Initiative
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import SizeClass
from crm.models import Theme


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
        out["ags"] = self.cell(values, "ags", parse_ags)
        self.address(values, out)
        return out

    @staticmethod
    def _keys(parsed: dict[str, Any]) -> tuple[str, str | None, str | None, str | None]:
        return parsed["name"], parsed.get("plz"), parsed.get("website"), parsed.get("ags")

    def match(self, parsed: dict[str, Any]) -> Match | None:
        return self.org_index().find(*self._keys(parsed))

    def remember(self, ref: int, parsed: dict[str, Any]) -> None:
        self.org_index().add(ref, *self._keys(parsed))

    def create(self, parsed: dict[str, Any], row: int) -> Any:
        parsed = dict(parsed)
        parsed["type"] = parsed.get("type") or OrgType.SONSTIGE
        return super().create(parsed, row)

    def settle(self) -> None:
        index = self.org_index()
        real = new_ids(self.pending)
        renumber(index.by_ags, real)
        renumber(index.by_domain, real)
        renumber(index.by_name_plz, real)
        renumber_lists(index.by_name, real)
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
        real_orgs = new_ids(self.org_pending)
        if real_orgs:
            self.index.by_name_org = {
                (name, real_orgs.get(org, org) if org is not None else None): pid
                for (name, org), pid in self.index.by_name_org.items()
            }
        real = new_ids(self.pending)
        renumber(self.index.by_email, real)
        renumber(self.index.by_name_org, real)
        renumber_lists(self.index.by_name, real)
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
        self.themes = vocabulary_table(db.session.scalars(select(Theme)))

    def _themes(self, cell: Any) -> list[Theme]:
        return parse_vocabulary(self.themes, cell)

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
        real = new_ids(self.pending)
        renumber(self.by_name, real)
        renumber(self.by_domain, real)
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
        real_orgs = new_ids(self.org_pending)
        real = new_ids(self.pending)
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
