"""Evidence files of a result (佐证材料): a JPEG or PNG photo, checked by Pillow, or a PDF,
checked by its magic bytes. The file name decides nothing."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from checklists import photos as photo_rules

MAX_EVIDENCE_FILES = 6
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class EvidenceInfo:
    content_type: str
    extension: str
    size: int


def inspect_evidence(upload) -> EvidenceInfo:
    """A JPEG or PNG photo (checked by Pillow) or a PDF (checked by its magic bytes), at
    most ``MAX_EVIDENCE_BYTES``; the file name decides nothing."""
    name = getattr(upload, "name", "") or ""
    size = photo_rules.size_of(upload)
    if size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            _("%(name)s is larger than %(mb)d MB.")
            % {"name": name, "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)},
            code="evidence_too_large",
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return EvidenceInfo("application/pdf", "pdf", size)
    try:
        info = photo_rules.inspect_photo(upload)
    except ValidationError:
        raise ValidationError(
            _("%(name)s is not a JPEG or PNG photo or a PDF document.") % {"name": name},
            code="evidence_type",
        ) from None
    return EvidenceInfo(info.content_type, info.extension, size)


def check_evidence(files: Sequence) -> list[EvidenceInfo]:
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            _("At most %(count)d files can be attached to one result.")
            % {"count": MAX_EVIDENCE_FILES},
            code="too_many_files",
        )
    return [inspect_evidence(upload) for upload in files]
