"""Visit photos: type by content, size limit, GPS kept server-side, served without EXIF."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import Image

from checklists import photos
from liaison.models import Visit, VisitPhoto
from tests import factories as f
from tests.checklists.conftest import form_data, image_bytes, upload

URL = reverse("checklists:visit-new")
WUHAN_GPS = (((30.0, 35.0, 24.0), "N"), ((114.0, 18.0, 0.0), "E"))


def _files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def _log_with(client, *files):
    return client.post(URL, {**form_data(), "photos": list(files)})


def test_a_jpeg_is_stored_with_its_metadata_under_media_root(login, personas, frozen, media_root):
    _log_with(login(personas.cadre), upload("现场.jpg", image_bytes("JPEG", (64, 48))))
    photo = VisitPhoto.objects.get()
    assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 64, 48)
    assert photo.image.name.startswith("visits/2026/11/") and photo.image.name.endswith(".jpg")
    assert "现场" not in photo.image.name  # random names: the file name says nothing
    assert _files(media_root) == [media_root / photo.image.name]


def test_a_png_renamed_jpg_is_accepted_as_png(login, personas, frozen):
    response = _log_with(login(personas.cadre), upload("photo.jpg", image_bytes("PNG")))
    assert response.status_code == 302
    photo = VisitPhoto.objects.get()
    assert photo.content_type == "image/png" and photo.image.name.endswith(".png")


def test_a_text_file_named_jpg_is_refused_in_chinese_and_nothing_is_written(
    login, personas, frozen, media_root
):
    fake = upload("photo.jpg", b"this is not a picture at all")
    response = _log_with(login(personas.cadre), upload("ok.jpg", image_bytes()), fake)
    assert response.status_code == 200
    assert "photo.jpg 不是 JPEG 或 PNG 格式的照片" in response.content.decode()
    assert Visit.objects.count() == 0 and VisitPhoto.objects.count() == 0
    assert _files(media_root) == []


def test_a_gif_is_refused_even_when_named_png(login, personas, frozen):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "GIF")
    response = _log_with(login(personas.cadre), upload("a.png", buffer.getvalue(), "image/png"))
    assert "a.png 不是 JPEG 或 PNG 格式的照片" in response.content.decode()
    assert Visit.objects.count() == 0


def test_a_photo_over_the_size_limit_is_refused(login, personas, frozen, monkeypatch, media_root):
    big = image_bytes("PNG", (200, 200))
    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", len(big) - 1)
    response = _log_with(login(personas.cadre), upload("big.png", big, "image/png"))
    assert "big.png 超过" in response.content.decode()
    assert Visit.objects.count() == 0 and _files(media_root) == []


def test_the_limit_is_ten_megabytes():
    assert photos.MAX_PHOTO_BYTES == 10 * 1024 * 1024


def test_more_than_six_photos_are_refused(login, personas, frozen):
    files = [upload(f"{i}.jpg", image_bytes()) for i in range(7)]
    response = _log_with(login(personas.cadre), *files)
    assert "每次走访最多上传 6 张照片" in response.content.decode()
    assert Visit.objects.count() == 0


def test_six_photos_are_accepted(login, personas, frozen):
    files = [upload(f"{i}.jpg", image_bytes()) for i in range(6)]
    assert _log_with(login(personas.cadre), *files).status_code == 302
    assert VisitPhoto.objects.count() == 6


def test_exif_gps_is_kept_in_the_database_and_stripped_from_the_served_copy(
    login, personas, frozen
):
    client = login(personas.cadre)
    _log_with(client, upload("gps.jpg", image_bytes("JPEG", gps=WUHAN_GPS)))
    photo = VisitPhoto.objects.get()
    assert (photo.gps_latitude, photo.gps_longitude) == (Decimal("30.590000"), Decimal("114.3"))
    with photo.image.open("rb") as original:  # the original keeps its metadata
        assert Image.open(original).getexif().get_ifd(0x8825)
    response = client.get(reverse("checklists:visit-photo", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    served = Image.open(io.BytesIO(response.content))
    assert served.format == "JPEG" and served.size == (40, 30)
    assert not served.getexif() and b"Exif" not in response.content


def test_the_detail_page_shows_the_photos_through_the_scoped_view(login, personas, frozen):
    client = login(personas.cadre)
    _log_with(client, upload("a.jpg", image_bytes()))
    photo = VisitPhoto.objects.get()
    page = client.get(reverse("checklists:visit-detail", args=[photo.visit_id])).content.decode()
    assert reverse("checklists:visit-photo", args=[photo.pk]) in page
    assert photo.image.name not in page  # never a link to the original


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("cadre", 200),
        ("station", 200),
        ("county_bureau", 200),
        ("leader", 200),
        ("admin", 200),
        ("other_city_bureau", 404),
        ("other_province_bureau", 404),
    ],
)
def test_a_photo_is_served_only_in_scope(login, personas, frozen, persona, expected):
    _log_with(login(personas.cadre), upload("a.jpg", image_bytes()))
    photo = VisitPhoto.objects.get()
    url = reverse("checklists:visit-photo", args=[photo.pk])
    assert login(getattr(personas, persona)).get(url).status_code == expected


def test_another_stations_staff_cannot_fetch_the_photo(login, personas, org, frozen):
    _log_with(login(personas.cadre), upload("a.jpg", image_bytes()))
    other = f.UserFactory(role="station", station=org.s_jiangan2)
    url = reverse("checklists:visit-photo", args=[VisitPhoto.objects.get().pk])
    assert login(other).get(url).status_code == 404


def test_a_photo_whose_file_is_gone_answers_404(login, personas, frozen):
    client = login(personas.cadre)
    _log_with(client, upload("a.jpg", image_bytes()))
    photo = VisitPhoto.objects.get()
    photo.image.storage.delete(photo.image.name)
    assert client.get(reverse("checklists:visit-photo", args=[photo.pk])).status_code == 404
