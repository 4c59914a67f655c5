"""Interactions (log, edit, delete) and the follow-up list ("Meine Wiedervorlagen")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from crm import permissions
from crm.activity import queries
from crm.activity import services
from crm.activity.forms import InteractionForm
from crm.activity.queries import Context
from crm.extensions import db
from crm.models import Interaction
from crm.models import InteractionKind
from crm.web.labels import choices
from crm.web.locks import refuse_locked
from crm.web.urls import safe_next

bp = Blueprint("activity", __name__)

_RECORD_ENDPOINTS = {
    "organisation": ("directory.organisation_detail", "organisation_id", "organisations"),
    "person": ("directory.person_detail", "person_id", "persons"),
}


def _record_path(kind: str, record_id: int) -> str:
    """The detail page of a record; by path while the directory endpoint does not exist yet."""
    if kind == "initiative":
        return url_for("directory.initiative_detail", initiative_id=record_id)
    endpoint, arg, folder = _RECORD_ENDPOINTS[kind]
    try:
        values: dict[str, Any] = {arg: record_id}
        return url_for(endpoint, **values)
    except BuildError:
        return f"{url_for('main.index')}{folder}/{record_id}"


@bp.app_template_global()
def record_url(kind: str, record_id: int) -> str:
    """URL of an initiative, organisation or person page (for templates)."""
    return _record_path(kind, record_id)


@bp.app_template_global()
def due_follow_up_count() -> int:
    """My open follow-ups due today or earlier (staff only; once per request)."""
    if not permissions.is_staff(current_user):
        return 0
    if "due_follow_ups" not in g:
        g.due_follow_ups = queries.due_follow_up_count(current_user)
    return int(g.due_follow_ups)


def _back(ctx: Context, interaction: Interaction | None = None) -> str:
    if ctx.initiative is not None:
        return _record_path("initiative", ctx.initiative.id)
    if ctx.organisation is not None:
        return _record_path("organisation", ctx.organisation.id)
    person = ctx.person or (interaction.persons[0] if interaction and interaction.persons else None)
    return _record_path("person", person.id) if person else url_for("activity.follow_ups")


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _valid(form: InteractionForm) -> bool:
    """The form validates and names no locked person (Art. 18 GDPR; else why, beside it)."""
    if not form.validate_on_submit():
        return False
    if any(map(permissions.person_locked, queries.persons(form.person_ids()))):
        form.persons.errors = [*form.persons.errors, str(permissions.PERSON_LOCKED)]
        return False
    return True


def _form(ctx: Context, item: Interaction | None = None, **defaults: Any) -> InteractionForm:
    form = InteractionForm(**defaults) if request.method == "GET" else InteractionForm()
    form.kind.choices = choices(InteractionKind)
    form.persons.choices = queries.person_choices(ctx, item.persons if item else None)
    form.follow_up_owner.choices = queries.staff_choices(item.follow_up_owner_id if item else None)
    if item is not None and item.follow_up_due is not None and item.follow_up_owner_id is None:
        form.follow_up_owner.choices.insert(0, ("", "–"))  # stored without owner: shown so
    return form


def _data(form: InteractionForm) -> services.InteractionData:
    local = form.occurred_local()
    assert local is not None  # noqa: S101 - required by the form
    return services.InteractionData(
        kind=InteractionKind(form.kind.data),
        occurred_local=local,
        subject=form.subject.data or "",
        notes=form.notes.data,
        person_ids=form.person_ids(),
        follow_up_due=form.follow_up_due.data,
        follow_up_owner_id=form.owner_id(),
    )


@bp.route("/interactions/new", methods=["GET", "POST"])
def new_interaction() -> Response | str:
    """Log a call, meeting, e-mail, visit or note against the record(s) in the query string."""
    _require(permissions.can_log_interaction(current_user))
    ctx = queries.load_context(request.args)
    if ctx.missing:
        abort(404)
    refuse_locked(ctx.person, _back(ctx))
    now = dt.datetime.now(queries.BERLIN).replace(tzinfo=None, second=0, microsecond=0)
    form = _form(
        ctx,
        kind=InteractionKind.CALL.value,
        occurred_at=now,
        persons=[str(ctx.person.id)] if ctx.person else [],
        follow_up_owner=str(current_user.id),
    )
    if not ctx.empty and _valid(form):
        services.log_interaction(ctx, _data(form), current_user._get_current_object())
        db.session.commit()
        flash(_("Der Kontakt wurde protokolliert."), "success")
        return redirect(_back(ctx))
    return render_template("activity/form.html", form=form, ctx=ctx, item=None)


def _owner_shown(item: Interaction) -> str:
    """The stored owner; none for a follow-up stored without one; else me as the default."""
    if item.follow_up_owner_id is not None:
        return str(item.follow_up_owner_id)
    return "" if item.follow_up_due is not None else str(current_user.id)


def _editable(interaction_id: int) -> Interaction:
    """The interaction if the current user may change it (else 403, or 404 if missing)."""
    _require(permissions.can_log_interaction(current_user))
    item = queries.interaction(interaction_id) or abort(404)
    _require(permissions.can_edit_interaction(current_user, item))
    refuse_locked(item, _back(queries.context_of(item), item))
    return item


@bp.route("/interactions/<int:interaction_id>/edit", methods=["GET", "POST"])
def edit_interaction(interaction_id: int) -> Response | str:
    """Change a logged interaction and its follow-up."""
    item = _editable(interaction_id)
    ctx = queries.context_of(item)
    form = _form(
        ctx,
        item,
        kind=item.kind.value,
        occurred_at=services.utc_to_berlin(item.occurred_at),
        subject=item.subject,
        notes=item.notes,
        persons=[str(p.id) for p in item.persons],
        follow_up_due=item.follow_up_due,
        follow_up_owner=_owner_shown(item),
    )
    if _valid(form):
        services.update_interaction(item, _data(form), current_user._get_current_object())
        db.session.commit()
        flash(_("Der Kontakt wurde gespeichert."), "success")
        return redirect(_back(ctx, item))
    return render_template("activity/form.html", form=form, ctx=ctx, item=item)


@bp.route("/interactions/<int:interaction_id>/delete", methods=["GET", "POST"])
def delete_interaction(interaction_id: int) -> Response | str:
    """Ask first (GET), then delete (POST)."""
    item = _editable(interaction_id)
    if request.method == "GET":
        return render_template("activity/delete.html", item=item)
    back = _back(queries.context_of(item), item)
    services.delete_interaction(item)
    db.session.commit()
    flash(_("Der Kontakt wurde gelöscht."), "success")
    return redirect(back)


@bp.get("/follow-ups")
def follow_ups() -> str:
    """Open follow-ups by due date: mine, or (?scope=all) those of all staff."""
    _require(permissions.can_log_interaction(current_user))
    everyone = request.args.get("scope") == "all"
    items = queries.open_follow_ups(current_user, everyone=everyone)
    return render_template(
        "activity/follow_ups.html", items=items, everyone=everyone, today=queries.berlin_today()
    )


@bp.post("/follow-ups/<int:interaction_id>/done")
def follow_up_done(interaction_id: int) -> Response:
    """Mark a follow-up done in one click (again: no change); back to where it was clicked."""
    _require(permissions.can_log_interaction(current_user))
    item = queries.interaction(interaction_id) or abort(404)
    _require(permissions.can_edit_interaction(current_user, item))
    back = safe_next(request.form.get("next"), url_for("activity.follow_ups"))
    refuse_locked(item, back)
    if services.mark_done(item):
        db.session.commit()
        flash(_("Wiedervorlage „%(s)s“ erledigt.", s=item.subject), "success")
    else:
        flash(_("Diese Wiedervorlage war bereits erledigt."), "info")
    return redirect(back)
