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
    assert "no issues" in result.stdout


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
