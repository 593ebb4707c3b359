"""Server-rendered SVG charts: plain numbers in, markup out (pure, no queries, no JS).

Lines differ by colour *and* by dash pattern and marker shape, and the provisional bar is
hatched, so a chart stays readable when printed in black and white.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

# (colour, dash pattern, marker) per series, in order.
STYLES = (
    ("#b3261e", "", "circle"),
    ("#0b4f9c", "7 4", "square"),
    ("#1e7b34", "2 3", "triangle"),
    ("#a15c00", "10 3 2 3", "diamond"),
)
Y_TICKS = (0, 25, 50, 75, 100)
# Room around the plot for tick labels, the axis title, month labels and the legend.
LEFT, RIGHT, TOP, BOTTOM = 56, 32, 28, 84


@dataclass(frozen=True)
class Series:
    label: str
    # Percentages 0..100; None where there is nothing to measure (a gap in the line).
    values: Sequence[float | None]
    # Index into STYLES, so a series keeps its look when others are left out; default: its
    # position in the chart.
    style: int | None = None

    def look(self, position: int) -> tuple[str, str, str]:
        index = position if self.style is None else self.style
        return STYLES[index % len(STYLES)]


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _frame(*, width: int, height: int, title: str, defs: str = "") -> list[str]:
    """The opening of a chart: the svg element, its title and a white background."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart" '
        f'font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        *([defs] if defs else []),
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]


def _y_tick(*, left: int, plot_w: float, y: str, label: str, stroke: str = "#d6dde5") -> str:
    """A grid line across the plot at ``y`` and its label left of the axis."""
    return (
        f'<line x1="{left}" x2="{left + plot_w}" y1="{y}" y2="{y}" stroke="{stroke}"/>'
        f'<text x="{left - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
        f"{label}</text>"
    )


def _y_title(text: str, *, x: int, middle: float) -> str:
    """The y-axis title, written upwards at ``x``, centred on the plot's ``middle``."""
    return (
        f'<text x="{x}" y="{_fmt(middle)}" text-anchor="middle" '
        f'transform="rotate(-90 {x} {_fmt(middle)})">{escape(text)}</text>'
    )


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    r = 3.5
    if shape == "square":
        return f'<rect x="{_fmt(x - r)}" y="{_fmt(y - r)}" width="7" height="7" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{_fmt(x)},{_fmt(y - r - 1)} {_fmt(x - r - 1)},{_fmt(y + r)} "
        points += f"{_fmt(x + r + 1)},{_fmt(y + r)}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{_fmt(x)},{_fmt(y - r - 1)} {_fmt(x + r + 1)},{_fmt(y)} "
        points += f"{_fmt(x)},{_fmt(y + r + 1)} {_fmt(x - r - 1)},{_fmt(y)}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{r}" fill="{colour}"/>'


def _segments(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive points; a None breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


LABEL_GAP = 11


def _label_positions(ys: list[float], top: float) -> list[float]:
    """Baselines for the value labels of one month: just above each point, at least
    LABEL_GAP apart, and not above the top of the chart. Returned in the order given."""
    order = sorted(range(len(ys)), key=lambda k: ys[k])
    placed: dict[int, float] = {}
    previous = None
    for k in order:
        y = ys[k] - 7
        if previous is not None:
            y = max(y, previous + LABEL_GAP)
        placed[k] = previous = y
    shift = max(0.0, top + 2 - placed[order[0]]) if order else 0.0
    return [placed[k] + shift for k in range(len(ys))]


def line_chart_svg(
    *,
    x_labels: Sequence[str],
    series: Sequence[Series],
    title: str,
    y_title: str,
    empty_text: str,
    width: int = 760,
    height: int = 340,
) -> str:
    """A line chart of percentages with y-axis ticks, x-axis labels, a legend and a value
    label on every point. ``title`` becomes the accessible name of the image."""
    left, right, top, bottom = LEFT, RIGHT, TOP, BOTTOM
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(x_labels)

    def x_at(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y_at(value: float) -> float:
        return top + plot_h * (1 - value / 100)

    parts = _frame(width=width, height=height, title=title)
    for tick in Y_TICKS:
        parts.append(_y_tick(left=left, plot_w=plot_w, y=_fmt(y_at(tick)), label=f"{tick}%"))
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#5b6877"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="#5b6877"/>'
    )
    parts.append(_y_title(y_title, x=14, middle=top + plot_h / 2))
    step = max(1, math.ceil(n / 12))
    for i, label in enumerate(x_labels):
        if i % step and i != n - 1:
            continue
        parts.append(
            f'<text x="{_fmt(x_at(i))}" y="{top + plot_h + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    has_data = any(v is not None for s in series for v in s.values)
    if not has_data:
        parts.append(
            f'<text x="{_fmt(left + plot_w / 2)}" y="{_fmt(top + plot_h / 2)}" '
            f'text-anchor="middle" fill="#5b6877">{escape(empty_text)}</text>'
        )
    labels: dict[int, list[tuple[float, str, str]]] = {}
    for index, s in enumerate(series):
        colour, dash, shape = s.look(index)
        points = [
            None if v is None else (x_at(i), y_at(max(0.0, min(100.0, v))))
            for i, v in enumerate(s.values[:n])
        ]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _segments(points):
            coords = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in run)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash_attr}/>'
            )
        for i, point in enumerate(points):
            if point is not None:
                parts.append(_marker(shape, *point, colour))
                labels.setdefault(i, []).append((point[1], f"{_fmt(s.values[i])}%", colour))
    # Value labels last, over the lines, each with a white halo; labels of one month are
    # stacked so that close values never print over each other.
    for i, column in labels.items():
        positions = _label_positions([point_y for point_y, _text, _colour in column], top)
        for label_y, (_point_y, text, colour) in zip(positions, column, strict=True):
            parts.append(
                f'<text x="{_fmt(x_at(i))}" y="{_fmt(label_y)}" text-anchor="middle" '
                f'font-size="10" fill="{colour}" stroke="#fff" stroke-width="3" '
                f'paint-order="stroke">{escape(text)}</text>'
            )
    legend_y = height - 22
    legend_x = left
    for index, s in enumerate(series):
        colour, dash, shape = s.look(index)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<g class="legend-item"><line x1="{legend_x}" x2="{legend_x + 28}" '
            f'y1="{legend_y}" y2="{legend_y}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            + _marker(shape, legend_x + 14, legend_y, colour)
            + f'<text x="{legend_x + 34}" y="{legend_y}" dominant-baseline="middle">'
            f"{escape(s.label)}</text></g>"
        )
        legend_x += 48 + 14 * len(s.label) + 20
    parts.append("</svg>")
    return "".join(parts)


