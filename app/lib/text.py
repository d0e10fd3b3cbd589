"""Markdown written by people becomes HTML that cannot run: render, then sanitize."""

import threading

import markdown
import nh3

_ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


_local = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's converter. Building one registers every extension and pattern again,
    which cost more than converting a short update; one kept per thread (a converter holds
    state while it converts) is reset before each use instead."""
    converter: markdown.Markdown | None = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")
        _local.converter = converter
    return converter


def markdown_to_safe_html(source: str) -> str:
    html = _converter().reset().convert(source)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def plain_excerpt(source: str, limit: int = 280) -> str:
    """A one-paragraph text version of a Markdown body, for summaries and previews."""
    text = nh3.clean(markdown.markdown(source), tags=set())
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
