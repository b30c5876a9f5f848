"""Accounts and sessions: password links, session versions, second factor, service accounts."""
