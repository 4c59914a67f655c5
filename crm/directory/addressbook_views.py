"""Downloads of the address book (vCard 3.0) and the mail merge ("Serienbrief") of persons:
one person's card, and the current person list (its search and sort) as cards or as a
mail-merge table (CSV or XLSX). Staff only; restricted persons are never in them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint
from flask import abort
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select
from werkzeug.wrappers import Response

from crm import permissions
from crm.directory import addressbook
from crm.directory import export_jobs
from crm.directory import queries
from crm.formats.tables import RESPONSES
from crm.formats.vcard import MIMETYPE
from crm.formats.vcard import vcards
from crm.web.labels import label

bp = Blueprint("addressbook", __name__)


@bp.before_request
def _require_staff() -> None:
    if not permissions.can_export_contacts(current_user):
        abort(403)


def _vcf(body: str, filename: str) -> Response:
    response = Response(body.encode("utf-8"), mimetype=MIMETYPE)
    response.headers["Content-Type"] = f"{MIMETYPE}; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _person_list_query() -> Select[Any]:
    params = queries.parse_list_params(request.args, queries.PERSON_LIST, queries.person_filters())
    return queries.persons_query(params)


@bp.get("/persons/<int:person_id>.vcf")
def person_vcard(person_id: int) -> Response:
    """One person's address card."""
    person = addressbook.person_for_card(person_id) or abort(404)
    if not permissions.can_see_person(current_user, person) or not addressbook.may_share(person):
        abort(403)
    url = url_for("directory.person_detail", person_id=person.id, _external=True)
    return _vcf(vcards([addressbook.card(person, url)]), f"person-{person.id}.vcf")


@bp.get("/persons/adressbuch.vcf")
def persons_vcard() -> Response:
    """The current person list (search, sort) as address cards in one file."""
    return _vcf(vcards(addressbook.cards(_person_list_query())), _("adressbuch") + ".vcf")


@bp.get("/persons/serienbrief.<fmt>")
def mail_merge(fmt: str) -> Response:
    """The current person list as a mail-merge table: salutation, address block, e-mail;
    only persons who consented to the mailing's purpose (?zweck=)."""
    if fmt not in RESPONSES:
        abort(404)
    purpose = addressbook.parse_purpose(request.args.get("zweck"))
    locale = get_locale()
    language = locale.language if locale is not None else "de"
    query = _person_list_query()
    listed = export_jobs.info("persons", current_user, request.args, query)
    purpose_line = (_("Zweck"), label(purpose))
    about = replace(listed, title=_("Serienbrief"), filters=[*listed.filters, purpose_line])
    table = addressbook.mail_merge(query, purpose, language)
    filename = _("serienbrief") + f".{fmt}"
    return RESPONSES[fmt](filename, table.header, table.rows, about)
