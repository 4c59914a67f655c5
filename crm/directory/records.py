"""Staff pages of the directory records: create, edit (conflict-safe), delete;
organisation and person details; the PLZ look-up behind the address fields.

Every edit form carries the version it was rendered with. A save against a newer
version never overwrites silently: it shows the conflict page ("Ihr Wert" beside
"Aktueller Wert", a choice per field), which posts back against the version it showed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from crm import permissions
from crm.directory import checks
from crm.directory import details
from crm.directory import forms
from crm.directory import services
from crm.directory.queries import current_formats
from crm.directory.queries import current_themes
from crm.directory.queries import kreis_choices
from crm.directory.queries import land_choices
from crm.directory.views import bp
from crm.duplicates import queries as duplicate_queries
from crm.extensions import db
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import LawfulBasis
from crm.models import Organisation
from crm.models import OrgType
from crm.models import SizeClass
from crm.models import SpatialLevel
from crm.reference.geo import resolve_plz
from crm.web.i18n import format_day
from crm.web.i18n import format_moment
from crm.web.labels import choices
from crm.web.locks import refuse_locked
from crm.web.pagination import parse_page

EMPTY = ("", "–")
ADDRESS = ("street", "plz", "place", "kreis", "land")
ResponseLike = Response | str | tuple[str, int]


@dataclass(frozen=True)
class Kind:
    """How one record type is shown and edited."""

    name: str
    form: type[forms.RecordForm]
    values: Any
    list_endpoint: str
    detail_endpoint: str
    arg: str
    title: Any  # heading of the "new" form


KINDS = {
    "initiative": Kind(
        "initiative",
        forms.InitiativeForm,
        forms.initiative_values,
        "directory.initiatives",
        "directory.initiative_detail",
        "initiative_id",
        _l("Neue Initiative"),
    ),
    "organisation": Kind(
        "organisation",
        forms.OrganisationForm,
        forms.organisation_values,
        "directory.organisations",
        "directory.organisation_detail",
        "organisation_id",
        _l("Neue Organisation"),
    ),
    "person": Kind(
        "person",
        forms.PersonForm,
        forms.person_values,
        "directory.persons",
        "directory.person_detail",
        "person_id",
        _l("Neue Person"),
    ),
}
IMPACT_LABELS = {
    "memberships": _l("Mitgliedschaften"),
    "roles": _l("Rollen in Initiativen"),
    "relationships": _l("Beziehungen"),
    "interactions": _l("Kontakte (nur zu diesem Datensatz protokolliert)"),
    "affiliations": _l("Zugehörigkeiten (Person – Organisation)"),
    "consents": _l("Einwilligungen"),
    "registrations": _l("Anmeldungen zu Veranstaltungen"),
    "interaction_links": _l("Beteiligungen an Kontakten (die Kontakte bleiben)"),
    "hosted": _l("Initiativen mit dieser Geschäftsstelle (die Angabe wird geleert)"),
    "children": _l("Untergeordnete Organisationen (die Zuordnung wird geleert)"),
}


def display_name(kind: str, record: Any) -> str:
    """The name a record is shown under."""
    return str(record.full_name if kind == "person" else record.name)


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _detail_url(kind: str, record_id: int) -> str:
    spec = KINDS[kind]
    values: dict[str, Any] = {spec.arg: record_id}
    return url_for(spec.detail_endpoint, **values)


def _set_choices(kind: str, form: Any) -> None:
    if kind == "person":
        form.lawful_basis.choices = [EMPTY, *choices(LawfulBasis)]
        form.preferred_language.choices = [(code, str(name)) for code, name in forms.LANGUAGES]
        return
    kreise = kreis_choices()
    laender = land_choices()
    form.kreis.choices = [EMPTY, *kreise]
    form.land.choices = [EMPTY, *laender]
    if kind == "initiative":
        form.type.choices = choices(InitiativeType)
        form.status.choices = choices(InitiativeStatus)
        form.spatial_level.choices = [EMPTY, *choices(SpatialLevel)]
        form.themes.choices = current_themes()
        form.formats.choices = current_formats()
        form.laender.choices = laender
        form.kreise.choices = kreise
    else:
        form.type.choices = choices(OrgType)
        form.size_class.choices = [EMPTY, *choices(SizeClass)]


def _form_data(kind: str, record: Any) -> dict[str, Any]:
    """A stored record as initial form data (organisation fields as "Name (#id)")."""
    data: dict[str, Any] = dict(KINDS[kind].values(record))
    if kind == "initiative":
        data["host_organisation"] = forms.org_ref(record.host_organisation)
    elif kind == "organisation":
        data["parent"] = forms.org_ref(record.parent)
    return data


def _defaults(kind: str) -> dict[str, Any]:
    if kind == "initiative":
        return {"type": InitiativeType.VEREIN.value, "status": InitiativeStatus.AKTIV.value}
    if kind == "organisation":
        return {"type": OrgType.UNTERNEHMEN.value}
    return {"preferred_language": "de"}


def _form(kind: str, record: Any = None) -> Any:
    cls = KINDS[kind].form
    if request.method != "GET":
        form = cls()
    elif record is not None:
        data = _form_data(kind, record)
        form = cls(data=data)
        form.version.data = str(record.version)
        form.base.data = forms.fingerprints(KINDS[kind].values(record))
    else:
        form = cls(data=_defaults(kind))
    _set_choices(kind, form)
    return form


def _valid(form: Any, record: Any) -> bool:
    """A submitted form that passes the field and the database checks."""
    return form.is_submitted() and checks.validate_record_form(form, record)


def _render_form(
    kind: str, form: Any, record: Any, status: int = 200, similar: Any = ()
) -> ResponseLike:
    page = render_template(
        f"directory/{kind}_form.html",
        form=form,
        record=record,
        kind=kind,
        similar=similar,
        similar_url=lambda record_id: _detail_url(kind, record_id),
        heading=KINDS[kind].title
        if record is None
        else _("%(name)s bearbeiten", name=display_name(kind, record)),
        cancel_url=_detail_url(kind, record.id)
        if record is not None
        else url_for(KINDS[kind].list_endpoint),
    )
    return (page, status) if status != 200 else page


def new(kind: str) -> ResponseLike:
    """Create a record of `kind`."""
    _require(permissions.can_create(current_user, kind))
    form = _form(kind)
    if _valid(form, None):
        values = form.values()
        shown_for = duplicate_queries.similarity_token(kind, values)
        if form.confirm_similar.data != shown_for:
            similar = duplicate_queries.similar_records(kind, values)
            if similar:  # "Meinten Sie …?" first; "Trotzdem anlegen" posts the token back
                form.confirm_similar.data = shown_for
                return _render_form(kind, form, None, similar=similar)
        record = services.create(kind, values)
        db.session.commit()
        flash(_("„%(name)s“ wurde angelegt.", name=display_name(kind, record)), "success")
        return redirect(_detail_url(kind, record.id))
    return _render_form(kind, form, None)


def _deleted_meanwhile(kind: str) -> Response:
    flash(
        _(
            "Dieser Datensatz wurde inzwischen von jemand anderem gelöscht. "
            "Ihre Änderungen konnten nicht gespeichert werden."
        ),
        "error",
    )
    return redirect(url_for(KINDS[kind].list_endpoint))


def _load(kind: str, record_id: int) -> Any:
    _require(permissions.can_view_directory(current_user))
    record = details.record_for_edit(kind, record_id)
    if record is not None and not permissions.can_view(current_user, record):
        abort(404)
    return record


# -- conflicts --------------------------------------------------------------------------


@dataclass
class ConflictRow:
    """One choice on the conflict page: a field (or the address as a whole)."""

    key: str
    label: str
    mine: str
    current: str
    choose_mine: bool  # the preselected choice
    both_changed: bool


def _show(form: Any, name: str, value: Any) -> str:
    """A normalised value as a reader sees it."""
    field = form[name]
    if value is None or value == [] or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if name in form.ORG_FIELDS:
        org = db.session.get(Organisation, value)
        return forms.org_ref(org) if org else f"#{value}"
    if isinstance(value, list) or getattr(field, "choices", None):
        names = {str(k): str(v) for k, v in field.choices or []}
        items = value if isinstance(value, list) else [value]
        return ", ".join(names.get(str(v), str(v)) for v in items)
    if isinstance(value, dt.datetime):
        return format_moment(value)
    if isinstance(value, dt.date):
        return format_day(value)
    return str(value)


def _group(name: str) -> str:
    return "address" if name in ADDRESS else name


def conflict_rows(
    form: Any, mine: dict[str, Any], current: dict[str, Any], base: dict[str, str]
) -> list[ConflictRow]:
    """The differing fields; the address fields form one row (they only fit together)."""
    rows: list[ConflictRow] = []
    groups: dict[str, list[str]] = {}
    for name in form.FIELDS:
        groups.setdefault(_group(name), []).append(name)
    for key, names in groups.items():
        if all(mine[n] == current[n] for n in names):
            continue
        by_me = any(base.get(n) != forms.fingerprint(mine[n]) for n in names) if base else True
        by_them = any(base.get(n) != forms.fingerprint(current[n]) for n in names) if base else True
        if key == "address":
            title = _("Adresse")
            mine_text = " · ".join(
                f"{form[n].label.text}: {_show(form, n, mine[n])}" for n in names
            )
            current_text = " · ".join(
                f"{form[n].label.text}: {_show(form, n, current[n])}" for n in names
            )
        else:
            title = str(form[key].label.text)
            mine_text = _show(form, key, mine[key])
            current_text = _show(form, key, current[key])
        rows.append(
            ConflictRow(
                key=key,
                label=title,
                mine=mine_text,
                current=current_text,
                choose_mine=bool(base) and by_me and not by_them,
                both_changed=by_me and by_them,
            )
        )
    return rows


def _echo(form_data: Any) -> list[tuple[str, str]]:
    """The submitted input to post again ("mine"), without the bookkeeping fields."""
    skip = {"csrf_token", "version", "base", "_resolve"}
    return [
        (key, value)
        for key, values in form_data.lists()
        if key not in skip and not key.startswith("choice-")
        for value in values
    ]


def _conflict(kind: str, record: Any, form: Any, mine: dict[str, Any]) -> ResponseLike:
    """The conflict page (409), or back to the record when the values already agree."""
    current = KINDS[kind].values(record)
    base = forms.read_fingerprints(form.base.data)
    rows = conflict_rows(form, mine, current, base)
    if not rows:  # e.g. the same form sent twice: nothing would change
        flash(_("Ihre Angaben entsprechen bereits dem aktuellen Stand."), "info")
        return redirect(_detail_url(kind, record.id))
    page = render_template(
        "directory/conflict.html",
        kind=kind,
        record=record,
        name=display_name(kind, record),
        rows=rows,
        echo=_echo(request.form),
        version=record.version,
        base=forms.fingerprints(current),
        action=request.path,
        cancel_url=_detail_url(kind, record.id),
    )
    return page, 409


def _merge(form: Any, mine: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Apply "mine" only where the person chose it on the conflict page."""
    return {
        name: mine[name] if request.form.get(f"choice-{_group(name)}") == "mine" else current[name]
        for name in form.FIELDS
    }


