"""Shared helpers of the invitation tests: an open event, invitees with every exclusion
reason, a campaign, the outbox mails."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from crm.extensions import db
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import InitiativeRoleKind
from crm.models import InvitationCampaign
from crm.models import LawfulBasis
from crm.models import OrgType
from crm.models import OutboxMail
from crm.models import RegistrationStatus

INVITATION_LINK = re.compile(r"https?://[^/\s]+(/einladung/[A-Za-z0-9_\-]+)(?!/)\s")
UNSUBSCRIBE_LINK = re.compile(r"https?://[^/\s]+(/einladung/[A-Za-z0-9_\-]+/abmelden)")


@dataclass
class World:
    """An open event, an initiative, and persons for each case (by name)."""

    event: Any
    initiative: Any
    organisation: Any
    persons: dict[str, Any]


def build_world(make: Any) -> World:
    """Persons who are invited (de, en, B2B without consent record, confirmed consent) and
    one left out for each reason; all contact persons of one initiative in NRW."""
    now = dt.datetime.now(dt.UTC)
    event = make.event(
        title="Netzwerktreffen Industrie",
        online_url="https://meet.example.org/netzwerk",
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
        starts_at=now + dt.timedelta(days=40),
        capacity=100,
    )
    make.workshop(event, title="Fachkräfte", position=0)
    initiative = make.initiative(
        name="Zukunft Industrie Rheinland", laender=["05"], public_listing=True
    )
    organisation = make.organisation(
        name="Muster-Werke GmbH", type=OrgType.UNTERNEHMEN, land_ags="05"
    )
    specs: dict[str, dict[str, Any]] = {
        "frau": dict(salutation="Frau", title="Dr.", first_name="Ada", last_name="Müller"),
        "english": dict(
            salutation="Herr", first_name="John", last_name="Smith", preferred_language="en"
        ),
        "neutral": dict(
            first_name="Kim", last_name="Neutral", lawful_basis=LawfulBasis.LEGITIMATE_INTEREST
        ),
        "consented": dict(first_name="Cora", last_name="Consent", lawful_basis=LawfulBasis.CONSENT),
        "no_email": dict(first_name="Nora", last_name="Ohnemail", email=None),
        "restricted": dict(first_name="Rita", last_name="Restricted", restricted=True),
        "unsubscribed": dict(first_name="Udo", last_name="Unsub"),
        "revoked": dict(first_name="Vera", last_name="Revoked"),
        "consent_basis": dict(
            first_name="Bea", last_name="Basis", lawful_basis=LawfulBasis.CONSENT
        ),
        "registered": dict(first_name="Rolf", last_name="Registered"),
        "duplicate": dict(first_name="Dora", last_name="Zweitadresse"),
    }
    persons = {}
    for key, spec in specs.items():
        if key == "duplicate":  # Ada Müller's address (sorted after her): one mail per address
            spec["email"] = persons["frau"].email
        persons[key] = make.person(**spec)
        make.initiative_role(persons[key], initiative, role=InitiativeRoleKind.ANSPRECHPERSON)
    make.affiliation(persons["frau"], organisation)
    make.consent(persons["consented"], purpose=ConsentPurpose.EVENT_INVITATIONS)
    make.consent(
        persons["unsubscribed"],
        purpose=ConsentPurpose.EVENT_INVITATIONS,
        status=ConsentStatus.REVOKED,
        text_version="abmeldelink",
    )
    make.consent(
        persons["revoked"], purpose=ConsentPurpose.EVENT_INVITATIONS, status=ConsentStatus.REVOKED
    )
    make.registration(event, persons["registered"], status=RegistrationStatus.REGISTERED)
    return World(event, initiative, organisation, persons)


INVITED = {"frau", "english", "neutral", "consented"}
LEFT_OUT = {
    "no_email": "no_email",
    "restricted": "restricted",
    "unsubscribed": "unsubscribed",
    "revoked": "no_consent",
    "consent_basis": "no_consent",
    "registered": "registered",
    "duplicate": "duplicate_email",
}


def campaign(make: Any, world: World, **kw: Any) -> Any:
    """A campaign of the world's event selecting the initiative's contact persons in NRW."""
    return make.save(
        InvitationCampaign(
            event_id=world.event.id,
            name=kw.pop("name", "Einladung Netzwerktreffen"),
            filters=kw.pop("filters", {"land": "05", "role": "ansprechperson"}),
            subject_de="Einladung zum Netzwerktreffen",
            subject_en="Invitation to the network meeting",
            intro_de="wir laden Sie herzlich ein.",
            intro_en="we cordially invite you.",
            **kw,
        )
    )


def outbox(app: Flask) -> list[OutboxMail]:
    """All outbox mails, oldest first (detached)."""
    with app.app_context():
        mails = list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))
        for mail in mails:
            db.session.expunge(mail)
        return mails
