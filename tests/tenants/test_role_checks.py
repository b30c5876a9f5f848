"""Built-in role answers are remembered per process (ConsoleSecurityManager._builtin_role_allows): they
must be FAB's answers, and a user's roles are still read at each check."""
from __future__ import annotations

from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import select

from console.config import ROLE_CORRESPONDENT, ROLE_ELECTED
from console.extensions import db
from console.tenants.models import ConsoleUser


def test_remembered_answers_are_fabs_for_every_role_and_permission(app):
    sm = app.appbuilder.sm
    pairs = [(pv.permission.name, pv.view_menu.name) for pv in db.session.scalars(select(sm.permissionview_model))]
    assert len(pairs) > 100
    for name in list(sm.builtin_roles) + [sm.auth_role_public]:
        role = sm.find_role(name)
        for permission, view in pairs:
            expected = SecurityManager._has_access_builtin_roles(sm, role, permission, view)
            for _ in range(2):  # computed, then remembered
                assert sm._has_access_builtin_roles(role, permission, view) is expected, (name, permission, view)


def test_a_role_change_counts_at_the_next_check(app):
    sm = app.appbuilder.sm
    correspondent, elected = sm.find_role(ROLE_CORRESPONDENT), sm.find_role(ROLE_ELECTED)
    user = ConsoleUser(username="changing", roles=[correspondent], groups=[])
    with app.test_request_context("/"):
        assert sm._has_view_access(user, "can_add", "PartnerView")
        user.roles = [elected]
        assert not sm._has_view_access(user, "can_add", "PartnerView")
        user.roles = [correspondent]
        assert sm._has_view_access(user, "can_add", "PartnerView")
