"""The outbox page: queued and sent mails with their links, for staff without SMTP."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from crm import permissions
from crm.mail.services import links_in, smtp_configured
from crm.models import OutboxMail
from crm.pagination import paginate, parse_page

bp = Blueprint("mail", __name__)


@bp.get("/outbox")
def outbox() -> str:
    """Mails newest first; ?show=pending restricts to unsent ones."""
    if not permissions.can_view_outbox(current_user):
        abort(403)
    pending_only = request.args.get("show") == "pending"
    query = select(OutboxMail).order_by(OutboxMail.id.desc())
    if pending_only:
        query = query.where(OutboxMail.sent_at.is_(None))
    page = paginate(query, parse_page(request.args.get("page")), 20)
    return render_template(
        "mail/outbox.html",
        page=page,
        pending_only=pending_only,
        links={mail.id: links_in(mail.body) for mail in page.items},
        smtp=smtp_configured(current_app.config),
    )
