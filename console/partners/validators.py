"""Validators of a partner's identity, bank details and documents.

Each returns the normalised value or raises a ``DomainError`` naming the field. Pure functions,
no Flask (nor werkzeug): they are shared by forms, REST APIs and imports.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from schwifty import BIC, IBAN
from schwifty import exceptions as bank_errors
from stdnum import exceptions as number_errors
from stdnum.fr import siret as stdnum_siret

from console.errors import N_, DomainError
from console.partners import documents

# Banks of the French overseas territories and of Monaco issue FR IBANs with a BIC naming
# their own territory (e.g. Crédit Agricole Martinique: AGRIMQMX).
FRENCH_BANKING_ZONE = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "NC", "PF", "PM", "WF", "MC", "BL", "MF"})
EMAIL_PATTERN = re.compile(r"[^@\s]+@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}")
EMAIL_MAX_LENGTH = 254
POSTCODE_PATTERN = re.compile(r"\d{5}")
# The trailer may be followed by a few bytes of garbage, but must sit at the end of the file.
PDF_TRAILER_WINDOW = 1024
DOCUMENT_SIGNATURES = {"pdf": b"%PDF-", "png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff"}
SIRET_ERRORS = {
    # InvalidLength is a kind of InvalidFormat: the first matching entry wins.
    number_errors.InvalidLength: N_("A SIRET has 14 digits, %(siret)s has %(length)s."),
    number_errors.InvalidFormat: N_("A SIRET contains only digits, not %(siret)s."),
    number_errors.ValidationError: N_("The SIRET %(siret)s has a wrong check digit."),
}
IBAN_ERRORS = {
    bank_errors.InvalidCountryCode: N_("The IBAN %(iban)s starts with an unknown country code."),
    bank_errors.InvalidLength: N_("The IBAN %(iban)s has %(length)s characters, the wrong length for its country."),
    bank_errors.InvalidChecksumDigits: N_("The IBAN %(iban)s has wrong check digits."),
    bank_errors.InvalidBBANChecksum: N_("The IBAN %(iban)s has a wrong RIB key (national check digits)."),
    bank_errors.SchwiftyException: N_("The IBAN %(iban)s is not well formed."),
}
BIC_ERRORS = {
    bank_errors.InvalidLength: N_("A BIC has 8 or 11 characters, %(bic)s has %(length)s."),
    bank_errors.InvalidCountryCode: N_("The BIC %(bic)s names an unknown country."),
    bank_errors.SchwiftyException: N_("The BIC %(bic)s is not well formed."),
}


def validate_required(value: str | None, field: str) -> str:
    """A mandatory field (e.g. the RIB holder) is not blank; returns it stripped."""
    text = (value or "").strip()
    if not text:
        raise DomainError(N_("This field is required."), rule="required", field=field)
    return text


def validate_siret(value: str | None) -> str:
    """A SIRET is 14 digits with a Luhn check (La Poste, SIREN 356000000: digit sum multiple of 5)."""
    siret = _compact(value, "siret")
    # stdnum implements the La Poste exception itself.
    return _checked(lambda: stdnum_siret.validate(siret), SIRET_ERRORS, "siret", siret)


def validate_iban(value: str | None) -> str:
    """DESIGN: « a partner needs a valid RIB (IBAN with mod-97 check, BIC, holder) before approval »."""
    iban = _compact(value, "iban")
    return _checked(lambda: IBAN(iban, validate_bban=True).compact, IBAN_ERRORS, "iban", iban)


def validate_bic(value: str | None, iban: str | None = None) -> str:
    """DESIGN: « a valid RIB (IBAN with mod-97 check, BIC, holder) »: a BIC from the IBAN's country."""
    typed = _compact(value, "bic")
    bic = _checked(lambda: BIC(typed).compact, BIC_ERRORS, "bic", typed)
    if iban:
        iban_country, bic_country = _compact(iban, "iban")[:2], bic[4:6]
        zone = FRENCH_BANKING_ZONE if iban_country == "FR" else {iban_country}
        if bic_country not in zone:
            raise DomainError(N_("The BIC %(bic)s is from %(bic_country)s but the IBAN is from %(iban_country)s."),
                              rule="bic", field="bic", bic=bic, bic_country=bic_country, iban_country=iban_country)
    return bic


