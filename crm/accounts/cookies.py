"""The session cookie: Flask's signed cookie, verified once per process for each cookie text.

A browser sends the same session cookie with every request until the session changes
(the idle timeout's note changes it at most once a minute, see `crm.accounts.session`),
yet Flask builds a serializer, checks the signature and decodes the cookie on each
request: about a fifth of what a logged-in request costs before its view runs. This
interface keeps the contents of the cookies it has verified, keyed by the cookie's exact
text, and checks a repeated cookie only for its age, as the signature check would.

What it keeps was signed with the app's key: a cookie changed in a single character is
another text and verified as usual, and a change of the secret key forgets everything
kept. Only contents of plain values (text, numbers, flags) are kept, since a session
hands out its values and a list (the flashed messages) could be changed in place.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask
from flask import Request
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    """Can `value` be handed to many sessions without one changing it for the others?"""
    if isinstance(value, tuple):
        return all(_plain(item) for item in value)
    return isinstance(value, _PLAIN)


class VerifiedCookieSessions(SecureCookieSessionInterface):
    """Signed-cookie sessions that verify each distinct cookie once per process."""

    #: Cookies kept at most (a few hundred bytes each); the oldest goes first.
    MAX_KEPT = 4096

    def __init__(self) -> None:
        # cookie text -> (the time it was signed, its contents)
        self._kept: dict[str, tuple[int, dict[str, Any]]] = {}
        self._keys: tuple[Any, ...] = ()
        self._lock = threading.Lock()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The request's session; a kept cookie is checked only for its age."""
        text = request.cookies.get(self.get_cookie_name(app))
        if not text or not app.secret_key:
            return super().open_session(app, request)
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys != self._keys:
            with self._lock:
                self._kept.clear()
                self._keys = keys
        max_age = int(app.permanent_session_lifetime.total_seconds())
        kept = self._kept.get(text)
        if kept is None:
            return self._verify(app, text, max_age)
        signed_at, contents = kept
        age = int(time.time()) - signed_at
        if age > max_age or age < 0:  # as itsdangerous judges an expired signature
            with self._lock:
                self._kept.pop(text, None)
            return self.session_class()
        return self.session_class(contents)

    def _verify(self, app: Flask, text: str, max_age: int) -> SecureCookieSession:
        """Flask's check of a cookie not kept; keep its contents if they are plain values."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:  # no secret key: checked by the caller
            return self.session_class()
        try:
            contents, signed_at = serializer.loads(text, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(contents, dict) and all(_plain(v) for v in contents.values()):
            with self._lock:
                if len(self._kept) >= self.MAX_KEPT:
                    self._kept.pop(next(iter(self._kept)))
                self._kept[text] = (int(signed_at.timestamp()), contents)
        return self.session_class(contents)
