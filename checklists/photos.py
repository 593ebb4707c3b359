"""Visit photos: the type is decided by the content (Pillow), never by the file name.

The original file, with its metadata, stays on the server; the GPS position from its EXIF
is read into columns; pages are served a re-encoded copy without any metadata. Uploads
(photos and evidence files) are stored under random names by ``store_uploads``.
"""

import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Pillow format → (content type, file extension). Nothing else is accepted.
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}


@dataclass(frozen=True)
class PhotoInfo:
    content_type: str
    extension: str
    size: int
    width: int
    height: int
    gps_latitude: Decimal | None
    gps_longitude: Decimal | None


def size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    return size


def _degrees(value, ref) -> Decimal | None:
    """EXIF degrees/minutes/seconds rationals → signed decimal degrees (6 places)."""
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode(errors="ignore")
    if str(ref).strip().upper() in {"S", "W"}:
        degrees = -degrees
    return Decimal(f"{degrees:.6f}")


def _gps(image: Image.Image) -> tuple[Decimal | None, Decimal | None]:
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # noqa: BLE001 - broken metadata must not refuse a valid photo
        return None, None
    if not gps:
        return None, None
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def inspect_photo(upload) -> PhotoInfo:
    """Check one uploaded file; raise ValidationError (in the user's language) unless it is
    a JPEG or PNG image of at most ``MAX_PHOTO_BYTES``."""
    name = getattr(upload, "name", "") or ""
    size = size_of(upload)
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("%(name)s is larger than %(mb)d MB.")
            % {"name": name, "mb": MAX_PHOTO_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            probe.verify()
        if fmt not in FORMATS:
            raise ValueError(fmt)
        upload.seek(0)
        with Image.open(upload) as image:  # verify() leaves the image unusable: reopen
            width, height = image.size
            latitude, longitude = _gps(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("%(name)s is not a JPEG or PNG photo.") % {"name": name}, code="photo_type"
        ) from None
    finally:
        upload.seek(0)
    content_type, extension = FORMATS[fmt]
    return PhotoInfo(content_type, extension, size, width, height, latitude, longitude)


def stripped_copy(fileobj) -> tuple[bytes, str]:
    """A re-encoded copy of a stored photo without EXIF or any other metadata, turned
    upright first (phones record the rotation in EXIF). Returns (bytes, content type)."""
    with Image.open(fileobj) as original:
        fmt = original.format if original.format in FORMATS else "JPEG"
        image = ImageOps.exif_transpose(original)
        image.info = {}
        out = io.BytesIO()
        if fmt == "JPEG":
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.save(out, "JPEG", quality=85, optimize=True)
        else:
            image.save(out, "PNG", optimize=True)
    return out.getvalue(), FORMATS[fmt][0]


def stripped_response(stored) -> HttpResponse:
    """A stored photo (a ``FieldFile``) as pages see it: re-encoded without EXIF, cached
    privately for an hour; 404 when the file is gone from storage."""
    try:
        with stored.open("rb") as original:
            content, content_type = stripped_copy(original)
    except OSError:  # the file is gone from storage
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def store_uploads(
    model: type[models.Model], items: Iterable[tuple[models.Model, object, str]], *, field: str
) -> None:
    """Write each upload into the file ``field`` of its unsaved row under a random name
    with the given extension (the file name says nothing), then insert the rows in one
    statement. If anything fails, the files already written are removed and the error goes
    on (the caller's transaction rolls back). ``items`` (row, upload, extension) may be a
    generator: a row that fails to build counts as a failure too."""
    rows = []
    try:
        for row, upload, extension in items:
            upload.seek(0)
            getattr(row, field).save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
            rows.append(row)
        model.objects.bulk_create(rows)
    except Exception:
        for row in rows:
            getattr(row, field).delete(save=False)
        raise
