"""Rules on collectivités' own identifiers (no Flask)."""
from __future__ import annotations

import re

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren

from console.errors import N_, DomainError
from console.partners.validators import validate_bic, validate_iban  # the one IBAN/BIC check of the console


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


#: The SEPA rulebook's limit on a party's name.
SEPA_NAME_MAX = 70
DEBTOR_FIELDS = ("debtor_name", "debtor_iban", "debtor_bic")


def check_debtor_account(name: str | None, iban: str | None, bic: str | None
                         ) -> tuple[str | None, str | None, str | None]:
    """The account a collectivité pays its partners from (the debtor of its SEPA transfer files): none at all,
    or its holder's name (at most 70 characters), a valid IBAN and a BIC of the IBAN's country, together.
    Returns them normalised (IBAN and BIC without spaces, upper case)."""
    typed = tuple((value or "").strip() for value in (name, iban, bic))
    if not any(typed):
        return None, None, None
    for field, value in zip(DEBTOR_FIELDS, typed):
        if not value:
            raise DomainError(N_("A debtor account needs its holder's name, its IBAN and its BIC together."),
                              rule="debtor_account", field=field)
    if len(typed[0]) > SEPA_NAME_MAX:
        raise DomainError(N_("The debtor's name has at most %(max)s characters (SEPA)."), rule="debtor_account",
                          field="debtor_name", max=SEPA_NAME_MAX)
    try:
        compact_iban = validate_iban(typed[1])
        compact_bic = validate_bic(typed[2], compact_iban)
    except DomainError as error:
        error.field = f"debtor_{error.field}"
        raise
    return typed[0], compact_iban, compact_bic
