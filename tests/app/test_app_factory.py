"""The application factory: config layering, secret-key refusal, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crm import create_app
from crm.app import ConfigurationError
from crm.app import normalise_database_url


def test_default_secret_key_is_refused_outside_debug_and_testing(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


def test_secret_key_from_environment_is_accepted(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment-" + "x" * 20)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert app.config["SECRET_KEY"].startswith("from-the-environment-")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_database_url_from_environment_and_test_mapping_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example.org/crm")
    app = create_app({"TESTING": True, "SECRET_KEY": "t"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example.org/crm"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/y.sqlite",
        }
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    (tmp_path / "config.py").write_text("PAGE_SIZE = 7\nSECRET_KEY = 'from-instance'\n")
    from flask import Flask

    from crm.app import configure

    app = Flask("crm", instance_path=str(tmp_path), instance_relative_config=True)
    configure(app, None)
    assert app.config["PAGE_SIZE"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'crm.sqlite'}"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql+psycopg://a@h/d", "postgresql+psycopg://a@h/d"),
        ("sqlite:///x.sqlite", "sqlite:///x.sqlite"),
    ],
)
def test_database_urls_use_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_debug_mode_relaxes_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/z.sqlite"})
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_importing_crm_loads_no_flask():
    code = (
        "import sys, crm, crm.graph; "
        "assert 'flask' not in sys.modules, 'flask loaded'; "
        "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_wsgi_module_exposes_app(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_SECRET_KEY", "wsgi-test-secret-" + "y" * 20)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/w.sqlite")
    import importlib

    import wsgi

    importlib.reload(wsgi)
    assert wsgi.app.name == "crm.app"
