"""The SVG trend chart: pure, no database."""

import xml.etree.ElementTree as ET

from liaison.charts import BOTTOM, LEFT, RIGHT, STYLES, TOP, Series, line_chart_svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def chart(series, labels=("2026-09", "2026-10", "2026-11"), **kw):
    svg = line_chart_svg(
        x_labels=list(labels),
        series=series,
        title=kw.pop("title", "走访达标率月度趋势"),
        y_title="走访达标率",
        empty_text="无数据",
        **kw,
    )
    return svg, ET.fromstring(svg)


def texts(root):
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_the_chart_is_well_formed_svg_with_axis_ticks_labels_and_a_title():
    svg, root = chart([Series("省", [50, 75.5, 100])])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img" and root.get("aria-label") == "走访达标率月度趋势"
    assert root.find("svg:title", NS).text == "走访达标率月度趋势"
    labels = texts(root)
    for tick in ("0%", "25%", "50%", "75%", "100%"):
        assert tick in labels
    assert {"2026-09", "2026-10", "2026-11", "走访达标率"} <= set(labels)


def test_every_point_carries_its_percentage():
    _svg, root = chart([Series("省", [50, 75.5, 100])])
    assert {"50%", "75.5%", "100%"} <= set(texts(root))
    assert len(root.findall(".//svg:circle", NS)) == 3 + 1  # three points and the legend


def test_tiers_differ_by_dash_and_marker_so_black_and_white_print_stays_readable():
    series = [Series("省", [10, 20, 30]), Series("市", [40, 50, 60]), Series("县", [70, 80, 90])]
    _svg, root = chart(series)
    lines = root.findall("svg:polyline", NS)
    assert [line.get("stroke-dasharray") for line in lines] == [None, STYLES[1][1], STYLES[2][1]]
    assert len({line.get("stroke") for line in lines}) == 3
    assert len(root.findall(".//svg:rect", NS)) >= 1 + 3  # background + squares
    assert len(root.findall(".//svg:polygon", NS)) == 3 + 1  # triangles + legend triangle
    legend = [g.find("svg:text", NS).text for g in root.findall("svg:g", NS)]
    assert legend == ["省", "市", "县"]


def test_a_month_without_required_periods_leaves_a_gap_in_the_line():
    _svg, root = chart([Series("县", [50, None, 100])])
    assert len(root.findall("svg:polyline", NS)) == 2
    assert "None%" not in texts(root)


def test_values_map_top_to_100_and_bottom_to_0():
    _svg, root = chart([Series("县", [0, 100])], labels=("2026-10", "2026-11"))
    (line,) = root.findall("svg:polyline", NS)
    (x0, y0), (x1, y1) = (tuple(map(float, p.split(","))) for p in line.get("points").split())
    assert y0 > y1 and x0 < x1
    assert y1 == TOP
    assert y0 == 340 - BOTTOM  # the default height minus the bottom margin


def test_an_empty_chart_says_so():
    _svg, root = chart([Series("省", [None, None, None])])
    assert "无数据" in texts(root)
    assert root.findall("svg:polyline", NS) == []


def test_text_is_escaped():
    svg, root = chart([Series("<b>&", [1, 2, 3])], title='a "quoted" <title>')
    assert "<b>" not in svg
    assert root.find("svg:title", NS).text == 'a "quoted" <title>'
    assert "<b>&" in texts(root)


def test_a_single_month_is_drawn_in_the_middle():
    _svg, root = chart([Series("县", [40])], labels=("2026-11",))
    circles = root.findall("svg:circle", NS)
    assert float(circles[0].get("cx")) == LEFT + (760 - LEFT - RIGHT) / 2


def test_long_ranges_thin_out_the_month_labels():
    labels = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]
    _svg, root = chart([Series("县", [50] * 36)], labels=labels)
    shown = [t for t in texts(root) if t in labels]
    assert 12 <= len(shown) <= 13 and labels[-1] in shown


def test_a_series_can_keep_its_style_when_others_are_left_out():
    _svg, root = chart([Series("市", [10, 20, 30], style=1)])
    (line,) = root.findall("svg:polyline", NS)
    assert (line.get("stroke"), line.get("stroke-dasharray")) == STYLES[1][:2]
    assert len(root.findall(".//svg:rect", NS)) == 1 + 3 + 1  # background, points, legend
