"""File downloads: one way to name an attachment, for every app (stations is the layer all
the others may import)."""

from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    """A download of ``content`` as ``filename``. RFC 6266/5987: an ASCII fallback name for
    old clients, and the real (Chinese) one in UTF-8 that current browsers use."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
