"""Links between records (staff): memberships, affiliations, initiative roles and
relationships — create, edit, end, delete — and the record look-up behind their pickers.

Every write goes back to the page it came from (a safe `next`), else to the record page
of one of the link's ends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.extensions import db
from crm.links import queries, services
from crm.links.forms import (
    AffiliationForm,
    MembershipForm,
    NewAffiliationForm,
    NewMembershipForm,
    NewRelationshipForm,
    NewRoleForm,
    PickerMixin,
    RelationshipForm,
    RoleForm,
)
from crm.models import InitiativeRoleKind, MembershipRole, RelationshipKind
from crm.models.base import today
from crm.web.i18n import format_day
from crm.web.labels import choices, label
from crm.web.urls import safe_next

bp = Blueprint("links", __name__)

ResponseLike = Response | str | tuple[str, int]

DETAIL_ENDPOINTS = {
    "initiative": ("directory.initiative_detail", "initiative_id"),
    "organisation": ("directory.organisation_detail", "organisation_id"),
    "person": ("directory.person_detail", "person_id"),
}
KIND_LABELS = {
    "initiative": _l("Initiative"),
    "organisation": _l("Organisation"),
    "person": _l("Person"),
}
PICK_MISSING = {
    "initiative": _l("Bitte eine Initiative aus der Trefferliste wählen."),
    "organisation": _l("Bitte eine Organisation aus der Trefferliste wählen."),
    "person": _l("Bitte eine Person aus der Trefferliste wählen."),
}
PICK_UNKNOWN = {
    "initiative": _l("Diese Initiative gibt es nicht (mehr). Bitte erneut suchen und wählen."),
    "organisation": _l("Diese Organisation gibt es nicht (mehr). Bitte erneut suchen und wählen."),
    "person": _l("Diese Person gibt es nicht (mehr). Bitte erneut suchen und wählen."),
}


# -- helpers shared by all link kinds ------------------------------------------------------


def _require() -> None:
    if not permissions.can_edit_links(current_user):
        abort(403)


@bp.app_template_global()
def link_endpoint_exists(endpoint: str) -> bool:
    """Is `endpoint` a route of this app (for links to pages of features built separately)?"""
    return endpoint in current_app.view_functions


@bp.app_template_global()
def link_can_end(link: Any) -> bool:
    """May the "Beenden" control be offered for this membership, affiliation or role?"""
    return services.can_end(link)


def detail_url(kind: str, record_id: int) -> str | None:
    """The page of an initiative, organisation or person, if that page exists."""
    endpoint, arg = DETAIL_ENDPOINTS[kind]
    if not link_endpoint_exists(endpoint):
        return None
    values: dict[str, Any] = {arg: record_id}
    return url_for(endpoint, **values)


def _next() -> str | None:
    return request.args.get("next") or request.form.get("next")


def _back(*ends: tuple[str, int]) -> str:
    """Where to go after a write: a safe `next`, else the page of the first end that has one."""
    for kind, record_id in ends:
        url = detail_url(kind, record_id)
        if url:
            return safe_next(_next(), url)
    return safe_next(_next(), url_for("main.index"))


def _anchor(allowed: tuple[str, ...]) -> tuple[str, Any]:
    """The record a new link starts from (?initiative=, ?organisation=, ?person=); else 404."""
    for kind in allowed:
        if kind in request.args:
            item = queries.record(kind, queries.parse_id(request.args.get(kind)))
            if item is None:
                abort(404)
            return kind, item
    abort(404)


def _pick(form: Any, kind: str) -> Any:
    """The record chosen in the picker of a new link; None with an error beside the field."""
    assert isinstance(form, PickerMixin)  # noqa: S101 - only "new" forms have a picker
    record_id = queries.parse_id(form.other_id.data)
    if not (form.other_id.data or "").strip() and form.other_name.data:
        # typed a name without choosing a hit (or without JavaScript): take an exact match
        record_id = queries.unique_match(current_user, kind, form.other_name.data)
    item = queries.record(kind, record_id)
    if item is None:
        message = PICK_MISSING[kind] if record_id is None else PICK_UNKNOWN[kind]
        form.other_name.errors = [*form.other_name.errors, str(message)]
        return None
    return item


def _blame(form: Any, err: services.LinkError, pair_field: str) -> None:
    """Show a service's refusal beside the field it concerns."""
    name = pair_field if err.field == "pair" else err.field
    field = getattr(form, name, None) or getattr(form, pair_field)
    field.errors = [*field.errors, err.message]


