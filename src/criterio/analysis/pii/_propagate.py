"""Names found once in a conversation are redacted wherever else it says them.

Agents greet the customer by the first name given earlier ("What is your membership
level Crystal?" after "Crystal Minh"); alone, "Crystal" is too ambiguous to take, but in
the conversation that named Crystal Minh it is her. Each word of a detected name is
looked for, capitalised and whole, in the other texts of the same group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from criterio.analysis.pii._detect import Found
from criterio.analysis.pii._names import NameLexicon, normalise_name
from criterio.analysis.pii._persons import text_key

__all__ = ["propagate_names"]

# A capitalised word standing alone (not inside an e-mail, a handle or a hyphenated word).
_WORD = re.compile(r"(?<![\w@.\-'’])[^\W\d_][\w'’\-]*(?![\w@])")


def propagate_names(
    texts: Sequence[str], found: list[list[Found]], groups: Sequence[object], lex: NameLexicon
) -> list[list[Found]]:
    """``found`` with a PERSON span added for every other mention of a name's words."""
    words: dict[object, set[str]] = {}
    for text, spans, group in zip(texts, found, groups, strict=True):
        for f in spans:
            if f.type == "PERSON":
                words.setdefault(group, set()).update(_usable(text[f.start : f.end], lex))
    if not words:
        return found
    out: list[list[Found]] = []
    for text, spans, group in zip(texts, found, groups, strict=True):
        wanted = words.get(group)
        if not wanted:
            out.append(spans)
            continue
        # One compiled word scan per text, a set lookup per word: no pattern per group.
        added = [
            Found("PERSON", m.start(), m.end(), text_key(m.group()))
            for m in _WORD.finditer(text)
            if m.group() in wanted and all(m.end() <= f.start or m.start() >= f.end for f in spans)
        ]
        out.append(sorted([*spans, *added], key=lambda f: f.start) if added else spans)
    return out


def _usable(name: str, lex: NameLexicon) -> set[str]:
    """The words of a name worth looking for: capitalised, not function or common words."""
    usable: set[str] = set()
    for word in name.split():
        norm = normalise_name(word)
        if len(norm) > 2 and word[:1].isupper() and norm not in lex.stop and norm not in lex.common:
            usable.add(word)
    return usable
