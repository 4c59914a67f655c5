"""The session cookie is verified once per process for each cookie text
(`crm.accounts.cookies.VerifiedCookieSessions`): a repeated cookie skips the signature check,
but a changed cookie, an expired one or one signed with another key is never accepted, and no
session can change what another one reads."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from flask import Flask
from flask import session

from crm.accounts.cookies import VerifiedCookieSessions


@pytest.fixture
def cookie_app() -> Flask:
    """A bare Flask app with the interface: cookies are made and read without a database."""
    app = Flask(__name__)
    app.secret_key = "a-test-key-" + "x" * 20
    app.session_interface = VerifiedCookieSessions()
    return app


def _cookie(app: Flask, **contents: object) -> str:
    """The signed cookie text of a session holding `contents`."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return str(serializer.dumps(contents))


def _opened(app: Flask, text: str) -> dict[str, object]:
    """The session that a request carrying the cookie `text` gets."""
    with app.test_request_context("/", headers={"Cookie": f"session={text}"}):
        return dict(session)


def test_a_repeated_cookie_is_verified_once_and_read_the_same(cookie_app):
    interface: VerifiedCookieSessions = cookie_app.session_interface  # type: ignore[assignment]
    text = _cookie(cookie_app, _user_id="token-1", seen_at=1_700_000_000, _fresh=True)
    assert _opened(cookie_app, text) == {
        "_user_id": "token-1",
        "seen_at": 1_700_000_000,
        "_fresh": True,
    }
    assert text in interface._kept
    assert _opened(cookie_app, text) == _opened(cookie_app, text)
    assert len(interface._kept) == 1


def test_a_cookie_changed_in_one_character_is_refused_after_the_genuine_one(cookie_app):
    text = _cookie(cookie_app, _user_id="token-1")
    assert _opened(cookie_app, text) == {"_user_id": "token-1"}
    payload, _, rest = text.partition(".")
    forged = payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + rest
    assert _opened(cookie_app, forged) == {}
    assert _opened(cookie_app, text + "x") == {}
    assert forged not in cookie_app.session_interface._kept  # type: ignore[attr-defined]


def test_a_kept_cookie_older_than_the_session_lifetime_is_refused(cookie_app):
    text = _cookie(cookie_app, _user_id="token-1")
    assert _opened(cookie_app, text) == {"_user_id": "token-1"}  # kept
    cookie_app.permanent_session_lifetime = dt.timedelta(seconds=0)
    time.sleep(1.1)  # the signature's time has whole seconds
    assert _opened(cookie_app, text) == {}
    assert text not in cookie_app.session_interface._kept  # type: ignore[attr-defined]


def test_a_new_secret_key_forgets_every_kept_cookie(cookie_app):
    text = _cookie(cookie_app, _user_id="token-1")
    assert _opened(cookie_app, text) == {"_user_id": "token-1"}
    cookie_app.secret_key = "another-key-" + "y" * 20
    assert _opened(cookie_app, text) == {}
    cookie_app.config["SECRET_KEY_FALLBACKS"] = ["a-test-key-" + "x" * 20]
    assert _opened(cookie_app, text) == {"_user_id": "token-1"}  # the old key as a fallback


def test_a_session_changing_its_flashed_messages_changes_no_other(cookie_app):
    text = _cookie(cookie_app, _user_id="token-1", _flashes=[("info", "Gespeichert.")])
    with cookie_app.test_request_context("/", headers={"Cookie": f"session={text}"}):
        session["_flashes"].append(("info", "Noch etwas."))  # as flask.flash does
    assert _opened(cookie_app, text)["_flashes"] == [("info", "Gespeichert.")]
    assert text not in cookie_app.session_interface._kept  # type: ignore[attr-defined]


def test_the_kept_cookies_are_bounded(cookie_app):
    interface: VerifiedCookieSessions = cookie_app.session_interface  # type: ignore[assignment]
    interface.MAX_KEPT = 2
    texts = [_cookie(cookie_app, _user_id=f"token-{n}") for n in range(3)]
    for text in texts:
        _opened(cookie_app, text)
    assert list(interface._kept) == texts[1:]  # the oldest went first
    assert _opened(cookie_app, texts[0]) == {"_user_id": "token-0"}  # verified again


def test_no_cookie_or_no_key_gives_an_empty_session(cookie_app):
    with cookie_app.test_request_context("/"):
        assert dict(session) == {}
    text = _cookie(cookie_app, _user_id="token-1")
    cookie_app.secret_key = None
    with (
        pytest.raises(RuntimeError),
        cookie_app.test_request_context("/", headers={"Cookie": f"session={text}"}),
    ):
        session["x"] = 1  # Flask's null session: no key, no session
