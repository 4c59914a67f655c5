"""Links between records (staff): memberships, affiliations, initiative roles and
relationships — create, edit, end, delete — and the record look-up behind their pickers.

Every write goes back to the page it came from (a safe `next`), else to the record page
of one of the link's ends.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from crm import permissions
from crm.extensions import db
from crm.links import queries
from crm.links import services
from crm.links.forms import AffiliationForm
from crm.links.forms import MembershipForm
from crm.links.forms import NewAffiliationForm
from crm.links.forms import NewMembershipForm
from crm.links.forms import NewRelationshipForm
from crm.links.forms import NewRoleForm
from crm.links.forms import PickerMixin
from crm.links.forms import RelationshipForm
from crm.links.forms import RoleForm
from crm.models import InitiativeRoleKind
from crm.models import MembershipRole
from crm.models import RelationshipKind
from crm.models.base import today
from crm.web.i18n import format_day
from crm.web.labels import choices
from crm.web.labels import label
from crm.web.locks import refuse_locked
from crm.web.templating import STAND_IN_ID
from crm.web.templating import url_for_id
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


class LinkUrls:
    """The edit, end and delete URLs of the links listed on one page, leading back to it:
    `link_url('membership', 'edit', 12)`. Each kind and action's URL is built once and
    filled in per link, as a record's page lists up to a hundred links with two or three
    controls each."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url
        self._urls: dict[tuple[str, str], Callable[[int], str]] = {}

    def __call__(self, kind: str, action: str, link_id: int) -> str:
        url = self._urls.get((kind, action))
        if url is None:
            url = url_for_id(f"links.{kind}_{action}", f"{kind}_id", next=self.next_url)
            self._urls[(kind, action)] = url
        return url(link_id)


@bp.app_template_global()
def link_urls() -> LinkUrls:
    """The URLs of the link controls on the current page (see `LinkUrls`)."""
    return LinkUrls(request.full_path.rstrip("?"))


# The link controls kept per process (see `LinkControls._stamp`): the pages last shown.
KEPT_STAMPS = 512
_kept_stamps: OrderedDict[tuple[str, bool, str, str, str], list[str] | None] = OrderedDict()
_stamps_lock = threading.Lock()


class LinkControls:
    """The edit, end and delete controls of the links listed on one page, leading back to
    it: `link_controls('membership', 12, can_end=True)`. A record's page lists up to a
    hundred and fifty links, and rendering the controls per link cost a fifth of the page:
    they are rendered (links/_link_controls.html) once per kind and whether "Beenden …"
    shows, with a stand-in id, and each link's id is filled in. Whether a link gets
    controls at all (staff, not a locked person) the caller decides."""

    def __init__(self, urls: LinkUrls) -> None:
        self.urls = urls
        self._stamps: dict[tuple[str, bool], list[str] | None] = {}

    def __call__(self, kind: str, link_id: int, can_end: bool = False) -> Markup:
        key = (kind, bool(can_end))
        if key not in self._stamps:
            self._stamps[key] = self._stamp(kind, key[1])
        stamp = self._stamps[key]
        if stamp is None:
            return Markup(self._render(kind, int(link_id), key[1]))  # noqa: S704
        return Markup(f"/{int(link_id)}/".join(stamp))  # noqa: S704 - rendered autoescaped

    def _stamp(self, kind: str, can_end: bool) -> list[str] | None:
        """The controls of `kind` cut where the id goes, or None where they must be
        rendered per link. They depend only on the kind, "Beenden …", the page they lead
        back to, the language and the URL root, so they are kept per process for the
        pages last shown (a record page then renders no template for them at all)."""
        key = (kind, can_end, self.urls.next_url, str(get_locale()), request.script_root)
        with _stamps_lock:
            if key in _kept_stamps:
                _kept_stamps.move_to_end(key)
                return _kept_stamps[key]
        # the id stands between slashes in each control's path, two or three times;
        # a page whose own address holds the stand-in renders its controls one by one
        parts = self._render(kind, STAND_IN_ID, can_end).split(f"/{STAND_IN_ID}/")
        stamp = parts if len(parts) == (4 if can_end else 3) else None
        with _stamps_lock:
            _kept_stamps[key] = stamp
            while len(_kept_stamps) > KEPT_STAMPS:
                _kept_stamps.popitem(last=False)
        return stamp

    def _render(self, kind: str, link_id: int, can_end: bool) -> str:
        template = current_app.jinja_env.get_template("links/_link_controls.html")
        # the template's last newline, which Jinja drops, ends the controls' line
        return (
            template.render(kind=kind, link_id=link_id, can_end=can_end, link_url=self.urls) + "\n"
        )


