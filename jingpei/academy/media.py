"""Uploaded lesson files: what they really are (magic bytes, not the name), how long a video runs, and
serving them with HTTP range requests so that a player can seek."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from jingpei.core.errors import DomainError

MB = 1024 * 1024
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "video" | "document"
    content_type: str


def sniff(head: bytes) -> Sniffed | None:
    """The file's type from its first bytes: MP4/MOV (``ftyp`` box), WebM (EBML with doctype webm), PDF."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return Sniffed("video", "video/mp4")
    if head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head[:64]:
        return Sniffed("video", "video/webm")
    if head[:5] == b"%PDF-":
        return Sniffed("document", "application/pdf")
    return None


def max_bytes(kind: str) -> int:
    if kind == "video":
        return getattr(settings, "ACADEMY_MAX_VIDEO_MB", 500) * MB
    return getattr(settings, "ACADEMY_MAX_DOCUMENT_MB", 50) * MB


def check_upload(upload, expected_kind: str) -> Sniffed:
    """Refuse a file whose bytes are not the promised kind, or that is too large."""
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    found = sniff(head)
    if found is None or found.kind != expected_kind:
        if expected_kind == "video":
            raise DomainError(_("请上传 MP4 或 WebM 格式的视频文件。"), field="media")
        raise DomainError(_("请上传 PDF 格式的文档。"), field="media")
    limit = max_bytes(expected_kind)
    if upload.size > limit:
        raise DomainError(_("文件过大：不能超过 %(mb)d MB。") % {"mb": limit // MB}, field="media")
    return found


# --- duration ---------------------------------------------------------------------------------------
def _mp4_duration(fileobj) -> float | None:
    """Walk the top-level boxes to ``moov`` and read ``mvhd`` (timescale, duration). No dependency."""
    fileobj.seek(0)
    while True:
        header = fileobj.read(8)
        if len(header) < 8:
            return None
        size, box = struct.unpack(">I4s", header)
        offset = 8
        if size == 1:
            size = struct.unpack(">Q", fileobj.read(8))[0]
            offset = 16
        if box == b"moov":
            data = fileobj.read(size - offset if size else 1 << 20)
            i = data.find(b"mvhd")
            if i < 4:
                return None
            version = data[i + 4]
            if version == 1:
                timescale, duration = struct.unpack(">IQ", data[i + 24:i + 36])
            else:
                timescale, duration = struct.unpack(">II", data[i + 16:i + 24])
            return duration / timescale if timescale else None
        if size == 0:
            return None
        fileobj.seek(size - offset, 1)


def _ffprobe_duration(path: str) -> float | None:
    ffprobe = shutil.which("ffprobe")
    if not ffprobe:
        return None
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv, path is our own stored file
            [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "json", path],
            capture_output=True, timeout=30, check=True,
        ).stdout
        return float(json.loads(out)["format"]["duration"])
    except (subprocess.SubprocessError, KeyError, ValueError, OSError):
        return None


def video_duration(fileobj, content_type: str, path: str | None = None) -> int:
    seconds = None
    if content_type == "video/mp4":
        seconds = _mp4_duration(fileobj)
        fileobj.seek(0)
    if seconds is None and path:
        seconds = _ffprobe_duration(path)
    if not seconds or seconds <= 0:
        raise DomainError(_("无法读取视频时长，请确认文件完整。"), field="media")
    return max(1, round(seconds))


# --- range serving ----------------------------------------------------------------------------------
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) for a single satisfiable range; None to send the whole file; False if unsatisfiable."""
    m = RANGE_RE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None  # malformed or multi-range: RFC 9110 lets us answer with the whole file
    if m.group(1):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else size - 1
        if first >= size or last < first:
            return False
        return first, min(last, size - 1)
    suffix = int(m.group(2))
    if suffix == 0:
        return False
    return max(0, size - suffix), size - 1


def _chunks(fileobj, first: int, length: int):
    try:
        fileobj.seek(first)
        remaining = length
        while remaining > 0:
            data = fileobj.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        fileobj.close()


def ranged_response(request, field_file, content_type: str):
    """200 with the whole file, 206 with the requested range, or 416; always ``Accept-Ranges``."""
    size = field_file.size
    header = request.headers.get("Range", "")
    span = _byte_range(header, size) if header else None
    if span is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = span if span else (0, size - 1)
    length = last - first + 1 if size else 0
    response = StreamingHttpResponse(_chunks(field_file.storage.open(field_file.name, "rb"), first, length), content_type=content_type,
                                     status=206 if span else 200)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    if span:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return response
