"""A route walker: every URL rule of an application, sent garbage ids, parameters and bodies.

The rules come from ``app.url_map``, so a route added tomorrow is walked without editing
anything here. Each (rule, method) gets a few requests; which garbage each one carries rotates
deterministically, so that across rules and roles every kind of garbage meets every kind of route.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter, PathConverter, Rule

HUGE = "9" * 30
BEYOND_64_BITS = str(2**64 + 1)
#: Garbage for a path argument, by converter; ``None`` stands for a real id of the database.
PATH_VALUES = {
    "int": [None, "0", HUGE, BEYOND_64_BITS, str(2**63), str(2**31)],
    "default": [None, "abc", "1e196", HUGE, BEYOND_64_BITS, str(2**31), "-1", "%00%ff", "1.5"],
    "name": ["no_such_action", "muldelete"],
    "path": ["..%2F..%2Fsecret", "nope.txt"],
}


def query_variants(view: str) -> list[dict[str, str]]:
    """Query strings of a careless client or a scanner (``view`` is the FAB view's class name)."""
    return [
        {},
        {f"page_{view}": "abc", f"psize_{view}": "100000"},
        {f"psize_{view}": "abc", f"page_{view}": HUGE},
        {f"page_{view}": "-3", f"psize_{view}": "-1"},
        {"_flt_0_name": "\x00", "_flt_9_nope": "x", f"_flt_0_{view}_id": HUGE},
        {f"_oc_{view}": "no_column", f"_od_{view}": "asc"},
        {f"_oc_{view}": "collectivite", f"_od_{view}": "sideways"},
        {"page": HUGE, "partner": HUGE, "collectivite": HUGE, "request": HUGE, "status": "\x00"},
        {"page": "abc", "psize": "1e196", "partner": "-1", "overdue": "maybe"},
        {"start": "0001-01-01", "end": "9999-12-31", "on": "9999-12-31"},
        {"start": "9999-99-99", "end": "", "on": "0000-00-00", "collectivite": "abc"},
        {"q": "(" * 2000},
        {"q": "%00%ff%fe"},
        {"q": "(page:" + HUGE + ",page_size:100000,order_column:nope,filters:!((col:id,opr:eq,value:1e196)))"},
        {"q": "\ud800", "_l_": "xx"},
    ]


def form_variants(token: str) -> list[dict[str, Any]]:
    """Form bodies: wrong types, NUL bytes, huge numbers, bad dates (with a valid CSRF token)."""
    return [
        {"csrf_token": token},
        {"csrf_token": token, "name": "\x00", "slug": "x" * 5000, "siret": "\udcff", "action": "nope",
         "rowid": HUGE, "collectivite": HUGE, "roles": HUGE},
        {"csrf_token": token, "partner": HUGE, "cheques": "\x00" * 3, "submitted_on": "9999-99-99",
         "accepted_on": "0001-01-01", "number": "\x00", "request": [HUGE, "abc"], "payment_date": "31/02/2026"},
        {"csrf_token": token, "kind": "summary", "period_start": "0001-01-01", "period_end": "9999-12-31",
         "collectivite": BEYOND_64_BITS, "correction_amount": "1e196", "received_on": "abc", "channel": "\x00",
         "effective_from": "0000-00-00", "rate": "NaN", "fixed": "Infinity", "issued_on": "9999-12-31",
         "validity_date": "0001-01-01", "effective_on": "2026-02-30", "label": "\x00"},
        {"csrf_token": token, "action": "approve", "reason_code": "\x00", "iban": "FR" + "9" * 200,
         "bic": [None], "holder": "\x00", "paid_on": HUGE, "transfer_reference": "x" * 10000},
    ]


JSON_BODIES: list[bytes] = [
    b"null",
    b"1e196",
    b"[]",
    b'"\\ud800"',
    b'{"siret": [null], "name": {"a": 1}, "collectivite": 1e196, "email": 12}',
    b'{"partner_id": 1e196, "cheques": [null, 1], "submitted_on": "9999-99-99", "number": []}',
    b'{"partner_id": 18446744073709551617, "number": "\\u0000", "accepted_on": "0001-01-01"}',
    b'{"action": ["approve"], "reason": "\\ud800", "collectivite": "\\u0000"}',
    b"[" * 5000 + b"]" * 5000,
    b"{not json",
    b'{"name": NaN, "siret": Infinity, "collectivite": -Infinity}',
    b"\xff\xfe\x00",
]


@dataclass
class Failure:
    method: str
    url: str
    status: int | str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.url} -> {self.status} {self.detail}"[:400]


