"""Serving a stored document (verdict or vendor evidence) to a member: always a
download with its checked type, never rendered as a page of this site."""

from __future__ import annotations

from pathlib import Path

from flask import Response
from flask import send_file

from selector.models import Attachment


def document_download(attachment: Attachment, path: Path) -> Response:
    """The document as a download. Uploads are hostile (a vendor's above all): the
    headers keep a browser from sniffing, rendering or caching it."""
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, conditional=False, etag=False,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; sandbox; frame-ancestors 'none'")
    return response
