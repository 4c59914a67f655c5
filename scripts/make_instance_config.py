"""Write instance/config.py with a fresh random SECRET_KEY and demo texts for Impressum and
Datenschutzerklärung (first `make run` only)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

TEMPLATE = '''"""Local configuration of this installation. Never commit this file."""

SECRET_KEY = "{key}"

# `make run` serves plain HTTP on 127.0.0.1. Behind HTTPS in production, delete
# these two lines so that cookies are only ever sent over TLS.
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_SECURE = False

# Impressum and Datenschutzerklärung in the footer of every page. These are DEMO texts:
# replace them with your office's own, or set IMPRINT_URL / PRIVACY_URL to its pages.
IMPRINT_TEXT = (
    "Angaben gemäß § 5 DDG (Demo-Installation, keine echten Angaben)\\n\\n"
    "Service- und Beratungsstelle Industrieinitiativen (Beispiel)\\n"
    "Musterstraße 1\\n"
    "10115 Berlin\\n\\n"
    "E-Mail: kontakt@example.org\\n\\n"
    "Vertreten durch: Erika Beispiel, Leitung der Geschäftsstelle\\n\\n"
    "Verantwortlich für den Inhalt: Erika Beispiel, Anschrift wie oben"
)

PRIVACY_TEXT = (
    "Datenschutzerklärung (Demo-Installation, keine echten Angaben)\\n\\n"
    "Verantwortlich: Service- und Beratungsstelle Industrieinitiativen (Beispiel), "
    "Musterstraße 1, 10115 Berlin, kontakt@example.org\\n\\n"
    "Wir verarbeiten die Angaben aus dem Verzeichnis der Initiativen und aus Anmeldungen zu "
    "Veranstaltungen, um das Netzwerk der Initiativen zu pflegen und Veranstaltungen "
    "durchzuführen (Art. 6 Abs. 1 lit. a, b und e DSGVO). Einwilligungen können Sie jederzeit "
    "mit Wirkung für die Zukunft widerrufen.\\n\\n"
    "Anmeldedaten löschen wir, wenn sie für die Veranstaltung nicht mehr gebraucht werden. Sie "
    "haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, "
    "Datenübertragbarkeit und Widerspruch sowie das Recht auf Beschwerde bei einer "
    "Datenschutzaufsichtsbehörde.\\n\\n"
    "Diese Anwendung setzt nur technisch notwendige Cookies (Anmeldung, Sprache, Schutz vor "
    "gefälschten Formularen) und lädt keine Inhalte von fremden Servern."
)
'''


def main() -> int:
    """Create the file unless it exists."""
    target = Path(sys.argv[1])
    if target.exists():
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(TEMPLATE.format(key=secrets.token_hex(32)), encoding="utf-8")
    target.chmod(0o600)
    print(f"wrote {target} with a new SECRET_KEY")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
