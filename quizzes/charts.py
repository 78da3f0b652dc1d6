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

from collections.abc import Sequence


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
    raise NotImplementedError


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
    raise NotImplementedError
