"""The application factory: config → extensions → blueprints → errors → cli → jinja."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from crm.config import DEFAULT_SECRET_KEY
from crm.config import Defaults

PACKAGE_DIR = Path(__file__).resolve().parent
# templates/ and static/ sit beside the package, at the top of the project.
PROJECT_DIR = PACKAGE_DIR.parent


class ConfigurationError(RuntimeError):
    """The app cannot start safely with this configuration."""


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build and return the Flask application."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=PROJECT_DIR / "templates",
        static_folder=PROJECT_DIR / "static",
    )
    register_converters(app)
    configure(app, test_config)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_jinja(app)
    return app


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Layer the configuration: defaults, instance/config.py, environment, test mapping."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY, FLASK_SQLALCHEMY_DATABASE_URI, ...
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["RATELIMIT_STORAGE_URI"]
    for name in ("JOBS_URL", "REDIS_URL"):  # the job queue (crm.jobs)
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if test_config:
        app.config.from_mapping(test_config)

    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        uri = f"sqlite:///{Path(app.instance_path) / 'crm.sqlite'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(uri)

    relaxed = app.debug or app.testing
    if relaxed:
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    elif app.config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        raise ConfigurationError(
            "SECRET_KEY is missing or still the default. Set it in instance/config.py or as "
            "FLASK_SECRET_KEY (e.g. python -c 'import secrets; print(secrets.token_hex(32))'); "
            "`make run` writes one for you on first start."
        )


def normalise_database_url(uri: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the common way (postgres://, postgresql://)."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


def register_converters(app: Flask) -> None:
    """`<int:...>` in a route is a bounded id: out of range is 404, never a database error."""
    from crm.web.converters import install

    install(app)


def register_extensions(app: Flask) -> None:
    """Bind the extensions of `crm.extensions` to this app."""
    from crm.accounts.cookies import VerifiedCookieSessions
    from crm.accounts.session import load_user
    from crm.db import audit
    from crm.db import epoch
    from crm.db.engine import configure_engine
    from crm.extensions import babel
    from crm.extensions import csrf
    from crm.extensions import db
    from crm.extensions import limiter
    from crm.extensions import login_manager
    from crm.extensions import migrate
    from crm.search import index as search_index
    from crm.web.i18n import select_locale

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
        epoch.install(db.engine, Path(app.instance_path))
    audit.install(db.session)
    search_index.install(db.session)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    app.session_interface = VerifiedCookieSessions()
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    from crm import jobs

    jobs.init_app(app)  # the job queue (Huey): storage from JOBS_URL / REDIS_URL


def register_request_hooks(app: Flask) -> None:
    """Per-request policies: login required by default, write intent, session timeouts."""
    from crm.accounts.session import end_write_intent
    from crm.accounts.session import enforce_session_policy
    from crm.ops import install as install_ops
    from crm.web.security import init_security_headers

    install_ops(app)  # first: request timing, SQL statement count, request log, metrics
    app.before_request(enforce_session_policy)
    app.teardown_request(end_write_intent)
    init_security_headers(app)


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per feature."""
    from crm.accounts.admin_views import bp as admin_bp
    from crm.accounts.views import bp as accounts_bp
    from crm.activity.views import bp as activity_bp
    from crm.dashboard.views import bp as dashboard_bp
    from crm.directory.addressbook_views import bp as addressbook_bp
    from crm.directory.views import bp as directory_bp
    from crm.duplicates.views import bp as duplicates_bp
    from crm.events.calendar_views import bp as calendar_bp
    from crm.events.public_views import bp as event_public_bp
    from crm.events.views import bp as events_bp
    from crm.followup.public_views import bp as followup_public_bp
    from crm.followup.views import bp as followup_bp
    from crm.history.views import bp as history_bp
    from crm.imports.views import bp as imports_bp
    from crm.invitations.public_views import bp as invitation_public_bp
    from crm.invitations.views import bp as invitations_bp
    from crm.jobs.views import bp as jobs_bp
    from crm.links.views import bp as links_bp
    from crm.mail.views import bp as mail_bp
    from crm.main.views import bp as main_bp
    from crm.matchmaking.plan_views import bp as meeting_plan_bp
    from crm.matchmaking.plan_views import personal_bp as meeting_schedule_bp
    from crm.matchmaking.views import bp as matchmaking_bp
    from crm.matchmaking.views import public_bp as matchmaking_public_bp
    from crm.network.views import bp as network_bp
    from crm.ops.views import bp as ops_bp
    from crm.portal.views import bp as portal_bp
    from crm.privacy.views import bp as privacy_bp
    from crm.public.legal import bp as legal_bp
    from crm.public.views import bp as public_bp
    from crm.search.views import bp as search_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(duplicates_bp)
    app.register_blueprint(activity_bp)
    app.register_blueprint(links_bp)
    app.register_blueprint(network_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(event_public_bp)
    app.register_blueprint(meeting_plan_bp)
    app.register_blueprint(meeting_schedule_bp)
    app.register_blueprint(matchmaking_bp)
    app.register_blueprint(matchmaking_public_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(invitation_public_bp)
    app.register_blueprint(followup_bp)
    app.register_blueprint(followup_public_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(legal_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(history_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(addressbook_bp)
    from crm.api.setup import init_app as init_api

    init_api(app)  # /api/v1/ (flask-smorest), /api/openapi.json, /api/docs, the token pages


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages; a 500 rolls the session back."""
    from crm.web.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    """The `flask --app crm ...` commands."""
    from crm.cli import register

    register(app)


def register_jinja(app: Flask) -> None:
    """Template globals and filters."""
    from crm.web.templating import register

    register(app)
