"""The cells of the registration list's rows, ready to write out (issue #23).

As in `crm.directory.rows`: the list shows 50 registrations of a dozen cells, and looking up
each label, wish and date in the template costs more than writing the row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple


class RegistrationRow(NamedTuple):
    """One row of the registration list, in the order the template unpacks it."""

    id: int
    last_name: str
    first_name: str
    restricted: bool
    email: str
    organisation_text: str  # as the person wrote it ("" when they wrote none)
    in_directory: bool  # matched to an organisation of the directory
    organisation_name: str
    organisation_type: str
    organisation_confirmed: bool
    name: str  # title, first and last name: for screen readers' button labels
    initiative: str  # "—" when none
    function: str
    status: str
    wishes: tuple[str, ...]  # the titles of the wished workshops, by rank
    registered: str


def registration_rows(
    items: Iterable[Any],
    status_names: Mapping[str, str],
    type_names: Mapping[str, str],
    titles: Mapping[int, str],
    moment: Callable[[dt.datetime | None], str],
) -> list[RegistrationRow]:
    """The rows of `crm.events.queries.registration_rows` as the list shows them."""
    return [
        RegistrationRow(
            row.id,
            row.last_name,
            row.first_name,
            row.restricted,
            row.email or "",
            row.organisation_text or "",
            row.organisation_id is not None,
            row.organisation_name or "",
            type_names[row.organisation_type.value] if row.organisation_type else "",
            row.organisation_confirmed,
            " ".join(part for part in (row.title, row.first_name, row.last_name) if part),
            row.initiative_name if row.initiative_name is not None else "—",
            row.function or "",
            status_names[row.status.value],
            tuple(titles.get(w, "") for w in (row.wish1, row.wish2, row.wish3) if w is not None),
            moment(row.registered_at),
        )
        for row in items
    ]
