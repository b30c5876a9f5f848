"""The addresses of the style sheets and scripts every page links: built once per application root.

A page's head and tail link twenty static files; each ``url_for`` walks the URL map (~20 µs), the same
answer on every request. The key keeps the root the application is served under (a reverse proxy's prefix,
``X-Forwarded-Prefix``), so a console served under two prefixes links each page's own.
"""
from __future__ import annotations

from flask import current_app, request, url_for


def static_url(endpoint: str, filename: str) -> str:
    """``url_for(endpoint, filename=filename)``, remembered (templates name a fixed set of files)."""
    known = current_app.extensions.setdefault("console_static_urls", {})
    key = (request.script_root, endpoint, filename)
    address = known.get(key)
    if address is None:
        address = known[key] = url_for(endpoint, filename=filename)
    return address
