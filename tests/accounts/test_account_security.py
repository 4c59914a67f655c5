"""Account security: invitations, password reset, token misuse, enumeration, throttling,
deactivation, the admin accounts page and security headers on every kind of response."""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import redis
from sqlalchemy import func
from sqlalchemy import select

from crm.accounts.session import public
from crm.accounts.tokens import Purpose
from crm.accounts.tokens import TokenError
from crm.accounts.tokens import make_token
from crm.accounts.tokens import read_token
from crm.accounts.tokens import verify_token
from crm.db.engine import writing
from crm.extensions import db
from crm.models import AuditEntry
from crm.models import OutboxMail
from crm.models import Role
from crm.models import User
from tests.conftest import TEST_PASSWORD
from tests.helpers import assert_turned_away

NEW_PASSWORD = "ein-ganz-neues-passwort-7"
GENERIC_LOGIN_ERROR = "E-Mail-Adresse oder Passwort ist falsch."
FORGOT_ANSWER = "Wenn ein Konto mit dieser E-Mail-Adresse existiert"
REDIS_URL = "redis://127.0.0.1:6379/15"


# --- helpers ---------------------------------------------------------------------------------


def _mails(app, to: str | None = None) -> list[OutboxMail]:
    with app.app_context():
        query = select(OutboxMail).order_by(OutboxMail.id)
        if to is not None:
            query = query.where(OutboxMail.to_address == to)
        mails = list(db.session.scalars(query))
        db.session.expunge_all()
        return mails


def _link_path(mail: OutboxMail, prefix: str) -> str:
    match = re.search(r"https?://\S+", mail.body)
    assert match, mail.body
    path = urlsplit(match.group(0)).path
    assert path.startswith(prefix), path
    return path


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get_one(User, user_id)
        db.session.expunge(user)
        return user


def _secrets_of(app, user_id: int) -> tuple[str | None, str, bool]:
    user = _user(app, user_id)
    return user.password_hash, user.session_token, user.active


def _token(app, user_id: int, purpose: Purpose, *, age: timedelta = timedelta(0)) -> str:
    user = _user(app, user_id)
    issued_at = int(time.time() - age.total_seconds()) if age else None
    return make_token(user, purpose, secret=app.config["SECRET_KEY"], issued_at=issued_at)


def _login(client, email: str, password: str = TEST_PASSWORD, **kw):
    return client.post("/login", data={"email": email, "password": password}, **kw)


def _set_password(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"new": password, "confirm": password})


def _url(purpose: Purpose, token: str) -> str:
    return f"/invitation/{token}" if purpose is Purpose.INVITATION else f"/password/reset/{token}"


# --- tokens (pure) ---------------------------------------------------------------------------


def _fake_user(**kw):
    values = {"id": 7, "password_hash": None, "session_token": "abc", "active": True} | kw
    return SimpleNamespace(**values)


def test_token_roundtrip_and_purpose_binding():
    user = _fake_user()
    token = make_token(user, Purpose.INVITATION, secret="s3cret")
    found = verify_token(
        token, Purpose.INVITATION, secret="s3cret", max_age=timedelta(days=7), load=lambda _: user
    )
    assert found is user
    with pytest.raises(TokenError) as info:
        read_token(token, Purpose.RESET, secret="s3cret", max_age=timedelta(days=7))
    assert info.value.problem == "invalid"
    with pytest.raises(TokenError) as info:
        read_token(token, Purpose.INVITATION, secret="other", max_age=timedelta(days=7))
    assert info.value.problem == "invalid"


def test_token_expires_and_dies_with_the_accounts_secrets():
    user = _fake_user()
    old = make_token(user, Purpose.RESET, secret="k", issued_at=int(time.time()) - 3601)
    with pytest.raises(TokenError) as info:
        read_token(old, Purpose.RESET, secret="k", max_age=timedelta(hours=1))
    assert info.value.problem == "expired"
    token = make_token(user, Purpose.RESET, secret="k")
    for changed in (
        _fake_user(password_hash="$argon2id$new"),
        _fake_user(session_token="rotated"),
        _fake_user(active=False),
    ):
        with pytest.raises(TokenError) as info:
            verify_token(
                token,
                Purpose.RESET,
                secret="k",
                max_age=timedelta(hours=1),
                load=lambda _, u=changed: u,
            )
        assert info.value.problem == "used"
    with pytest.raises(TokenError) as info:
        verify_token(
            token, Purpose.RESET, secret="k", max_age=timedelta(hours=1), load=lambda _: None
        )
    assert info.value.problem == "used"