# --- Bars: points by month ---------------------------------------------------------------------

POSITIVE, NEGATIVE = "#0b4f9c", "#b3261e"
# Room around the bars for tick labels, the axis title and the month labels.
BAR_LEFT, BAR_RIGHT, BAR_TOP, BAR_BOTTOM = 48, 16, 24, 40
HATCH = (
    '<defs><pattern id="provisional" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#5b6877" stroke-width="3"/></pattern></defs>'
)


def _signed(value: Decimal) -> str:
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
    """Bars of points by month (one per label): points can be negative, so bars grow up or
    down from a zero line, with y ticks and a value on every bar. The last bar (the current
    month) is hatched and marked provisional. ``title`` becomes the accessible name."""
    left, top = BAR_LEFT, BAR_TOP
    plot_w, plot_h = width - left - BAR_RIGHT, height - top - BAR_BOTTOM
    numbers = [float(v) for v in values]
    lowest, highest = min([0.0, *numbers]), max([0.0, *numbers])
    ticks = _ticks(lowest, highest if highest > lowest else lowest + 1)
    low, high = ticks[0], ticks[-1]
    n = max(1, len(x_labels))
    slot = plot_w / n
    bar_w = slot * 0.6

    def y_at(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    parts = _frame(width=width, height=height, title=title, defs=HATCH)
    for tick in ticks:
        stroke = "#5b6877" if tick == 0 else "#d6dde5"
        parts.append(
            _y_tick(left=left, plot_w=plot_w, y=_fmt(y_at(tick)), label=_fmt(tick), stroke=stroke)
        )
    parts.append(_y_title(y_title, x=12, middle=top + plot_h / 2))
    for i, (label, value) in enumerate(zip(x_labels, values, strict=True)):
        centre = left + slot * (i + 0.5)
        bar_top = y_at(max(float(value), 0.0))
        bar_bottom = y_at(min(float(value), 0.0))
        last = i == len(values) - 1
        fill = "url(#provisional)" if last else (POSITIVE if value >= 0 else NEGATIVE)
        stroke = POSITIVE if value >= 0 else NEGATIVE
        if value:
            parts.append(
                f'<rect x="{_fmt(centre - bar_w / 2)}" y="{_fmt(bar_top)}" '
                f'width="{_fmt(bar_w)}" height="{_fmt(max(bar_bottom - bar_top, 1.0))}" '
                f'fill="{fill}" stroke="{stroke}"/>'
            )
        label_y = bar_top - 4 if value >= 0 else bar_bottom + 12
        parts.append(
            f'<text x="{_fmt(centre)}" y="{_fmt(label_y)}" text-anchor="middle" font-size="10" '
            f'class="bar-value">{escape(_signed(value))}</text>'
        )
        parts.append(
            f'<text x="{_fmt(centre)}" y="{top + plot_h + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        if last:
            parts.append(
                f'<text x="{_fmt(centre)}" y="{top + plot_h + 30}" text-anchor="middle" '
                f'font-size="10" fill="#5b6877">{escape(provisional_label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
