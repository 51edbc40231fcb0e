"""Uploads are checked by their bytes and size; videos are served with range requests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingpei.academy import demo, media, services
from jingpei.academy.models import Lesson
from jingpei.core.errors import DomainError, NotAllowed


@pytest.fixture(scope="session")
def video_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("v") / "clip.mp4"
    return demo.make_video(path, 3).read_bytes()


@pytest.fixture
def course(cast):
    return services.create_course(actor=cast.officer, org=cast.district, title="视频课程", year=2026,
                                  credit_hours=Decimal("1.0"))


def upload(name, data, content_type="video/mp4"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_video_upload_reads_duration_from_the_file(cast, course, video_bytes):
    lesson = services.add_lesson(actor=cast.officer, course=course, title="第一讲", kind="video",
                                 upload=upload("clip.mp4", video_bytes))
    assert lesson.duration_seconds == 3
    assert lesson.content_type == "video/mp4" and lesson.size == len(video_bytes)


def test_webm_duration_through_ffprobe(tmp_path, cast, course):
    data = demo.make_video(tmp_path / "c.webm", 2, fmt="webm").read_bytes()
    lesson = services.add_lesson(actor=cast.officer, course=course, title="webm", kind="video",
                                 upload=upload("c.webm", data, "video/webm"))
    assert lesson.duration_seconds == 2 and lesson.content_type == "video/webm"


def test_a_renamed_file_is_refused(cast, course):
    with pytest.raises(DomainError) as err:
        services.add_lesson(actor=cast.officer, course=course, title="假视频", kind="video",
                            upload=upload("virus.mp4", b"MZ\x90\x00" + b"\x00" * 100))
    assert err.value.message == "请上传 MP4 或 WebM 格式的视频文件。"
    with pytest.raises(DomainError) as err:
        services.add_lesson(actor=cast.officer, course=course, title="假文档", kind="document",
                            upload=upload("a.pdf", b"<html></html>", "application/pdf"))
    assert err.value.message == "请上传 PDF 格式的文档。"
    assert not Lesson.objects.exists()


def test_too_large_is_refused(cast, course, video_bytes, settings):
    settings.ACADEMY_MAX_VIDEO_MB = 0
    with pytest.raises(DomainError) as err:
        services.add_lesson(actor=cast.officer, course=course, title="大视频", kind="video",
                            upload=upload("clip.mp4", video_bytes))
    assert err.value.message == "文件过大：不能超过 0 MB。"
    assert not Lesson.objects.exists()


def test_truncated_video_without_duration_is_refused(cast, course, video_bytes):
    head = video_bytes[:32]  # an ftyp box and nothing more
    with pytest.raises(DomainError) as err:
        services.add_lesson(actor=cast.officer, course=course, title="坏视频", kind="video",
                            upload=upload("bad.mp4", head))
    assert err.value.message == "无法读取视频时长，请确认文件完整。"


def test_only_managers_of_the_owner_add_lessons(cast, course, video_bytes):
    with pytest.raises(NotAllowed):
        services.add_lesson(actor=cast.liaison_a, course=course, title="x", kind="text", body="正文")


def test_pdf_and_text_lessons(cast, course, tmp_path):
    pdf = services.add_lesson(actor=cast.officer, course=course, title="文件", kind="document",
                              upload=upload("d.pdf", demo.make_pdf(tmp_path / "d.pdf").read_bytes(), "application/pdf"),
                              reading_minutes=3)
    assert pdf.duration_seconds == 180 and pdf.content_type == "application/pdf"
    text = services.add_lesson(actor=cast.officer, course=course, title="图文", kind="text", body="字" * 650)
    assert text.duration_seconds == 180  # 650 characters at 300 a minute: 3 minutes
    with pytest.raises(DomainError) as err:
        services.add_lesson(actor=cast.officer, course=course, title="空", kind="text", body=" ")
    assert err.value.message == "请填写图文课节的正文。"


def test_range_requests(cast, course, video_bytes, client_as):
    lesson = services.add_lesson(actor=cast.officer, course=course, title="第一讲", kind="video",
                                 upload=upload("clip.mp4", video_bytes))
    client = client_as(cast.trainee)
    url = f"/academy/lessons/{lesson.pk}/media"
    size = len(video_bytes)
    full = client.get(url)
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"
    assert b"".join(full.streaming_content) == video_bytes
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{size}"
    assert b"".join(part.streaming_content) == video_bytes[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-50")
    assert b"".join(tail.streaming_content) == video_bytes[-50:]
    open_end = client.get(url, HTTP_RANGE=f"bytes={size - 10}-")
    assert open_end["Content-Length"] == "10"
    beyond = client.get(url, HTTP_RANGE=f"bytes={size}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"
    assert client_as(cast.liaison_b).get(url).status_code == 200  # a district course: B's people take it too


def test_sniff():
    assert media.sniff(b"\x00\x00\x00\x18ftypisom") == media.Sniffed("video", "video/mp4")
    assert media.sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm") == media.Sniffed("video", "video/webm")
    assert media.sniff(b"%PDF-1.7") == media.Sniffed("document", "application/pdf")
    assert media.sniff(b"GIF89a") is None
