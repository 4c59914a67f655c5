"""Security headers on every response, set by Flask-Talisman; trusted reverse proxies."""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline scripts or styles anywhere: every script and stylesheet is a file under static/.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

talisman = Talisman()


def init_security_headers(app: Flask) -> None:
    """CSP, frame-ancestors, nosniff, referrer policy; HSTS only on HTTPS requests.

    With TRUSTED_PROXIES = n > 0 (the app runs behind n reverse proxies), the client
    address and scheme come from X-Forwarded-For/-Proto: login throttling then counts per
    real client, and HSTS is sent when the proxy terminated HTTPS. Left at 0,
    X-Forwarded-For is ignored, so that a client cannot forge its address to dodge the
    throttle.
    """
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the reverse proxy; redirecting here would loop
        strict_transport_security=True,  # Talisman sends it on secure requests only
        strict_transport_security_max_age=31536000,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
