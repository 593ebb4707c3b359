"""HTML → A4 PDF with WeasyPrint. The stylesheet (templates/scoring/pdf/base.css) declares
the CJK font on ``@page``, ``html`` and every margin box: margin boxes do not inherit the
body's font, and without a CJK font Chinese prints as boxes without any error."""

from dataclasses import dataclass

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

FONT = "Noto Sans CJK SC"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside a <style> element."""
    escaped = (
        str(text)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\a ")
        .replace("<", "\\3c ")
    )
    return f'"{escaped}"'


def page_counter_css() -> str:
    """The CSS ``content`` value of "Page X of Y" in the current language: the translated
    sentence with its placeholders turned into ``counter(page)`` and ``counter(pages)``."""
    marker = "\x00"
    text = _("Page %(page)s of %(pages)s") % {
        "page": f"{marker}page{marker}",
        "pages": f"{marker}pages{marker}",
    }
    parts = text.split(marker)
    css = []
    for i, part in enumerate(parts):
        if i % 2:
            css.append(f"counter({part})")
        elif part:
            css.append(css_string(part))
    return " ".join(css)


def margin_css(*, title: str, period: str, code: str, verify_url: str) -> dict[str, str]:
    """The ``content`` values of the page-margin boxes (the template puts them in CSS)."""
    return {
        "top_left": css_string(title),
        "top_right": css_string(period),
        "bottom_left": css_string(
            _("Verification code %(code)s · check it at %(url)s")
            % {"code": code, "url": verify_url}
        ),
        "bottom_right": page_counter_css(),
    }


def render_pdf(template_name: str, context: dict) -> Rendered:
    """Render the template and lay it out as a PDF."""
    html = render_to_string(template_name, {"font": FONT, **context})
    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return Rendered(pdf=document.write_pdf(), pages=len(document.pages))
