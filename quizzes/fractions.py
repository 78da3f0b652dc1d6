"""A share of a question's marks as teachers read and choose it: a percentage from a menu.

The stored value stays the key row's `fraction` (a Decimal, 7 places); only its words change.
The menu is Moodle's (question_bank::fraction_options_full): every p/q for q <= 6, every tenth,
1/q for q <= 10 and 1/20, with the same negatives for choices that take marks away. A value
outside the menu (an imported 0.35) is offered too, so it shows and saves unchanged.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

PLACES = Decimal("0.0000001")  # the 7 places of the stored fractions

MENU_POSITIVE = [
    Decimal(v)
    for v in (
        "1", "0.9", "0.8333333", "0.8", "0.75", "0.7", "0.6666667", "0.6", "0.5", "0.4",
        "0.3333333", "0.3", "0.25", "0.2", "0.1666667", "0.1428571", "0.125", "0.1111111",
        "0.1", "0.05",
    )
]  # fmt: skip


def fraction_key(value: Decimal) -> str:
    """The value a menu option carries: the fraction at its stored 7 places."""
    return format(Decimal(value).quantize(PLACES), "f")


def fraction_percent(value: Decimal | None) -> str:
    """ "100 %", "83.3 %", "0 %", "-50 %": one decimal for the menu's values, all the places a
    value outside the menu needs (two different fractions never read the same)."""
    if value is None:
        return "—"
    value = Decimal(value)
    percent = value * 100
    short = percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if abs(value) not in MENU_POSITIVE and value != 0:
        short = percent.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)
    text = f"{short.normalize():f}"
    return f"{'0' if text in ('0', '-0') else text}\u00a0%"


def fraction_menu(*, minimum: Decimal, maximum: Decimal = Decimal(1)) -> list[tuple[str, str]]:
    """(value, label) pairs from the best mark down to the worst, "none" (0) among them."""
    values = [v for v in MENU_POSITIVE if v <= maximum]
    values += [Decimal(0)]
    values += [-v for v in reversed(MENU_POSITIVE) if -v >= minimum]
    return [
        (fraction_key(v), _("none (0\u00a0%)") if v == 0 else fraction_percent(v)) for v in values
    ]


def parse_fraction(value: object) -> Decimal | None:
    """A posted menu value as a Decimal at 7 places, or None when it is not a number."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(PLACES)
