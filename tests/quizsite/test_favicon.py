"""The site icon: browsers ask for /favicon.ico on every page, so it must not be a 404."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response.url.startswith("/static/quizzes/favicon")
    assert response.url.endswith(".ico")


def test_the_icons_exist_as_static_files():
    ico = finders.find("quizzes/favicon.ico")
    svg = finders.find("quizzes/favicon.svg")

    assert ico and Path(ico).read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert svg and "<svg" in Path(svg).read_text(encoding="utf-8")


def test_every_page_links_the_icons(client, db):
    page = client.get(reverse("quizzes:login")).text

    assert 'rel="icon"' in page and "quizzes/favicon.svg" in page
