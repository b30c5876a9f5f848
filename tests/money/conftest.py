"""A world with partners, RIBs and a fee schedule in collectivités A and B."""
from dataclasses import dataclass
from datetime import date

import pytest

from tests.money import helpers


@dataclass
class MoneyWorld:
    world: object
    pa: int  # approved partner of A
    pa2: int  # another approved partner of A
    pb: int  # approved partner of B


@pytest.fixture
def money(world) -> MoneyWorld:
    pa = helpers.approved_partner(world.a.collectivite, 0)
    pa2 = helpers.approved_partner(world.a.collectivite, 1)
    pb = helpers.approved_partner(world.b.collectivite, 2)
    helpers.schedule(world.a.id, date(2020, 1, 1))
    helpers.schedule(world.b.id, date(2020, 1, 1))
    return MoneyWorld(world, pa, pa2, pb)


@pytest.fixture
def prescripteurs(world):
    """A's « CCAS d’Alpha » (its id) and a retired prescripteur, B's « CCAS de Bêta »: for chéquier imports."""
    with helpers.operator():
        ccas = helpers.prescripteur(world.a.id, "CCAS d’Alpha")
        retired = helpers.prescripteur(world.a.id, "Ancienne mission locale")
        retired.active = False
        helpers.prescripteur(world.b.id, "CCAS de Bêta")
        return ccas.id
