"""Staff pages of the invitations (under /events/<id>/invitations): the campaigns of an
event, create/edit (filters and texts), the preview (count, who is left out and why,
sample mails in German and English), send and remind (both ask first), and the recipients
with their status. The decision is `permissions.can_manage_invitations`."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.directory import queries as directory
from crm.events import queries as event_queries
from crm.extensions import db
from crm.invitations import services
from crm.invitations import tasks
from crm.invitations.forms import CampaignForm
from crm.invitations.forms import ConfirmForm
from crm.models import Event
from crm.models import InvitationCampaign
from crm.web.pagination import parse_page

bp = Blueprint("invitations", __name__, url_prefix="/events")


@bp.before_request
def _require_staff() -> None:
    if not permissions.can_manage_invitations(current_user):
        abort(403)


def _event(event_id: int) -> Event:
    return event_queries.event_detail(event_id) or abort(404)


def _campaign(event: Event, campaign_id: int) -> InvitationCampaign:
    campaign = db.session.get(InvitationCampaign, campaign_id)
    if campaign is None or campaign.event_id != event.id:
        abort(404)
    return campaign


def _filter_options() -> dict[str, list[tuple[str, str]]]:
    options = directory.person_filter_choices()
    return {
        "land": directory.land_choices(),
        "kreis": directory.kreis_choices(),
        "role": options["roles"],
        "orgtype": options["org_types"],
        "theme": options["themes"],
        "event": options["events"],
    }


def _form(campaign: InvitationCampaign | None, event: Event) -> CampaignForm:
    form = CampaignForm()
    form.set_choices(_filter_options())
    if request.method == "GET":
        if campaign is None:
            form.initial({"name": event.title[:200], **services.default_texts(event)})
        else:
            form.initial(
                {
                    "version": str(campaign.version),
                    "name": campaign.name,
                    "subject_de": campaign.subject_de,
                    "subject_en": campaign.subject_en,
                    "intro_de": campaign.intro_de,
                    "intro_en": campaign.intro_en,
                    **services.clean_filters(campaign.filters, directory.person_filters()),
                }
            )
    return form


@bp.get("/<int:event_id>/invitations")
def index(event_id: int) -> str:
    """The event's invitation campaigns with their figures."""
    event = _event(event_id)
    return render_template(
        "invitations/index.html", event=event, rows=services.campaigns_of(event.id)
    )


@bp.route("/<int:event_id>/invitations/new", methods=["GET", "POST"])
@bp.route("/<int:event_id>/invitations/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit(event_id: int, campaign_id: int | None = None) -> Response | str | tuple[str, int]:
    """Create or change a campaign; a stale form (changed meanwhile) is refused."""
    event = _event(event_id)
    campaign = _campaign(event, campaign_id) if campaign_id else None
    form = _form(campaign, event)
    if form.validate_on_submit():
        if campaign is not None and form.version.data != str(campaign.version):
            form.version.data = str(campaign.version)
            flash(
                _(
                    "Jemand anderes hat diese Einladung inzwischen geändert. Bitte prüfen "
                    "Sie die aktuellen Angaben und speichern Sie erneut."
                ),
                "error",
            )
            page = render_template(
                "invitations/form.html", form=form, event=event, campaign=campaign
            )
            return page, 409
        target = campaign or InvitationCampaign(event_id=event.id)
        data = services.CampaignData(
            name=form.name.data or "",
            filters=form.filters(),
            subject_de=form.subject_de.data or "",
            subject_en=form.subject_en.data or "",
            intro_de=form.intro_de.data,
            intro_en=form.intro_en.data,
        )
        if services.save_campaign(target, data):
            db.session.commit()
            flash(_("Die Einladung wurde gespeichert."), "success")
        else:
            flash(_("Die Einladung ist unverändert."), "info")
        return redirect(url_for("invitations.preview", event_id=event.id, campaign_id=target.id))
    return render_template("invitations/form.html", form=form, event=event, campaign=campaign)


@bp.get("/<int:event_id>/invitations/<int:campaign_id>")
def preview(event_id: int, campaign_id: int) -> str:
    """Who would be invited now, who is left out and why, the mail in DE and EN, and the
    campaign's history (who created, changed, sent and reminded it when)."""
    event = _event(event_id)
    campaign = _campaign(event, campaign_id)
    allowed = directory.person_filters()
    selection = services.select_recipients(campaign, allowed)
    sample_person = selection.invited[0] if selection.invited else None
    options = _filter_options()
    chosen = services.clean_filters(campaign.filters, allowed)
    labels = {key: dict(options[key]).get(value, value) for key, value in chosen.items()}
    return render_template(
        "invitations/preview.html",
        event=event,
        campaign=campaign,
        selection=selection,
        reasons=services.REASONS,
        samples=services.samples(campaign, sample_person),
        sample_person=sample_person,
        filter_labels=labels,
        counts=services.status_counts(campaign.id),
        status_labels=services.STATUS_LABELS,
        left_out_shown=current_app.config["PAGE_SIZE"],
        history=services.history(campaign.id, options),
        history_shown=services.HISTORY_SHOWN,
    )


@bp.route("/<int:event_id>/invitations/<int:campaign_id>/send", methods=["GET", "POST"])
def send(event_id: int, campaign_id: int) -> Response | str:
    """Ask first (GET, with the count), then fix the recipients and start sending (POST)."""
    event = _event(event_id)
    campaign = _campaign(event, campaign_id)
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        selection = services.select_recipients(campaign, directory.person_filters())
        return render_template(
            "invitations/confirm_send.html",
            event=event,
            campaign=campaign,
            count=len(selection.invited),
        )
    added = services.fix_recipients(campaign, directory.person_filters())
    db.session.commit()
    queued = tasks.start_sending(campaign.id)
    if added:
        flash(
            _(
                "%(n)s Einladungen werden versandt (%(q)s sind schon im Postausgang).",
                n=added,
                q=queued,
            ),
            "success",
        )
    else:
        flash(_("Niemand ist neu einzuladen: alle Ausgewählten sind schon eingeladen."), "info")
    return redirect(url_for("invitations.recipients", event_id=event.id, campaign_id=campaign.id))


@bp.get("/<int:event_id>/invitations/<int:campaign_id>/recipients")
def recipients(event_id: int, campaign_id: int) -> str:
    """The recipients with their current status (paged)."""
    event = _event(event_id)
    campaign = _campaign(event, campaign_id)
    page = services.recipient_page(
        campaign.id, parse_page(request.args.get("page")), current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "invitations/recipients.html",
        event=event,
        campaign=campaign,
        page=page,
        counts=services.status_counts(campaign.id),
        status_labels=services.STATUS_LABELS,
        reasons=services.REASONS,
    )


@bp.route("/<int:event_id>/invitations/<int:campaign_id>/remind", methods=["GET", "POST"])
def remind(event_id: int, campaign_id: int) -> Response | str:
    """Ask first (GET), then remind those invited who have not registered (POST)."""
    event = _event(event_id)
    campaign = _campaign(event, campaign_id)
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template(
            "invitations/confirm_remind.html",
            event=event,
            campaign=campaign,
            count=len(services.reminder_due(campaign.id)),
            reminded=services.reminded_count(campaign.id),
        )
    queued = services.remind(campaign)
    db.session.commit()
    if queued:
        flash(_("%(n)s Erinnerungen sind im Postausgang.", n=queued), "success")
    else:
        flash(_("Niemand war zu erinnern: jede Person erhält höchstens eine Erinnerung."), "info")
    return redirect(url_for("invitations.recipients", event_id=event.id, campaign_id=campaign.id))
