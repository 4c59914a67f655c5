"""THE authorization module: every decision about who may see or change what is made here.

Views ask these predicates, list queries are scoped through them, and templates use
the same predicates to hide controls. The functions are pure: they look at the user
and the record, never at the request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false

from crm.models import Initiative, Role

STAFF_ROLES = frozenset({Role.ADMIN, Role.STAFF})


def _role(user: Any) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Role(user.role)


def is_staff(user: Any) -> bool:
    """Office staff and admins: they see and edit the whole directory."""
    return _role(user) in STAFF_ROLES


def is_admin(user: Any) -> bool:
    """Admins manage accounts, vocabularies and data-protection tasks."""
    return _role(user) is Role.ADMIN


def is_editor(user: Any) -> bool:
    """Representatives of one initiative."""
    return _role(user) is Role.EDITOR


def can_view_directory(user: Any) -> bool:
    """The internal directory lists (organisations, persons, all initiatives)."""
    return is_staff(user)


def can_view(user: Any, record: Any) -> bool:
    """May `user` see the internal view of `record`?"""
    if is_staff(user):
        return True
    if is_editor(user) and isinstance(record, Initiative):
        return bool(record.id == user.initiative_id)
    return False


def can_edit(user: Any, record: Any) -> bool:
    """May `user` change `record`?"""
    return can_view(user, record)


def scope_initiatives(user: Any, query: Select[Any]) -> Select[Any]:
    """Restrict an initiative query to what `user` may see internally."""
    if is_staff(user):
        return query
    if is_editor(user):
        return query.where(Initiative.id == user.initiative_id)
    return query.where(false())
