"""The data interface of every console view and API: FAB's, with the database's unique refusals translated."""
from __future__ import annotations

from typing import Any

from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy.exc import IntegrityError

from console.errors import unique_refusal
from console.views.filters import FrenchFilterConverter


class UniqueAwareInterface(SQLAInterface):
    """FAB's data interface: a write refused by a unique constraint (a race past the domain's check) raises
    the documented refusal (a 409 Conflict) instead of FAB's raw database message or a server error; its list
    filters read dates as French users type them (``console.views.filters``)."""

    filter_converter_class = FrenchFilterConverter

    def add(self, item: Any, commit: bool = True) -> None:
        try:
            super().add(item, commit)
        except (IntegrityError, DatabaseException) as error:
            raise unique_refusal(error) from error

    def edit(self, item: Any, commit: bool = True) -> None:
        try:
            super().edit(item, commit)
        except (IntegrityError, DatabaseException) as error:
            raise unique_refusal(error) from error
