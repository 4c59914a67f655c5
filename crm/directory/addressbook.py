"""Address book and mail merge of persons: vCards and the "Serienbrief" list (issue 17).

vCards carry a person's name, e-mail, phone and their current organisation with its
address. The mail-merge list gives per person the letter's salutation ("Sehr geehrte Frau
Dr. Müller", "Sehr geehrter Herr Schmidt", neutral "Guten Tag Alex Weber"; in English
"Dear Ms Müller", ...), the address block of DIN 5008 (organisation, name, street,
PLZ and place) and the e-mail address. It lists only persons whose latest consent to the
mailing's purpose is confirmed. Persons whose processing is restricted (Art. 18 GDPR) or
who were anonymised are left out of every one of these files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from crm import permissions
from crm.directory.exports import MAX_ROWS
from crm.extensions import db
from crm.formats.vcard import Card
from crm.models import Affiliation
from crm.models import Organisation
from crm.models import Person
from crm.models.enums import ConsentPurpose

#: The purposes a mail merge can be for (?zweck=…), the first is the default.
MAILING_PURPOSES = (ConsentPurpose.EVENT_INVITATIONS, ConsentPurpose.NEWSLETTER)
FEMALE = frozenset({"frau", "ms", "ms.", "mrs", "mrs.", "miss"})
MALE = frozenset({"herr", "herrn", "mr", "mr."})


def _letter(gender: str | None, titled: bool, values: dict[str, str]) -> str:
    """The salutation of a letter. The contexts let a language word each case its own way
    (in English an academic title replaces Ms/Mr: "Dear Dr Müller")."""
    if gender == "f" and titled:
        return pgettext(
            "Briefanrede mit Titel, Frau", "Sehr geehrte Frau %(title)s%(last)s", **values
        )
    if gender == "f":
        return pgettext("Briefanrede, Frau", "Sehr geehrte Frau %(title)s%(last)s", **values)
    if gender == "m" and titled:
        return pgettext(
            "Briefanrede mit Titel, Herr", "Sehr geehrter Herr %(title)s%(last)s", **values
        )
    if gender == "m":
        return pgettext("Briefanrede, Herr", "Sehr geehrter Herr %(title)s%(last)s", **values)
    return pgettext("Briefanrede, neutral", "Guten Tag %(title)s%(first)s %(last)s", **values)


def _name_line(gender: str | None, values: dict[str, str]) -> str:
    """The name line of the address block ("Frau Dr. Anna Müller", "Herrn Bernd Schmidt")."""
    if gender == "f":
        return pgettext("Anschrift, Frau", "Frau %(title)s%(first)s %(last)s", **values)
    if gender == "m":
        return pgettext("Anschrift, Herr", "Herrn %(title)s%(first)s %(last)s", **values)
    return pgettext("Anschrift, neutral", "%(title)s%(first)s %(last)s", **values)


def _gender(salutation: str | None) -> str | None:
    word = (salutation or "").strip().lower()
    return "f" if word in FEMALE else "m" if word in MALE else None


def _words(person: Person, language: str) -> tuple[str, str]:
    """The salutation of a letter to `person` and the name line of its address block."""
    gender = _gender(person.salutation)
    title = person.title.strip() if person.title else ""
    values = {
        "title": f"{title} " if title else "",
        "first": person.first_name.strip(),
        "last": person.last_name.strip(),
    }
    with force_locale(language):
        letter, name = _letter(gender, bool(title), values), _name_line(gender, values)
    return " ".join(letter.split()), " ".join(name.split())


def salutation(person: Person, language: str = "de") -> str:
    """The salutation of a letter ("Sehr geehrte Frau Dr. Müller")."""
    return _words(person, language)[0]


def current_affiliation(person: Person) -> Affiliation | None:
    """The person's first current affiliation (its organisation gives the address)."""
    active = [a for a in person.affiliations if a.is_active]
    return min(active, key=lambda a: a.id) if active else None


def address_block(person: Person, language: str = "de") -> list[str]:
    """The address block per DIN 5008: organisation, name, street, PLZ and place."""
    affiliation = current_affiliation(person)
    organisation: Organisation | None = affiliation.organisation if affiliation else None
    lines = [organisation.name if organisation else "", _words(person, language)[1]]
    if organisation is not None:
        lines.append(organisation.street or "")
        lines.append(" ".join(p for p in (organisation.plz, organisation.place) if p))
    return [line for line in lines if line]


def _shareable(query: Select[Any]) -> Select[Any]:
    """Leave out restricted and anonymised persons; load organisations and consents."""
    return query.where(Person.restricted.is_(False), Person.anonymised_at.is_(None)).options(
        selectinload(Person.affiliations).selectinload(Affiliation.organisation),
        selectinload(Person.consents),
    )


def _persons(query: Select[Any]) -> Iterator[Person]:
    yield from db.session.scalars(_shareable(query).limit(MAX_ROWS))


def may_share(person: Person) -> bool:
    """May `person` go into an address book file (not restricted, not anonymised)?"""
    return not person.restricted and person.anonymised_at is None


def card(person: Person, url: str | None = None) -> Card:
    """The vCard of `person` with their current organisation."""
    affiliation = current_affiliation(person)
    organisation = affiliation.organisation if affiliation else None
    return Card(
        uid=f"person-{person.id}",
        first_name=person.first_name,
        last_name=person.last_name,
        title=person.title,
        email=person.email,
        phone=person.phone,
        organisation=organisation.name if organisation else None,
        function=affiliation.function if affiliation else None,
        street=organisation.street if organisation else None,
        plz=organisation.plz if organisation else None,
        place=organisation.place if organisation else None,
        country="Deutschland" if organisation and organisation.plz else None,
        url=url,
        revised=person.updated_at,
    )


def person_for_card(person_id: int) -> Person | None:
    """One person with their organisations (None: unknown)."""
    return db.session.get(
        Person,
        person_id,
        options=[selectinload(Person.affiliations).selectinload(Affiliation.organisation)],
    )


def cards(query: Select[Any]) -> Iterator[Card]:
    """The vCards of the person list `query` (restricted persons left out)."""
    for person in _persons(query):
        yield card(person)


def parse_purpose(value: str | None) -> ConsentPurpose:
    """The mailing purpose of ?zweck= (unknown values: the default)."""
    return next((p for p in MAILING_PURPOSES if p.value == value), MAILING_PURPOSES[0])


@dataclass(frozen=True)
class MailMerge:
    """Header and rows of a mail-merge file."""

    header: list[str]
    rows: Iterator[list[Any]]


ADDRESS_LINES = 4


def mail_merge(query: Select[Any], purpose: ConsentPurpose, language: str) -> MailMerge:
    """The mail-merge list of the person list `query`: persons who consented to `purpose`."""
    header = [
        str(_l("Anrede")),
        *(str(_l("Anschrift %(n)s", n=n)) for n in range(1, ADDRESS_LINES + 1)),
        str(_l("E-Mail")),
        str(_l("Titel")),
        str(_l("Vorname")),
        str(_l("Nachname")),
        str(_l("Organisation")),
    ]

    def rows() -> Iterator[list[Any]]:
        for person in _persons(query):
            if not permissions.has_active_consent(person.consents, purpose):
                continue
            block = address_block(person, language)
            affiliation = current_affiliation(person)
            yield [
                salutation(person, language),
                *(block + [""] * ADDRESS_LINES)[:ADDRESS_LINES],
                person.email or "",
                person.title or "",
                person.first_name,
                person.last_name,
                affiliation.organisation.name if affiliation else "",
            ]

    return MailMerge(header, rows())
