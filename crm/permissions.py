"""THE authorization module: every decision about who may see or change what is made here.

Views ask these predicates, list queries are scoped through them, and templates use
the same predicates to hide controls. The functions are pure: they look at the user
and the record, never at the request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select

from crm.models import Initiative, Role
from crm.models.search import SearchDocument, SearchKind

STAFF_ROLES = frozenset({Role.ADMIN, Role.STAFF})
# a SELECT of any columns (SQLAlchemy 2.1 types them as a variadic tuple)
AnySelect = Select[*tuple[Any, ...]]


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


def can_log_interaction(user: Any) -> bool:
    """Logging contacts and follow-ups is office work: staff and admins only."""
    return is_staff(user)


def can_edit_interaction(user: Any, interaction: Any) -> bool:
    """Staff may edit, delete and close any interaction or follow-up (a shared office log)."""
    return is_staff(user)


def graph_scope(user: Any) -> tuple[str, int | None]:
    """Which persons the network graph for `user` may contain (a hashable cache key).

    ("all", None) for staff; ("initiative", id) for editors: only persons with a role
    in their own initiative; ("none", None) for everyone else: no persons at all.
    """
    if is_staff(user):
        return ("all", None)
    if is_editor(user):
        return ("initiative", int(user.initiative_id))
    return ("none", None)


def can_act_on_suggestions(user: Any) -> bool:
    """Accepting, dismissing or postponing network suggestions is office work (staff)."""
    return is_staff(user)


def can_view_network(user: Any) -> bool:
    """The network analytics and the list of introductions cover everyone: staff only."""
    return is_staff(user)


def can_manage_events(user: Any) -> bool:
    """Events, their registrations, check-in and participant lists are office work: staff."""
    return is_staff(user)


def can_view_outbox(user: Any) -> bool:
    """The mail outbox holds personal links of participants: staff only."""
    return is_staff(user)


def scope_initiatives(user: Any, query: Select[Any]) -> Select[Any]:
    """Restrict an initiative query to what `user` may see internally."""
    if is_staff(user):
        return query
    if is_editor(user):
        return query.where(Initiative.id == user.initiative_id)
    return query.where(false())


def searchable_kinds(user: Any) -> tuple[SearchKind, ...]:
    """What the global search may show `user`: staff all record types, editors initiatives."""
    if is_staff(user):
        return tuple(SearchKind)
    if is_editor(user):
        return (SearchKind.INITIATIVE,)
    return ()


def can_search(user: Any) -> bool:
    """May `user` use the global search box?"""
    return bool(searchable_kinds(user))


def scope_search(user: Any, query: AnySelect) -> AnySelect:
    """Restrict a SearchDocument query: staff find all; editors only listed or own initiatives."""
    if is_staff(user):
        return query
    if is_editor(user):
        listed_or_own = or_(
            Initiative.public_listing.is_(True), Initiative.id == user.initiative_id
        )
        return query.where(
            SearchDocument.kind == SearchKind.INITIATIVE,
            SearchDocument.record_id.in_(select(Initiative.id).where(listed_or_own)),
        )
    return query.where(false())


def can_open_search_hit(user: Any, kind: SearchKind, record_id: int) -> bool:
    """May `user` open the internal page of a found record (without loading it)?"""
    if is_staff(user):
        return True
    return is_editor(user) and kind is SearchKind.INITIATIVE and record_id == user.initiative_id