@bp.app_template_global()
def link_controls() -> LinkControls:
    """The link controls of the current page (see `LinkControls`)."""
    return LinkControls(link_urls())


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
    """The record a new link starts from (?initiative=, ?organisation=, ?person=); else 404.
    A locked person (Art. 18 GDPR) gets no new links: back to its page with why."""
    for kind in allowed:
        if kind in request.args:
            item = queries.record(kind, queries.parse_id(request.args.get(kind)))
            if item is None:
                abort(404)
            refuse_locked(item, _back((kind, item.id)))
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
    if permissions.person_locked(item):
        form.other_name.errors = [*form.other_name.errors, str(permissions.PERSON_LOCKED)]
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


def _saved(message: str | LazyString, back: str) -> Response:
    db.session.commit()
    flash(str(message), "success")
    return redirect(back)


def _end(link: Any, message: str | LazyString, back: str) -> Response:
    try:
        services.end_link(link)
    except services.LinkError as err:
        flash(err.message, "error")
        return redirect(back)
    return _saved(str(message) % {"d": _date(link.until)}, back)


# -- the kinds of links: what their pages differ in ----------------------------------------


@dataclass(frozen=True)
class Texts:
    """Headings, explanations and messages of the pages of one kind of link."""

    new_heading: LazyString
    created: LazyString
    edit_heading: LazyString
    saved: LazyString
    delete_heading: LazyString
    delete_text: LazyString
    deleted: LazyString
    end_heading: LazyString | None = None
    end_text: LazyString | None = None
    ended: LazyString | None = None  # with %(d)s, the last day


class LinkKind:
    """One kind of link: its URLs and endpoints (`<name>_new`, `<name>_edit`, …), its forms
    and how it reads and writes a link. The views below serve every kind."""

    name: str  # endpoint prefix; the URL argument is `<name>_id`
    path: str  # URL prefix
    anchors: tuple[str, ...]  # the record kinds a new link can start from
    fields: tuple[str, ...]  # the form fields besides the picker
    blame_field: str  # where an edit's refusal is shown
    new_form: type[Any]
    edit_form: type[Any]
    texts: Texts
    can_be_ended = False

    def load(self, link_id: int) -> Any:
        """The link with both ends loaded, or None."""
        raise NotImplementedError

    def other(self, anchor_kind: str) -> str:
        """The kind of record picked for the other end of a new link."""
        raise NotImplementedError

    def refuse(self) -> ResponseLike | None:
        """A bad request for a new link that the anchor look-up would not catch."""
        return None

    def new_data(self) -> dict[str, Any]:
        """The form's first values for a new link."""
        return {}

    def edit_data(self, link: Any) -> dict[str, Any]:
        """The form's values for an existing link."""
        raise NotImplementedError

    def prepare(self, form: Any) -> None:
        """Set the choices of the form's selects, with translated labels."""

    def ends(self, link: Any) -> list[tuple[str, Any]]:
        """The kinds and records of both ends, in the order the pages show them."""
        raise NotImplementedError

    def rows(self, link: Any) -> list[tuple[str, str]]:
        """What the confirmation pages show of a link."""
        raise NotImplementedError

    def create(self, anchor_kind: str, anchor: Any, other: Any, form: Any) -> None:
        """Write a new link between `anchor` and `other` (raises services.LinkError)."""
        raise NotImplementedError

    def update(self, link: Any, form: Any) -> None:
        """Change a link's attributes from the form (raises services.LinkError)."""
        raise NotImplementedError


