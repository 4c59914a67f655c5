"""Staff pages of events (under /events/): events, agenda, workshops, registrations,
check-in, participant lists, exports and name badges."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any
from typing import TypeVar

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from crm import permissions
from crm.db.datastamp import data_stamp
from crm.directory.queries import current_themes
from crm.events import assignment as _assignment  # noqa: F401 - its routes are on bp too
from crm.events import online_views as _online_views  # noqa: F401 - its routes are on bp too
from crm.events import queries
from crm.events import rows
from crm.events import services
from crm.events.blueprint import bp
from crm.events.forms import AgendaBlockForm
from crm.events.forms import EventForm
from crm.events.forms import WorkshopForm
from crm.events.forms import required_time
from crm.extensions import db
from crm.formats.tables import RESPONSES
from crm.models import AgendaBlock
from crm.models import AgendaKind
from crm.models import Event
from crm.models import EventMode
from crm.models import EventStatus
from crm.models import EventType
from crm.models import Person
from crm.models import Workshop
from crm.web.fields import Form
from crm.web.fragments import CSRF_STAND_IN
from crm.web.fragments import fragment
from crm.web.fragments import kept
from crm.web.fragments import with_csrf_token
from crm.web.i18n import DEFAULT_LANGUAGE
from crm.web.i18n import format_moment
from crm.web.labels import choices
from crm.web.locks import refuse_locked
from crm.web.pagination import parse_page
from crm.web.urls import safe_next

F = TypeVar("F", bound=Form)


def _event(event_id: int) -> Event:
    return queries.event_detail(event_id) or abort(404)


def _shown_event(event_id: int) -> queries.EventView:
    """The event of a page that only shows it (kept per data version: no statement)."""
    return queries.event_view(event_id) or abort(404)


@bp.get("/")
def index() -> str:
    """All events, newest first, with their registration figures."""
    return render_template("events/index.html", rows=queries.event_rows())


def _form(form_cls: type[F], initial: dict[str, Any]) -> F:
    """The submitted form, or on GET one filled in with `initial`."""
    return form_cls(**initial) if request.method == "GET" else form_cls()


def _event_form(event: Event | None = None) -> EventForm:
    initial: dict[str, Any] = {"status": EventStatus.ENTWURF.value}
    if event is not None:
        initial = dict(
            version=event.version,
            title=event.title,
            type=event.type.value,
            mode=event.mode.value,
            venue=event.venue,
            online_url=event.online_url,
            starts_at=services.utc_to_berlin(event.starts_at),
            ends_at=services.utc_to_berlin(event.ends_at),
            description=event.description,
            capacity=event.capacity,
            registration_opens_at=services.utc_to_berlin(event.registration_opens_at),
            registration_closes_at=services.utc_to_berlin(event.registration_closes_at),
            is_free=event.is_free,
            fee_note=event.fee_note,
            status=event.status.value,
        )
    form = _form(EventForm, initial)
    form.type.choices = choices(EventType)
    form.mode.choices = choices(EventMode)
    form.status.choices = choices(EventStatus)
    return form


def _event_data(form: EventForm) -> services.EventData:
    return services.EventData(
        title=form.title.data or "",
        type=EventType(form.type.data),
        mode=EventMode(form.mode.data),
        venue=form.venue.data,
        online_url=form.online_url.data,
        starts_local=required_time(form.starts_at.data),
        ends_local=required_time(form.ends_at.data),
        description=form.description.data,
        capacity=form.capacity.data,
        opens_local=form.registration_opens_at.data,
        closes_local=form.registration_closes_at.data,
        is_free=bool(form.is_free.data),
        fee_note=form.fee_note.data,
        status=EventStatus(form.status.data),
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> Response | str:
    """Create an event (a draft until its status says otherwise)."""
    form = _event_form()
    if form.validate_on_submit():
        event = services.create_event(_event_data(form))
        db.session.commit()
        flash(_("Die Veranstaltung wurde angelegt."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=None)


@bp.get("/<int:event_id>")
def detail(event_id: int) -> str:
    """An event with its programme, workshops and figures."""
    event = _shown_event(event_id)
    return render_template(
        "events/detail.html",
        event=event,
        counts=queries.counts(event.id),
        attendance=queries.attendance(event.id),
    )


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int) -> Response | str | tuple[str, int]:
    """Change an event; a stale form (someone else saved meanwhile) is refused."""
    event = _event(event_id)
    form = _event_form(event)
    if form.validate_on_submit():
        if form.version.data != str(event.version):
            form.version.data = str(event.version)
            flash(
                _(
                    "Jemand anderes hat diese Veranstaltung inzwischen geändert. Bitte prüfen "
                    "Sie die aktuellen Angaben und speichern Sie erneut."
                ),
                "error",
            )
            return render_template("events/form.html", form=form, event=event, stale=True), 409
        moved = services.update_event(event, _event_data(form))
        db.session.commit()
        flash(_("Die Veranstaltung wurde gespeichert."), "success")
        if moved:
            flash(_("%(n)s Personen sind von der Warteliste nachgerückt.", n=len(moved)), "info")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=event)


def _block_form(event: Event, block: AgendaBlock | None) -> AgendaBlockForm:
    # a new block starts out with the event's times
    shown: AgendaBlock | Event = block or event
    initial: dict[str, Any] = {
        "starts_at": services.utc_to_berlin(shown.starts_at),
        "ends_at": services.utc_to_berlin(shown.ends_at),
    }
    if block is not None:
        initial.update(title=block.title, kind=block.kind.value)
    form = _form(AgendaBlockForm, initial)
    form.kind.choices = choices(AgendaKind)
    return form


@bp.route("/<int:event_id>/agenda/new", methods=["GET", "POST"], defaults={"block_id": None})
@bp.route("/<int:event_id>/agenda/<int:block_id>/edit", methods=["GET", "POST"])
def agenda_block(event_id: int, block_id: int | None) -> Response | str:
    """Add or change a programme block."""
    event = _event(event_id)
    block = queries.agenda_block(event.id, block_id) or abort(404) if block_id else None
    form = _block_form(event, block)
    if form.validate_on_submit():
        data = services.BlockData(
            starts_local=required_time(form.starts_at.data),
            ends_local=required_time(form.ends_at.data),
            title=form.title.data or "",
            kind=AgendaKind(form.kind.data),
        )
        services.save_block(block or AgendaBlock(event_id=event.id), data)
        db.session.commit()
        flash(_("Der Programmpunkt wurde gespeichert."), "success")
        return redirect(url_for("events.detail", event_id=event.id) + "#agenda")
    return render_template("events/block_form.html", form=form, event=event, block=block)


def _workshop_form(workshop: Workshop | None) -> WorkshopForm:
    initial: dict[str, Any] = {}
    if workshop is not None:
        initial = dict(
            title=workshop.title,
            description=workshop.description,
            capacity=workshop.capacity,
            position=workshop.position,
            themes=[str(t.id) for t in workshop.themes],
            moderator_email=workshop.moderator.email if workshop.moderator else "",
            online_url=workshop.online_url,
        )
    form = _form(WorkshopForm, initial)
    form.themes.choices = current_themes()
    return form


@bp.route("/<int:event_id>/workshops/new", methods=["GET", "POST"], defaults={"workshop_id": None})
@bp.route("/<int:event_id>/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
def workshop(event_id: int, workshop_id: int | None) -> Response | str:
    """Add or change a workshop; the moderator is found by e-mail."""
    event = _event(event_id)
    item = queries.workshop(event.id, workshop_id) or abort(404) if workshop_id else None
    form = _workshop_form(item)
    if form.validate_on_submit():
        email = (form.moderator_email.data or "").strip()
        moderator = services.find_person_by_email(email) if email else None
        if email and moderator is None:
            form.moderator_email.errors = [_("Keine Person mit dieser E-Mail im Verzeichnis.")]
        elif permissions.person_locked(moderator) and getattr(item, "moderator_id", None) != (
            moderator and moderator.id
        ):  # a locked person (Art. 18 GDPR) becomes no moderator; one already stays
            form.moderator_email.errors = [str(permissions.PERSON_LOCKED)]
        else:
            data = services.WorkshopData(
                title=form.title.data or "",
                description=form.description.data,
                theme_ids=form.theme_ids(),
                capacity=form.capacity.data or 0,
                position=form.position.data or 0,
                moderator=moderator,
                online_url=form.online_url.data,
            )
            placed = services.save_workshop(item or Workshop(event_id=event.id, themes=[]), data)
            db.session.commit()
            flash(_("Der Workshop wurde gespeichert."), "success")
            if placed:
                flash(
                    _("%(n)s Teilnehmende haben einen Workshopplatz erhalten.", n=len(placed)),
                    "info",
                )
            return redirect(url_for("events.detail", event_id=event.id) + "#workshops")
    return render_template("events/workshop_form.html", form=form, event=event, workshop=item)


@bp.route(
    "/<int:event_id>/agenda/<int:item_id>/delete",
    methods=["GET", "POST"],
    defaults={"kind": "agenda"},
)
@bp.route(
    "/<int:event_id>/workshops/<int:item_id>/delete",
    methods=["GET", "POST"],
    defaults={"kind": "workshops"},
)
def delete_item(event_id: int, kind: str, item_id: int) -> Response | str:
    """Ask first (GET), then delete an agenda block or workshop (POST)."""
    event = _event(event_id)
    lookup = queries.agenda_block if kind == "agenda" else queries.workshop
    item = lookup(event.id, item_id) or abort(404)
    if request.method == "GET":
        return render_template("events/delete.html", event=event, item=item, kind=kind)
    db.session.delete(item)
    db.session.commit()
    flash(_("„%(t)s“ wurde gelöscht.", t=item.title), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.get("/<int:event_id>/registrations")
def registrations(event_id: int) -> str:
    """Registrations with filters and counts."""
    event = _shown_event(event_id)
    options = queries.filter_options(event)
    filters = queries.parse_filters(request.args, options)
    return render_template(
        "events/registrations.html",
        event=event,
        filters=filters,
        options=options,
        counts=queries.counts(event.id),
        table_html=registration_table_html(event, filters, options),
        breakdown_html=breakdown_html(event.id),
    )


def registration_table_html(
    event: queries.EventView,
    filters: queries.RegistrationFilters,
    options: dict[str, list[tuple[str, str]]],
) -> Markup:
    """The page of registrations that the address asks for, with its pager, rendered once
    per address, data version and version of the event's registrations (a change of
    wishes is no audited record) and kept (`kept` in crm.web.fragments): the same for all
    staff, and most of the page's cost (fifty rows). The kept HTML has a stand-in for the
    CSRF token of its "Zuordnung bestätigen" forms, replaced by the request's own."""

    def render() -> str:
        page = queries.registration_rows(event.id, filters, parse_page(request.args.get("page")))
        shown = rows.registration_rows(
            page.items,
            status_names=dict(options["status"]),
            type_names=dict(options["orgtype"]),
            titles={w.id: w.title for w in event.workshops},
            moment=moment_formatter(),
        )
        return render_template(
            "events/_registration_table.html",
            event=event,
            page=page,
            rows=shown,
            csrf_token=lambda: CSRF_STAND_IN,
        )

    version = queries.registrations_version(event.id)
    html = kept("event-registrations", event.id, request.full_path, version, caller=render)
    return with_csrf_token(html)


