"""Refusing a change that touches a locked person (Art. 18 GDPR) in a view: back to where
the user came from, with why. The decision is `permissions.person_locked`."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask import flash
from flask import redirect

from crm import permissions


def refuse_locked(record: Any, back: str) -> None:
    """When `record` is (or names) a locked person: flash why and answer with a redirect
    to `back` (nothing is written); else return."""
    if permissions.person_locked(record):
        flash(str(permissions.PERSON_LOCKED), "error")
        abort(redirect(back))
