"""Configuration defaults. `instance/config.py`, then the environment, override them."""

from __future__ import annotations

from datetime import timedelta

#: The placeholder that must never reach production: start-up refuses it.
DEFAULT_SECRET_KEY = "change-me"  # noqa: S105 - a marker that is rejected, not a secret


class Defaults:
    """Values every deployment starts from; each can be overridden."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in from the instance folder
    # No pool_pre_ping: crm.db.engine pings a pooled connection only after it lay unused.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    SQLALCHEMY_RECORD_QUERIES = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True  # relaxed automatically in debug and testing
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)  # absolute session lifetime
    SESSION_IDLE_TIMEOUT = timedelta(hours=2)
    # The cookie is sent again only when the session changed (crm.accounts.session notes
    # the last request to the minute); its expiry is the absolute lifetime from the login.
    SESSION_REFRESH_EACH_REQUEST = False
    # A request that does not write uses the login check and the data stamp read by an
    # earlier one as long as nothing has been written on this host since, and for at most
    # this many seconds: the delay after which a write on another host sharing the database
    # (a logout, a locked account, a saved record) counts here; on one host it counts at
    # once. 0: every request reads them (crm.db.kept).
    READS_KEPT_S = 5.0

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # Login throttling: failed attempts per account (e-mail) and per client IP address;
    # once a limit is reached every further attempt is refused until the window passes.
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted
    # (client IP for throttling, https for HSTS). 0 = none, headers ignored.
    TRUSTED_PROXIES = 0
    LOGIN_RATE_LIMIT_ACCOUNT = "5 per 15 minutes"
    LOGIN_RATE_LIMIT_IP = "20 per 15 minutes"
    RESET_REQUEST_RATE_LIMIT = "10 per hour"  # reset requests per client IP

    # The address in links sent by mail, e.g. "https://netz.example.org". Set it in
    # production: otherwise links use the Host header of the request that caused them,
    # which a visitor asking for a password reset could forge.
    PUBLIC_BASE_URL: str | None = None
    # Signed account links (single use): invitations live a week; reset links a day,
    # because without SMTP the office forwards them by hand from the outbox.
    INVITATION_MAX_AGE = timedelta(days=7)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=24)

    # Impressum and Datenschutzerklärung, linked in the footer of every page (the public
    # directory and registration included). Either the address of the office's own page
    # (*_URL) or a plain text served on /impressum and /datenschutz (*_TEXT; blank lines
    # separate paragraphs). An address wins over a text; with neither, no link is shown.
    IMPRINT_URL: str | None = None
    IMPRINT_TEXT: str | None = None
    PRIVACY_URL: str | None = None
    PRIVACY_TEXT: str | None = None
    # The feedback contact of the Erklärung zur Barrierefreiheit (/barrierefreiheit, linked
    # from every page): an e-mail address (shown as a link) or a short text (postal address,
    # phone). None: the statement refers to the Impressum's contact.
    ACCESSIBILITY_CONTACT: str | None = None

    # Backups (`flask --app crm backup`): archives in BACKUP_FOLDER (None: <instance>/backups);
    # rotation keeps the newest of each of the last N days and M weeks. PG_BIN_DIR: the bin
    # folder of PostgreSQL client tools matching the server (None: found automatically).
    BACKUP_FOLDER: str | None = None
    BACKUP_KEEP_DAILY = 7
    BACKUP_KEEP_WEEKLY = 4
    PG_BIN_DIR: str | None = None

    # Operations: /readyz wants this much free disk for the instance folder; /metrics answers
    # only to these client addresses/networks or to `Authorization: Bearer <METRICS_TOKEN>`
    # (neither set: 404). LOG_FORMAT "json" (one line per request) or "plain"; None: json in
    # production, plain in debug and testing.
    READY_MIN_FREE_BYTES = 200 * 1024 * 1024
    METRICS_ALLOWED_IPS: tuple[str, ...] = ()
    METRICS_TOKEN: str | None = None
    LOG_FORMAT: str | None = None

    # Background jobs (Huey): JOBS_URL "redis://..." in production (or REDIS_URL);
    # None: SQLite storage in <instance>/jobs.sqlite ("sqlite:///path" and "memory://" too).
    # JOBS_WORKERS threads in `flask --app crm worker`. JOBS_WORKER_BANNER: admins see a
    # banner when the worker's heartbeat is stale (None: on, except in testing).
    JOBS_URL: str | None = None
    REDIS_URL: str | None = None
    JOBS_WORKERS = 2
    JOBS_WORKER_BANNER: bool | None = None
    # After a change, the network pages show the last snapshot of the graph while the
    # worker computes the new one (`crm.network.cache`). None: on, except in testing.
    NETWORK_SNAPSHOT_JOB: bool | None = None
    # Events with more registrations than this are assigned to workshops by the worker.
    ASSIGNMENT_JOB_THRESHOLD = 300
    # The 1:1 meetings of the practitioner exchange (#25): the solver's time limit in
    # seconds, more opted-in participants than this are planned by the worker, and the
    # reminder goes out this many minutes before a meeting.
    MATCHMAKING_TIME_LIMIT = 10.0
    MATCHMAKING_JOB_THRESHOLD = 150
    MATCHMAKING_REMINDER_MINUTES = 30
    # Directory exports with more rows than this are written by the worker (progress page).
    EXPORT_JOB_ROWS = 5000
    # Outbox delivery by the worker: mails per minute (politeness towards the SMTP server),
    # tries for a temporary failure (4xx, with backoff 1, 2, 4 ... minutes), and the
    # longest run (the next one starts every minute).
    MAIL_RATE_PER_MINUTE = 120
    MAIL_MAX_ATTEMPTS = 5
    MAIL_RUN_SECONDS = 55
    MAIL_BATCH_SIZE = 1000
    # Invitations to events: written into the outbox at most this many a minute (in
    # batches by the worker; the outbox then delivers at MAIL_RATE_PER_MINUTE).
    INVITATIONS_PER_MINUTE = 60

    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    UPLOAD_FOLDER: str | None = None  # logos; None means `<instance>/uploads`
    PAGE_SIZE = 50

    # Password hashing: Argon2id at (at least) the OWASP minimum of m=19 MiB, t=2, p=1.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    # The JSON API (/api/v1/): requests per token (Flask-Limiter syntax), and the origins
    # whose web pages may call it from a browser (CORS), e.g. ("https://www.example.org",).
    API_RATE_LIMIT = "300 per minute"
    API_CORS_ORIGINS: tuple[str, ...] = ()