@dataclass(frozen=True)
class PeriodLink(LinkKind):
    """A membership, affiliation or initiative role: two records of different kinds, one
    attribute (a role from an enum, or a free-text function) and a period; it can end."""

    name: str
    path: str
    anchors: tuple[str, str]
    new_form: type[Any]
    edit_form: type[Any]
    texts: Texts
    finder: Callable[[int], Any]
    attr: str  # "role" or "function"
    attr_label: LazyString
    enum: type[Enum] | None
    default: Enum | None
    create_order: tuple[str, str]  # the ends in the order services.create_* takes them
    creator: Callable[[Any, Any, Any, services.Period], Any]
    updater: Callable[[Any, Any, services.Period], None]
    blame_field: str = "since"
    can_be_ended = True

    @property
    def fields(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.attr, "since", "until")

    def load(self, link_id: int) -> Any:
        return self.finder(link_id)

    def other(self, anchor_kind: str) -> str:
        first, second = self.anchors
        return second if anchor_kind == first else first

    def new_data(self) -> dict[str, Any]:
        return {} if self.default is None else {self.attr: self.default.value}

    def edit_data(self, link: Any) -> dict[str, Any]:
        value = getattr(link, self.attr)
        if self.enum is not None:
            value = value.value
        return {self.attr: value, "since": link.since, "until": link.until}

    def prepare(self, form: Any) -> None:
        if self.enum is not None:
            getattr(form, self.attr).choices = choices(self.enum)

    def ends(self, link: Any) -> list[tuple[str, Any]]:
        return [(kind, getattr(link, kind)) for kind in self.anchors]

    def rows(self, link: Any) -> list[tuple[str, str]]:
        value = getattr(link, self.attr)
        shown = label(value) if self.enum is not None else value or "–"
        return [
            *_end_rows(self.ends(link)),
            (str(self.attr_label), shown),
            (_("Seit"), _date(link.since)),
        ]

    def _value(self, form: Any) -> Any:
        data = getattr(form, self.attr).data
        return data if self.enum is None else self.enum(data)

    def create(self, anchor_kind: str, anchor: Any, other: Any, form: Any) -> None:
        records = {anchor_kind: anchor, self.other(anchor_kind): other}
        first, second = (records[kind] for kind in self.create_order)
        self.creator(first, second, self._value(form), _period(form))

    def update(self, link: Any, form: Any) -> None:
        self.updater(link, self._value(form), _period(form))


class RelationshipLink(LinkKind):
    """A relationship: two initiatives or two organisations, a kind and a note."""

    name = "relationship"
    path = "/relationships"
    anchors = ("initiative", "organisation")
    fields = ("kind", "note")
    blame_field = "kind"
    new_form = NewRelationshipForm
    edit_form = RelationshipForm
    texts = Texts(
        new_heading=_l("Beziehung hinzufügen"),
        created=_l("Die Beziehung wurde angelegt."),
        edit_heading=_l("Beziehung bearbeiten"),
        saved=_l("Die Beziehung wurde gespeichert."),
        delete_heading=_l("Beziehung wirklich löschen?"),
        delete_text=_l("Die Beziehung wird gelöscht."),
        deleted=_l("Die Beziehung wurde gelöscht."),
    )

    def load(self, link_id: int) -> Any:
        return queries.relationship(link_id)

    def other(self, anchor_kind: str) -> str:
        return anchor_kind

    def refuse(self) -> ResponseLike | None:
        if "initiative" in request.args and "organisation" in request.args:
            return render_template(
                "errors/error.html",
                status=400,
                title=_("Ungültige Anfrage"),
                message=_("Eine Beziehung verbindet zwei Initiativen oder zwei Organisationen."),
            ), 400
        return None

    def edit_data(self, link: Any) -> dict[str, Any]:
        return {"kind": link.kind.value, "note": link.note}

    def prepare(self, form: Any) -> None:
        form.kind.choices = choices(RelationshipKind)

    def ends(self, link: Any) -> list[tuple[str, Any]]:
        kind, a, b = queries.relationship_ends(link)
        return [(kind, a), (kind, b)]

    def rows(self, link: Any) -> list[tuple[str, str]]:
        return [*_end_rows(self.ends(link)), (_("Art der Beziehung"), label(link.kind))]

    def create(self, anchor_kind: str, anchor: Any, other: Any, form: Any) -> None:
        services.create_relationship(
            anchor, other, RelationshipKind(form.kind.data), form.note.data
        )

    def update(self, link: Any, form: Any) -> None:
        (_kind, a), (_kind, b) = self.ends(link)
        services.update_relationship(link, a, b, RelationshipKind(form.kind.data), form.note.data)


