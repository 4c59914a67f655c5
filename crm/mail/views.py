"""The outbox page: queued and sent mails with their links, for staff without SMTP."""

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
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.wrappers import Response

from crm import permissions
from crm.extensions import db
from crm.mail.services import links_in
from crm.mail.services import resend
from crm.mail.services import smtp_configured
from crm.models import OutboxMail
from crm.models import OutboxStatus
from crm.web.pagination import paginate
from crm.web.pagination import parse_page

bp = Blueprint("mail", __name__)


@bp.get("/outbox")
def outbox() -> str:
    """Mails newest first; ?show=pending restricts to unsent ones, ?show=uncertain to those
    interrupted during sending (staff decide whether to send them again)."""
    if not permissions.can_view_outbox(current_user):
        abort(403)
    show = request.args.get("show")
    pending_only = show == "pending"
    query = select(OutboxMail).order_by(OutboxMail.id.desc())
    if pending_only:
        query = query.where(OutboxMail.sent_at.is_(None))
    elif show == "uncertain":
        query = query.where(OutboxMail.status == OutboxStatus.UNCERTAIN)
    uncertain = db.session.scalar(
        select(func.count(OutboxMail.id)).where(OutboxMail.status == OutboxStatus.UNCERTAIN)
    )
    page = paginate(query, parse_page(request.args.get("page")), 20)
    return render_template(
        "mail/outbox.html",
        page=page,
        pending_only=pending_only,
        links={mail.id: links_in(mail.body) for mail in page.items},
        smtp=smtp_configured(current_app.config),
        uncertain=int(uncertain or 0),
        show=show,
        can_resend=permissions.can_resend_mail(current_user),
    )


@bp.route("/outbox/<int:mail_id>/resend", methods=["GET", "POST"])
def resend_mail(mail_id: int) -> str | Response:
    """Send an uncertain (or failed) mail again: ask first (GET), then queue it (POST)."""
    if not permissions.can_resend_mail(current_user):
        abort(403)
    mail = db.get_or_404(OutboxMail, mail_id)
    allowed = mail.status in (OutboxStatus.UNCERTAIN, OutboxStatus.FAILED)
    if request.method == "POST":
        if allowed and resend(mail.id):
            db.session.commit()
            flash(_("Die Mail an %(to)s wird erneut gesendet.", to=mail.to_address), "success")
        else:
            flash(_("Diese Mail kann nicht erneut gesendet werden."), "error")
        return redirect(url_for("mail.outbox", show="uncertain" if allowed else None))
    return render_template(
        "confirm.html",
        heading=_("Mail erneut senden?"),
        rows=[
            (_("An"), mail.to_address),
            (_("Betreff"), mail.subject),
            (_("Letzter Versuch"), mail.error or "–"),
        ],
        text=_(
            "Der Versand dieser Mail wurde unterbrochen oder ist gescheitert. Vielleicht hat "
            "der Empfänger sie schon erhalten; wird sie erneut gesendet, bekommt er sie dann "
            "zweimal."
        ),
        button=_("Erneut senden"),
        back=url_for("mail.outbox", show="uncertain"),
        blocked=not allowed,
        audited=False,
    )