def _period(form: Any) -> services.Period:
    return services.Period(since=form.since.data, until=form.until.data)


def _date(value: dt.date | None) -> str:
    return format_day(value) if value else "–"


def _end_ref(kind: str, item: Any) -> dict[str, Any]:
    """One end of a link as the templates show it: kind label, name, page."""
    return {
        "kind": kind,
        "label": KIND_LABELS[kind],
        "name": queries.name_of(item),
        "url": detail_url(kind, item.id),
    }


def _render_form(
    form: Any,
    *,
    heading: str,
    ends: list[dict[str, Any]],
    fields: tuple[str, ...],
    back: str,
    picker: str | None = None,
    delete_url: str | None = None,
) -> str:
    if picker is not None:
        form.other_name.label.text = str(KIND_LABELS[picker])
    return render_template(
        "links/form.html",
        form=form,
        heading=heading,
        ends=ends,
        fields=fields,
        picker=picker,
        back=back,
        next_url=safe_next(_next(), "") or None,
        delete_url=delete_url,
    )


def _confirm(
    heading: str,
    rows: list[tuple[str, str]],
    text: str,
    back: str,
    button: str | None = None,
) -> str:
    """The confirmation page (GET) of a destructive change; its button posts it."""
    return render_template(
        "confirm.html",
        heading=heading,
        rows=rows,
        text=text,
        back=back,
        button=button or _("Endgültig löschen"),
        hidden={"next": safe_next(_next(), "") or None},
    )


def _confirm_end(
    link: Any, heading: str, rows: list[tuple[str, str]], text: str, back: str
) -> ResponseLike:
    """Ask before ending a link today; a link that cannot be ended goes back with why."""
    if not services.can_end(link):
        flash(
            _("Diese Verbindung läuft nicht (mehr) und kann daher nicht beendet werden."), "error"
        )
        return redirect(back)
    return _confirm(
        heading,
        [*rows, (_("Endet am"), _date(today()))],
        text,
        back,
        button=_("Beenden"),
    )


def _saved(message: str, back: str) -> Response:
    db.session.commit()
    flash(message, "success")
    return redirect(back)


def _end(link: Any, message: str, back: str) -> Response:
    try:
        services.end_link(link)
    except services.LinkError as err:
        flash(err.message, "error")
        return redirect(back)
    return _saved(message % {"d": _date(link.until)}, back)


def _selects(form: Any) -> None:
    """The choices of the role/kind selects, with translated labels."""
    if hasattr(form, "role"):
        enum_cls = MembershipRole if isinstance(form, MembershipForm) else InitiativeRoleKind
        form.role.choices = choices(enum_cls)
    if hasattr(form, "kind"):
        form.kind.choices = choices(RelationshipKind)


# -- the look-up behind the pickers -------------------------------------------------------


@bp.get("/links/lookup/<kind>")
def lookup(kind: str) -> Response:
    """Up to 20 initiatives, organisations or persons matching ?q= (JSON, staff)."""
    _require()
    if kind not in queries.KINDS:
        abort(404)
    return jsonify(results=queries.lookup(current_user, kind, request.args.get("q")))


# -- memberships: organisation × initiative -----------------------------------------------


