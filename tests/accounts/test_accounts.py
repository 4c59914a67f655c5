"""Login, logout, session tokens, safe redirects, login required everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.db.engine import writing
from crm.extensions import db
from crm.models import User
from tests.conftest import TEST_PASSWORD

GENERIC = "E-Mail-Adresse oder Passwort ist falsch."


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Anmelden" in response.get_data(as_text=True)


def test_login_and_logout(client, make):
    user = make.user(role="staff", password=TEST_PASSWORD)
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


@pytest.mark.parametrize("case", ["wrong_password", "unknown_user", "inactive_user"])
def test_failed_logins_get_one_generic_message_and_status(client, make, case):
    user = make.user(role="staff", password=TEST_PASSWORD, active=(case != "inactive_user"))
    email = "nobody@example.org" if case == "unknown_user" else user.email
    password = "falsch-falsch-falsch" if case == "wrong_password" else TEST_PASSWORD
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 200
    assert GENERIC in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not logged in


def test_failed_login_counts_and_success_resets(app, client, make):
    user = make.user(role="staff", password=TEST_PASSWORD)
    client.post("/login", data={"email": user.email, "password": "nicht-das-passwort"})
    with app.app_context():
        assert db.session.get_one(User, user.id).failed_logins == 1
    client.post("/login", data={"email": user.email.upper(), "password": TEST_PASSWORD})
    with app.app_context():
        refreshed = db.session.get_one(User, user.id)
        assert refreshed.failed_logins == 0
        assert refreshed.last_login_at is not None


def test_cookie_captured_before_logout_does_not_work_after_it(app, make):
    user = make.user(role="staff", password=TEST_PASSWORD)
    first = app.test_client()
    first.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    stolen = first.get_cookie("session")
    assert stolen is not None
    first.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen.value)
    response = replay.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_password_hash_is_argon2id_at_owasp_parameters(app, make):
    user = make.user(role="staff", password=TEST_PASSWORD)
    assert user.password_hash.startswith("$argon2id$")
    params = dict(p.split("=") for p in user.password_hash.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1


def test_session_cookie_flags(client, make):
    user = make.user(role="staff", password=TEST_PASSWORD)
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookie_outside_debug(make_app, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    prod = make_app(TESTING=False, SECRET_KEY="a-real-secret-" + "z" * 30)
    assert prod.config["SESSION_COOKIE_SECURE"] is True


HOSTILE_NEXT = [
    "https://evil.example.com/",
    "//evil.example.com/",
    "/\\evil.example.com",
    "\\\\evil.example.com",
    "javascript:alert(1)",
    "http:/evil.example.com",
    "/%0d%0aLocation: https://evil.example.com",
    " //evil.example.com",
    "\t//evil.example.com",
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "///evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https:evil.example",
    "HTTPS://evil.example",
    "javascript://%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\x00/evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_redirects_off_site(client, make, target):
    user = make.user(role="staff", password=TEST_PASSWORD)
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "next": target}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert "evil" not in location or location.startswith("/%"), location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_from_the_login_link_never_redirects_off_site(client, make, target):
    user = make.user(role="staff", password=TEST_PASSWORD)
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "next": target}
    )
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/language", data={"language": "en", "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location


def test_next_keeps_local_paths(client, make):
    user = make.user(role="staff", password=TEST_PASSWORD)
    response = client.post(
        "/login",
        data={"email": user.email, "password": TEST_PASSWORD, "next": "/organisations/?page=2"},
    )
    assert response.headers["Location"] == "/organisations/?page=2"


def test_login_required_redirect_carries_next(client):
    response = client.get("/persons/?q=m")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/persons/?q%3Dm"


def test_deactivated_user_loses_session(app, client, login_as):
    user = login_as("staff")
    assert client.get("/").status_code == 200
    with app.app_context(), writing():
        db.session.scalar(select(User).where(User.id == user.id)).active = False
        db.session.commit()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("stamp", "limit"),
    [("seen_at", "SESSION_IDLE_TIMEOUT"), ("login_at", "PERMANENT_SESSION_LIFETIME")],
    ids=["idle", "absolute"],
)
def test_idle_and_absolute_timeouts_end_the_session(app, client, login_as, stamp, limit):
    login_as("staff")
    with client.session_transaction() as sess:
        sess[stamp] = sess[stamp] - int(app.config[limit].total_seconds()) - 5
    assert client.get("/").status_code == 302


def test_logout_requires_post(client, login_as):
    login_as("staff")
    assert client.get("/logout").status_code == 405


def test_change_password_rotates_token_and_ends_other_sessions(app, make):
    user = make.user(role="staff", password=TEST_PASSWORD)
    here, elsewhere = app.test_client(), app.test_client()
    for c in (here, elsewhere):
        c.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    response = here.post(
        "/account/password",
        data={
            "current": TEST_PASSWORD,
            "new": "ein-ganz-neues-passwort",
            "confirm": "ein-ganz-neues-passwort",
        },
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200  # this browser continues
    assert elsewhere.get("/").status_code == 302  # the other session ended
    fresh = app.test_client()
    ok = fresh.post("/login", data={"email": user.email, "password": "ein-ganz-neues-passwort"})
    assert ok.status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        (
            "falsch-falsch-falsch",
            "ein-ganz-neues-passwort",
            "ein-ganz-neues-passwort",
            "aktuelle Passwort ist falsch",
        ),
        (TEST_PASSWORD, "kurz", "kurz", "12"),
        (TEST_PASSWORD, "ein-ganz-neues-passwort", "ein-anderes-passwort!", "stimmen nicht"),
    ],
)
def test_change_password_bad_input_changes_nothing(
    app, client, login_as, current, new, confirm, message
):
    user = login_as("staff")
    with app.app_context():
        before = db.session.get_one(User, user.id).password_hash
    response = client.post(
        "/account/password", data={"current": current, "new": new, "confirm": confirm}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get_one(User, user.id).password_hash == before


def test_one_time_password_must_be_changed_first(app, runner, client):
    result = runner.invoke(args=["ensure-admin", "--email", "chef@example.org"])
    assert result.exit_code == 0
    password = result.output.split("Einmalpasswort: ")[1].split()[0]
    client.post("/login", data={"email": "chef@example.org", "password": password})
    assert client.get("/initiatives/").headers["Location"] == "/account/password"
    client.post(
        "/account/password",
        data={
            "current": password,
            "new": "mein-eigenes-passwort",
            "confirm": "mein-eigenes-passwort",
        },
    )
    assert client.get("/initiatives/").status_code == 200
    again = runner.invoke(args=["ensure-admin"])
    assert "schon ein Admin" in again.output
