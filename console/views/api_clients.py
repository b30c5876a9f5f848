"""Operators create, rotate and revoke the API clients of the partner extranet (secrets shown once)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import select

from console.accounts import service_accounts
from console.config import ROLE_SERVICE
from console.errors import DomainError
from console.extensions import db
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import Collectivite, ConsoleUser

#: The page lists at most this many clients (a platform has a handful).
LIST_LIMIT = 200


def _client(pk: int) -> ConsoleUser:
    user = db.session.get(ConsoleUser, pk)
    if not service_accounts.is_service_account(user):
        abort(404)
    return user


class ApiClientsView(BaseView):
    route_base = "/api-clients"
    class_permission_name = "ApiClient"
    method_permission_name = {"clients": "list", "create": "add", "rotate": "edit", "revoke": "edit"}
    base_permissions = ["can_list", "can_add", "can_edit"]
    default_view = "clients"

    def _page(self, secret: str | None = None, client: ConsoleUser | None = None):
        with scoped(EVERYTHING):  # operators only (permission): every collectivité's clients
            clients = db.session.scalars(select(ConsoleUser).where(ConsoleUser.api_scopes.is_not(None))
                                         .order_by(ConsoleUser.id).limit(LIST_LIMIT)).all()
            collectivites = db.session.scalars(select(Collectivite).order_by(Collectivite.name)).all()
        return self.render_template("console/api_clients.html", clients=clients, collectivites=collectivites,
                                    scopes=service_accounts.SCOPE_LABELS, secret=secret, client=client,
                                    scopes_of=service_accounts.scopes_of, appbuilder=self.appbuilder)

    @expose("/")
    @has_access
    def clients(self):
        return self._page()

    @expose("/", methods=["POST"])
    @has_access
    def create(self):
        collectivite = request.form.get("collectivite") or None
        try:
            client, secret = service_accounts.create_client(
                db.session, request.form.get("name", ""), int(collectivite) if collectivite else None,
                request.form.getlist("scopes"), self.appbuilder.sm.find_role(ROLE_SERVICE))
        except (DomainError, ValueError) as error:
            db.session.rollback()
            flash(str(error), "danger")
            return redirect(url_for(".clients"))
        db.session.commit()
        return self._page(secret, client)

    @expose("/<int:pk>/rotate", methods=["POST"])
    @has_access
    def rotate(self, pk: int):
        client = _client(pk)
        secret = service_accounts.rotate_secret(db.session, client)
        db.session.commit()
        return self._page(secret, client)

    @expose("/<int:pk>/revoke", methods=["POST"])
    @has_access
    def revoke(self, pk: int):
        service_accounts.revoke(db.session, _client(pk))
        db.session.commit()
        flash(gettext("The client is revoked: its tokens no longer work."), "success")
        return redirect(url_for(".clients"))
