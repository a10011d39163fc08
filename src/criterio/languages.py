"""The one list of languages Criterio writes in: pages, insight statements, reports, drafts.

Analysis reads any language; these are the ones people are shown words in. Adding one
here is what makes the pages, statements, reports and CLI options offer it (each
needs its words too: ``web/i18n.py``, ``patterns/statements.py``, ``reports/_words.py``).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_CHOICES", "Language", "supported"]

#: A language the pages, statements and reports are written in.
Language = Literal["en", "es"]
#: Every supported language, English (the default) first.
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "en"
#: How help texts and error messages name the choices ("es or en").
LANGUAGE_CHOICES = " or ".join(sorted(LANGUAGES, reverse=True))


def supported(language: str | None) -> Language:
    """``language`` if Criterio writes in it, else the default (English)."""
    for code in LANGUAGES:
        if language == code:
            return code
    return DEFAULT_LANGUAGE
