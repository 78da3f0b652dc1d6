from django.db import models
from django.utils.translation import gettext_lazy as _


class Bank(models.Model):
    """A named collection of questions on one topic, shared by all teachers."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_practice_open = models.BooleanField(
        default=True,
        verbose_name=_("open for practice"),
        help_text=_(
            "Students can practise this bank with answers shown. Turn it off while the bank is "
            "used for an exam whose answers must stay hidden."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A label for finer grouping inside and across banks (random slots can draw by tag)."""

    name = models.SlugField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name