def mask_iban(iban: str) -> str:
    """The IBAN as shown to users: country, check digits and last 4 characters, the rest masked."""
    compact = re.sub(r"\s+", "", iban).upper()
    masked = compact[:4] + "*" * (len(compact) - 8) + compact[-4:] if len(compact) > 8 else "*" * len(compact)
    return " ".join(masked[i:i + 4] for i in range(0, len(masked), 4))


def validate_email(value: str | None) -> str:
    """FAQ: « Un identifiant lui est alors transmis par mail »: a well-formed address, domain lowercased."""
    typed = validate_required(value, "email")
    local, _, domain = typed.rpartition("@")
    email = f"{local}@{domain.lower()}"
    if len(email) > EMAIL_MAX_LENGTH or not EMAIL_PATTERN.fullmatch(email):
        raise DomainError(N_("%(email)s is not a valid e-mail address."), rule="email", field="email", email=typed)
    return email


def validate_postcode(value: str | None) -> str:
    """A French postcode: 5 digits from 01000 to 98999 (Corsica 20xxx, overseas 97xxx and 98xxx)."""
    postcode = _compact(value, "postcode")
    if not (POSTCODE_PATTERN.fullmatch(postcode) and "01000" <= postcode <= "98999"):
        raise DomainError(N_("%(postcode)s is not a French postcode (5 digits from 01000 to 98999)."),
                          rule="postcode", field="postcode", postcode=postcode)
    return postcode


def check_pdf_upload(filename: str, data: bytes, max_bytes: int) -> str:
    """DESIGN: « versioned CGU documents (PDF) »: a complete PDF within the size limit, under a safe name."""
    return _checked_document(filename, data, max_bytes, accepted=("pdf",))


def check_rib_document(filename: str, data: bytes, max_bytes: int) -> str:
    """FAQ: « Il lui est demandé de déposer un RIB »: a PDF, PNG or JPEG within the size limit, under a safe name."""
    return _checked_document(filename, data, max_bytes, accepted=("pdf", "png", "jpg"))


def _compact(value: str | None, field: str) -> str:
    """The value without any whitespace, uppercased (identifiers are typed with spaces and in any case)."""
    return re.sub(r"\s+", "", validate_required(value, field)).upper()


def _checked(check: Callable[[], str], messages: dict[type[Exception], str], field: str, value: str) -> str:
    """Run a library check; its error becomes a DomainError named after the field (first matching message)."""
    try:
        return check()
    except tuple(messages) as error:
        message = next(text for kind, text in messages.items() if isinstance(error, kind))
        raise DomainError(message, rule=field, field=field, length=len(value), **{field: value}) from error


def _checked_document(filename: str, data: bytes, max_bytes: int, accepted: tuple[str, ...]) -> str:
    """Check an upload by its content (never its name); return a safe name with the detected extension."""
    if len(data) > max_bytes:
        raise DomainError(N_("%(filename)s weighs %(size)s bytes; the limit is %(max_bytes)s bytes."),
                          rule="upload", field="file", filename=filename, size=len(data), max_bytes=max_bytes)
    kind = _document_kind(data)
    if kind not in accepted:
        raise DomainError(N_("%(filename)s is not an accepted document (%(accepted)s)."), rule="upload",
                          field="file", filename=filename, accepted=", ".join(k.upper() for k in accepted))
    if documents.has_active_content(data):
        # A polyglot (PDF and HTML page at once) or a PDF that runs script: never stored, never served.
        raise DomainError(N_("%(filename)s contains HTML, script or a PDF action: it is refused."), rule="upload",
                          field="file", filename=filename)
    return _safe_filename(filename, kind)


def _document_kind(data: bytes) -> str | None:
    """The extension matching the file's magic bytes; a PDF must also end with its %%EOF trailer and
    open in a real PDF parser with at least one page."""
    kind = next((kind for kind, magic in DOCUMENT_SIGNATURES.items() if data.startswith(magic)), None)
    if kind == "pdf" and (b"%%EOF" not in data[-PDF_TRAILER_WINDOW:] or documents.pdf_pages(data) < 1):
        return None
    return kind


def _safe_filename(filename: str, extension: str) -> str:
    """An ASCII name without any path, made of letters, digits, '-' and '_', with the given extension."""
    basename = re.split(r"[/\\]", filename)[-1]
    stem = basename.rsplit(".", 1)[0] if "." in basename else basename
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    safe_stem = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_stem).strip("_-")
    # Short enough for any file system and database column.
    return f"{safe_stem[:100] or 'document'}.{extension}"