def edit(kind: str, record_id: int) -> ResponseLike:
    """Change a record; a stale form leads to the conflict page, never to an overwrite."""
    record = _load(kind, record_id)
    if record is None:
        if request.method == "GET":
            abort(404)
        return _deleted_meanwhile(kind)
    refuse_locked(record, _detail_url(kind, record.id))
    _require(permissions.can_maintain(current_user, record))
    form = _form(kind, record)
    if not _valid(form, record):
        return _render_form(kind, form, record, 200)
    mine = form.values()
    if form.submitted_version() != record.version:
        return _conflict(kind, record, form, mine)
    values = mine
    if request.form.get("_resolve") == "1":
        values = _merge(form, mine, KINDS[kind].values(record))
    try:
        services.update(kind, record, values)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        record = details.record_for_edit(kind, record_id)
        if record is None:
            return _deleted_meanwhile(kind)
        return _conflict(kind, record, form, mine)
    flash(_("„%(name)s“ wurde gespeichert.", name=display_name(kind, record)), "success")
    return redirect(_detail_url(kind, record.id))


def delete(kind: str, record_id: int) -> ResponseLike:
    """Ask first, showing what goes with the record (GET); then delete it (POST)."""
    record = _load(kind, record_id)
    if record is None:
        if request.method == "GET":
            abort(404)
        flash(_("Dieser Datensatz war bereits gelöscht."), "info")
        return redirect(url_for(KINDS[kind].list_endpoint))
    refuse_locked(record, _detail_url(kind, record.id))
    _require(permissions.can_delete(current_user, record))
    form = forms.DeleteForm()
    impact = details.delete_impact(kind, record.id)
    name = display_name(kind, record)
    if request.method == "POST" and not impact.blocked:
        if form.validate_on_submit() and form.version.data == str(record.version):
            try:
                services.delete(kind, record)
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                flash(_("Dieser Datensatz war bereits gelöscht."), "info")
                return redirect(url_for(KINDS[kind].list_endpoint))
            except services.RefusedDelete:
                db.session.rollback()  # an editor account appeared meanwhile: ask again
                return redirect(request.path)
            flash(_("„%(name)s“ wurde gelöscht.", name=name), "success")
            return redirect(url_for(KINDS[kind].list_endpoint))
        flash(
            _(
                "Der Datensatz wurde inzwischen geändert. "
                "Bitte prüfen Sie ihn und bestätigen Sie erneut."
            ),
            "warning",
        )
    form.version.data = str(record.version)
    page = render_template(
        "directory/delete.html",
        kind=kind,
        record=record,
        name=name,
        form=form,
        impact=[(IMPACT_LABELS[key], n) for key, n in impact.items],
        blocked=impact.blocked,
        editor_accounts=impact.editor_accounts,
        cancel_url=_detail_url(kind, record.id),
    )
    return (page, 409) if request.method == "POST" else page