@pytest.mark.parametrize("garbage", ["", "x", "a.b.c", "eyJ1Ijo3fQ.AAAA.BBBB", "%00", "ä" * 50])
def test_malformed_tokens_are_invalid(garbage):
    with pytest.raises(TokenError) as info:
        read_token(garbage, Purpose.RESET, secret="k", max_age=timedelta(hours=1))
    assert info.value.problem == "invalid"


# --- invitations -----------------------------------------------------------------------------


def test_invitation_happy_path(app, client, login_as, make):
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    login_as("staff")
    page = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    assert f"/initiatives/{ini.id}/invite" in page and "Vertreter:in einladen" in page
    assert client.get(f"/initiatives/{ini.id}/invite").status_code == 200
    response = client.post(
        f"/initiatives/{ini.id}/invite",
        data={"email": " Vertreterin@Example.org ", "name": "Erika Muster"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/initiatives/{ini.id}"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "vertreterin@example.org"))
        assert user is not None
        assert (user.role, user.initiative_id, user.password_hash, user.active) == (
            Role.EDITOR,
            ini.id,
            None,
            True,
        )
        user_id = user.id
    (mail,) = _mails(app, "vertreterin@example.org")
    assert "Erika Muster" in mail.body and "Zukunft durch Industrie e.V." in mail.body
    path = _link_path(mail, "/invitation/")

    invited = app.test_client()
    form_page = invited.get(path)
    assert form_page.status_code == 200
    assert form_page.mimetype == "text/html"
    assert form_page.headers["Cache-Control"] == "no-store"
    response = _set_password(invited, path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    landing = invited.get("/", follow_redirects=True)  # logged in as the editor
    assert landing.status_code == 200 and landing.request.path != "/login"
    assert "vertreterin@example.org" in landing.get_data(as_text=True)
    assert _user(app, user_id).password_hash.startswith("$argon2id$")
    assert _login(app.test_client(), "vertreterin@example.org", NEW_PASSWORD).status_code == 302
    # single use
    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "bereits benutzt" in again.get_data(as_text=True)


def test_invite_button_only_for_staff(client, login_as, make):
    ini = make.initiative()
    login_as("editor", initiative=ini)
    page = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    assert "/invite" not in page


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_invite_permissions(app, client, login_as, make, method):
    ini, other = make.initiative(), make.initiative()
    data = {"email": "neu@example.org"}
    anonymous = client.open(f"/initiatives/{ini.id}/invite", method=method, data=data)
    assert anonymous.headers["Location"].startswith("/login?next=")
    login_as("editor", initiative=ini)
    assert client.open(f"/initiatives/{ini.id}/invite", method=method, data=data).status_code == 403
    assert (
        client.open(f"/initiatives/{other.id}/invite", method=method, data=data).status_code == 404
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert _mails(app) == []


def test_invite_unknown_initiative_is_404(client, login_as):
    login_as("staff")
    assert client.get("/initiatives/999999/invite").status_code == 404


@pytest.mark.parametrize("email", ["", "keine-adresse", "a@", "x" * 300 + "@example.org"])
def test_invite_bad_input_changes_nothing(app, client, login_as, make, email):
    ini = make.initiative()
    login_as("staff")
    response = client.post(f"/initiatives/{ini.id}/invite", data={"email": email})
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert _mails(app) == []


def test_invite_refuses_an_active_account(app, client, login_as, make):
    ini = make.initiative()
    existing = make.user(role="staff", password=TEST_PASSWORD, email="da@example.org")
    login_as("staff")
    response = client.post(f"/initiatives/{ini.id}/invite", data={"email": "da@example.org"})
    assert response.status_code == 200
    assert "gibt es schon" in response.get_data(as_text=True)
    assert _user(app, existing.id).role == Role.STAFF
    assert _mails(app) == []


def test_invite_reuses_an_inactive_account(app, client, login_as, make):
    ini = make.initiative()
    old = make.user(role="staff", password=TEST_PASSWORD, email="alt@example.org", active=False)
    login_as("staff")
    client.post(f"/initiatives/{ini.id}/invite", data={"email": "alt@example.org"})
    user = _user(app, old.id)
    assert (user.role, user.initiative_id, user.active, user.password_hash) == (
        Role.EDITOR,
        ini.id,
        True,
        None,
    )
    assert _login(app.test_client(), "alt@example.org").status_code == 200  # old password gone


def test_a_new_invitation_voids_the_earlier_link(app, client, login_as, make):
    ini = make.initiative()
    login_as("staff")
    client.post(f"/initiatives/{ini.id}/invite", data={"email": "zwei@example.org"})
    client.post(f"/initiatives/{ini.id}/invite", data={"email": "zwei@example.org"})
    first, second = _mails(app, "zwei@example.org")
    assert app.test_client().get(_link_path(first, "/invitation/")).status_code == 410
    assert app.test_client().get(_link_path(second, "/invitation/")).status_code == 200


def test_invitation_weak_password_is_a_form_error(app, make):
    ini = make.initiative()
    user = make.user(role="editor", initiative_id=ini.id)
    path = _url(Purpose.INVITATION, _token(app, user.id, Purpose.INVITATION))
    client = app.test_client()
    response = _set_password(client, path, "kurz")
    assert response.status_code == 200
    assert "12" in response.get_data(as_text=True)
    mismatch = client.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "stimmen nicht" in mismatch.get_data(as_text=True)
    assert _user(app, user.id).password_hash is None


# --- token misuse on the pages ---------------------------------------------------------------


def _misuse_token(app, user_id: int, purpose: Purpose, case: str) -> tuple[str, int, str]:
    """(url, expected status, expected message part) for one kind of misuse."""
    if case == "expired":
        age = timedelta(days=8) if purpose is Purpose.INVITATION else timedelta(hours=25)
        return _url(purpose, _token(app, user_id, purpose, age=age)), 410, "abgelaufen"
    if case == "tampered":
        token = _token(app, user_id, purpose)
        payload, _, rest = token.partition(".")
        flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
        return _url(purpose, flipped + "." + rest), 400, "ungültig"
    if case == "wrong_purpose":
        other = Purpose.RESET if purpose is Purpose.INVITATION else Purpose.INVITATION
        return _url(purpose, _token(app, user_id, other)), 400, "ungültig"
    if case == "other_secret":
        user = _user(app, user_id)
        return _url(purpose, make_token(user, purpose, secret="guessed")), 400, "ungültig"
    raise AssertionError(case)


@pytest.mark.parametrize("purpose", list(Purpose))
@pytest.mark.parametrize("case", ["expired", "tampered", "wrong_purpose", "other_secret"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_token_misuse_changes_nothing(app, make, purpose, case, method):
    ini = make.initiative()
    password = None if purpose is Purpose.INVITATION else TEST_PASSWORD
    user = make.user(role="editor", initiative_id=ini.id, password=password)
    before = _secrets_of(app, user.id)
    url, status, message = _misuse_token(app, user.id, purpose, case)
    client = app.test_client()
    response = client.open(url, method=method, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)
    assert _secrets_of(app, user.id) == before
    assert client.get("/").status_code == 302  # not logged in


@pytest.mark.parametrize("purpose", list(Purpose))
def test_reused_link_is_refused(app, make, purpose):
    ini = make.initiative()
    password = None if purpose is Purpose.INVITATION else TEST_PASSWORD
    user = make.user(role="editor", initiative_id=ini.id, password=password)
    url = _url(purpose, _token(app, user.id, purpose))
    assert _set_password(app.test_client(), url).status_code == 302
    after_first = _secrets_of(app, user.id)
    second = _set_password(app.test_client(), url, "noch-ein-anderes-passwort")
    assert second.status_code == 410
    assert "bereits benutzt" in second.get_data(as_text=True)
    assert _secrets_of(app, user.id) == after_first


def test_links_of_a_deactivated_account_are_refused(app, make):
    user = make.user(role="staff", password=TEST_PASSWORD)
    url = _url(Purpose.RESET, _token(app, user.id, Purpose.RESET))
    with app.app_context(), writing():
        db.session.get_one(User, user.id).active = False
        db.session.commit()
    assert app.test_client().get(url).status_code == 410


# --- password reset --------------------------------------------------------------------------


def test_forgot_and_reset_end_every_other_session(app, make):
    user = make.user(role="staff", password=TEST_PASSWORD, email="vergessen@example.org")
    elsewhere = app.test_client()
    assert _login(elsewhere, user.email).status_code == 302
    assert elsewhere.get("/").status_code == 200

    anonymous = app.test_client()
    assert anonymous.get("/password/forgot").status_code == 200
    response = anonymous.post("/password/forgot", data={"email": "Vergessen@Example.org"})
    assert response.status_code == 302
    (mail,) = _mails(app, user.email)
    path = _link_path(mail, "/password/reset/")
    assert anonymous.get(path).status_code == 200
    response = _set_password(anonymous, path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"

    gone = elsewhere.get("/")  # the old client's cookie no longer works
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/login")
    assert _login(app.test_client(), user.email, TEST_PASSWORD).status_code == 200
    assert _login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    assert app.test_client().get(path).status_code == 410


def test_forgot_queues_nothing_for_inactive_accounts(app, make):
    make.user(role="staff", password=TEST_PASSWORD, email="weg@example.org", active=False)
    response = app.test_client().post("/password/forgot", data={"email": "weg@example.org"})
    assert response.status_code == 302
    assert _mails(app) == []


def test_forgot_bad_input_is_a_form_error(app, client):
    response = client.post("/password/forgot", data={"email": ""})
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)
    assert _mails(app) == []


# --- enumeration -----------------------------------------------------------------------------


def _without_csrf_tokens(html: str) -> str:
    """Pages carry a random per-session CSRF token (the language form); it tells nothing."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


def test_forgot_page_answers_alike_for_known_and_unknown_addresses(app, make):
    make.user(role="staff", password=TEST_PASSWORD, email="bekannt@example.org")
    answers = []
    for email in ("bekannt@example.org", "unbekannt@example.org"):
        client = app.test_client()
        response = client.post("/password/forgot", data={"email": email})
        follow = client.get(response.headers["Location"])
        answers.append(
            (response.status_code, response.headers["Location"], response.get_data(as_text=True))
        )
        answers.append((follow.status_code, _without_csrf_tokens(follow.get_data(as_text=True))))
        assert FORGOT_ANSWER in follow.get_data(as_text=True)
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert [m.to_address for m in _mails(app)] == ["bekannt@example.org"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_login_answers_alike_for_known_and_unknown_addresses(app, make):
    make.user(role="staff", password=TEST_PASSWORD, email="bekannt@example.org")
    answers = []
    for email in ("bekannt@example.org", "unbekannt@example.org"):
        client = app.test_client()
        statuses = []
        for _ in range(6):  # the sixth attempt is throttled for both addresses
            response = _login(client, email, "falsch-falsch-falsch")
            statuses.append(response.status_code)
            body = _without_csrf_tokens(response.get_data(as_text=True).replace(email, "EMAIL"))
        answers.append((statuses, body))
    assert answers[0] == answers[1]
    assert answers[0][0] == [200] * 5 + [429]


# --- throttling ------------------------------------------------------------------------------


def _check_throttling(app, make, suffix: str) -> None:
    """5 failures per account and 20 per IP; then even the right password gets 429."""
    ip = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    env = {"REMOTE_ADDR": ip}
    victim = make.user(role="staff", password=TEST_PASSWORD, email=f"opfer-{suffix}@example.org")
    other = make.user(role="staff", password=TEST_PASSWORD, email=f"andere-{suffix}@example.org")
    client = app.test_client()
    for _ in range(5):
        response = _login(client, victim.email, "falsch-falsch-falsch", environ_base=env)
        assert response.status_code == 200
    refused = _login(client, victim.email, environ_base=env)  # the right password
    assert refused.status_code == 429
    assert "Zu viele" in refused.get_data(as_text=True)
    assert client.get("/", environ_base=env).status_code == 302  # not logged in
    # the account limit does not block other accounts from the same address
    assert _login(app.test_client(), other.email, environ_base=env).status_code == 302

    # per IP: 20 failures with ever new addresses, then everyone from that IP waits
    ip2 = ip.rsplit(".", 1)[0] + "." + str((int(ip.rsplit(".", 1)[1]) % 250) + 2)
    env2 = {"REMOTE_ADDR": ip2}
    for n in range(20):
        response = _login(
            app.test_client(), f"nr{n}-{suffix}@example.org", "falsch", environ_base=env2
        )
        assert response.status_code == 200, n
    assert _login(app.test_client(), other.email, environ_base=env2).status_code == 429
    # another IP address is not affected
    third = {"REMOTE_ADDR": ip.rsplit(".", 1)[0] + ".253"}
    assert _login(app.test_client(), other.email, environ_base=third).status_code == 302


def test_login_throttling_in_memory(app, make):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    _check_throttling(app, make, "mem")


def test_successful_logins_do_not_count(app, make):
    user = make.user(role="staff", password=TEST_PASSWORD)
    for _ in range(8):
        client = app.test_client()
        assert _login(client, user.email).status_code == 302


def test_login_throttling_with_redis(make_app, make):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        reason = f"Redis not reachable at {REDIS_URL}: {exc}"
        print(f"\nSKIP Redis throttling test: {reason}")  # noqa: T201 - the reason must be visible
        pytest.skip(reason)
    try:
        app = make_app(RATELIMIT_STORAGE_URI=REDIS_URL)
        assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        _check_throttling(app, make, "redis-" + secrets.token_hex(4))
    finally:
        make_app()  # the shared limiter goes back to in-memory storage for later tests


# --- deactivation ----------------------------------------------------------------------------


def test_admin_deactivation_ends_sessions_and_logins(app, client, login_as, make):
    victim = make.user(role="staff", password=TEST_PASSWORD)
    theirs = app.test_client()
    assert _login(theirs, victim.email).status_code == 302
    assert theirs.get("/").status_code == 200
    login_as("admin")
    response = client.post(f"/admin/accounts/{victim.id}/deactivate")
    assert response.status_code == 302
    assert theirs.get("/").headers["Location"].startswith("/login")
    failed = _login(app.test_client(), victim.email)
    assert failed.status_code == 200
    assert GENERIC_LOGIN_ERROR in failed.get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry)
            .where(AuditEntry.record_type == "users", AuditEntry.record_id == victim.id)
            .order_by(AuditEntry.id.desc())
        )
        assert entry is not None and "active" in str(entry.changes)
    # reactivation: the old password works again
    assert client.post(f"/admin/accounts/{victim.id}/reactivate").status_code == 302
    assert _login(app.test_client(), victim.email).status_code == 302


# --- admin accounts page ---------------------------------------------------------------------


ADMIN_ROUTES = [
    ("GET", "/admin/accounts"),
    ("POST", "/admin/accounts/invite"),
    ("POST", "/admin/accounts/{id}/deactivate"),
    ("POST", "/admin/accounts/{id}/reactivate"),
    ("POST", "/admin/accounts/{id}/reset"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "editor", "staff"])
def test_admin_pages_refuse_non_admins(app, client, login_as, make, who, method, path):
    ini = make.initiative()
    target = make.user(role="staff", password=TEST_PASSWORD)
    before = _secrets_of(app, target.id)
    if who != "anonymous":
        login_as(who, initiative=ini if who == "editor" else None)
    response = client.open(
        path.format(id=target.id),
        method=method,
        data={"email": "x@example.org", "role": "staff"},
    )
    assert_turned_away(response, who)
    assert _secrets_of(app, target.id) == before
    assert _mails(app) == []


def test_admin_page_lists_accounts(app, client, login_as, make):
    ini = make.initiative(name="Netzwerk Süd")
    make.user(role="editor", initiative_id=ini.id, email="offen@example.org")
    make.user(role="staff", password=TEST_PASSWORD, email="weg@example.org", active=False)
    login_as("admin")
    page = client.get("/admin/accounts")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (
        "offen@example.org",
        "Netzwerk Süd",
        "Einladung offen",
        "deaktiviert",
        "Reaktivieren",
    ):
        assert text in html
    assert "/admin/accounts" in client.get("/").get_data(as_text=True)  # nav link


def test_admin_invites_staff_and_editors(app, client, login_as, make):
    ini = make.initiative()
    login_as("admin")
    staff = client.post(
        "/admin/accounts/invite", data={"email": "neu@example.org", "role": "staff"}
    )
    assert staff.status_code == 302
    editor = client.post(
        "/admin/accounts/invite",
        data={"email": "red@example.org", "role": "editor", "initiative": str(ini.id)},
    )
    assert editor.status_code == 302
    with app.app_context():
        roles = {email: role for email, role in db.session.execute(select(User.email, User.role))}
    assert roles["neu@example.org"] == Role.STAFF and roles["red@example.org"] == Role.EDITOR
    assert {m.to_address for m in _mails(app)} == {"neu@example.org", "red@example.org"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "red@example.org", "role": "editor"}, "braucht eine Initiative"),
        ({"email": "red@example.org", "role": "staff", "initiative": "1"}, "Nur Konten"),
        ({"email": "red@example.org", "role": "admin"}, 'id="role-error"'),  # not offered
        (
            {"email": "red@example.org", "role": "editor", "initiative": "999999"},
            'id="initiative-error"',
        ),
        ({"email": "kaputt", "role": "staff"}, 'id="email-error"'),
    ],
)
def test_admin_invite_bad_input_changes_nothing(app, client, login_as, make, data, message):
    ini = make.initiative()
    if data.get("initiative") == "1":
        data = data | {"initiative": str(ini.id)}
    login_as("admin")
    response = client.post("/admin/accounts/invite", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert _mails(app) == []


def test_admin_sends_reset_and_cannot_deactivate_self(app, client, login_as, make):
    admin = login_as("admin")
    user = make.user(role="staff", password=TEST_PASSWORD, email="hilfe@example.org")
    assert client.post(f"/admin/accounts/{user.id}/reset").status_code == 302
    (mail,) = _mails(app, "hilfe@example.org")
    assert "/password/reset/" in mail.body
    response = client.post(f"/admin/accounts/{admin.id}/deactivate", follow_redirects=True)
    assert "nicht deaktivieren" in response.get_data(as_text=True)
    assert _user(app, admin.id).active is True
    assert client.post("/admin/accounts/999999/deactivate").status_code == 404
    assert client.post("/admin/accounts/999999/reset").status_code == 404


# --- security headers ------------------------------------------------------------------------


def _assert_security_headers(response, https: bool) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {
        part.strip().split()[0]: part.strip().split()[1:] for part in csp.split(";") if part.strip()
    }
    script = directives.get("script-src", directives.get("default-src"))
    assert script is not None, csp
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, csp
    assert directives.get("frame-ancestors") == ["'none'"], csp
    assert directives.get("object-src") == ["'none'"], csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert response.headers.get("X-Frame-Options") == "DENY"
    if https:
        assert "max-age=" in response.headers.get("Strict-Transport-Security", "")
    else:
        assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_security_headers_on_every_kind_of_response(make_app, https):
    app = make_app()

    @public
    def probe() -> dict[str, bool]:
        return {"ok": True}

    app.add_url_rule("/_probe.json", "probe", probe)
    client = app.test_client()
    base = "https://localhost" if https else "http://localhost"
    responses = {
        "html": client.get("/login", base_url=base),
        "redirect": client.get("/", base_url=base),
        "json": client.get("/_probe.json", base_url=base),
        "static": client.get("/static/css/app.css", base_url=base),
        "404": client.get("/gibt-es-nicht", base_url=base),
        "405": client.get("/logout", base_url=base),
    }
    assert responses["json"].is_json and responses["static"].status_code == 200
    assert responses["404"].status_code == 404
    for kind, response in responses.items():
        try:
            _assert_security_headers(response, https)
        except AssertionError as exc:
            raise AssertionError(f"{kind}: {exc}") from exc


# --- deployment settings: mailed links and reverse proxies -----------------------------------


def test_mailed_links_use_the_public_base_url_not_the_host_header(make_app, make):
    app = make_app(PUBLIC_BASE_URL="https://netz.example.org/")
    make.user(role="staff", password=TEST_PASSWORD, email="opfer@example.org")
    response = app.test_client().post(
        "/password/forgot",
        data={"email": "opfer@example.org"},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert response.status_code == 302
    (mail,) = _mails(app)
    assert "evil.example" not in mail.body
    assert "https://netz.example.org/password/reset/" in mail.body


@pytest.mark.parametrize("proxies", [0, 1])
def test_forwarded_headers_count_only_behind_trusted_proxies(make_app, proxies):
    app = make_app(TRUSTED_PROXIES=proxies, LOGIN_RATE_LIMIT_IP="2 per 15 minutes")
    client = app.test_client()
    if proxies:  # TLS ended at the proxy: the response counts as HTTPS and gets HSTS
        secure = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "max-age=" in secure.headers["Strict-Transport-Security"]
    statuses = [
        _login(
            client,
            f"nr{n}@example.org",
            "falsch",
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
        ).status_code
        for n in range(3)
    ]
    # behind a proxy every forwarded address has its own budget; without one, forging
    # X-Forwarded-For does not escape the limit of the real address
    assert statuses == ([200, 200, 200] if proxies else [200, 200, 429])
