"""Form fields for marking a question's key: a grade menu and a "correct" radio per row.

Both write the key row's `fraction`; the authoring rules (quizzes.authoring) still decide
whether the key is valid, from the fractions they produce.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from quizzes.fractions import fraction_key, fraction_menu, fraction_percent, parse_fraction


class FractionSelect(forms.Select):
    """Shows a stored Decimal (0, 0E-7, 1.0000000) as the menu option it equals."""

    def format_value(self, value: Any) -> Any:
        number = parse_fraction(value) if value not in (None, "") else None
        return super().format_value(fraction_key(number) if number is not None else value)


class FractionChoiceField(forms.ChoiceField):
    """A grade menu; the value a row already holds is offered too (an imported 0.35 stays)."""

    widget = FractionSelect

    def __init__(self, *, minimum: Decimal, maximum: Decimal = Decimal(1), **kwargs: Any) -> None:
        kwargs.setdefault("initial", Decimal(0))  # as the model field's default: a blank row
        self.options = fraction_menu(minimum=minimum, maximum=maximum)
        super().__init__(choices=self.options, **kwargs)

    def offer(self, value: Decimal | None) -> None:
        """Add `value` to the menu when it is not on it (a row's saved fraction)."""
        if value is None:
            return
        key = fraction_key(value)
        if all(option != key for option, _label in self.options):
            self.options = [*self.options, (key, fraction_percent(value))]
            self.choices = self.options

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        number = parse_fraction(value)
        if number is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return number

    def valid_value(self, value: Any) -> bool:
        return any(parse_fraction(option) == value for option, _label in self.options)

    def has_changed(self, initial: Any, data: Any) -> bool:
        before = parse_fraction(initial) if initial not in (None, "") else None
        after = parse_fraction(data) if data not in (None, "") else None
        return before != after


class RowRadio(forms.CheckboxInput):
    """One radio of a group that spans the rows of an inline formset.

    Rendered for the field "choices-2-correct", it is named "choices-correct" (the whole
    formset's group, so the browser allows one choice and a keyboard moves along it) and carries
    "choices-2", the row it marks. Works with JavaScript off; authoring.js renumbers the value of
    rows added or removed in the page, as Django's inlines.js does for names.
    """

    input_type = "radio"

    @staticmethod
    def split(name: str) -> tuple[str, str]:
        row, field = name.rsplit("-", 1)
        return f"{row.rsplit('-', 1)[0]}-{field}", row

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        group, row = self.split(name)
        number = row.rsplit("-", 1)[1]
        label = (
            _("Correct answer: row %(number)s") % {"number": int(number) + 1}
            if number.isdigit()
            else _("Correct answer")
        )
        attrs = {**(attrs or {}), "aria-label": label, "data-row-radio": ""}
        context = super().get_context(group, value, attrs)
        context["widget"]["value"] = row
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        group, row = self.split(name)
        return data.get(group) == row

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False
