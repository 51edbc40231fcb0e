"""What an uploaded file really is, read from its bytes, not from its name or the browser's word: the
session photos and the invoices of expenses are checked here before anything is stored."""

from __future__ import annotations

import io

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
