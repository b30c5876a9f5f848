"""What an uploaded document must be, by its content: a PDF that a real parser opens, with at least one
page, and no file (PDF or image) carrying HTML or script that a browser could run. No Flask."""
from __future__ import annotations

import io
import logging
import re
import warnings

from pypdf import PdfReader
from pypdf.errors import PyPdfError

# A polyglot (a file that is both a PDF and an HTML page) and a PDF with actions give themselves away by
# these markers; no CGU or RIB needs them.
ACTIVE_CONTENT = re.compile(
    rb"<\s*(?:script|html|body|iframe|svg|object|embed|meta|!doctype)\b|javascript\s*:|/(?:JavaScript|JS|Launch)\b",
    re.IGNORECASE,
)


def has_active_content(data: bytes) -> bool:
    """Whether the file holds HTML, script or a PDF action that runs something."""
    return ACTIVE_CONTENT.search(data) is not None


def pdf_pages(data: bytes) -> int:
    """The number of pages a PDF parser finds in ``data`` (0 when it cannot open it)."""
    logger = logging.getLogger("pypdf")
    level, logger.level = logger.level, logging.ERROR + 10  # a broken upload is refused, not logged
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(PdfReader(io.BytesIO(data), strict=False).pages)
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError, OSError):
        return 0
    finally:
        logger.setLevel(level)
