"""The addresses of the style sheets and scripts every page links: built once per application root.

A page's head and tail link twenty static files; each ``url_for`` walks the URL map (~20 µs), the same
answer on every request. The key keeps the root the application is served under (a reverse proxy's prefix,
``X-Forwarded-Prefix``), so a console served under two prefixes links each page's own.
"""
from __future__ import annotations

from flask import request, url_for

from console.views.kept import kept

TABLE = "console_static_urls"
MAX_ENTRIES = 500  # files × roots: a few dozen; the cap only bounds a misuse


def static_url(endpoint: str, filename: str) -> str:
    """``url_for(endpoint, filename=filename)``, kept (templates name a fixed set of files)."""
    return kept(TABLE, (request.script_root, endpoint, filename), lambda: url_for(endpoint, filename=filename),
                MAX_ENTRIES)
