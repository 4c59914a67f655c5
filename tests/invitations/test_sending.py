"""The staff pages, sending (once per person, also when sent twice or concurrently), the
mail in German and English with its unsubscribe headers, the personal registration link,
the one-click unsubscribe, the reminders."""

from __future__ import annotations

import datetime as dt
import re
import threading
from email import message_from_bytes

import pytest
from sqlalchemy import func
from sqlalchemy import select

from crm.db.engine import writing
from crm.directory.queries import person_filters
from crm.events import services as event_services
from crm.extensions import db
from crm.invitations import services
from crm.invitations import tasks
from crm.mail.services import build_message
from crm.models import Consent
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import InvitationCampaign
from crm.models import InvitationRecipient
from crm.models import InvitationStatus
from crm.models import OutboxMail
from crm.models import OutboxStatus
from crm.models import Registration
from crm.models import RegistrationStatus
from tests.helpers import assert_turned_away
from tests.helpers import count_rows
from tests.invitations.helpers import INVITATION_LINK
from tests.invitations.helpers import INVITED
from tests.invitations.helpers import UNSUBSCRIBE_LINK
from tests.invitations.helpers import build_world
from tests.invitations.helpers import campaign
from tests.invitations.helpers import outbox


def _pages(event_id: int, campaign_id: int) -> list[str]:
    base = f"/events/{event_id}/invitations"
    return [
        base,
        f"{base}/new",
        f"{base}/{campaign_id}",
        f"{base}/{campaign_id}/edit",
        f"{base}/{campaign_id}/send",
        f"{base}/{campaign_id}/recipients",
        f"{base}/{campaign_id}/remind",
    ]


