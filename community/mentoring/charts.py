"""Charts drawn on the server as SVG, for the report: pure functions that take labels and
numbers and return escaped markup (`markupsafe`), no JavaScript and no library.

Each chart is `role="img"` with a `<title>` and a `<desc>` (named by `aria-labelledby`),
draws its labels and values as text (colour never carries the meaning alone: every bar and
segment has its number, a stacked bar's series are in a fixed order named by the legend),
and uses colours with at least 3:1 contrast against the page in both themes (the classes
are styled in `static/css/mentoring-report.css`; the `fill` attributes are the light
theme's, for a chart seen without the stylesheet). The page puts each chart's data table
after it. The drawing is 360 units wide, about a phone's width, so its 15-unit text stays
legible at 390 px and the stylesheet caps how far it grows on a desktop.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 360
VALUE_ROOM = 92  # right of the longest bar: "25 of 65"
FONT = 15
ROW = 52  # a label line, then its bar
BAR = 20
BAR_FILL = "#a0461f"
SERIES_FILLS = ("#1f5f6b", "#5b3f8c", "#6b5415", "#8c2f5a")  # ≥ 7:1 on white, white text ok
TEXT_FILL = "#2a211c"


def _number(value: float) -> str:
    return f"{value:.1f}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"


def _frame(chart_id: str, title: str, description: str, height: int, body: str) -> Markup:
    cid = escape(chart_id)
    # Every text put into the markup below and in `body` went through `escape`.
    return Markup(  # noqa: S704
        f'<svg class="chart" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(description)}</desc>{body}</svg>'
    )


def _text(x: float, y: float, content: str, css: str = "chart__label", **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    return (
        f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" font-size="{FONT}" '
        f'fill="{TEXT_FILL}"{extra}>{escape(content)}</text>'
    )


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, float]],
    *,
    total: int | None = None,
    of_words: str = "of",
) -> Markup:
    """A horizontal bar chart: for each (label, value) the label on a line, then a bar and
    the value ("4 of 10" when `total` is given: the bars are then drawn against it)."""
    scale = max([total or 0, *(value for _label, value in rows), 1])
    span = WIDTH - VALUE_ROOM
    parts = []
    for index, (label, value) in enumerate(rows):
        top = index * ROW
        length = span * value / scale
        shown = _number(value) if total is None else f"{_number(value)} {of_words} {total}"
        parts.append(_text(0, top + FONT, label))
        parts.append(
            f'<rect class="chart__track" x="0" y="{top + 22}" width="{span}" height="{BAR}" '
            f'fill="none" stroke="#d9cbbd"/>'
        )
        if length > 0:
            parts.append(
                f'<rect class="chart__bar" x="0" y="{top + 22}" width="{max(length, 2):.1f}" '
                f'height="{BAR}" fill="{BAR_FILL}"/>'
            )
        parts.append(_text(max(length, 0) + 6, top + 22 + BAR - 4, shown, "chart__value",
                           font_weight="600"))  # fmt: skip
    height = max(len(rows) * ROW, ROW)
    return _frame(chart_id, title, description, height, "".join(parts))


def stacked_chart(
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int]]],
    *,
    empty_words: str = "no answers yet",
) -> Markup:
    """A stacked horizontal bar per row (e.g. the outcomes at each checkpoint): the legend
    names `series` in stack order; each row is its label, then its segments drawn against
    the largest row, each segment with its count (when it is wide enough: the data table
    has them all) and the row's total at its end. A row without answers says so."""
    legend, x, y = [], 0.0, FONT
    for index, name in enumerate(series):
        width = 22 + len(name) * 8.2
        if x and x + width > WIDTH:
            x, y = 0.0, y + 24
        fill = SERIES_FILLS[index % len(SERIES_FILLS)]
        legend.append(
            f'<rect class="chart__seg chart__seg--{index}" x="{x:.1f}" y="{y - 13}" width="16" '
            f'height="16" fill="{fill}"/>'
        )
        legend.append(_text(x + 20, y, name))
        x += width + 10
    offset = y + 18
    scale = max([sum(values) for _label, values in rows] + [1])
    span = WIDTH - VALUE_ROOM
    parts = []
    for row_index, (label, values) in enumerate(rows):
        top = offset + row_index * ROW
        parts.append(_text(0, top + FONT, label))
        total = sum(values)
        if not total:
            parts.append(
                _text(0, top + 22 + BAR - 4, empty_words, "chart__value chart__value--muted")
            )
            continue
        left = 0.0
        for index, value in enumerate(values):
            if not value:
                continue
            width = span * value / scale
            fill = SERIES_FILLS[index % len(SERIES_FILLS)]
            parts.append(
                f'<rect class="chart__seg chart__seg--{index}" x="{left:.1f}" y="{top + 22}" '
                f'width="{max(width - 2, 1):.1f}" height="{BAR}" fill="{fill}"/>'
            )
            if width >= 8 + 9 * len(str(value)):
                parts.append(_text(left + 4, top + 22 + BAR - 4, str(value),
                                   "chart__seg-value", fill="#ffffff"))  # fmt: skip
            left += width
        parts.append(_text(left + 6, top + 22 + BAR - 4, str(total), "chart__value",
                           font_weight="600"))  # fmt: skip
    height = int(offset + max(len(rows), 1) * ROW)
    return _frame(chart_id, title, description, height, "".join(legend + parts))
