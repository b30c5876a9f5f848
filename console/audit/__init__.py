"""The audit trail: one append-only, hash-chained log of every sensitive act (see README « Audit trail »).

``api.record(...)`` is the one door: the domains' ``api.py`` call it inside their transaction.
"""
