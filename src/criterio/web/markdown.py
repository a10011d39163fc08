"""Article texts as HTML for the pages: CommonMark, with raw HTML and images left out.

Articles are written (or imported from Zendesk via markdownify) in Markdown. The
renderer escapes any HTML in the text, refuses ``javascript:``-like link targets
(markdown-it's own check) and renders no images (an image would load from another
site), so its output is safe to put in a page as it is.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

__all__ = ["markdown_html"]

_RENDERER = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable("image")


def markdown_html(text: str) -> Markup:
    """The text as safe HTML (empty text: empty markup)."""
    if not text or not text.strip():
        return Markup("")
    # markdown-it escapes every character of the source it does not turn into markup.
    return Markup(_RENDERER.render(text))  # noqa: S704
