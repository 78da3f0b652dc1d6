"""Filters for the teachers' score pages: shares of the marks as percentages, signed changes."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from quizzes.fractions import fraction_percent

register = template.Library()


def _short(value: Decimal, places: str) -> str:
    text = format(value.quantize(Decimal(places), rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def percent(fraction: Decimal | None) -> str:
    """A share of the marks as a percentage to one place: 0.5 → "50 %", None → "—"."""
    if fraction is None:
        return "—"
    return f"{_short(Decimal(fraction) * 100, '0.1')}\u00a0%"


@register.filter
def grade(fraction: Decimal | None) -> str:
    """A key row's grade as the authoring menu words it: 1 → "100 %", 0.3333333 → "33.3 %"."""
    return fraction_percent(fraction)


@register.filter
def signed(value: Decimal | None) -> str:
    """A change in points with its sign, to two places: "+1.5", "−0.25", "0"."""
    if value is None:
        return "—"
    text = _short(abs(Decimal(value)), "0.01")
    if text == "0":
        return "0"
    return f"+{text}" if value > 0 else f"\u2212{text}"
