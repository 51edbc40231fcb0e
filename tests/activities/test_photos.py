"""Photos of a session: type and size checked, stored under MEDIA_ROOT, served to authorised users."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingpei.activities import services
from jingpei.activities.models import SessionPhoto
from jingpei.core.errors import DomainError, NotAllowed
from tests.activities.conftest import png_bytes

pytestmark = pytest.mark.django_db


def upload(name="p.png", data=None, content_type="image/png"):
    return SimpleUploadedFile(name, png_bytes() if data is None else data, content_type)


def test_photo_is_stored_and_served_to_authorised_users_only(cast, log_session, client_as, settings):
    session = log_session()
    [photo] = services.add_photos(actor=cast.secretary_a, session=session, files=[upload("../../evil.png")])
    assert photo.image.name.startswith(f"activities/sessions/{session.pk}/") and ".." not in photo.image.name
    assert (settings.MEDIA_ROOT / photo.image.name).exists()
    url = reverse("activities:photo", args=[photo.pk])
    response = client_as(cast.liaison_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert client_as(cast.liaison_b).get(url).status_code == 404


@pytest.mark.parametrize(("file", "message"), [
    (lambda: upload("x.png", b"not an image at all"), "文件“x.png”不是有效的图片，只能上传 JPG、PNG 或 WEBP 格式的照片。"),
    (lambda: upload("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"), "不是有效的图片"),
    (lambda: upload("big.png", png_bytes() + b"\0" * (5 * 1024 * 1024)), "照片“big.png”超过 5 MB，请压缩后再上传。"),
])
def test_bad_files_are_refused_and_nothing_is_stored(cast, log_session, file, message):
    session = log_session()
    with pytest.raises(DomainError) as exc:
        services.add_photos(actor=cast.secretary_a, session=session, files=[upload(), file()])
    assert message in exc.value.message
    assert not SessionPhoto.objects.exists()


def test_at_most_nine_photos(cast, log_session):
    session = log_session()
    with pytest.raises(DomainError) as exc:
        services.add_photos(actor=cast.secretary_a, session=session, files=[upload() for _ in range(10)])
    assert exc.value.message == "每次学习最多上传 9 张照片。"


def test_only_loggers_add_or_delete_photos(cast, log_session):
    session = log_session()
    with pytest.raises(NotAllowed):
        services.add_photos(actor=cast.liaison_a, session=session, files=[upload()])
    [photo] = services.add_photos(actor=cast.secretary_a, session=session, files=[upload()])
    with pytest.raises(NotAllowed):
        services.delete_photo(actor=cast.liaison_a, photo=photo)
    services.delete_photo(actor=cast.secretary_a, photo=photo)
    assert not SessionPhoto.objects.exists()


def test_the_page_says_so_when_no_photo_was_sent(cast, log_session, client_as):
    session = log_session()
    client = client_as(cast.secretary_a)
    url = reverse("activities:photos_add", args=[session.pk])
    page = client.post(url, {}, follow=True).content.decode()
    assert "没有收到照片：请先选择要上传的照片" in page and "已上传" not in page
    assert not SessionPhoto.objects.filter(session=session).exists()
    page = client.post(url, {"photos": [upload("a.png"), upload("b.png")]}, follow=True).content.decode()
    assert "已上传 2 张照片。" in page and SessionPhoto.objects.filter(session=session).count() == 2
