"""Lists filtered to one work queue (``?queue=<key>``): the rows the home page counts, exactly.

The criteria are the queue's (``console.queues.definitions``); the lists add them to their own query,
next to the tenant scoping, which stays the session hook's.
"""
from __future__ import annotations

import copy
from typing import Any, Optional

from flask import g, request
from flask_appbuilder.models.filters import BaseFilter, Filters
from flask_babel import gettext

from console.money.dates import paris_day
from console.queues import definitions
from console.tenants.models import utcnow


def context() -> definitions.Context:
    """The signed-in user and the server's Europe/Paris day: never the caller's."""
    return definitions.Context(getattr(g.user, "id", None), paris_day(utcnow()))


def criteria(model: type) -> Optional[list[Any]]:
    """The criteria of the queue the request names for a list of ``model`` (None: no such queue)."""
    return definitions.criteria_for(request.args.get("queue"), model, context())


def title(model: type) -> Optional[str]:
    """The translated name of the queue a list of ``model`` is filtered to, shown above it."""
    queue = definitions.BY_KEY.get(request.args.get("queue") or "")
    return gettext(queue.title) if queue is not None and queue.model is model else None


class QueueFilter(BaseFilter):
    """The queue's criteria, as a filter of a Flask-AppBuilder list's query (never shown in its search form)."""

    name = "queue"
    arg_name = "queue"

    def apply(self, query: Any, value: tuple[Any, ...]) -> Any:
        return query.where(*value)


class _QueueFilters(Filters):
    """The list's own filters (shown and linked as usual); the queue's join the query only."""

    queue: list[Any]

    def get_joined_filters(self, filters: Filters) -> Filters:
        joined = super().get_joined_filters(filters)
        joined.filters = joined.filters + [QueueFilter("id", self.datamodel)]
        joined.values = joined.values + [tuple(self.queue)]  # FAB applies a list's items one by one
        return joined


class QueueList:
    """ModelView mixin: ``?queue=<key>`` narrows the list to the rows of that work queue."""

    list_template = "console/queue_list.html"

    def _get_list_widget(self, filters: Filters, *args: Any, **kwargs: Any) -> Any:
        queue = criteria(self.datamodel.obj)
        if queue is not None:
            # A copy: the view's Filters object is shared by every request; only this query gets the queue.
            filters = copy.copy(filters)
            filters.__class__ = _QueueFilters
            filters.queue = queue
        return super()._get_list_widget(filters, *args, **kwargs)

    def render_template(self, template: str, **kwargs: Any) -> Any:
        return super().render_template(template, queue_title=title(self.datamodel.obj), **kwargs)
