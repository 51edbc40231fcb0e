"""What an uploaded file really is, read from its bytes, not from its name or the browser's word: the
session photos and the invoices of expenses are checked here before anything is stored; and how the
upload views answer (the file sent back, what an upload added)."""

from __future__ import annotations

import io

from django.contrib import messages

IMAGE_TYPES = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
PDF_TYPE = ("pdf", "application/pdf")


def image_type(data: bytes) -> tuple[str, str] | None:
    """(extension, media type) of a JPEG, PNG or WEBP that Pillow can verify; None for anything else."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return IMAGE_TYPES.get(fmt or "")


def pdf_type(data: bytes) -> tuple[str, str] | None:
    """A PDF by its structure: the ``%PDF-`` header and an ``%%EOF`` marker in the last kilobyte (what a
    scanner or a printer driver writes; a renamed document or page is not one). The file is served as
    a download with ``nosniff``, never rendered in a page of ours."""
    return PDF_TYPE if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:] else None


def private_file(field_file, content_type: str, *, download_as: str | None = None):
    """A stored upload sent to a user the caller has authorised (never a public MEDIA_URL): cached by
    their browser only, its type never guessed, as a download under ``download_as`` when given."""
    from django.http import FileResponse, Http404

    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=download_as is not None,
                            filename=download_as or "")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def report_added(request, added: list, *, added_text: str, nothing_text: str) -> None:
    """Say what an upload added (``added_text`` with ``%(n)s``), or that nothing came: the button pressed
    before a file was chosen."""
    if added:
        messages.success(request, added_text % {"n": len(added)})
    else:
        messages.error(request, nothing_text)