@bp.route("/memberships/new", methods=["GET", "POST"])
def membership_new() -> ResponseLike:
    """Add a member organisation to an initiative, or the organisation to an initiative."""
    _require()
    anchor_kind, anchor = _anchor(("initiative", "organisation"))
    other_kind = "organisation" if anchor_kind == "initiative" else "initiative"
    if request.method == "GET":
        form = NewMembershipForm(role=MembershipRole.MITGLIED.value)
    else:
        form = NewMembershipForm()
    _selects(form)
    back = _back((anchor_kind, anchor.id))
    if request.method == "POST":
        valid = form.validate_on_submit()
        other = _pick(form, other_kind)
        if valid and other is not None:
            initiative, organisation = (
                (anchor, other) if anchor_kind == "initiative" else (other, anchor)
            )
            try:
                services.create_membership(
                    initiative, organisation, MembershipRole(form.role.data), _period(form)
                )
            except services.LinkError as err:
                _blame(form, err, "other_name")
            else:
                return _saved(_("Die Mitgliedschaft wurde angelegt."), back)
    return _render_form(
        form,
        heading=_("Mitgliedschaft hinzufügen"),
        ends=[_end_ref(anchor_kind, anchor)],
        fields=("role", "since", "until"),
        back=back,
        picker=other_kind,
    )


def _membership_ends(m: Any) -> list[dict[str, Any]]:
    return [_end_ref("initiative", m.initiative), _end_ref("organisation", m.organisation)]


@bp.route("/memberships/<int:membership_id>/edit", methods=["GET", "POST"])
def membership_edit(membership_id: int) -> ResponseLike:
    """Change the role and period of a membership."""
    _require()
    m = queries.membership(membership_id) or abort(404)
    if request.method == "GET":
        form = MembershipForm(role=m.role.value, since=m.since, until=m.until)
    else:
        form = MembershipForm()
    _selects(form)
    back = _back(("initiative", m.initiative_id), ("organisation", m.organisation_id))
    if form.validate_on_submit():
        try:
            services.update_membership(m, MembershipRole(form.role.data), _period(form))
        except services.LinkError as err:
            _blame(form, err, "since")
        else:
            return _saved(_("Die Mitgliedschaft wurde gespeichert."), back)
    return _render_form(
        form,
        heading=_("Mitgliedschaft bearbeiten"),
        ends=_membership_ends(m),
        fields=("role", "since", "until"),
        back=back,
        delete_url=url_for("links.membership_delete", membership_id=m.id, next=_next()),
    )


@bp.route("/memberships/<int:membership_id>/end", methods=["GET", "POST"])
def membership_end(membership_id: int) -> ResponseLike:
    """Ask first (GET), then end a running membership today (POST)."""
    _require()
    m = queries.membership(membership_id) or abort(404)
    back = _back(("initiative", m.initiative_id), ("organisation", m.organisation_id))
    if request.method == "GET":
        return _confirm_end(
            m,
            _("Mitgliedschaft wirklich beenden?"),
            [
                (_("Initiative"), m.initiative.name),
                (_("Organisation"), m.organisation.name),
                (_("Rolle"), label(m.role)),
                (_("Seit"), _date(m.since)),
            ],
            _("Die Organisation ist ab morgen kein Mitglied der Initiative mehr."),
            back,
        )
    return _end(m, _("Die Mitgliedschaft endet am %(d)s."), back)


@bp.route("/memberships/<int:membership_id>/delete", methods=["GET", "POST"])
def membership_delete(membership_id: int) -> ResponseLike:
    """Ask first (GET), then delete the membership (POST)."""
    _require()
    m = queries.membership(membership_id) or abort(404)
    back = _back(("initiative", m.initiative_id), ("organisation", m.organisation_id))
    if request.method == "GET":
        return _confirm(
            _("Mitgliedschaft wirklich löschen?"),
            [
                (_("Initiative"), m.initiative.name),
                (_("Organisation"), m.organisation.name),
                (_("Rolle"), label(m.role)),
                (_("Seit"), _date(m.since)),
                (_("Bis"), _date(m.until)),
            ],
            _(
                "Die Mitgliedschaft wird gelöscht, als hätte es sie nie gegeben. Ist sie nur "
                "zu Ende, beenden Sie sie besser."
            ),
            back,
        )
    services.delete_link(m)
    return _saved(_("Die Mitgliedschaft wurde gelöscht."), back)


