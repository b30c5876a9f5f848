"""A stock Flask-AppBuilder application serving a ModelView of the console's partner table (the benchmark's
yardstick): FAB's own security manager, database roles, no console code but the models.

    gunicorn 'bench.stock_app:create_stock_app()'      (CONSOLE_DATABASE_URL names the database)

The console's tenancy hooks are registered on SQLAlchemy's global Session class as soon as its models are
imported: every request of this app runs with the scope "everything", as an operator's would.
"""
from __future__ import annotations

import os

from flask import Flask

STOCK_ROLE, STOCK_USER = "Stock", "stock"


def create_stock_app(frozen: bool = False) -> Flask:
    """The stock application; ``frozen``: its lasting objects set aside from the cyclic collector, as the
    console's workers do theirs (console/serve.py), to see how much of the gap that alone makes."""
    from flask_appbuilder import AppBuilder, ModelView
    from flask_appbuilder.models.sqla.interface import SQLAInterface
    from flask_appbuilder.utils.legacy import get_sqla_class

    import console.models  # noqa: F401  (the mapped tables)
    from console.partners.models import Partner
    from console.tenants import context

    class PartnerStockView(ModelView):
        datamodel = SQLAInterface(Partner)
        list_columns = ["identifier", "name", "siret", "postcode", "city", "status", "collectivite"]

    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=os.environ["CONSOLE_DATABASE_URL"], SECRET_KEY="stock-bench",
                      AUTH_ROLE_PUBLIC="Public", FAB_UPDATE_PERMS=False)
    db = get_sqla_class()()
    with app.app_context():
        db.init_app(app)
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        appbuilder.add_view(PartnerStockView, "Partners")

    @app.before_request
    def _everything() -> None:
        context._explicit.set(context.EVERYTHING)

    if frozen:
        from console.serve import set_aside_from_collector

        set_aside_from_collector()
    return app


def prepare(password: str) -> None:
    """Create the stock view's permissions, a database role holding them and its user (idempotent)."""
    app = create_stock_app()
    with app.app_context():
        appbuilder = app.appbuilder
        sm = appbuilder.sm
        appbuilder.add_permissions(update_perms=True)
        role = sm.find_role(STOCK_ROLE) or sm.add_role(STOCK_ROLE)
        for permission, view in (("can_list", "PartnerStockView"), ("can_show", "PartnerStockView"),
                                 ("menu_access", "Partners")):
            pv = sm.find_permission_view_menu(permission, view)
            if pv is not None:
                sm.add_permission_role(role, pv)
        if sm.find_user(username=STOCK_USER) is None:
            sm.add_user(STOCK_USER, "Stock", "User", "stock@bench.example.fr", role, password)
