"""Account reads for the admin page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from crm.extensions import db
from crm.models import Initiative
from crm.models import User


def accounts() -> list[User]:
    """Every account with its initiative, by e-mail address."""
    return list(
        db.session.scalars(select(User).options(selectinload(User.initiative)).order_by(User.email))
    )


def initiative_choices() -> list[SelectChoice]:
    """All initiatives for the invitation form ("" = none, for staff accounts)."""
    rows = db.session.execute(select(Initiative.id, Initiative.name).order_by(Initiative.sort_name))
    return [SelectChoice("", "—")] + [SelectChoice(str(i), n) for i, n in rows]