def _detail_page(
    kind: str, load: Callable[..., Any], record_id: int, pages: tuple[str, ...]
) -> str:
    """The detail page of `kind` (loaded by `load`) for a user who may see the record,
    each of its paged lists at the page its parameter in `pages` asks for."""
    _require(permissions.can_view_directory(current_user))
    detail = load(record_id, **{name: parse_page(request.args.get(name)) for name in pages})
    if detail is None or not permissions.can_view(current_user, getattr(detail, kind)):
        abort(404)
    return render_template(f"directory/{kind}_detail.html", d=detail)


# -- routes -------------------------------------------------------------------------------


def _bound(
    view: Callable[..., ResponseLike], kind: str, endpoint: str
) -> Callable[..., ResponseLike]:
    """`view` for one kind of record, named after its endpoint (Flask-Limiter keys by name)."""

    def serve(**url_values: int) -> ResponseLike:
        return view(kind, *url_values.values())

    serve.__name__ = serve.__qualname__ = endpoint
    serve.__doc__ = view.__doc__
    return serve


def _register(kind: str, path: str) -> None:
    """Create, change and delete (after confirmation) a record of `kind`."""
    item = f"{path}/<int:{kind}_id>"
    for action, rule, view in (
        ("new", f"{path}/new", new),
        ("edit", f"{item}/edit", edit),
        ("delete", f"{item}/delete", delete),
    ):
        endpoint = f"{kind}_{action}"
        bp.add_url_rule(rule, endpoint, _bound(view, kind, endpoint), methods=["GET", "POST"])