MEMBERSHIP = PeriodLink(
    name="membership",
    path="/memberships",
    anchors=("initiative", "organisation"),
    new_form=NewMembershipForm,
    edit_form=MembershipForm,
    texts=Texts(
        new_heading=_l("Mitgliedschaft hinzufügen"),
        created=_l("Die Mitgliedschaft wurde angelegt."),
        edit_heading=_l("Mitgliedschaft bearbeiten"),
        saved=_l("Die Mitgliedschaft wurde gespeichert."),
        end_heading=_l("Mitgliedschaft wirklich beenden?"),
        end_text=_l("Die Organisation ist ab morgen kein Mitglied der Initiative mehr."),
        ended=_l("Die Mitgliedschaft endet am %(d)s."),
        delete_heading=_l("Mitgliedschaft wirklich löschen?"),
        delete_text=_l(
            "Die Mitgliedschaft wird gelöscht, als hätte es sie nie gegeben. Ist sie nur "
            "zu Ende, beenden Sie sie besser."
        ),
        deleted=_l("Die Mitgliedschaft wurde gelöscht."),
    ),
    finder=queries.membership,
    attr="role",
    attr_label=_l("Rolle"),
    enum=MembershipRole,
    default=MembershipRole.MITGLIED,
    create_order=("initiative", "organisation"),
    creator=services.create_membership,
    updater=services.update_membership,
)
AFFILIATION = PeriodLink(
    name="affiliation",
    path="/affiliations",
    anchors=("person", "organisation"),
    new_form=NewAffiliationForm,
    edit_form=AffiliationForm,
    texts=Texts(
        new_heading=_l("Person und Organisation verbinden"),
        created=_l("Die Zuordnung wurde angelegt."),
        edit_heading=_l("Zuordnung bearbeiten"),
        saved=_l("Die Zuordnung wurde gespeichert."),
        end_heading=_l("Zuordnung wirklich beenden?"),
        end_text=_l("Die Person gehört ab morgen nicht mehr zu der Organisation."),
        ended=_l("Die Zuordnung endet am %(d)s."),
        delete_heading=_l("Zuordnung wirklich löschen?"),
        delete_text=_l(
            "Die Zuordnung wird gelöscht, als hätte es sie nie gegeben. Ist sie nur zu "
            "Ende, beenden Sie sie besser."
        ),
        deleted=_l("Die Zuordnung wurde gelöscht."),
    ),
    finder=queries.affiliation,
    attr="function",
    attr_label=_l("Funktion"),
    enum=None,
    default=None,
    create_order=("person", "organisation"),
    creator=services.create_affiliation,
    updater=services.update_affiliation,
)
ROLE = PeriodLink(
    name="role",
    path="/initiative-roles",
    anchors=("initiative", "person"),
    new_form=NewRoleForm,
    edit_form=RoleForm,
    texts=Texts(
        new_heading=_l("Rolle hinzufügen"),
        created=_l("Die Rolle wurde angelegt."),
        edit_heading=_l("Rolle bearbeiten"),
        saved=_l("Die Rolle wurde gespeichert."),
        end_heading=_l("Rolle wirklich beenden?"),
        end_text=_l("Die Person hat diese Rolle ab morgen nicht mehr."),
        ended=_l("Die Rolle endet am %(d)s."),
        delete_heading=_l("Rolle wirklich löschen?"),
        delete_text=_l(
            "Die Rolle wird gelöscht, als hätte es sie nie gegeben. Ist sie nur zu Ende, "
            "beenden Sie sie besser."
        ),
        deleted=_l("Die Rolle wurde gelöscht."),
    ),
    finder=queries.initiative_role,
    attr="role",
    attr_label=_l("Rolle"),
    enum=InitiativeRoleKind,
    default=InitiativeRoleKind.ANSPRECHPERSON,
    create_order=("person", "initiative"),
    creator=services.create_role,
    updater=services.update_role,
)
RELATIONSHIP = RelationshipLink()
LINK_KINDS: tuple[LinkKind, ...] = (MEMBERSHIP, AFFILIATION, ROLE, RELATIONSHIP)


