"""Industrienetz: stakeholder network directory and CRM for regional industry initiatives.

`create_app` is imported lazily so that `flask --app crm` finds the factory while
importing a sub-package such as `crm.graph` loads neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application (see `crm.app.create_app`)."""
    from crm.app import create_app as _create_app

    return _create_app(test_config)
