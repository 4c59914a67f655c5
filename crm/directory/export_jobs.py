"""Large directory exports as a background job: a list with more rows than
EXPORT_JOB_ROWS is written to a file under the instance folder (`crm.jobs.files`) by the
worker, with its progress, for the account that asked; smaller ones stay direct downloads.

`LISTS` is the one description of each exportable list (file name, query from the
list's query string, columns), used by the direct download and by the job alike, so the
prepared file has exactly the rows and columns the direct one would have.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Select
from werkzeug.datastructures import MultiDict

from crm import permissions
from crm.directory import exports
from crm.directory import queries
from crm.extensions import db
from crm.formats.tables import ExportInfo
from crm.formats.tables import write_file
from crm.jobs import files
from crm.jobs import job
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import OrgType
from crm.models import SizeClass
from crm.models import User
from crm.web.labels import choices
from crm.web.pagination import count_rows

FORMATS = ("csv", "xlsx")
PROGRESS_EVERY = 500  # rows between two progress reports


@dataclass(frozen=True)
class ListExport:
    """One exportable list: its page, file name, query (for an account and the list's
    query string) and columns."""

    endpoint: str
    name: Callable[[], str]
    query: Callable[[Any, MultiDict[str, str]], Select[Any]]
    table: Callable[[Select[Any]], tuple[list[str], Iterator[list[Any]]]]
    left_out: Callable[[Select[Any]], int] | None = None  # persons left out as restricted


LISTS: dict[str, ListExport] = {
    "initiatives": ListExport(
        "directory.initiatives",
        lambda: _("initiativen"),
        lambda user, args: queries.initiatives_query(
            user,
            queries.parse_list_params(args, queries.INITIATIVE_LIST, queries.initiative_filters()),
        ),
        exports.initiative_table,
    ),
    "organisations": ListExport(
        "directory.organisations",
        lambda: _("organisationen"),
        lambda _user, args: queries.organisations_query(
            queries.parse_list_params(
                args, queries.ORGANISATION_LIST, queries.organisation_filters()
            )
        ),
        exports.organisation_table,
    ),
    "persons": ListExport(
        "directory.persons",
        lambda: _("personen"),
        lambda _user, args: queries.persons_query(
            queries.parse_list_params(args, queries.PERSON_LIST, queries.person_filters())
        ),
        exports.person_table,
        exports.restricted_count,
    ),
}


def _filters(kind: str, args: MultiDict[str, str]) -> list[tuple[str, str]]:
    """The list's search and (known) filters in words, for the file's info sheet."""
    words: dict[str, tuple[str, dict[str, str]]] = {
        "land": (_("Bundesland"), dict(queries.land_choices())),
        "kreis": (_("Kreis"), dict(queries.kreis_choices())),
        "type": (_("Typ"), dict(choices(InitiativeType if kind == "initiatives" else OrgType))),
        "status": (_("Status"), dict(choices(InitiativeStatus))),
        "size": (_("Größenklasse"), dict(choices(SizeClass))),
        "theme": (_("Thema"), dict(queries.theme_choices())),
        "format": (_("Format"), dict(queries.format_choices())),
        "ihk": (_("IHK beteiligt"), {"1": _("ja"), "0": _("nein")}),
    }
    search = [(_("Suche"), args["q"].strip())] if (args.get("q") or "").strip() else []
    return search + [
        (words[key][0], words[key][1][value])
        for key, value in args.items()
        if key in words and value in words[key][1]
    ]


def _sort(args: MultiDict[str, str]) -> str:
    names = {
        "name": _("Name"),
        "type": _("Typ"),
        "laender": _("Länder"),
        "status": _("Status"),
        "founded": _("Gegründet"),
        "place": _("Ort"),
        "land": _("Bundesland"),
        "email": _("E-Mail"),
        "phone": _("Telefon"),
    }
    arrow = "↓" if args.get("dir") == "desc" else "↑"
    return f"{names.get(args.get('sort') or 'name', names['name'])} {arrow}"


def info(kind: str, user: Any, args: MultiDict[str, str], query: Select[Any]) -> ExportInfo:
    """What the file of list `kind` is: its info sheet."""
    listing = LISTS[kind]
    return ExportInfo(
        title=listing.name().capitalize(),
        exported_by=user.email,
        filters=_filters(kind, args),
        sort=_sort(args),
        left_out=listing.left_out(query) if listing.left_out else None,
    )


def job_rows() -> int:
    """The threshold above which an export runs as a job."""
    return int(current_app.config["EXPORT_JOB_ROWS"])


def count(query: Select[Any]) -> int:
    """How many rows the list `query` has (at most exports.MAX_ROWS are written)."""
    return min(count_rows(query), exports.MAX_ROWS)  # the list page's count, kept


def start(user: Any, kind: str, fmt: str, args: MultiDict[str, str]) -> str:
    """Record the export of list `kind` (with the list's query string `args`) for `user`
    and queue its job; returns the token of the prepared file."""
    listing = LISTS[kind]
    token = files.create(
        user.id,
        f"{listing.name()}.{fmt}",
        kind=kind,
        fmt=fmt,
        args=list(args.items(multi=True)),
        locale=str(get_locale() or "de"),
        rows_total=count(listing.query(user, args)),
    )
    db.session.rollback()  # the count's read transaction ends before the worker writes
    export_list(token)
    return token


def _reporting(rows: Iterable[list[Any]], token: str, written: list[int]) -> Iterator[list[Any]]:
    for row in rows:
        yield row
        written[0] += 1
        if written[0] % PROGRESS_EVERY == 0:
            files.update(token, rows_done=written[0])


@job()
def export_list(token: str) -> str:
    """Write the prepared file of `token`: the list as its owner may see it now."""
    state = files.load(token)
    if state is None or state.get("status") != files.QUEUED:
        return "nichts zu tun"
    user = db.session.get(User, state["owner_id"])
    if user is None or not permissions.can_view_directory(user):
        files.update(token, status=files.FAILED, message=_("Keine Berechtigung mehr."))
        return "keine Berechtigung"
    files.update(token, status=files.RUNNING)
    listing = LISTS[state["kind"]]
    target = files.data_path(token)
    partial = target.with_suffix(".part")
    written = [0]
    try:
        with force_locale(state.get("locale") or "de"):
            args = MultiDict(state["args"])
            query = listing.query(user, args)
            about = info(state["kind"], user, args, query)
            header, rows = listing.table(query)
            write_file(partial, state["fmt"], header, _reporting(rows, token, written), about)
        os.replace(partial, target)  # the download never sees half a file
    except Exception:
        files.update(token, status=files.FAILED, message="")
        raise
    finally:
        db.session.rollback()
    files.update(token, status=files.DONE, rows_done=written[0], rows_total=written[0])
    return f"{written[0]} Zeilen"


def may_see(user: Any, state: dict[str, Any]) -> bool:
    """Only the account that started an export sees its progress and file."""
    return permissions.can_see_export(user, state.get("owner_id"))
