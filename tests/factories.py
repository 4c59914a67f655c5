"""Factories for test data: each call creates one committed record and returns it detached.

Overrides go in as keyword arguments: `make.initiative(name="Zukunft durch Industrie")`.
The returned object has its columns loaded; relationships are not (they raise by design).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from typing import Any
from typing import TypeVar

from flask import Flask

from crm.accounts.passwords import hash_password
from crm.db.engine import writing
from crm.extensions import db
from crm.models import Affiliation
from crm.models import Consent
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Event
from crm.models import EventMode
from crm.models import EventStatus
from crm.models import EventType
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import InitiativeRoleKind
from crm.models import InitiativeType
from crm.models import Interaction
from crm.models import InteractionKind
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Registration
from crm.models import Relationship
from crm.models import RelationshipKind
from crm.models import Role
from crm.models import User
from crm.models import Workshop

T = TypeVar("T")
_counter = itertools.count(1)
UTC = dt.UTC


class Factories:
    """Record factories bound to one app."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _save(self, record: T, after: Any = None) -> T:
        with self.app.app_context(), writing():
            db.session.add(record)
            db.session.flush()
            if after is not None:
                after(record)
            db.session.commit()
            db.session.refresh(record)
            db.session.expunge(record)
        return record

    def _build(self, model: type[T], overrides: dict[str, Any], **defaults: Any) -> T:
        """Save a new `model` from `defaults`, each replaced by the caller's `overrides`."""
        return self._save(model(**(defaults | overrides)))

    def user(self, *, role: str = "staff", password: str | None = None, **kw: Any) -> User:
        """An account (password hashed with the real hasher)."""
        n = next(_counter)
        email = kw.pop("email", None) or f"user{n}@example.org"
        with self.app.app_context():
            hashed = hash_password(password) if password else None
        return self._save(User(email=email, role=Role(role), password_hash=hashed, **kw))

    def initiative(self, **kw: Any) -> Initiative:
        """An initiative; `laender=["05"]` and `themes=[...]` set the link tables."""
        laender = kw.pop("laender", None)
        themes = kw.pop("themes", None)
        n = next(_counter)
        record = Initiative(
            name=kw.pop("name", f"Initiative {n}"), type=kw.pop("type", InitiativeType.VEREIN), **kw
        )

        def link(ini: Initiative) -> None:
            from crm.models import Bundesland
            from crm.models import Theme

            if laender or themes:
                from sqlalchemy import select
                from sqlalchemy.orm import selectinload

                loaded = db.session.scalar(
                    select(Initiative)
                    .where(Initiative.id == ini.id)
                    .options(selectinload(Initiative.laender), selectinload(Initiative.themes))
                )
                assert loaded is not None
                for ags in laender or ():
                    loaded.laender.append(db.session.get_one(Bundesland, ags))
                for name in themes or ():
                    theme = db.session.scalar(select(Theme).where(Theme.name == name))
                    loaded.themes.append(theme or Theme(name=name))

        return self._save(record, link)

    def organisation(self, **kw: Any) -> Organisation:
        """An organisation (a company unless `type` says otherwise)."""
        n = next(_counter)
        return self._build(
            Organisation, kw, name=f"Organisation {n} GmbH", type=OrgType.UNTERNEHMEN
        )

    def person(self, **kw: Any) -> Person:
        """A synthetic person with an example.org address."""
        n = next(_counter)
        return self._build(
            Person, kw, first_name="Erika", last_name=f"Muster{n}", email=f"person{n}@example.org"
        )

    def membership(self, organisation: Any, initiative: Any, **kw: Any) -> Membership:
        """Organisation × initiative."""
        return self._build(
            Membership,
            kw,
            organisation_id=organisation.id,
            initiative_id=initiative.id,
            role=MembershipRole.MITGLIED,
        )

    def affiliation(self, person: Any, organisation: Any, **kw: Any) -> Affiliation:
        """Person × organisation."""
        return self._build(Affiliation, kw, person_id=person.id, organisation_id=organisation.id)

    def initiative_role(self, person: Any, initiative: Any, **kw: Any) -> InitiativeRole:
        """Person × initiative."""
        return self._build(
            InitiativeRole,
            kw,
            person_id=person.id,
            initiative_id=initiative.id,
            role=InitiativeRoleKind.ANSPRECHPERSON,
        )

    def consent(self, person: Any, **kw: Any) -> Consent:
        """A confirmed consent (public listing unless `purpose` says otherwise)."""
        return self._build(
            Consent,
            kw,
            person_id=person.id,
            purpose=ConsentPurpose.PUBLIC_LISTING,
            status=ConsentStatus.CONFIRMED,
            method=ConsentMethod.WEB_FORM,
        )

    def relationship(self, a: Any, b: Any, **kw: Any) -> Relationship:
        """Initiative ↔ initiative."""
        return self._build(
            Relationship,
            kw,
            initiative_a_id=a.id,
            initiative_b_id=b.id,
            kind=RelationshipKind.KOOPERATION,
        )

    def interaction(self, **kw: Any) -> Interaction:
        """A logged call unless `kind` says otherwise."""
        return self._build(Interaction, kw, kind=InteractionKind.CALL, subject="Telefonat")

    def event(self, **kw: Any) -> Event:
        """A published online network meeting in the future."""
        n = next(_counter)
        start = kw.pop("starts_at", dt.datetime(2027, 3, 16, 9, 0, tzinfo=UTC))
        return self._build(
            Event,
            kw,
            slug=f"treffen-{n}",
            title=f"Netzwerktreffen {n}",
            type=EventType.NETZWERKTREFFEN,
            mode=EventMode.ONLINE,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=5),
            status=EventStatus.VEROEFFENTLICHT,
        )

    def workshop(self, event: Any, **kw: Any) -> Workshop:
        """A workshop of `event`."""
        n = next(_counter)
        return self._build(Workshop, kw, event_id=event.id, title=f"Workshop {n}", capacity=30)

    def registration(self, event: Any, person: Any, **kw: Any) -> Registration:
        """A registration with a random personal-link token hash."""
        token = kw.pop("token", f"token-{next(_counter)}")
        return self._save(
            Registration(
                event_id=event.id,
                person_id=person.id,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                **kw,
            )
        )

    def save(self, record: T) -> T:
        """Save a row the test builds itself (one no factory method makes)."""
        return self._save(record)
