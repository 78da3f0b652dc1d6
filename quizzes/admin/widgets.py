"""The admin's autocomplete widgets: safe with malformed input, and no query per inline row.

Two faults of Django's own AutocompleteSelect are fixed here:

- A refused form is drawn again with what was posted, and the widget looks the posted values up
  to label them (`pk__in=[...]`): a value that is not a key at all ("abc" for a number) makes
  that lookup raise, a 500 where the field's "Select a valid choice" should be shown. Only
  well-formed values are looked up (WellFormedValuesMixin); the field still names the bad one.
  A many-to-many field's own check has the same fault with an integer out of the database's
  range (WellFormedModelMultipleChoiceField).
- The widget looks up the selected object to label it: one query per row of a tabular inline
  (a class of 30 students, 30 queries for their names). The rows' querysets already join those
  objects (select_related), so the widget is handed the loaded object and labels the row with
  it (LoadedAutocompleteSelect); a row without one (a blank or a posted row) is looked up as
  before.

Every admin with `autocomplete_fields` takes its widgets from AutocompleteWidgetsMixin.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest


def is_well_formed_key(model: type[Model], field_name: str | None, value: Any) -> bool:
    """Whether `value` can be looked up in `model`'s field `field_name` (its primary key if None)
    without the database raising: of the field's type and, for an integer, within the
    database's range (SQLite raises OverflowError on a larger one in an `__in` lookup)."""
    opts = model._meta
    target = opts.get_field(field_name or opts.pk.name)
    if not isinstance(target, models.Field):
        return False
    try:
        target.run_validators(target.get_prep_value(target.to_python(value)))
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class WellFormedValuesMixin:
    """Look up only the values the target field can hold (see the module's docstring)."""

    field: Any  # the model field the widget serves (AutocompleteMixin sets it)

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        remote = self.field.remote_field
        # As Django's optgroups: a ForeignKey names its target field, a ManyToManyField does not.
        field_name = getattr(remote, "field_name", None)
        return super().optgroups(  # type: ignore[misc]
            name, [v for v in value if is_well_formed_key(remote.model, field_name, v)], attr
        )


class WellFormedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field checks each value with an exact lookup (safe), then all of them with an
    `__in` lookup, which an out-of-range integer breaks: refuse such a value first."""

    def _check_values(self, value: Any) -> Any:
        model = self.queryset.model  # type: ignore[union-attr]  # always set by the admin
        for pk in value if isinstance(value, list | tuple | set | frozenset) else []:
            if not is_well_formed_key(model, self.to_field_name, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]  # not in the stubs


class WellFormedAutocompleteSelect(WellFormedValuesMixin, AutocompleteSelect):
    pass


class WellFormedAutocompleteSelectMultiple(WellFormedValuesMixin, AutocompleteSelectMultiple):
    pass


class LoadedAutocompleteSelect(WellFormedAutocompleteSelect):
    """An autocomplete select that labels its value with an object given to it, if any."""

    loaded: Model | None = None

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        loaded = self.loaded
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if loaded is None or selected != {str(loaded.pk)}:
            return super().optgroups(name, value, attr)
        options: list[Any] = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(loaded)
        options.append(self.create_option(name, loaded.pk, label, True, len(options)))
        return [(None, options, 0)]


class AutocompleteWidgetsMixin:
    """For a ModelAdmin or an inline: its autocomplete fields use the widgets above."""

    autocomplete_select: type[AutocompleteSelect] = WellFormedAutocompleteSelect

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:  # type: ignore[attr-defined]
            kwargs["widget"] = self.autocomplete_select(
                db_field,
                self.admin_site,  # type: ignore[attr-defined]
                using=kwargs.get("using"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:  # type: ignore[attr-defined]
            kwargs["widget"] = WellFormedAutocompleteSelectMultiple(
                db_field,
                self.admin_site,  # type: ignore[attr-defined]
                using=kwargs.get("using"),
            )
            kwargs.setdefault("form_class", WellFormedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class LoadedRowsFormSet(BaseInlineFormSet):
    """Hands each saved row's loaded related objects to its autocomplete widgets."""

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        instance = form.instance
        if instance.pk is None:
            return
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # RelatedFieldWidgetWrapper
            if not isinstance(widget, LoadedAutocompleteSelect):
                continue
            if instance._meta.get_field(name).is_cached(instance):  # joined by the queryset
                widget.loaded = getattr(instance, name)


class LoadedAutocompleteInline(AutocompleteWidgetsMixin, admin.TabularInline):
    """A tabular inline whose autocomplete fields use LoadedAutocompleteSelect; its
    get_queryset must select_related those fields."""

    formset = LoadedRowsFormSet
    autocomplete_select = LoadedAutocompleteSelect