# -- affiliations: person × organisation --------------------------------------------------


@bp.route("/affiliations/new", methods=["GET", "POST"])
def affiliation_new() -> ResponseLike:
    """Link a person to an organisation (from either side)."""
    _require()
    anchor_kind, anchor = _anchor(("person", "organisation"))
    other_kind = "organisation" if anchor_kind == "person" else "person"
    form = NewAffiliationForm()
    back = _back((anchor_kind, anchor.id))
    if request.method == "POST":
        valid = form.validate_on_submit()
        other = _pick(form, other_kind)
        if valid and other is not None:
            person, organisation = (anchor, other) if anchor_kind == "person" else (other, anchor)
            try:
                services.create_affiliation(person, organisation, form.function.data, _period(form))
            except services.LinkError as err:
                _blame(form, err, "other_name")
            else:
                return _saved(_("Die Zuordnung wurde angelegt."), back)
    return _render_form(
        form,
        heading=_("Person und Organisation verbinden"),
        ends=[_end_ref(anchor_kind, anchor)],
        fields=("function", "since", "until"),
        back=back,
        picker=other_kind,
    )


@bp.route("/affiliations/<int:affiliation_id>/edit", methods=["GET", "POST"])
def affiliation_edit(affiliation_id: int) -> ResponseLike:
    """Change the function and period of an affiliation."""
    _require()
    a = queries.affiliation(affiliation_id) or abort(404)
    if request.method == "GET":
        form = AffiliationForm(function=a.function, since=a.since, until=a.until)
    else:
        form = AffiliationForm()
    back = _back(("person", a.person_id), ("organisation", a.organisation_id))
    if form.validate_on_submit():
        try:
            services.update_affiliation(a, form.function.data, _period(form))
        except services.LinkError as err:
            _blame(form, err, "since")
        else:
            return _saved(_("Die Zuordnung wurde gespeichert."), back)
    return _render_form(
        form,
        heading=_("Zuordnung bearbeiten"),
        ends=[_end_ref("person", a.person), _end_ref("organisation", a.organisation)],
        fields=("function", "since", "until"),
        back=back,
        delete_url=url_for("links.affiliation_delete", affiliation_id=a.id, next=_next()),
    )


@bp.route("/affiliations/<int:affiliation_id>/end", methods=["GET", "POST"])
def affiliation_end(affiliation_id: int) -> ResponseLike:
    """Ask first (GET), then end a running affiliation today (POST)."""
    _require()
    a = queries.affiliation(affiliation_id) or abort(404)
    back = _back(("person", a.person_id), ("organisation", a.organisation_id))
    if request.method == "GET":
        return _confirm_end(
            a,
            _("Zuordnung wirklich beenden?"),
            [
                (_("Person"), a.person.full_name),
                (_("Organisation"), a.organisation.name),
                (_("Funktion"), a.function or "–"),
                (_("Seit"), _date(a.since)),
            ],
            _("Die Person gehört ab morgen nicht mehr zu der Organisation."),
            back,
        )
    return _end(a, _("Die Zuordnung endet am %(d)s."), back)


@bp.route("/affiliations/<int:affiliation_id>/delete", methods=["GET", "POST"])
def affiliation_delete(affiliation_id: int) -> ResponseLike:
    """Ask first (GET), then delete the affiliation (POST)."""
    _require()
    a = queries.affiliation(affiliation_id) or abort(404)
    back = _back(("person", a.person_id), ("organisation", a.organisation_id))
    if request.method == "GET":
        return _confirm(
            _("Zuordnung wirklich löschen?"),
            [
                (_("Person"), a.person.full_name),
                (_("Organisation"), a.organisation.name),
                (_("Funktion"), a.function or "–"),
                (_("Seit"), _date(a.since)),
                (_("Bis"), _date(a.until)),
            ],
            _(
                "Die Zuordnung wird gelöscht, als hätte es sie nie gegeben. Ist sie nur zu "
                "Ende, beenden Sie sie besser."
            ),
            back,
        )
    services.delete_link(a)
    return _saved(_("Die Zuordnung wurde gelöscht."), back)


