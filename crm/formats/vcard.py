"""vCard 3.0 (RFC 2426) address cards, written with `vobject`: the version Outlook imports.

The cards are built from plain data (`Card`), so the format knows nothing of the models:
crm/directory/addressbook.py fills them from persons and their organisations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import vobject

UID_DOMAIN = "industrienetz.example.org"
MIMETYPE = "text/vcard"


@dataclass(frozen=True)
class Card:
    """What one address card says."""

    uid: str
    first_name: str
    last_name: str
    title: str | None = None  # academic title (Dr., Prof.)
    email: str | None = None
    phone: str | None = None
    organisation: str | None = None
    function: str | None = None
    street: str | None = None
    plz: str | None = None
    place: str | None = None
    country: str | None = None
    url: str | None = None
    revised: dt.datetime | None = None


def _card(card: Card) -> vobject.base.Component:
    item = vobject.vCard()
    item.add("version").value = "3.0"
    item.add("uid").value = f"{card.uid}@{UID_DOMAIN}"
    item.add("n").value = vobject.vcard.Name(
        family=card.last_name, given=card.first_name, prefix=card.title or ""
    )
    full = " ".join(p for p in (card.title, card.first_name, card.last_name) if p)
    item.add("fn").value = full
    if card.organisation:
        item.add("org").value = [card.organisation]
    if card.function:
        item.add("title").value = card.function
    if card.email:
        email = item.add("email")
        email.value = card.email
        email.type_param = "INTERNET"
    if card.phone:
        phone = item.add("tel")
        phone.value = card.phone
        phone.type_param = "WORK"
    if card.street or card.plz or card.place:
        address = item.add("adr")
        address.value = vobject.vcard.Address(
            street=card.street or "",
            city=card.place or "",
            code=card.plz or "",
            country=card.country or "",
        )
        address.type_param = "WORK"
    if card.url:
        item.add("url").value = card.url
    if card.revised is not None:
        item.add("rev").value = card.revised.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return item


def vcards(cards: Iterable[Card]) -> str:
    """The cards as one .vcf text (CRLF line ends, UTF-8 when encoded)."""
    return "".join(_card(card).serialize() for card in cards)
