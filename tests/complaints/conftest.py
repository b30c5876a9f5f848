"""The money world (partners, RIBs, fee schedules) serves the complaints tests too."""
from tests.money.conftest import money  # noqa: F401
