"""What the console accepts from the outside world, before any rule reads it (no Flask).

Query parameters, form fields and JSON bodies come from browsers, from the partner extranet and from
scanners. Whatever they hold, the rules must only ever see text made of real characters and numbers
the database can store; anything else is refused up front (400/404) or cleaned here, in one place.
"""
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote_to_bytes

#: The largest id or integer the console stores: its id and integer columns are INTEGER (signed 32 bits on
#: PostgreSQL, which refuses a larger value with an error rather than finding no row).
MAX_INTEGER = 2**31 - 1
#: Lists show at most this many rows per page (web lists and APIs alike).
MAX_PAGE_SIZE = 100
#: A page number beyond this is refused: no list of the console is that long, and the OFFSET would be slow.
MAX_PAGE = 100_000
#: Nesting deeper than this in a JSON body or a rison argument is refused (no contract nests beyond 3).
MAX_DEPTH = 32

#: The days the console reasons about: a date outside is a typing error, and month arithmetic near year 1 or
#: 9999 overflows.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)

# Control characters (C0 but tab, line feed, carriage return; DEL; C1), the replacement character that
# stands for bytes that were not UTF-8, and unpaired surrogates: none of them is text a person typed.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")


class RefusedInput(ValueError):
    """A request body or argument that no rule should see (answered 400)."""


def undecodable(data: bytes) -> bool:
    """Whether a query string or a url-encoded form body holds bytes, raw or percent-encoded (``%FF``), that
    are not UTF-8: such a request is refused, never read as the text « %FF » nor with the bytes dropped."""
    try:
        unquote_to_bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def clean_text(value: str) -> str:
    """The text without the characters nobody types (NUL, other controls, undecodable bytes)."""
    return NOT_TEXT.sub("", value)


def integer(value: Any) -> int | None:
    """``value`` as a storable integer (an int, or a string of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d{1,10}", text):
            return None
        value = int(text)
    if isinstance(value, int) and -MAX_INTEGER <= value <= MAX_INTEGER:
        return value
    return None


def record_id(value: Any) -> int | None:
    """A row id (1 to ``MAX_INTEGER``) given as an int or digits, else None: no row can have it."""
    number = integer(value)
    return number if number is not None and number > 0 else None


SPACES = (" ", "\u00a0", "\u202f")


def parse_decimal(text: str) -> str:
    """« 1 234,56 » or « 1234.56 » (or with a « € » / « % » sign) as Python reads decimals: ``1234.56``."""
    cleaned = str(text).strip().rstrip("€%").strip()
    for space in SPACES:
        cleaned = cleaned.replace(space, "")
    return cleaned.replace(",", ".")


def amount(text: Any) -> Decimal | None:
    """A finite decimal typed the French way (« 1 234,56 », « 2,5 € ») or with a point, else None."""
    if text is None or not str(text).strip():
        return None
    try:
        value = Decimal(parse_decimal(str(text)))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


FRENCH_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def day(text: Any) -> date | None:
    """A day typed DD/MM/YYYY (as French users write it) or YYYY-MM-DD (native date inputs, older links),
    between ``EARLIEST_DAY`` and ``LATEST_DAY``, else None. The one parser of typed dates."""
    text = str(text or "").strip()
    french = FRENCH_DAY.fullmatch(text)
    try:
        value = (date(int(french[3]), int(french[2]), int(french[1])) if french
                 else date.fromisoformat(text))
    except ValueError:
        return None
    return value if EARLIEST_DAY <= value <= LATEST_DAY else None


def _number(text: str) -> int | float:
    number: int | float = float(text) if any(c in text for c in ".eE") else int(text)
    if abs(number) > MAX_INTEGER:
        raise RefusedInput("a number beyond what an integer column holds")
    return number


def _constant(name: str) -> Any:
    raise RefusedInput(f"{name} is not a JSON number")


def _checked(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise RefusedInput("nested too deeply")
    if isinstance(value, str):
        if "\x00" in value or re.search("[\ud800-\udfff]", value):
            raise RefusedInput("a string holding a NUL character or an unpaired surrogate")
    elif isinstance(value, dict):
        for key, item in value.items():
            _checked(key, depth + 1)
            _checked(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _checked(item, depth + 1)
    return value


def load_json(data: str | bytes) -> Any:
    """Parse a JSON body, refusing what no column can hold: NaN and infinities, numbers beyond ``MAX_INTEGER``,
    NUL characters and unpaired surrogates in strings, nesting deeper than ``MAX_DEPTH``."""
    try:
        value = json.loads(data, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except RecursionError:
        raise RefusedInput("nested too deeply") from None
    return _checked(value)
