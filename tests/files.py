"""What tests read out of the files the app serves: the text of a PDF (poppler's pdftotext,
so a missing CJK font or a wrong page shows as missing words)."""

import subprocess
from pathlib import Path


def pdf_text(pdf: bytes | Path, *, layout: str = "-layout") -> str:
    """The text of a PDF given as bytes or as a path; ``layout="-raw"`` keeps the content
    stream's order instead of the page's columns."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    return subprocess.run(
        ["pdftotext", layout, "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
