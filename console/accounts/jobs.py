"""Background jobs of accounts (they take plain values, never ORM objects)."""
from __future__ import annotations


def send_reset_link(login: str, base_url: str) -> None:
    """Job: the work of « Mot de passe oublié ? », out of the request so that every answer takes the same time."""
    from console.accounts import links
    from console.extensions import db

    links.send_reset_link(db.session, login, base_url)
    db.session.commit()
