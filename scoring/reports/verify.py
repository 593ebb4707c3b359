"""Verification codes (验证码): every issued PDF prints a random code on each page; the
code's record holds the SHA-256 of the PDF's exact bytes and what the PDF certifies (kind,
subject, period, when and by whom it was generated)."""

import hashlib
import re
import secrets

from django.db import transaction

from scoring.reports.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    IssuedReport,
    ReportKind,
    display_code,
)

__all__ = ["display_code", "find", "matches", "new_code", "normalize_code", "record_issue"]
from scoring.reports.period import ReportPeriod
from scoring.reports.render import Rendered

_SEPARATORS = re.compile(r"[\s\-－—_·.]+")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str | None:
    """A code as people type it ("abcd-efgh jkmn") in its stored form, or None when it
    cannot be a code."""
    code = _SEPARATORS.sub("", text or "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def matches(report: IssuedReport, data: bytes) -> bool:
    """Whether ``data`` are the exact bytes of the issued PDF."""
    return secrets.compare_digest(digest(data), report.sha256)


def find(code_text: str) -> IssuedReport | None:
    code = normalize_code(code_text)
    if code is None:
        return None
    return (
        IssuedReport.objects.select_related("cadre__user", "bureau", "generated_by")
        .filter(code=code)
        .first()
    )


@transaction.atomic
def record_issue(
    *,
    code: str,
    kind: ReportKind,
    subject: str,
    period: ReportPeriod,
    rendered: Rendered,
    by,
    at,
    cadre=None,
    bureau=None,
) -> IssuedReport:
    """Store what the rendered PDF certifies under the code printed on it."""
    return IssuedReport.objects.create(
        code=code,
        kind=kind,
        cadre=cadre,
        bureau=bureau,
        subject=subject[:200],
        period_start=period.start,
        period_end=period.end,
        sha256=digest(rendered.pdf),
        pages=rendered.pages,
        size=len(rendered.pdf),
        generated_at=at,
        generated_by=by,
    )
