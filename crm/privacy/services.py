"""Data-subject rights (GDPR): one service per right, used by the web UI and the CLI.

The caller commits (one commit per request or command); after an erasure it calls
`after_erasure()` once the commit is done (it empties the SQLite write-ahead log).

Access and portability (Art. 15, 20): `person_export(person_id)` returns everything
stored about a person as a JSON-ready dict with these keys:

- ``format``: "industrienetz-person-export/1"; ``exported_at``: ISO time (UTC).
- ``person``: every column of the person (``id``, ``salutation``, ``title``, ``first_name``,
  ``last_name``, ``email``, ``phone``, ``preferred_language``, ``notes``, ``lawful_basis``,
  ``source``, ``collected_at``, ``restricted``, ``restriction_reason``, ``restricted_at``,
  ``anonymised_at``, ``created_at``, ``updated_at``) plus ``origin`` (see below).
- ``affiliations``: ``organisation`` (id, name), ``function``, ``since``, ``until``,
  ``origin``.
- ``initiative_roles``: ``initiative`` (id, name), ``role``, ``since``, ``until``, ``origin``.
- ``interactions``: interactions naming the person: ``kind``, ``occurred_at``, ``subject``,
  ``notes``, ``initiative``, ``organisation``, ``follow_up_due``, ``follow_up_done_at``.
- ``registrations``: ``event`` (id, title, starts_at), ``status``, ``registered_at``,
  ``cancelled_at``, ``checked_in_at``, ``organisation_text``, ``organisation``,
  ``initiative``, ``function``, ``workshop_wishes`` (rank, workshop), ``assigned_workshop``,
  ``origin``.
- ``consents``: ``purpose``, ``status``, ``method``, ``text_version``, ``given_at``,
  ``registration_id``, ``origin``, ``history`` (every recorded change: ``at``,
  ``action``, ``changes``).
- ``account``: the login with the person's e-mail, or null: ``email``, ``role``,
  ``initiative``, ``active``, ``language``, ``last_login_at``, ``failed_logins``,
  ``created_at`` (never the password hash, session token or other secrets).
- ``history``: the audit entries about the person's own record: ``at``, ``action``,
  ``by_role``, ``changes`` ({field: [old, new]}).
- ``mails``: outbox mails to the person's address: ``created_at``, ``subject``, ``body``,
  ``status``, ``sent_at``.
- ``invitations``: the person's invitation rows: ``campaign`` (id, name), ``event`` (id,
  title, starts_at), ``status``, ``reason``, ``language``, ``sent_at``, ``reminded_at``,
  ``registered_at``, ``unsubscribed`` (their latest invitation consent is revoked).
- ``feedback``: their answers to feedback forms: ``event``, ``overall``, ``workshop``,
  ``workshop_rating``, ``comment``, ``created_at``, ``updated_at``.
- ``matchmaking``: per registration with a part in a practitioner exchange: ``event``,
  ``opted_in``, ``opted_at``, ``wishes`` they gave (``about``, ``level``, ``at``; not the
  wishes others gave about them), ``requests_sent`` (``to``, their ``message``,
  ``status``, ``created_at``, ``answered_at``), ``requests_received`` (``from``, same
  times, without the sender's message), ``meetings`` (``partner``, ``starts_at``,
  ``held``, their own ``rating``, ``cancelled_at``).
- ``origin`` values: ``staff`` (entered by the office), ``portal`` (by an initiative's
  representative), ``public`` (the public registration form or personal link),
  ``system`` (command line, import or demo data), ``unknown`` (no record of its creation).
  The person's own ``source`` field names an import batch or other source as typed.

Erasure (Art. 17): `erase_persons(ids, reason, actor)` removes the person row and every
link row, their outbox mails, their account, their search-index rows (and, on SQLite, the
FTS5 index is merged so no trace stays in its shadow tables), replaces their name and
e-mail in the free text of interactions and outbox mails by a marker, turns their
registrations into anonymous rows (their practitioner-exchange data goes, their
feedback keeps only the ratings: see `crm.privacy.traces.anonymise_registrations`),
deletes their invitation rows and wipes the values of every history entry about them
(the entry stays, saying "Personendaten gelöscht am … von …"). The erasure is logged in
`erasure_log` (who, when, record id, reason) without any personal value.

Restriction (Art. 18) and objection (Art. 21): `restrict_person`, `lift_restriction`,
`object_to_purpose`; visitors: `withdraw_consent_by_token`, `delete_registration_by_token`.

Retention: `retention_rules()`, `retention_due()`, `apply_retention()`.

The rights live in one module each; this module is their common entry point (the views,
the command line and the tasks use it): `crm.privacy.export`, `crm.privacy.erasure`
(with `crm.privacy.traces`, the person's values outside their own rows),
`crm.privacy.restriction`, `crm.privacy.visitors` and `crm.privacy.retention`.
"""

from __future__ import annotations

from crm.privacy.common import ERASED_KEY
from crm.privacy.common import MARKER
from crm.privacy.common import PrivacyError
from crm.privacy.erasure import ErasureResult
from crm.privacy.erasure import after_erasure
from crm.privacy.erasure import erase_person
from crm.privacy.erasure import erase_persons
from crm.privacy.erasure import erasure_log
from crm.privacy.export import EXPORT_FORMAT
from crm.privacy.export import export_json
from crm.privacy.export import person_export
from crm.privacy.restriction import latest_consents
from crm.privacy.restriction import lift_restriction
from crm.privacy.restriction import object_to_purpose
from crm.privacy.restriction import restrict_person
from crm.privacy.retention import RetentionDue
from crm.privacy.retention import RetentionReport
from crm.privacy.retention import RetentionRules
from crm.privacy.retention import apply_retention
from crm.privacy.retention import retention_due
from crm.privacy.retention import retention_rules
from crm.privacy.traces import anonymise_registrations
from crm.privacy.visitors import delete_registration_by_token
from crm.privacy.visitors import person_has_other_data
from crm.privacy.visitors import withdraw_consent_by_token

__all__ = [
    "ERASED_KEY",
    "EXPORT_FORMAT",
    "MARKER",
    "ErasureResult",
    "PrivacyError",
    "RetentionDue",
    "RetentionReport",
    "RetentionRules",
    "after_erasure",
    "anonymise_registrations",
    "apply_retention",
    "delete_registration_by_token",
    "erase_person",
    "erase_persons",
    "erasure_log",
    "export_json",
    "latest_consents",
    "lift_restriction",
    "object_to_purpose",
    "person_export",
    "person_has_other_data",
    "restrict_person",
    "retention_due",
    "retention_rules",
    "withdraw_consent_by_token",
]