def breakdown_html(event_id: int) -> Markup:
    """The composition of the event's registrations, rendered once per data version (its
    counts are of audited records) and kept per language: the same for all staff."""

    def render() -> str:
        counts = queries.counts(event_id)
        return render_template("events/_registration_breakdown.html", counts=counts)

    return fragment("event-registration-breakdown", event_id, data_stamp(), render)


def moment_formatter() -> Callable[[dt.datetime | None], str]:
    """`|datetime` for this request's language and the office's time zone, each moment
    formatted once per process: the registration list shows one per row, and formatting
    one (Babel's locale and pattern look-ups) costs more than the rest of its row."""
    locale = get_locale()
    language = locale.language if locale is not None else DEFAULT_LANGUAGE
    zone = str(current_app.config.get("BABEL_DEFAULT_TIMEZONE"))
    return lambda value: _moment(value, language, zone)


@functools.lru_cache(maxsize=4096)
def _moment(value: dt.datetime | None, language: str, zone: str) -> str:
    # `zone` is part of the key only: format_moment reads it from the app's configuration
    return format_moment(value, language)


@bp.get("/<int:event_id>/registrations.<fmt>")
def export(event_id: int, fmt: str) -> Response:
    """The (filtered) registration list as CSV or XLSX."""
    writer = RESPONSES.get(fmt) or abort(404)
    event = _event(event_id)
    options = queries.filter_options(event)
    filters = queries.parse_filters(request.args, options)
    items = list(db.session.scalars(queries.registrations_query(event.id, filters)))
    title = _("Teilnehmende") + f": {event.title}"
    about = queries.export_info(title, items, current_user, filters, options)
    rows = queries.export_rows(event, items)
    filename = _("teilnehmende") + f"-{event.slug}.{fmt}"
    return writer(filename, queries.export_header(), rows, about)


