"""A small world for the accounts tests: one collectivité, its correspondent and support agent, an operator."""
from __future__ import annotations

import pytest

from console.config import ROLE_CORRESPONDENT, ROLE_OPERATOR, ROLE_SUPPORT
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import FreshContextClient, make_collectivite, make_user


@pytest.fixture
def alpha(app):
    """Collectivité Alpha with ``alpha-correspondent`` and ``alpha-support``, and ``operateur``."""
    app.test_client_class = FreshContextClient  # every client: one application context per request
    with scoped(EVERYTHING):
        row = make_collectivite("alpha", "ALP", "216901231", "Ville d'Alpha")
        make_user("alpha-correspondent", ROLE_CORRESPONDENT, row)
        make_user("alpha-support", ROLE_SUPPORT, row)
        make_user("operateur", ROLE_OPERATOR, None)
    return row
