"""The Django admin is the teachers' authoring tool; one module per area."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import classes, questions, quizzes, users  # noqa: F401  (registers the model admins)

admin.site.site_header = _("quizsite — teacher admin")
admin.site.site_title = _("quizsite admin")
admin.site.index_title = _("Questions, quizzes and classes")
# The teacher home ("what needs attention") above the app list; see quizzes_results.teacher_home.
admin.site.index_template = "admin/quizzes/index.html"
