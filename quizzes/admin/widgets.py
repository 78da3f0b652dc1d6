"""Inline rows whose autocomplete fields cost no query each.

Django's autocomplete widget looks up the selected object to label it: one query per row of a
tabular inline (a class of 30 students, 30 queries for their names). The rows' querysets
already join those objects (select_related), so the widget is handed the loaded object and
labels the row with it; a row without one (a blank or a posted row) is looked up as before.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Model
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest


class LoadedAutocompleteSelect(AutocompleteSelect):
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


class LoadedAutocompleteInline(admin.TabularInline):
    """A tabular inline whose autocomplete fields use LoadedAutocompleteSelect; its
    get_queryset must select_related those fields."""

    formset = LoadedRowsFormSet

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LoadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