def test_staff_see_every_page(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    login_as("staff")
    for path in _pages(world.event.id, chosen.id):
        response = client.get(path)
        assert response.status_code == 200, path
    detail = client.get(f"/events/{world.event.id}").get_data(as_text=True)
    assert f"/events/{world.event.id}/invitations" in detail


@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_others_may_not_use_the_pages(app, client, make, login_as, who):
    world = build_world(make)
    chosen = campaign(make, world)
    if who == "editor":
        login_as("editor", initiative=world.initiative)
    for path in _pages(world.event.id, chosen.id):
        assert_turned_away(client.get(path), who)
        if path.endswith(("/new", "/edit", "/send", "/remind")):
            assert_turned_away(client.post(path), who)
    assert count_rows(app, InvitationRecipient) == 0
    assert count_rows(app, OutboxMail) == 0


def test_campaign_of_another_event_is_404(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    other = make.event()
    login_as("staff")
    assert client.get(f"/events/{other.id}/invitations/{chosen.id}").status_code == 404


def test_create_then_save_unchanged_writes_nothing(app, client, make, login_as):
    world = build_world(make)
    login_as("staff")
    base = f"/events/{world.event.id}/invitations"
    data = {
        "name": "Einladung Rheinland",
        "land": "05",
        "role": "ansprechperson",
        "subject_de": "Einladung",
        "subject_en": "Invitation",
        "intro_de": "Hallo",
        "intro_en": "Hello",
    }
    response = client.post(f"{base}/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalars(select(InvitationCampaign)).one()
        assert saved.filters == {"land": "05", "role": "ansprechperson"}
        campaign_id, version = saved.id, saved.version
    response = client.post(f"{base}/{campaign_id}/edit", data=data | {"version": str(version)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get_one(InvitationCampaign, campaign_id).version == version
    # a stale form is refused, a filter value not offered is an error, nothing changes
    stale = client.post(f"{base}/{campaign_id}/edit", data=data | {"version": "0", "name": "X"})
    assert stale.status_code == 409
    bad = client.post(
        f"{base}/{campaign_id}/edit", data=data | {"version": str(version), "land": "99"}
    )
    assert bad.status_code == 200 and "angebotenen" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.get_one(InvitationCampaign, campaign_id).name == "Einladung Rheinland"


def test_preview_shows_count_reasons_and_samples_in_both_languages(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    login_as("staff")
    page = client.get(f"/events/{world.event.id}/invitations/{chosen.id}").get_data(as_text=True)
    assert f'data-invite-count="{len(INVITED)}"' in page
    for reason in ("no_email", "restricted", "unsubscribed", "no_consent", "registered"):
        assert f'data-reason="{reason}"' in page
    assert "Guten Tag Cora Consent," in page  # the first to invite, by name
    assert "Dear Cora Consent," in page
    assert "Einladung zum Netzwerktreffen" in page and "Invitation to the network meeting" in page
    assert count_rows(app, InvitationRecipient) == 0  # a preview writes nothing


def _send(client, world, chosen, *, fresh: bool = True):
    """Open the confirmation (its button only when someone is to be invited), then send."""
    path = f"/events/{world.event.id}/invitations/{chosen.id}/send"
    confirm = client.get(path)
    assert confirm.status_code == 200
    assert ("Jetzt versenden" in confirm.get_data(as_text=True)) is fresh
    return client.post(path)


def test_sending_twice_mails_nobody_twice(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    login_as("staff")
    assert _send(client, world, chosen).status_code == 302
    first = outbox(app)
    assert len(first) == len(INVITED)
    assert _send(client, world, chosen, fresh=False).status_code == 302
    with app.app_context():
        assert tasks.send_batch(chosen.id) == (0, 0)  # a retried batch writes nothing
    assert len(outbox(app)) == len(INVITED)
    addresses = [m.to_address for m in first]
    assert len(set(addresses)) == len(addresses)
    # a second campaign of the same event leaves the invited out as "already invited"
    second = campaign(make, world, name="Nochmal")
    with app.app_context():
        selection = services.select_recipients(
            db.session.get_one(InvitationCampaign, second.id), person_filters()
        )
    assert selection.invited == []
    assert {r for _p, r in selection.left_out} >= {"already_invited"}


def test_mails_in_the_persons_language_with_unsubscribe_headers(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    login_as("staff")
    _send(client, world, chosen)
    by_address = {m.to_address: m for m in outbox(app)}
    german = by_address[world.persons["frau"].email]
    english = by_address[world.persons["english"].email]
    neutral = by_address[world.persons["neutral"].email]
    assert german.subject == "Einladung zum Netzwerktreffen"
    assert german.body.startswith("Sehr geehrte Frau Dr. Müller,")
    assert "wir laden Sie herzlich ein." in german.body
    assert english.subject == "Invitation to the network meeting"
    assert english.body.startswith("Dear Mr Smith,")
    assert "we cordially invite you." in english.body
    assert neutral.body.startswith("Guten Tag Kim Neutral,")
    for mail in (german, english):
        assert "Netzwerktreffen Industrie" in mail.body
        assert "Fachkräfte" in mail.body  # the workshops
        assert "<img" not in mail.body and "https://meet.example.org" not in mail.body
        unsubscribe = UNSUBSCRIBE_LINK.search(mail.body)
        assert unsubscribe and INVITATION_LINK.search(mail.body)
        assert mail.headers is not None
        assert mail.headers["List-Unsubscribe"] == f"<http://localhost{unsubscribe[1]}>"
        assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        parsed = message_from_bytes(bytes(build_message(mail, "buero@example.org")))
        assert parsed["List-Unsubscribe"] == mail.headers["List-Unsubscribe"]
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert parsed["From"] == "buero@example.org"
    with app.app_context():
        stored = db.session.scalars(select(InvitationRecipient.token_hash)).all()
    token = INVITATION_LINK.search(german.body)[1].rsplit("/", 1)[1]
    assert token not in stored and event_services.hash_token(token) in stored


def test_sending_goes_in_batches_at_the_configured_rate(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    app.config["INVITATIONS_PER_MINUTE"] = 3
    try:
        login_as("staff")
        _send(client, world, chosen)
        assert len(outbox(app)) == 3
        recipients = client.get(f"/events/{world.event.id}/invitations/{chosen.id}/recipients")
        assert recipients.get_data(as_text=True).count('<td data-status="queued"') == len(INVITED)
        with app.app_context():
            assert tasks.send_batch(chosen.id) == (1, 0)
    finally:
        app.config["INVITATIONS_PER_MINUTE"] = 60
    assert len(outbox(app)) == len(INVITED)


def test_concurrent_sends_mail_each_person_once(app, make):
    world = build_world(make)
    chosen = campaign(make, world)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        try:
            with app.test_request_context("/"):
                barrier.wait(timeout=10)
                with writing():  # as in the POST request that sends
                    services.fix_recipients(
                        db.session.get_one(InvitationCampaign, chosen.id), person_filters()
                    )
                    db.session.commit()
                tasks.send_batch(chosen.id)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    mails = outbox(app)
    assert sorted(m.to_address for m in mails) == sorted(world.persons[k].email for k in INVITED)
    assert count_rows(app, InvitationRecipient) == len(INVITED)


def _token_link(app, world, key: str) -> tuple[str, str]:
    mail = next(m for m in outbox(app) if m.to_address == world.persons[key].email)
    return INVITATION_LINK.search(mail.body)[1], UNSUBSCRIBE_LINK.search(mail.body)[1]


def test_personal_link_prefills_and_marks_registered(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    login_as("staff")
    _send(client, world, chosen)
    link, _unsubscribe = _token_link(app, world, "frau")
    client.get("/logout")
    anonymous = app.test_client()
    response = anonymous.get(link)
    assert response.status_code == 302
    form_url = response.headers["Location"]
    page = anonymous.get(form_url).get_data(as_text=True)
    person = world.persons["frau"]
    assert f'value="{person.email}"' in page
    assert 'value="Ada"' in page and 'value="Müller"' in page
    assert 'value="Muster-Werke GmbH"' in page
    assert f'<option selected value="{world.initiative.id}">' in page
    with app.app_context():
        workshop_id = db.session.scalar(select(Registration.id).limit(0)) or 0
    data = {
        "first_name": "Ada",
        "last_name": "Müller",
        "email": person.email,
        "organisation": "Muster-Werke GmbH",
        "initiative": str(world.initiative.id),
        "consent_event": "y",
    }
    workshops = _workshop_ids(app, world)
    data |= {f"pref{i + 1}": str(w) for i, w in enumerate(workshops)}
    assert workshop_id == 0
    done = anonymous.post(form_url, data=data)
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    with app.app_context():
        recipient = db.session.scalar(
            select(InvitationRecipient).where(InvitationRecipient.person_id == person.id)
        )
        assert recipient.status == InvitationStatus.REGISTERED
        assert recipient.registration_id is not None
        counts = services.status_counts(chosen.id)
    assert counts.get("registered") == 1
    # a token of another event's form or a forged one prefills nothing
    other = make.event()
    page = anonymous.get(f"/events/{other.id}/register?einladung={link.rsplit('/', 1)[1]}")
    assert person.email not in page.get_data(as_text=True)
    assert anonymous.get("/einladung/gefaelscht").status_code == 404


def _workshop_ids(app, world) -> list[int]:
    from crm.models import Workshop

    with app.app_context():
        return list(
            db.session.scalars(select(Workshop.id).where(Workshop.event_id == world.event.id))
        )


def test_registering_otherwise_counts_as_registered(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    login_as("staff")
    _send(client, world, chosen)
    make.registration(world.event, world.persons["english"])
    with app.app_context():
        assert services.status_counts(chosen.id).get("registered") == 1


def test_one_click_unsubscribe_without_csrf_revokes_the_consent(
    app, client, make, login_as, make_app
):
    world = build_world(make)
    chosen = campaign(make, world)
    login_as("staff")
    _send(client, world, chosen)
    _link, unsubscribe = _token_link(app, world, "neutral")
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    visitor = csrf_app.test_client()
    page = visitor.get(unsubscribe)
    assert page.status_code == 200 and "Abmelden" in page.get_data(as_text=True)
    assert count_rows(csrf_app, Consent) == 3  # the GET changed nothing
    response = visitor.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    person_id = world.persons["neutral"].id
    with csrf_app.app_context():
        consents = list(
            db.session.scalars(
                select(Consent).where(Consent.person_id == person_id).order_by(Consent.id)
            )
        )
        assert [(c.purpose, c.status, c.method) for c in consents] == [
            (ConsentPurpose.EVENT_INVITATIONS, ConsentStatus.REVOKED, ConsentMethod.EMAIL)
        ]
        from crm.models import AuditEntry

        assert db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.record_type == "consents")
        )
    # again: nothing new; and the next campaign leaves them out as unsubscribed
    visitor.post(unsubscribe)
    assert count_rows(app, Consent, Consent.person_id == person_id) == 1
    second = campaign(make, world, name="Zweite")
    with app.app_context():
        db.session.execute(
            InvitationRecipient.__table__.delete().where(InvitationRecipient.person_id == person_id)
        )
        db.session.commit()
        selection = services.select_recipients(
            db.session.get_one(InvitationCampaign, second.id), person_filters()
        )
    assert dict((p.id, r) for p, r in selection.left_out)[person_id] == "unsubscribed"


def test_reminder_goes_once_to_those_not_registered(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    login_as("staff")
    _send(client, world, chosen)
    make.registration(world.event, world.persons["english"])
    before = len(outbox(app))
    path = f"/events/{world.event.id}/invitations/{chosen.id}/remind"
    confirm = client.get(path).get_data(as_text=True)
    assert "Erinnerung versenden" in confirm
    assert client.post(path).status_code == 302
    reminders = outbox(app)[before:]
    assert sorted(m.to_address for m in reminders) == sorted(
        world.persons[k].email for k in INVITED - {"english"}
    )
    assert all(m.subject.startswith("Erinnerung: ") for m in reminders)
    assert all(m.headers and "List-Unsubscribe" in m.headers for m in reminders)
    client.post(path)
    assert len(outbox(app)) == before + len(reminders)


def test_a_later_reminder_reaches_only_those_not_reminded_and_says_so(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    app.config["INVITATIONS_PER_MINUTE"] = 2
    try:
        login_as("staff")
        _send(client, world, chosen)  # two invitations now, two by the worker later
        path = f"/events/{world.event.id}/invitations/{chosen.id}/remind"
        first = client.get(path).get_data(as_text=True)
        assert "höchstens eine Erinnerung" in first and 'data-reminded="0"' in first
        before = len(outbox(app))
        client.post(path)
        early = {m.to_address for m in outbox(app)[before:]}
        assert len(early) == 2
        with app.app_context():
            tasks.send_batch(chosen.id)  # the rest of the invitations
            reminded_at = db.session.get_one(InvitationCampaign, chosen.id).reminded_at
        assert reminded_at is not None
        second = client.get(path).get_data(as_text=True)
        assert 'data-reminded="2"' in second and "2 Personen wurden bereits erinnert" in second
        assert "2 eingeladene Personen haben sich noch nicht angemeldet" in second
        before = len(outbox(app))
        client.post(path)
        late = {m.to_address for m in outbox(app)[before:]}
        assert len(late) == 2 and not late & early  # nobody twice
        assert late | early == {world.persons[k].email for k in INVITED}
        # nobody left: no button, a POST anyway mails nobody and says why
        third = client.get(path).get_data(as_text=True)
        assert "4 Personen wurden bereits erinnert" in third
        assert ">Erinnerung versenden</button>" not in third
        before = len(outbox(app))
        response = client.post(path, follow_redirects=True)
        assert "höchstens eine Erinnerung" in response.get_data(as_text=True)
        assert len(outbox(app)) == before
        preview = client.get(f"/events/{world.event.id}/invitations/{chosen.id}")
        assert "Zuletzt erinnert am" in preview.get_data(as_text=True)
    finally:
        app.config["INVITATIONS_PER_MINUTE"] = 60


def test_day_before_reminder_reaches_invited_registrants_with_online_link(
    app, client, make, login_as
):
    world = build_world(make)
    chosen = campaign(make, world)
    login_as("staff")
    _send(client, world, chosen)
    link, _unsubscribe = _token_link(app, world, "frau")
    anonymous = app.test_client()
    form_url = anonymous.get(link).headers["Location"]
    person = world.persons["frau"]
    data = {
        "first_name": "Ada",
        "last_name": "Müller",
        "email": person.email,
        "consent_event": "y",
    } | {f"pref{i + 1}": str(w) for i, w in enumerate(_workshop_ids(app, world))}
    assert anonymous.post(form_url, data=data).status_code == 302
    day = (world.event.starts_at.astimezone(event_services.BERLIN)).date()
    before = len(outbox(app))
    with app.test_request_context("/"):
        due = event_services.reminders_due(day)
        assert len(due) == 2  # Ada and the registered person of the world
        for registration_id in due:
            event_services.remind(registration_id)
        db.session.commit()
    mine = [m for m in outbox(app)[before:] if m.to_address == person.email]
    assert len(mine) == 1
    assert "https://meet.example.org/netzwerk" in mine[0].body
    assert dt  # noqa: B018 - imported for the helpers' sake
    assert OutboxStatus.QUEUED  # noqa: B018


def test_the_worker_writes_the_next_batch_with_public_links(app, make, monkeypatch):
    from crm.jobs import huey

    world = build_world(make)
    chosen = campaign(make, world)
    monkeypatch.setitem(app.config, "INVITATIONS_PER_MINUTE", 2)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://netz.example.org")
    with app.app_context():  # as in the worker: no request
        with writing():
            services.fix_recipients(
                db.session.get_one(InvitationCampaign, chosen.id), person_filters()
            )
            db.session.commit()
        huey.flush()
        assert "weitere folgen" in tasks.invitation_batch.call_local(chosen.id)
        (following,) = huey.pending()  # the next batch, a minute later
        assert following.name == "invitation_batch" and following.eta is not None
        assert "fertig" in tasks.invitation_batch.call_local(chosen.id)
        huey.flush()
    mails = outbox(app)
    assert len(mails) == len(INVITED)
    assert all("https://netz.example.org/einladung/" in m.body for m in mails)
    assert all(
        (m.headers or {})["List-Unsubscribe"].startswith("<https://netz.example.org/einladung/")
        for m in mails
    )


PERSONAL_PAGE = re.compile(r"/anmeldung/([A-Za-z0-9_\-]+)")


def _register_through_link(app, world, key: str):
    """The invited person registers through their personal link; their client."""
    link, _unsubscribe = _token_link(app, world, key)
    visitor = app.test_client()
    form_url = visitor.get(link).headers["Location"]
    person = world.persons[key]
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "consent_event": "y",
    } | {f"pref{i + 1}": str(w) for i, w in enumerate(_workshop_ids(app, world))}
    assert visitor.post(form_url, data=data).status_code == 302
    return visitor


def _cancel_through_personal_link(app, visitor, address: str) -> None:
    """Cancel the registration as its person does: the link of the confirmation mail."""
    confirmation = [m for m in outbox(app) if m.to_address == address][-1]
    token = PERSONAL_PAGE.search(confirmation.body)[1]
    assert visitor.post(f"/anmeldung/{token}/cancel").status_code in (200, 302)


def _cancel(app, world, key: str) -> None:
    with app.test_request_context("/"), writing():
        registration = db.session.scalars(
            select(Registration).where(
                Registration.event_id == world.event.id,
                Registration.person_id == world.persons[key].id,
            )
        ).one()
        event_services.cancel(registration)
        db.session.commit()


def test_a_cancelled_registration_no_longer_counts_and_gets_no_reminder(
    app, client, make, login_as
):
    world = build_world(make)
    # Kim had registered and cancelled before the invitation: it is a new offer to them
    make.registration(world.event, world.persons["neutral"])
    _cancel(app, world, "neutral")
    chosen = campaign(make, world)
    login_as("staff")
    _send(client, world, chosen)
    visitor = _register_through_link(app, world, "frau")  # through the link, then cancelled
    _cancel_through_personal_link(app, visitor, world.persons["frau"].email)
    make.registration(world.event, world.persons["english"])  # otherwise, then cancelled
    _cancel(app, world, "english")
    with app.app_context():
        counts = services.status_counts(chosen.id)
        assert counts.get("cancelled") == 2 and "registered" not in counts
        assert counts.get("queued", 0) + counts.get("sent", 0) == 2  # Kim and Cora
        assert services.campaigns_of(world.event.id)[0][2] == 0  # "Angemeldet"
    page = client.get(f"/events/{world.event.id}/invitations/{chosen.id}/recipients")
    html = page.get_data(as_text=True)
    assert html.count('<td data-status="cancelled"') == 2
    assert "Anmeldung storniert" in html
    # the stored status follows (the job does this every five minutes)
    with app.app_context(), writing():
        tasks.send_batch(chosen.id)
        stored = dict(
            db.session.execute(
                select(InvitationRecipient.person_id, InvitationRecipient.status)
            ).all()
        )
    assert stored[world.persons["frau"].id] == InvitationStatus.CANCELLED
    assert stored[world.persons["english"].id] == InvitationStatus.CANCELLED
    assert stored[world.persons["neutral"].id] != InvitationStatus.CANCELLED
    # the reminder goes to those who never registered, not to those who cancelled
    path = f"/events/{world.event.id}/invitations/{chosen.id}/remind"
    before = len(outbox(app))
    assert client.post(path).status_code == 302
    reminded = sorted(m.to_address for m in outbox(app)[before:])
    assert reminded == sorted(world.persons[k].email for k in ("neutral", "consented"))
    # registering again counts again
    with app.app_context(), writing():
        registration = db.session.scalars(
            select(Registration).where(Registration.person_id == world.persons["english"].id)
        ).one()
        registration.status = RegistrationStatus.REGISTERED
        registration.cancelled_at = None
        db.session.commit()
        assert services.status_counts(chosen.id).get("registered") == 1


def test_who_cancels_before_their_invitation_is_written_gets_none(app, client, make, login_as):
    world = build_world(make)
    chosen = campaign(make, world)
    app.config["INVITATIONS_PER_MINUTE"] = 1
    try:
        login_as("staff")
        _send(client, world, chosen)  # Cora's invitation; the others wait for the worker
        make.registration(world.event, world.persons["english"])
        _cancel(app, world, "english")
        with app.app_context():
            while tasks.send_batch(chosen.id)[1]:
                pass
    finally:
        app.config["INVITATIONS_PER_MINUTE"] = 60
    english = world.persons["english"].email
    invitations = [m for m in outbox(app) if m.subject.startswith(("Einladung", "Invitation"))]
    assert english not in {m.to_address for m in invitations}
    assert len(invitations) == len(INVITED) - 1
    with app.app_context():
        recipient = db.session.scalars(
            select(InvitationRecipient).where(
                InvitationRecipient.person_id == world.persons["english"].id
            )
        ).one()
        assert recipient.status == InvitationStatus.CANCELLED
        assert recipient.outbox_mail_id is None