# -- initiative roles: person × initiative ------------------------------------------------


@bp.route("/initiative-roles/new", methods=["GET", "POST"])
def role_new() -> ResponseLike:
    """Give a person a role for an initiative (contact, speaker, chair, office, press)."""
    _require()
    anchor_kind, anchor = _anchor(("initiative", "person"))
    other_kind = "person" if anchor_kind == "initiative" else "initiative"
    if request.method == "GET":
        form = NewRoleForm(role=InitiativeRoleKind.ANSPRECHPERSON.value)
    else:
        form = NewRoleForm()
    _selects(form)
    back = _back((anchor_kind, anchor.id))
    if request.method == "POST":
        valid = form.validate_on_submit()
        other = _pick(form, other_kind)
        if valid and other is not None:
            person, initiative = (anchor, other) if anchor_kind == "person" else (other, anchor)
            try:
                services.create_role(
                    person, initiative, InitiativeRoleKind(form.role.data), _period(form)
                )
            except services.LinkError as err:
                _blame(form, err, "other_name")
            else:
                return _saved(_("Die Rolle wurde angelegt."), back)
    return _render_form(
        form,
        heading=_("Rolle hinzufügen"),
        ends=[_end_ref(anchor_kind, anchor)],
        fields=("role", "since", "until"),
        back=back,
        picker=other_kind,
    )


@bp.route("/initiative-roles/<int:role_id>/edit", methods=["GET", "POST"])
def role_edit(role_id: int) -> ResponseLike:
    """Change the role and period of a person's role for an initiative."""
    _require()
    r = queries.initiative_role(role_id) or abort(404)
    if request.method == "GET":
        form = RoleForm(role=r.role.value, since=r.since, until=r.until)
    else:
        form = RoleForm()
    _selects(form)
    back = _back(("initiative", r.initiative_id), ("person", r.person_id))
    if form.validate_on_submit():
        try:
            services.update_role(r, InitiativeRoleKind(form.role.data), _period(form))
        except services.LinkError as err:
            _blame(form, err, "since")
        else:
            return _saved(_("Die Rolle wurde gespeichert."), back)
    return _render_form(
        form,
        heading=_("Rolle bearbeiten"),
        ends=[_end_ref("initiative", r.initiative), _end_ref("person", r.person)],
        fields=("role", "since", "until"),
        back=back,
        delete_url=url_for("links.role_delete", role_id=r.id, next=_next()),
    )


@bp.route("/initiative-roles/<int:role_id>/end", methods=["GET", "POST"])
def role_end(role_id: int) -> ResponseLike:
    """Ask first (GET), then end a running role today (POST)."""
    _require()
    r = queries.initiative_role(role_id) or abort(404)
    back = _back(("initiative", r.initiative_id), ("person", r.person_id))
    if request.method == "GET":
        return _confirm_end(
            r,
            _("Rolle wirklich beenden?"),
            [
                (_("Initiative"), r.initiative.name),
                (_("Person"), r.person.full_name),
                (_("Rolle"), label(r.role)),
                (_("Seit"), _date(r.since)),
            ],
            _("Die Person hat diese Rolle ab morgen nicht mehr."),
            back,
        )
    return _end(r, _("Die Rolle endet am %(d)s."), back)


