"""Read queries of the dashboard: one aggregate query per figure.

Every figure is a list of rows (category label, one count per series), computed in the
database with GROUP BY, so the page costs one query per figure whatever the data size.
Counting rules (shown on the page as well):

- all recorded initiatives count, whatever their status;
- an initiative working in several Länder counts once in each of them; likewise themes;
- memberships count only while active (today between `since` and `until`);
- "IHK involvement": at least one active membership of an organisation of type IHK;
- new initiatives per year use the founding year recorded with the initiative
  (`founded_year`), not the date the record was created; records without one are
  listed as "ohne Angabe" in the table;
- events: every event except drafts, with its seated registrations (registered,
  attended, no-show) and its attendance (checked in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select

from crm.events.services import SEATED
from crm.extensions import db
from crm.models import Bundesland
from crm.models import Event
from crm.models import EventStatus
from crm.models import Initiative
from crm.models import InitiativeType
from crm.models import Membership
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Theme
from crm.models.directory import initiative_laender
from crm.models.directory import initiative_themes
from crm.web.i18n import format_day
from crm.web.labels import label

Row = tuple[str, tuple[int, ...]]


@dataclass(frozen=True)
class Figure:
    """One dashboard figure: its rows and how to present them."""

    slug: str
    title: LazyString
    note: LazyString
    category: LazyString  # header of the label column
    series: tuple[LazyString, ...]  # headers of the value columns (one chart series each)
    rows: list[Row]
    with_share: bool = False  # add a "share in %" column (of the first series' total)
    extra_rows: list[Row] | None = None  # in the table and downloads, not in the chart

    @property
    def has_data(self) -> bool:
        """True when any charted value is above zero (else there is nothing to draw)."""
        return any(v > 0 for _, values in self.rows for v in values)

    @property
    def total(self) -> int:
        """Sum of the first series over the charted rows."""
        return sum(values[0] for _, values in self.rows if values)

    def share(self, values: tuple[int, ...]) -> float | None:
        """The first value as a percentage of the total (one decimal), None when empty."""
        total = self.total
        return round(100.0 * values[0] / total, 1) if total and values else None

    def table_rows(self) -> list[Row]:
        """The rows of the table and the downloads: charted rows, then extra rows."""
        return [*self.rows, *(self.extra_rows or [])]


def _counted(query: Any) -> list[Row]:
    """The (name, count) rows of `query` as figure rows, in the query's order."""
    return [(name, (int(n),)) for name, n in db.session.execute(query)]


def _by_frequency(enum_cls: Any, query: Any) -> list[Row]:
    """The (enum value, count) rows of `query`, most frequent first (ties: enum order)."""
    counts = {enum_cls(value): int(n) for value, n in db.session.execute(query)}
    order = list(enum_cls)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0])))
    return [(label(member), (n,)) for member, n in ranked]


def _number_where(condition: Any) -> Any:
    """SQL: how many of the grouped rows meet `condition` (0 for none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def initiatives_per_land() -> list[Row]:
    """All 16 Länder in AGS order with the number of initiatives working there."""
    query = (
        select(Bundesland.name, func.count(initiative_laender.c.initiative_id))
        .select_from(Bundesland)
        .outerjoin(initiative_laender, initiative_laender.c.land_ags == Bundesland.ags)
        .group_by(Bundesland.ags, Bundesland.name)
        .order_by(Bundesland.ags)
    )
    return _counted(query)


def initiatives_per_type() -> list[Row]:
    """Initiatives per type, most frequent first (types without initiatives left out)."""
    query = select(Initiative.type, func.count(Initiative.id)).group_by(Initiative.type)
    return _by_frequency(InitiativeType, query)


def ihk_involvement() -> list[Row]:
    """Initiatives with and without an IHK among their active members."""
    has_ihk = exists().where(
        Membership.initiative_id == Initiative.id,
        Membership.is_active,
        Membership.organisation_id == Organisation.id,
        Organisation.type == OrgType.IHK,
    )
    query = select(func.count(Initiative.id), _number_where(has_ihk))
    total, with_ihk = db.session.execute(query).one()
    total, with_ihk = int(total), int(with_ihk)
    return [
        (_("mit IHK-Beteiligung"), (with_ihk,)),
        (_("ohne IHK-Beteiligung"), (total - with_ihk,)),
    ]


def themes_distribution() -> list[Row]:
    """Every theme in its vocabulary order with the number of initiatives working on it."""
    query = (
        select(Theme.name, func.count(initiative_themes.c.initiative_id))
        .select_from(Theme)
        .outerjoin(initiative_themes, initiative_themes.c.theme_id == Theme.id)
        .group_by(Theme.id, Theme.name, Theme.position)
        .order_by(Theme.position, Theme.name)
    )
    return _counted(query)


def member_mix() -> list[Row]:
    """Active memberships by the member organisation's type, most frequent first."""
    query = (
        select(Organisation.type, func.count(Membership.id))
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.is_active)
        .group_by(Organisation.type)
    )
    return _by_frequency(OrgType, query)


