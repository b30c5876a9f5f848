"""Who acts and from where, as the server knows it (never as a form or a JSON body says)."""
from __future__ import annotations

from typing import Any, Optional


def current_user() -> Optional[Any]:
    """The signed-in user of the current request (session or JWT), or None (jobs, commands, anonymous)."""
    from flask import g, has_request_context

    if not has_request_context():
        return None
    user = g.get("user")
    if user is None:
        from flask_login import current_user as login_user

        user = login_user._get_current_object() if login_user else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def client_address() -> Optional[str]:
    """The client's address (behind a proxy, ProxyFix makes it the real one)."""
    from flask import has_request_context, request

    return (request.remote_addr or None) if has_request_context() else None


def request_id() -> Optional[str]:
    """The current request's id (``console.request_id``), or None outside a request."""
    from flask import has_request_context

    from console import request_id as current

    return current.request_id() if has_request_context() else None
