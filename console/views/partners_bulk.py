"""The partner list's bulk action: approve the ticked affiliation requests checked by the operator, after a page
listing what will happen to each (``views.bulk``). Offered to correspondents only: approving is theirs."""
from __future__ import annotations

from typing import Any

from flask import g, redirect, request, url_for
from flask_appbuilder import BaseView
from flask_babel import gettext

from console.config import ROLE_CORRESPONDENT
from console.extensions import db
from console.partners import bulk as partners_bulk
from console.selection import selected_ids
from console.views.bulk import bulk_page, confirmed, line, run_bulk

ACTION = "approve_checked"


def may_approve() -> bool:
    """Only a correspondent decides on an affiliation (partners.rules.STEPS): the action is hidden from others."""
    return ROLE_CORRESPONDENT in getattr(g.user, "role_names", set())


def approve_page(view: BaseView) -> Any:
    """Step one: what approving each ticked partner would do; step two (confirmed): do it."""
    ids = lambda: selected_ids(request.form.getlist("rowid"))  # noqa: E731 - read inside run_bulk's guard
    if confirmed():
        outcomes = run_bulk(lambda: partners_bulk.approve_many(db.session, ids(), g.user))
        effect = gettext("Approved; the partner was told by e-mail.")
    else:
        outcomes = run_bulk(lambda: partners_bulk.approval_preview(db.session, ids(), g.user))
        effect = gettext("Will be approved; the partner will be told by e-mail.")
    back = url_for("PartnerView.list")
    if outcomes is None:
        return redirect(back)
    lines = [line(o, o.row.identifier, url_for("PartnerView.show", pk=o.row.id), f"{o.row.name} · {o.row.city}",
                  effect) for o in outcomes]
    return bulk_page(view, title=gettext("Approve the ticked affiliation requests"), lines=lines,
                     done=confirmed(), action=url_for("PartnerView.action_post"), ids=[o.row.id for o in outcomes],
                     id_field="rowid", fields={"action": ACTION}, back=back)