def event_participation() -> list[Row]:
    """Per event (oldest first, drafts left out): seated registrations and attendance."""
    seated = _number_where(Registration.status.in_(SEATED))
    attended = _number_where(Registration.status == RegistrationStatus.ATTENDED)
    query = (
        select(Event.id, Event.title, Event.starts_at, seated, attended)
        .outerjoin(Registration, Registration.event_id == Event.id)
        .where(Event.status != EventStatus.ENTWURF)
        .group_by(Event.id, Event.title, Event.starts_at)
        .order_by(Event.starts_at, Event.id)
    )
    return [
        (f"{title} ({format_day(starts_at)})", (int(s), int(a)))
        for _, title, starts_at, s, a in db.session.execute(query)
    ]


def founded_per_year() -> tuple[list[Row], list[Row]]:
    """Initiatives per founding year, gap years filled with 0; plus the "no year" row."""
    query = select(Initiative.founded_year, func.count(Initiative.id)).group_by(
        Initiative.founded_year
    )
    counts: dict[int, int] = {}
    unknown = 0
    for year, n in db.session.execute(query):
        if year is None:
            unknown = int(n)
        else:
            counts[int(year)] = int(n)
    rows: list[Row] = []
    if counts:
        rows = [(str(y), (counts.get(y, 0),)) for y in range(min(counts), max(counts) + 1)]
    extra: list[Row] = [(_("ohne Angabe"), (unknown,))] if unknown else []
    return rows, extra


def _figure_laender() -> Figure:
    return Figure(
        "laender",
        _l("Initiativen je Land"),
        _l("Eine Initiative, die in mehreren Ländern arbeitet, zählt in jedem dieser Länder."),
        _l("Land"),
        (_l("Initiativen"),),
        initiatives_per_land(),
    )


def _figure_typen() -> Figure:
    return Figure(
        "typen",
        _l("Initiativen nach Art"),
        _l("Alle erfassten Initiativen, gleich welchen Status."),
        _l("Art"),
        (_l("Initiativen"),),
        initiatives_per_type(),
        with_share=True,
    )


def _figure_ihk() -> Figure:
    return Figure(
        "ihk",
        _l("Initiativen mit IHK-Beteiligung"),
        _l("Mit IHK-Beteiligung: mindestens eine IHK ist derzeit Mitglied der Initiative."),
        _l("Beteiligung"),
        (_l("Initiativen"),),
        ihk_involvement(),
        with_share=True,
    )


def _figure_themen() -> Figure:
    return Figure(
        "themen",
        _l("Themen der Initiativen"),
        _l("Eine Initiative kann mehrere Themen haben und zählt bei jedem."),
        _l("Thema"),
        (_l("Initiativen"),),
        themes_distribution(),
    )


def _figure_mitglieder() -> Figure:
    return Figure(
        "mitglieder",
        _l("Mitglieder nach Organisationsart"),
        _l(
            "Derzeit aktive Mitgliedschaften von Organisationen in Initiativen; eine "
            "Organisation in mehreren Initiativen zählt mehrfach."
        ),
        _l("Organisationsart"),
        (_l("Mitgliedschaften"),),
        member_mix(),
        with_share=True,
    )


def _figure_veranstaltungen() -> Figure:
    return Figure(
        "veranstaltungen",
        _l("Beteiligung an Veranstaltungen"),
        _l(
            "Je Veranstaltung (ohne Entwürfe): Anmeldungen mit Platz (ohne Warteliste und "
            "Stornierungen) und eingecheckte Teilnehmende."
        ),
        _l("Veranstaltung"),
        (_l("Anmeldungen"), _l("Teilnahmen")),
        event_participation(),
    )


def _figure_gruendungen() -> Figure:
    rows, extra = founded_per_year()
    return Figure(
        "gruendungen",
        _l("Neue Initiativen je Jahr"),
        _l(
            "Nach dem erfassten Gründungsjahr der Initiative (nicht dem Datum der Erfassung "
            "im Verzeichnis)."
        ),
        _l("Gründungsjahr"),
        (_l("Initiativen"),),
        rows,
        extra_rows=extra,
    )


#: The figures in page order: slug → builder (one aggregate query each).
FIGURES: dict[str, Callable[[], Figure]] = {
    "laender": _figure_laender,
    "typen": _figure_typen,
    "ihk": _figure_ihk,
    "themen": _figure_themen,
    "mitglieder": _figure_mitglieder,
    "veranstaltungen": _figure_veranstaltungen,
    "gruendungen": _figure_gruendungen,
}


def figure(slug: str) -> Figure | None:
    """The figure `slug`, or None when there is no such figure."""
    build = FIGURES.get(slug)
    return build() if build else None


def all_figures() -> list[Figure]:
    """All figures in page order."""
    return [build() for build in FIGURES.values()]