@bp.get("/<int:event_id>/workshop-lists")
def workshop_lists(event_id: int) -> str:
    """One list per workshop: assigned participants, or first wishes before assignment."""
    event = _shown_event(event_id)
    return render_template(
        "events/workshop_lists.html", event=event, lists_html=workshop_lists_html(event)
    )


def workshop_lists_html(event: queries.EventView) -> Markup:
    """The lists of `event`'s workshops, rendered once per data version and version of the
    event's registrations (first wishes are no audited records) and kept per language:
    the same for all staff, and most of the page's cost (a row per participant)."""

    def render() -> str:
        lists = queries.workshop_lists(event)
        return render_template("events/_workshop_lists.html", event=event, lists=lists)

    version = (data_stamp(), queries.registrations_version(event.id))
    return fragment("event-workshop-lists", event.id, version, render)


@bp.get("/<int:event_id>/workshops/<int:workshop_id>/participants.<fmt>")
def workshop_export(event_id: int, workshop_id: int, fmt: str) -> Response:
    """One workshop's list as CSV or XLSX."""
    writer = RESPONSES.get(fmt) or abort(404)
    event = _event(event_id)
    # the event comes with its workshops: no statement more for the one asked for
    item = next((w for w in event.workshops if w.id == workshop_id), None) or abort(404)
    listed = queries.workshop_list(event, item)
    about = queries.export_info(f"{event.title}: {item.title}", listed.registrations, current_user)
    rows = queries.export_rows(event, listed.registrations)
    filename = f"workshop-{item.id}-{event.slug}.{fmt}"
    return writer(filename, queries.export_header(), rows, about)


