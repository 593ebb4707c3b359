"""Fixtures for the visit pages: a fixed clock, the default checklists, photos on disk."""

import datetime as dt
import importlib
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

SH = ZoneInfo("Asia/Shanghai")
# Wednesday 18 November 2026, 10:00 in Wuhan: the county week is 16–22 November.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=SH)
ATTESTATIONS = [
    "no_notice",
    "no_greeting",
    "no_report",
    "no_escort",
    "straight_to_grassroots",
    "straight_to_scene",
]


@pytest.fixture(autouse=True)
def checklist_defaults(db):
    """The defaults of the data migration (a transactional test elsewhere may have flushed
    them); the seed is an insert-if-missing, so calling it again is harmless."""
    seed = importlib.import_module("checklists.migrations.0002_seed_defaults").seed
    seed(apps, None)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def image_bytes(fmt="JPEG", size=(40, 30), gps=None) -> bytes:
    image = Image.new("RGB", size, "steelblue")
    buffer = io.BytesIO()
    kwargs = {}
    if gps is not None:
        (lat, lat_ref), (lon, lon_ref) = gps
        exif = Image.Exif()
        exif[ExifTags.IFD.GPSInfo] = {1: lat_ref, 2: lat, 3: lon_ref, 4: lon}
        kwargs["exif"] = exif
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def form_data(when=None, *, six=True, inspected=(), activities=(), problems=(), **extra):
    """POST data for the visit form. ``problems``: (category pk, description) pairs."""
    when = when or NOW - dt.timedelta(hours=1)
    data = {
        "visited_at_0": when.astimezone(SH).strftime("%Y-%m-%d"),
        "visited_at_1": when.astimezone(SH).strftime("%H:%M"),
        "inspected": list(inspected),
        "activities": list(activities),
        "findings": extra.pop("findings", ""),
        "problems-TOTAL_FORMS": "5",
        "problems-INITIAL_FORMS": "0",
        "problems-MIN_NUM_FORMS": "0",
        "problems-MAX_NUM_FORMS": "5",
    }
    if six is True:
        six = ATTESTATIONS
    for name in six or ():
        data[name] = "on"
    for i, (category, description) in enumerate(problems):
        data[f"problems-{i}-category"] = str(category)
        data[f"problems-{i}-description"] = description
    data.update(extra)
    return data
