"""Rules on collectivités' identifiers and on passwords."""
import pytest

from console.errors import DomainError
from console.tenants.rules import check_password_strength


@pytest.mark.parametrize("password", ["Mot-de-passe-1", "abcdefghijk1", "ÉléphantRose2026"])
def test_strong_passwords_pass(password):
    assert check_password_strength(password) == password


@pytest.mark.parametrize("password", ["abcdefghij1", "abcdefghijkl", "123456789012", "", None])
def test_weak_passwords_are_refused_naming_the_length(password):
    with pytest.raises(DomainError) as refused:
        check_password_strength(password)
    assert refused.value.rule == "password" and refused.value.params == {"length": 12}
