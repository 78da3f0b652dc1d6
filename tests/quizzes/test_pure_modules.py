"""The pure modules import nothing from Django, so they can be tested and reused without it.

The style guide's promise for grading, drawing, review rows, presentation, regrading,
statistics and charts, the question-type registry, the file parsers (bank files, class
lists) and the username rule: each is imported in a fresh interpreter (no settings), and the
modules loaded afterwards are checked.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PURE_MODULES = [
    "quizzes.question_types",
    "quizzes.grading",
    "quizzes.drawing",
    "quizzes.presentation",
    "quizzes.review",
    "quizzes.regrading",
    "quizzes.bankfiles",
    "quizzes.statistics",
    "quizzes.charts",
    "quizzes.roster",
    "quizzes.usernames",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_a_pure_module_loads_no_django(module):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        f"import sys, {module}; "
        "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    loaded = set(result.stdout.split())
    assert "quizzes" in loaded  # the import happened
    assert "django" not in loaded