def _end_rows(ends: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    return [(str(KIND_LABELS[kind]), queries.name_of(item)) for kind, item in ends]


def _form(form_cls: type[Any], data: dict[str, Any]) -> Any:
    """A form with `data` as its first values (GET); a posted form reads only the post."""
    return form_cls(**data) if request.method == "GET" else form_cls()


def _link(kind: LinkKind, url_values: dict[str, int]) -> tuple[Any, str]:
    """The link named in the URL (else 404), and where to go after a write; a link of a
    locked person (Art. 18 GDPR) goes back with why."""
    link = kind.load(url_values[f"{kind.name}_id"]) or abort(404)
    back = _back(*((end_kind, item.id) for end_kind, item in kind.ends(link)))
    refuse_locked(link, back)
    return link, back


# -- the look-up behind the pickers -------------------------------------------------------


@bp.get("/links/lookup/<kind>")
def lookup(kind: str) -> Response:
    """Up to 20 initiatives, organisations or persons matching ?q= (JSON, staff)."""
    _require()
    if kind not in queries.KINDS:
        abort(404)
    return jsonify(results=queries.lookup(current_user, kind, request.args.get("q")))


# -- the views of every kind of link ------------------------------------------------------


def link_new(kind: LinkKind) -> ResponseLike:
    """A new link from the record in the query string to one picked in the form."""
    _require()
    refused = kind.refuse()
    if refused is not None:
        return refused
    anchor_kind, anchor = _anchor(kind.anchors)
    other_kind = kind.other(anchor_kind)
    form = _form(kind.new_form, kind.new_data())
    kind.prepare(form)
    back = _back((anchor_kind, anchor.id))
    if request.method == "POST":
        valid = form.validate_on_submit()
        other = _pick(form, other_kind)
        if valid and other is not None:
            try:
                kind.create(anchor_kind, anchor, other, form)
            except services.LinkError as err:
                _blame(form, err, "other_name")
            else:
                return _saved(kind.texts.created, back)
    return _render_form(
        form,
        heading=str(kind.texts.new_heading),
        ends=[_end_ref(anchor_kind, anchor)],
        fields=kind.fields,
        back=back,
        picker=other_kind,
    )


def link_edit(kind: LinkKind, **url_values: int) -> ResponseLike:
    """Change the attributes of a link (never its two ends)."""
    _require()
    link, back = _link(kind, url_values)
    form = _form(kind.edit_form, kind.edit_data(link))
    kind.prepare(form)
    if form.validate_on_submit():
        try:
            kind.update(link, form)
        except services.LinkError as err:
            _blame(form, err, kind.blame_field)
        else:
            return _saved(kind.texts.saved, back)
    delete_values: dict[str, Any] = {**url_values, "next": _next()}
    return _render_form(
        form,
        heading=str(kind.texts.edit_heading),
        ends=[_end_ref(end_kind, item) for end_kind, item in kind.ends(link)],
        fields=kind.fields,
        back=back,
        delete_url=url_for(f"links.{kind.name}_delete", **delete_values),
    )


def link_end(kind: LinkKind, **url_values: int) -> ResponseLike:
    """Ask first (GET), then end a running link today (POST)."""
    _require()
    link, back = _link(kind, url_values)
    texts = kind.texts
    assert texts.end_heading and texts.end_text and texts.ended  # noqa: S101 - kinds that end
    if request.method == "GET":
        return _confirm_end(
            link, str(texts.end_heading), kind.rows(link), str(texts.end_text), back
        )
    return _end(link, texts.ended, back)


def link_delete(kind: LinkKind, **url_values: int) -> ResponseLike:
    """Ask first (GET), then delete the link (POST)."""
    _require()
    link, back = _link(kind, url_values)
    if request.method == "GET":
        rows = kind.rows(link)
        if kind.can_be_ended:
            rows.append((_("Bis"), _date(link.until)))
        return _confirm(str(kind.texts.delete_heading), rows, str(kind.texts.delete_text), back)
    services.delete_link(link)
    return _saved(kind.texts.deleted, back)


def _bound(
    view: Callable[..., ResponseLike], kind: LinkKind, endpoint: str
) -> Callable[..., ResponseLike]:
    """`view` for one kind of link, named after its endpoint (Flask-Limiter keys by name)."""

    def serve(**url_values: int) -> ResponseLike:
        return view(kind, **url_values)

    serve.__name__ = serve.__qualname__ = endpoint
    serve.__doc__ = view.__doc__
    return serve


def _register(kind: LinkKind) -> None:
    """The routes of one kind of link: new, edit, end (for links that end) and delete."""
    item = f"{kind.path}/<int:{kind.name}_id>"
    views: dict[str, tuple[str, Callable[..., ResponseLike]]] = {
        "new": (f"{kind.path}/new", link_new),
        "edit": (f"{item}/edit", link_edit),
        "end": (f"{item}/end", link_end),
        "delete": (f"{item}/delete", link_delete),
    }
    if not kind.can_be_ended:
        del views["end"]
    for action, (rule, view) in views.items():
        endpoint = f"{kind.name}_{action}"
        bp.add_url_rule(rule, endpoint, _bound(view, kind, endpoint), methods=["GET", "POST"])


for link_kind in LINK_KINDS:
    _register(link_kind)