for _kind, _path in (
    ("initiative", "/initiatives"),
    ("organisation", "/organisations"),
    ("person", "/persons"),
):
    _register(_kind, _path)


@bp.get("/organisations/<int:organisation_id>")
def organisation_detail(organisation_id: int) -> str:
    """One organisation with its memberships, people, relationships and interactions."""
    return _detail_page(
        "organisation", details.organisation_detail, organisation_id, details.ORGANISATION_PAGES
    )


@bp.get("/persons/<int:person_id>")
def person_detail(person_id: int) -> str:
    """One person with affiliations, initiative roles, consents and interactions."""
    return _detail_page("person", details.person_detail, person_id, details.PERSON_PAGES)


@bp.get("/organisations/lookup")
def organisation_lookup() -> Response:
    """Organisations matching ?q= as JSON, for the "Name (#Nummer)" fields of the forms."""
    _require(permissions.can_view_directory(current_user))
    found = details.organisation_matches(request.args.get("q", ""))
    return jsonify(
        organisations=[{"id": o.id, "label": forms.org_ref(o), "place": o.place} for o in found]
    )


@bp.get("/geo/plz/<plz>")
def plz_lookup(plz: str) -> Response:
    """The places, Kreise and Länder a PLZ may mean, as JSON (empty list when unknown)."""
    _require(permissions.can_lookup_plz(current_user))
    candidates = resolve_plz(plz[:10])
    return jsonify(
        plz=plz[:10],
        candidates=[
            {
                "place": c.place,
                "kreis_ags": c.kreis_ags,
                "kreis_name": c.kreis_name,
                "land_ags": c.land_ags,
                "land_name": c.land_name,
            }
            for c in candidates
        ],
    )
