"""A server-rendered SVG bar chart of points by month: plain numbers in, markup out (pure, no
queries, no JS), in the manner of ``liaison.charts``. Points can be negative, so bars grow up
or down from a zero line; every bar carries its value, and the last bar (the current,
provisional month) is hatched so the difference survives black-and-white printing."""

import math
from collections.abc import Sequence
from decimal import Decimal
from html import escape

POSITIVE, NEGATIVE = "#0b4f9c", "#b3261e"
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 24, 40


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _points(value: Decimal) -> str:
    return ("+" if value > 0 else "") + _fmt(float(value))


def _ticks(low: float, high: float) -> list[float]:
    """About five round tick values covering ``low``..``high`` (which include 0)."""
    span = max(high - low, 1.0)
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step / 2:
        ticks.append(value)
        value += step
    return ticks


def points_bar_svg(
    *,
    x_labels: Sequence[str],
    values: Sequence[Decimal],
    title: str,
    y_title: str,
    provisional_label: str,
    width: int = 760,
    height: int = 280,
) -> str:
    """Bars of ``values`` (one per label), a zero line, y ticks and value labels. The last bar
    is marked provisional. ``title`` becomes the accessible name of the image."""
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    numbers = [float(v) for v in values]
    lowest, highest = min([0.0, *numbers]), max([0.0, *numbers])
    ticks = _ticks(lowest, highest if highest > lowest else lowest + 1)
    low, high = ticks[0], ticks[-1]
    n = max(1, len(x_labels))
    slot = plot_w / n
    bar_w = slot * 0.6

    def y_at(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart" '
        f'font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        '<defs><pattern id="provisional" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#5b6877" stroke-width="3"/></pattern></defs>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]
    for tick in ticks:
        y = _fmt(y_at(tick))
        colour = "#5b6877" if tick == 0 else "#d6dde5"
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y}" y2="{y}" stroke="{colour}"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{_fmt(tick)}</text>"
        )
    parts.append(
        f'<text x="12" y="{_fmt(TOP + plot_h / 2)}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_fmt(TOP + plot_h / 2)})">{escape(y_title)}</text>'
    )
    for i, (label, value) in enumerate(zip(x_labels, values, strict=True)):
        centre = LEFT + slot * (i + 0.5)
        top = y_at(max(float(value), 0.0))
        bottom = y_at(min(float(value), 0.0))
        last = i == len(values) - 1
        fill = "url(#provisional)" if last else (POSITIVE if value >= 0 else NEGATIVE)
        stroke = POSITIVE if value >= 0 else NEGATIVE
        if value:
            parts.append(
                f'<rect x="{_fmt(centre - bar_w / 2)}" y="{_fmt(top)}" width="{_fmt(bar_w)}" '
                f'height="{_fmt(max(bottom - top, 1.0))}" fill="{fill}" stroke="{stroke}"/>'
            )
        label_y = top - 4 if value >= 0 else bottom + 12
        parts.append(
            f'<text x="{_fmt(centre)}" y="{_fmt(label_y)}" text-anchor="middle" font-size="10" '
            f'class="bar-value">{escape(_points(value))}</text>'
        )
        parts.append(
            f'<text x="{_fmt(centre)}" y="{TOP + plot_h + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        if last:
            parts.append(
                f'<text x="{_fmt(centre)}" y="{TOP + plot_h + 30}" text-anchor="middle" '
                f'font-size="10" fill="#5b6877">{escape(provisional_label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
