"""What every bulk action's pages share: the two steps (confirm, then do), the commit or the rollback, the page.

Step one (no ``confirmed`` field) shows what will happen to each ticked row and writes nothing; step two does
it. A refusal of the whole selection (too many rows, a row of another collectivité: 404) changes nothing; a
fault on any row rolls the whole selection back and says so.
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from flask import current_app, flash, request
from flask_appbuilder import BaseView
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from console.errors import DomainError
from console.extensions import db
from console.selection import BulkFault, Outcome
from console.views.base import attempt, flash_error

T = TypeVar("T")


def confirmed() -> bool:
    """The second step: the user confirmed on the page that listed what will happen."""
    return request.form.get("confirmed") == "1"


def run_bulk(step: Callable[[], T]) -> T | None:
    """Run one step of a bulk action and commit it; on a refusal of the whole or a fault, roll back everything,
    say so, and return None (a row of another collectivité answers 404)."""
    try:
        result = attempt(step)
    except HTTPException:  # the 404 of a row out of reach
        raise
    except Exception as fault:  # a fault, not a rule: nothing of the selection is kept
        db.session.rollback()
        current_app.logger.exception("bulk action stopped by a fault")
        name = fault.name if isinstance(fault, BulkFault) else "?"
        flash(gettext("Nothing was done: an unexpected fault stopped the action at %(name)s. No row of the"
                      " selection was changed; try again, or report it with the time it happened.", name=name),
              "danger")
        return None
    if isinstance(result, DomainError):
        flash_error(result)
        return None
    return result


def line(outcome: Outcome, name: str, url: str, detail: str, effect: str) -> dict[str, Any]:
    """One row of a bulk page: what it is, and what will happen (or happened) to it, or its refusal."""
    refusal = outcome.refusal
    return {"name": name, "url": url, "detail": detail, "effect": effect,
            "refusal": str(refusal) if refusal else None, "rule": refusal.rule if refusal else None}


def bulk_page(view: BaseView, *, title: str, lines: list[dict[str, Any]], done: bool, action: str = "",
              ids: list[int] = (), fields: dict[str, str] | None = None, blocked: str | None = None,
              back: str, id_field: str = "request") -> str:
    """The confirmation page (``done`` False: a form re-posting the selection) or the summary page."""
    accepted = sum(1 for each in lines if each["refusal"] is None)
    if not done and not accepted and blocked is None:
        blocked = gettext("No ticked row can be acted upon: see each refusal above.")
    return view.render_template("console/bulk.html", title=title, lines=lines, done=done, action=action,
                                ids=ids, id_field=id_field, fields=fields or {}, blocked=blocked, back=back,
                                accepted=accepted, refused=len(lines) - accepted)