@bp.route("/initiative-roles/<int:role_id>/delete", methods=["GET", "POST"])
def role_delete(role_id: int) -> ResponseLike:
    """Ask first (GET), then delete the role (POST)."""
    _require()
    r = queries.initiative_role(role_id) or abort(404)
    back = _back(("initiative", r.initiative_id), ("person", r.person_id))
    if request.method == "GET":
        return _confirm(
            _("Rolle wirklich löschen?"),
            [
                (_("Initiative"), r.initiative.name),
                (_("Person"), r.person.full_name),
                (_("Rolle"), label(r.role)),
                (_("Seit"), _date(r.since)),
                (_("Bis"), _date(r.until)),
            ],
            _(
                "Die Rolle wird gelöscht, als hätte es sie nie gegeben. Ist sie nur zu Ende, "
                "beenden Sie sie besser."
            ),
            back,
        )
    services.delete_link(r)
    return _saved(_("Die Rolle wurde gelöscht."), back)


# -- relationships: initiative ↔ initiative, organisation ↔ organisation ------------------


@bp.route("/relationships/new", methods=["GET", "POST"])
def relationship_new() -> ResponseLike:
    """Relate an initiative to another initiative, or an organisation to another one."""
    _require()
    if "initiative" in request.args and "organisation" in request.args:
        return render_template(
            "errors/error.html",
            status=400,
            title=_("Ungültige Anfrage"),
            message=_("Eine Beziehung verbindet zwei Initiativen oder zwei Organisationen."),
        ), 400
    kind, anchor = _anchor(("initiative", "organisation"))
    form = NewRelationshipForm()
    _selects(form)
    back = _back((kind, anchor.id))
    if request.method == "POST":
        valid = form.validate_on_submit()
        other = _pick(form, kind)
        if valid and other is not None:
            try:
                services.create_relationship(
                    anchor, other, RelationshipKind(form.kind.data), form.note.data
                )
            except services.LinkError as err:
                _blame(form, err, "other_name")
            else:
                return _saved(_("Die Beziehung wurde angelegt."), back)
    return _render_form(
        form,
        heading=_("Beziehung hinzufügen"),
        ends=[_end_ref(kind, anchor)],
        fields=("kind", "note"),
        back=back,
        picker=kind,
    )


@bp.route("/relationships/<int:relationship_id>/edit", methods=["GET", "POST"])
def relationship_edit(relationship_id: int) -> ResponseLike:
    """Change the kind and note of a relationship."""
    _require()
    rel = queries.relationship(relationship_id) or abort(404)
    kind, a, b = queries.relationship_ends(rel)
    if request.method == "GET":
        form = RelationshipForm(kind=rel.kind.value, note=rel.note)
    else:
        form = RelationshipForm()
    _selects(form)
    back = _back((kind, a.id), (kind, b.id))
    if form.validate_on_submit():
        try:
            services.update_relationship(
                rel, a, b, RelationshipKind(form.kind.data), form.note.data
            )
        except services.LinkError as err:
            _blame(form, err, "kind")
        else:
            return _saved(_("Die Beziehung wurde gespeichert."), back)
    return _render_form(
        form,
        heading=_("Beziehung bearbeiten"),
        ends=[_end_ref(kind, a), _end_ref(kind, b)],
        fields=("kind", "note"),
        back=back,
        delete_url=url_for("links.relationship_delete", relationship_id=rel.id, next=_next()),
    )


@bp.route("/relationships/<int:relationship_id>/delete", methods=["GET", "POST"])
def relationship_delete(relationship_id: int) -> ResponseLike:
    """Ask first (GET), then delete the relationship (POST)."""
    _require()
    rel = queries.relationship(relationship_id) or abort(404)
    kind, a, b = queries.relationship_ends(rel)
    back = _back((kind, a.id), (kind, b.id))
    if request.method == "GET":
        return _confirm(
            _("Beziehung wirklich löschen?"),
            [
                (str(KIND_LABELS[kind]), queries.name_of(a)),
                (str(KIND_LABELS[kind]), queries.name_of(b)),
                (_("Art der Beziehung"), label(rel.kind)),
            ],
            _("Die Beziehung wird gelöscht."),
            back,
        )
    services.delete_link(rel)
    return _saved(_("Die Beziehung wurde gelöscht."), back)
