"""The one path from author-written Markdown to HTML: Python-Markdown, then an nh3 allow-list.

Prompts, choices, feedback and explanations are written by teachers and imported from files, so
everything is sanitised on output; raw HTML in the source is dropped, never trusted.
"""

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "ul", "ol", "li", "a", "code", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    """Render the safe Markdown subset (emphasis, lists, links, line breaks, simple tables)."""
    if not text:
        return mark_safe("")
    html = md.markdown(text, extensions=["nl2br", "sane_lists", "tables"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    if "<table>" in cleaned:
        # Added after sanitising (our own markup, no author input): a wide table scrolls in
        # its own box, reachable by keyboard, instead of making the whole page scroll sideways.
        cleaned = cleaned.replace(
            "<table>", '<div class="table-scroll" tabindex="0"><table>'
        ).replace("</table>", "</table></div>")
    return mark_safe(cleaned)  # noqa: S308 - nh3 output is sanitised by the allow-list above


def render_inline_markdown(text: str) -> SafeString:
    """Like render_markdown, without the wrapping paragraph: for choices and short labels."""
    html = str(render_markdown(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return mark_safe(html)  # noqa: S308 - still the sanitised output