@dataclass
class Walker:
    """Walks an application's rules with one client (one role)."""

    app: Flask
    client: FlaskClient
    real_id: int = 1
    csrf: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    per_rule: int = 2
    skip_endpoints: frozenset[str] = frozenset()
    failures: list[Failure] = field(default_factory=list)
    sent: int = 0

    def rules(self) -> list[Rule]:
        return sorted((rule for rule in self.app.url_map.iter_rules() if rule.endpoint not in self.skip_endpoints),
                      key=lambda rule: (rule.rule, rule.endpoint))

    def walk(self, offset: int = 0) -> list[Failure]:
        for rule in self.rules():
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                seed = zlib.crc32(f"{rule.rule} {method}".encode()) + offset
                for attempt in range(self.per_rule):
                    self.send(rule, method, seed + attempt)
        return self.failures

    def send(self, rule: Rule, method: str, seed: int) -> None:
        view = rule.endpoint.split(".")[0]
        url = self.path(rule, seed, read_only=method == "GET")
        queries = query_variants(view)
        query = queries[seed % len(queries)]
        if query:
            url += "?" + urlencode(query, safe="%", errors="surrogatepass")
        kwargs: dict[str, Any] = {"headers": dict(self.headers)}
        if method != "GET":
            if rule.rule.startswith("/api/") or seed % 3 == 0:
                kwargs["data"] = JSON_BODIES[seed % len(JSON_BODIES)]
                kwargs["content_type"] = "application/json"
            else:
                forms = form_variants(self.csrf)
                kwargs["data"] = _form_body(forms[seed % len(forms)])
                kwargs["content_type"] = "application/x-www-form-urlencoded"
        self.sent += 1
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 — an exception escaping the app is what we look for
            self.failures.append(Failure(method, url, type(error).__name__, repr(error)))
            return
        if response.status_code >= 500:
            self.failures.append(Failure(method, url, response.status_code, response.get_data(as_text=True)[:200]))

    def path(self, rule: Rule, seed: int, read_only: bool) -> str:
        url = rule.rule
        for position, (converter, name) in enumerate(_arguments(rule)):
            kind = "name" if name == "name" else converter
            values = PATH_VALUES[kind]
            value = values[(seed + position) % len(values)]
            if value is None:  # a real id only where nothing is changed or deleted
                value = str(self.real_id) if read_only and "delete" not in rule.rule else HUGE
            url = url.replace(_placeholder(rule, name), quote(value, safe="%"), 1)
        return url


def _arguments(rule: Rule) -> list[tuple[str, str]]:
    """(converter kind, name) of each argument of the rule, in the order they appear."""
    kinds = {IntegerConverter: "int", PathConverter: "path"}
    found = []
    for name in re.findall(r"<(?:[^>:]+:)?([^>]+)>", rule.rule):
        converter = rule._converters[name]  # noqa: SLF001 — werkzeug keeps them there
        found.append((next((kind for cls, kind in kinds.items() if isinstance(converter, cls)), "default"), name))
    return found


def _placeholder(rule: Rule, name: str) -> str:
    return re.search(rf"<(?:[^>:]+:)?{re.escape(name)}>", rule.rule).group(0)


def _form_body(form: dict[str, Any]) -> bytes:
    """A urlencoded body; lone surrogates go out as the invalid UTF-8 bytes a scanner would send."""
    return urlencode(form, doseq=True, safe="%", errors="surrogatepass").encode("ascii")