@bp.get("/<int:event_id>/checkin")
def checkin(event_id: int) -> str:
    """Check-in on the day: search, then one click per person."""
    event = _event(event_id)
    q = (request.args.get("q") or "").strip()[:100]
    items, total = queries.checkin_list(event.id, q)
    return render_template(
        "events/checkin.html",
        event=event,
        items=items,
        total=total,
        q=q,
        attendance=queries.attendance(event.id),
    )


MARK_MESSAGES = {
    "checkin": _l("Eingecheckt: %(n)s."),
    "no-show": _l("Als nicht erschienen markiert: %(n)s."),
    "reset": _l("Zurückgesetzt auf angemeldet: %(n)s."),
    "confirm-organisation": _l("Organisation bestätigt: %(n)s."),
}
MARKS = {action: (services.MARKS[action], message) for action, message in MARK_MESSAGES.items()}


@bp.post("/<int:event_id>/registrations/<int:registration_id>/<action>")
def mark(event_id: int, registration_id: int, action: str) -> Response:
    """Check in, mark no-show, reset, or confirm the organisation match; back where clicked."""
    change, message = MARKS.get(action) or abort(404)
    item = queries.registration(event_id, registration_id) or abort(404)
    # A registration outlives its person's deletion (person_id NULL): still markable.
    person = db.session.get(Person, item.person_id) if item.person_id is not None else None
    name = person.full_name if person is not None else _("gelöschte Person")
    back = safe_next(request.form.get("next"), url_for("events.registrations", event_id=event_id))
    refuse_locked(person, back)
    if change(item):
        db.session.commit()
        flash(str(message) % {"n": name}, "success")
    else:
        flash(_("Keine Änderung für %(n)s.", n=name), "info")
    return redirect(back)


@bp.get("/<int:event_id>/badges")
def badges(event_id: int) -> str:
    """Printable name badges of everyone with a seat."""
    event = _event(event_id)
    return render_template("events/badges.html", event=event, items=queries.participants(event.id))
