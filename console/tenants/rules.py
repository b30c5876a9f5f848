"""Rules on collectivités' own identifiers (no Flask)."""
from __future__ import annotations

import re

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren

from console.errors import N_, DomainError


def validate_siren(value: str) -> str:
    """A collectivité's SIREN: 9 digits with a valid Luhn key."""
    compact = re.sub(r"\s", "", value or "")
    try:
        return siren.validate(compact)
    except StdnumError:
        raise DomainError(N_("SIREN %(value)s is invalid (9 digits with a valid key)."), rule="siren", field="siren", value=value)


def validate_slug(value: str) -> str:
    """Lower-case letters, digits and dashes: it prefixes the collectivité's user names."""
    slug = (value or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) or len(slug) > 40:
        raise DomainError(N_("The slug may only hold lower-case letters, digits and dashes."), rule="slug", field="slug")
    return slug


def validate_code(value: str) -> str:
    """2 to 8 upper-case letters or digits: the code inside partner identifiers."""
    code = (value or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{2,8}", code):
        raise DomainError(N_("The code must be 2 to 8 letters or digits."), rule="code", field="code")
    return code


PASSWORD_MIN_LENGTH = 12


def check_password_strength(password: str) -> str:
    """A chosen password has 12 characters at least, with letters and digits (temporary ones are random)."""
    text = password or ""
    if len(text) < PASSWORD_MIN_LENGTH or not re.search(r"[^\W\d_]", text) or not re.search(r"\d", text):
        raise DomainError(
            N_("A password needs %(length)s characters at least, with letters and digits."),
            rule="password", field="password", length=PASSWORD_MIN_LENGTH,
        )
    return text
