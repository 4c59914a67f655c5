"""Write instance/config.py with a fresh random SECRET_KEY (first `make run` only)."""

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
