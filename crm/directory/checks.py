"""Checks of the record forms against the database, after the forms' own field checks:
organisation names resolve to one organisation, the PLZ exists and fits Kreis and Land
(filling them when empty), and an organisation is not placed under itself."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.directory.forms import AddressFormMixin
from crm.directory.forms import OrganisationRefField
from crm.extensions import db
from crm.models import Organisation
from crm.models.text import fold
from crm.reference.geo import is_valid_plz
from crm.reference.geo import resolve_plz


def resolve_organisation(field: OrganisationRefField) -> bool:
    """Set `field.org_id` from "Name (#id)" or an exact name; False with an error if not."""
    field.org_id = None
    text = (field.data or "").strip()
    if not text:
        return True
    ref = field.ref_id()
    if ref is not None:
        if db.session.get(Organisation, ref) is None:
            field.errors.append(_("Diese Organisation gibt es nicht (mehr)."))
            return False
        field.org_id = ref
        return True
    ids = list(
        db.session.scalars(
            select(Organisation.id).where(Organisation.sort_name == fold(text)).limit(5)
        )
    )
    if not ids:
        field.errors.append(
            _("Keine Organisation dieses Namens gefunden. Bitte den genauen Namen angeben.")
        )
        return False
    if len(ids) > 1:
        field.errors.append(
            _(
                "Mehrere Organisationen heißen so; bitte „Name (#Nummer)“ angeben: %(ids)s",
                ids=", ".join(f"#{i}" for i in ids),
            )
        )
        return False
    field.org_id = ids[0]
    return True


def check_address(form: Any) -> bool:
    """Resolve the PLZ: fill empty Kreis, Land and Ort; refuse what does not fit."""
    plz_field, kreis, land, place = form.plz, form.kreis, form.land, form.place
    ok = True
    if kreis.data and land.data and kreis.data[:2] != land.data:
        land.errors.append(_("Der Kreis liegt nicht in diesem Land."))
        ok = False
    if kreis.data and not land.data and not kreis.errors:
        land.data = kreis.data[:2]  # the Land is part of the Kreis key (AGS)
    code = (plz_field.data or "").strip()
    plz_field.data = code
    if not code or plz_field.errors:
        return ok and not plz_field.errors
    if not is_valid_plz(code):
        plz_field.errors.append(_("Eine PLZ hat fünf Ziffern."))
        return False
    candidates = resolve_plz(code)
    if not candidates:
        plz_field.errors.append(_("Diese PLZ ist unbekannt."))
        return False
    kreise = sorted({c.kreis_ags for c in candidates if c.kreis_ags})
    laender = sorted({c.land_ags for c in candidates if c.land_ags})
    if kreis.data and kreis.data not in kreise:
        names = ", ".join(sorted({c.kreis_name or "" for c in candidates}))
        kreis.errors.append(_("Der Kreis passt nicht zur PLZ (möglich: %(k)s).", k=names))
        ok = False
    elif not kreis.data:
        if len(kreise) == 1:
            kreis.data = kreise[0]
        elif not kreis.errors:
            kreis.errors.append(_("Diese PLZ liegt in mehreren Kreisen; bitte einen auswählen."))
            ok = False
    if land.data and land.data not in laender:
        names = ", ".join(sorted({c.land_name or "" for c in candidates}))
        land.errors.append(_("Das Land passt nicht zur PLZ (möglich: %(l)s).", l=names))
        ok = False
    elif not land.data and ok:
        fitting = sorted(
            {c.land_ags for c in candidates if c.kreis_ags == kreis.data and c.land_ags}
        )
        if len(fitting) == 1:
            land.data = fitting[0]
        elif len(laender) == 1:
            land.data = laender[0]
    if ok and not (place.data or "").strip():
        places = sorted({c.place for c in candidates if c.kreis_ags == kreis.data})
        if len(places) == 1:
            place.data = places[0]
    return ok


def is_own_ancestor(record: Organisation, parent_id: int) -> bool:
    """Would `parent_id` make the organisation its own parent or ancestor?"""
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen and len(seen) < 100:
        if current == record.id:
            return True
        seen.add(current)
        current = db.session.scalar(
            select(Organisation.parent_id).where(Organisation.id == current)
        )
    return False


def check_parent(form: Any, record: Organisation | None) -> bool:
    """An organisation is not placed under itself or one of its own units."""
    parent = form.parent.org_id
    if parent is None or record is None or not is_own_ancestor(record, parent):
        return True
    form.parent.errors.append(
        _(
            "Eine Organisation kann nicht sich selbst oder einer ihrer Untereinheiten "
            "untergeordnet sein."
        )
    )
    return False


def validate_record_form(form: Any, record: Any) -> bool:
    """The form's own checks, then the database checks; every error is shown at once."""
    ok = form.validate()
    for name in form.ORG_FIELDS:
        field = form[name]
        if not field.errors:
            ok = resolve_organisation(field) and ok
    if isinstance(form, AddressFormMixin):
        ok = check_address(form) and ok
    if "parent" in form.ORG_FIELDS and not form.parent.errors:
        ok = check_parent(form, record) and ok
    return bool(ok)
