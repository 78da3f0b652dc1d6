from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Quizzes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import idle_clock_start

        user_logged_in.connect(idle_clock_start, dispatch_uid="quizzes.idle_clock_start")
        # The failed-login counter per address and the note of who logged in from where.
        from . import lockouts  # noqa: F401
