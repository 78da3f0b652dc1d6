"""Small server-rendered SVG charts for the teacher's pages: no JavaScript, no library, no CDN.

Contracts:

* Each chart is one ``<svg role="img" aria-labelledby="…">`` whose ``<title>`` and ``<desc>``
  carry the caller's (translated) title and description, so a screen reader announces it as
  one image; the page shows the same numbers in a table beside it.
* Every text is escaped here: a label may be anything a teacher typed.
* One dark fill, value labels on the bars and a dashed reference line, so a grayscale print
  loses nothing; nothing refers to anything outside the SVG.
* A ``viewBox`` and no fixed size: the chart takes its container's width (down to 375 px
  screens); a page limits it with CSS on the ``chart`` class.
* *id_prefix* must be unique on the page (it names the title and description elements).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

# One dark fill (about 9:1 against white, and still dark in grayscale) and near-black text.
BAR_FILL = "#264a73"
INK = "#1b1b1b"
RULE = "#595959"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
FONT_SIZE = 14
WIDTH = 440  # viewBox units: on a 375 px screen the text still renders at about 11 px
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
LABEL_CHARS = 14  # longer labels are cut with "…" (the table beside the chart has them whole)


def histogram_svg(
    counts: Sequence[int],
    edges: Sequence[str],
    *,
    title: str,
    description: str,
    id_prefix: str = "histogram",
    x_label: str = "",
) -> str:
    """A vertical bar per bin (e.g. attempts per 10 % band of the score), count above each.

    *edges* are the bins' boundary labels (one more than *counts*, e.g. "0" … "100"), shown
    under the boundaries so ten bins still fit a phone. *x_label* names the axis (e.g. "Score
    (%)"). Mismatched lengths or a negative count raise ``ValueError``.
    """
    if len(edges) != len(counts) + 1:
        raise ValueError("a histogram needs one more edge label than bins")
    if any(count < 0 for count in counts):
        raise ValueError("a count cannot be negative")
    left, right, top = 16, 16, 24
    plot_height = 170
    baseline = top + plot_height
    height = baseline + (50 if x_label else 30)
    slot = (WIDTH - left - right) / max(len(counts), 1)
    tallest = max(counts, default=0) or 1
    parts = []
    for i, count in enumerate(counts):
        bar_height = plot_height * count / tallest
        x = left + i * slot
        parts.append(
            f'<rect x="{_n(x + 2)}" y="{_n(baseline - bar_height)}" width="{_n(slot - 4)}" '
            f'height="{_n(bar_height)}" fill="{BAR_FILL}"/>'
        )
        parts.append(
            _text(str(count), x=x + slot / 2, y=baseline - bar_height - 6, anchor="middle")
        )
    parts.append(_line(left, baseline, WIDTH - right, baseline))
    for i, edge in enumerate(edges):
        x = left + i * slot
        parts.append(_line(x, baseline, x, baseline + 5))
        parts.append(_text(edge, x=x, y=baseline + 20, anchor="middle"))
    if x_label:
        parts.append(_text(x_label, x=WIDTH / 2, y=baseline + 42, anchor="middle"))
    return _svg(parts, height=height, title=title, description=description, id_prefix=id_prefix)


def bars_svg(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    description: str,
    value_labels: Sequence[str] | None = None,
    min_value: float = 0,
    max_value: float = 1,
    marker: float | None = None,
    marker_label: str = "",
    id_prefix: str = "bars",
) -> str:
    """A horizontal bar per label (e.g. each question's facility), its value written beside it.

    The axis runs from *min_value* to *max_value* (e.g. −1 to 1 for discrimination, bars
    then grow left or right of a zero line); a value outside is drawn up to the edge, its
    label still saying the value. ``None`` draws no bar (an undefined figure). *value_labels*
    are the texts written beside the bars (default: the value as a whole percentage, "–" for
    ``None``), so the caller formats numbers for its locale. *marker* draws a dashed
    reference line at that value, named by *marker_label*. Mismatched lengths, or
    *min_value* ≥ *max_value*, raise ``ValueError``.
    """
    if len(values) != len(labels):
        raise ValueError("one value per label")
    if value_labels is not None and len(value_labels) != len(labels):
        raise ValueError("one value label per label")
    if not min_value < max_value:
        raise ValueError("min_value must be below max_value")
    if value_labels is None:
        value_labels = ["–" if v is None else f"{round(v * 100)}%" for v in values]
    label_width, value_width, top, row = 132, 52, 28 if marker_label else 8, 26
    plot_left, plot_right = label_width, WIDTH - value_width
    bottom = top + row * len(labels)
    height = bottom + 8

    def x_of(value: float) -> float:
        clamped = min(max(value, min_value), max_value)
        return plot_left + (plot_right - plot_left) * (clamped - min_value) / (
            max_value - min_value
        )

    zero = x_of(0)
    parts = []
    for i, (label, value, value_label) in enumerate(zip(labels, values, value_labels, strict=True)):
        y = top + i * row
        middle = y + row / 2 + FONT_SIZE / 3
        parts.append(_text(_cut(label), x=label_width - 8, y=middle, anchor="end"))
        if value is not None:
            end = x_of(value)
            parts.append(
                f'<rect x="{_n(min(zero, end))}" y="{_n(y + 4)}" width="{_n(abs(end - zero))}" '
                f'height="{_n(row - 8)}" fill="{BAR_FILL}"/>'
            )
        parts.append(_text(value_label, x=plot_right + 8, y=middle, anchor="start"))
    parts.append(_line(zero, top, zero, bottom))
    if marker is not None:
        x = x_of(marker)
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(top - 4)}" x2="{_n(x)}" y2="{_n(bottom)}" '
            f'stroke="{INK}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
        if marker_label:
            anchor = "end" if x > plot_right - 40 else "start" if x < plot_left + 40 else "middle"
            parts.append(_text(marker_label, x=x, y=top - 10, anchor=anchor))
    return _svg(parts, height=height, title=title, description=description, id_prefix=id_prefix)


def _n(number: float) -> str:
    """A coordinate, short: 12, 12.5."""
    return f"{number:.1f}".removesuffix(".0")


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _text(text: str, *, x: float, y: float, anchor: str) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{INK}">'
        f"{escape(text, quote=False)}</text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="{RULE}" stroke-width="1"/>'
    )


def _svg(parts: list[str], *, height: float, title: str, description: str, id_prefix: str) -> str:
    if not _ID.match(id_prefix):
        raise ValueError(f"not a usable id prefix: {id_prefix!r}")
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'role="img" aria-labelledby="{title_id}" aria-describedby="{desc_id}" '
        f'font-family="{escape(FONT)}" font-size="{FONT_SIZE}">'
        f'<title id="{title_id}">{escape(title, quote=False)}</title>'
        f'<desc id="{desc_id}">{escape(description, quote=False)}</desc>'
        + "".join(parts)
        + "</svg>"
    )
