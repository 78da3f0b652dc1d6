"""Author Markdown goes through one sanitiser with an allow-list."""

from quizzes.markup import render_inline_markdown, render_markdown


def test_the_safe_subset_renders():
    html = render_markdown("*em* **strong**\nnext line\n\n- one\n- two\n\n[AA](https://aa.com.tr)")

    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<br" in html
    assert "<li>one</li>" in html
    assert 'href="https://aa.com.tr"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_scripts_event_handlers_and_javascript_links_are_removed():
    html = render_markdown(
        '<script>alert(1)</script><img src=x onerror="alert(2)">'
        "[click](javascript:alert(3)) <b onclick='x()'>b</b>"
    )

    for dangerous in ("<script", "alert(1)", "onerror", "javascript:", "onclick", "<img"):
        assert dangerous not in html


def test_tables_are_allowed_for_stimulus_passages():
    html = render_markdown("| State | Capital |\n|---|---|\n| Kazakhstan | Astana |")

    assert "<table>" in html
    assert "<td>Astana</td>" in html


def test_inline_rendering_drops_the_paragraph_wrapper():
    assert render_inline_markdown("*True*") == "<em>True</em>"
    assert render_markdown("") == ""
