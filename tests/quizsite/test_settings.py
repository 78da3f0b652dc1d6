"""The one settings module: production variables pass Django's deploy checks; SQLite is tuned."""

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def _manage(*args, env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "quiz.example.org",
        },
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (2 silenced)" in result.stdout


def _production_setting(name, **env):
    result = _manage(
        "shell", "-c", f"from django.conf import settings; print(settings.{name})",
        env={"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), **env},
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


def test_hsts_subdomains_and_preload_are_off_in_production_unless_opted_in():
    assert _production_setting("SECURE_HSTS_SECONDS") == "31536000"
    assert _production_setting("SECURE_HSTS_INCLUDE_SUBDOMAINS") == "False"
    assert _production_setting("SECURE_HSTS_PRELOAD") == "False"
    opted_in = {"DJANGO_HSTS_INCLUDE_SUBDOMAINS": "1", "DJANGO_HSTS_PRELOAD": "1"}
    assert _production_setting("SECURE_HSTS_INCLUDE_SUBDOMAINS", **opted_in) == "True"
    assert _production_setting("SECURE_HSTS_PRELOAD", **opted_in) == "True"


def test_only_the_two_opt_in_hsts_warnings_are_silenced():
    assert settings.SILENCED_SYSTEM_CHECKS == ["security.W005", "security.W021"]


def test_the_idle_time_comes_from_the_environment():
    assert _production_setting("QUIZZES_IDLE_MINUTES") == "60"
    assert _production_setting("QUIZZES_IDLE_MINUTES", QUIZZES_IDLE_MINUTES="15") == "15"


def test_without_debug_a_missing_secret_key_stops_start_up():
    result = _manage("check", env={})

    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked():
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)",
        env={"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)},
    )  # fmt: skip

    assert result.stdout.strip().endswith("False"), result.stderr


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings only")
def test_sqlite_uses_wal_immediate_transactions_and_a_busy_timeout(tmp_path):
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    db = tmp_path / "wal.sqlite3"
    with sqlite3.connect(db) as raw:
        raw.executescript(options["init_command"])
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_cache_round_trips():
    cache.set("quizsite-test", {"ok": 1}, 30)

    assert cache.get("quizsite-test") == {"ok": 1}
    cache.delete("quizsite-test")
