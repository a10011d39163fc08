"""Person names in a batch: context patterns, then capitalised words and name lists."""

from __future__ import annotations

import re
from collections.abc import Iterator

from criterio.analysis.pii._batch import Batch
from criterio.analysis.pii._names import NameLexicon, name_patterns, normalise_name

__all__ = ["persons", "text_key"]

# A name opening a sentence is followed by a verb or a comma ("Tosh Olsen lives at",
# "Hijacinta Godina, the writer"), a heading by more capitalised words.
_LOWER_NEXT = re.compile(r",|[ \t]+[a-zà-ÿ]")


def text_key(value: str) -> str:
    """Compare names and addresses without case, accents or extra spaces."""
    return " ".join(normalise_name(t) for t in value.split())


def persons(batch: Batch, lex: NameLexicon) -> Iterator[tuple[int, int, str, str]]:
    """Yield (start, end, "PERSON", key) for every name found in the batch."""
    np_ = name_patterns()
    text = batch.joined
    for t in np_.strong.finditer(batch.lowered):
        m = np_.strong_name.match(text, t.end())
        span = m and _trim(text, m.start("v"), m.end("v"), lex.stop, np_.token)
        if not span:
            span = _lower_case_name(text, t.end(), lex, np_.lower_name)
        if span:
            span = _with_surname(text, span, lex, np_.next_word)
            yield span[0], span[1], "PERSON", text_key(text[span[0] : span[1]])
    for t in np_.weak.finditer(batch.lowered):
        m = np_.weak_name.match(text, t.end())
        span = m and _trim(text, m.start("v"), m.end("v"), lex.stop, np_.token)
        if span and _is_first(text[span[0] : span[1]].split(None, 1)[0], lex, context=True):
            span = _with_surname(text, span, lex, np_.next_word)
            yield span[0], span[1], "PERSON", text_key(text[span[0] : span[1]])
    for m in np_.sequence.finditer(text):
        value = m.group()
        if lex.surface.isdisjoint(value.split()) and np_.initial_inside.search(value) is None:
            continue  # cheap exit for the many capitalised words that are no names
        span = _trim(text, m.start(), m.end(), lex.stop, np_.token)
        if span is None:
            continue
        span = _with_surname(text, span, lex, np_.next_word)
        tokens = text[span[0] : span[1]].split()
        words = [w for w in tokens if len(w.rstrip(".")) > 1]
        if not words:
            continue
        if len(tokens) >= 3 and any(len(t.rstrip(".")) == 1 for t in tokens[1:-1]):
            if "." not in value and not (
                _plain_name(tokens[0], lex) or _plain_name(tokens[-1], lex)
            ):
                continue  # "Moto G Play": no point, no plain name around the letter
            # "Faina D. Yefremova", "Szabina J Gelencsér": first, initial, last
        elif _is_first(words[0], lex, context=True):
            if len(words) == 1 and (len(words[0]) < 3 or not _is_first(words[0], lex)):
                continue  # a lone "Rosa", "Pilar" or "Al" is too ambiguous
            if not _is_first(words[0], lex) and not (
                _is_last(words[1], lex)
                or _plain_name(words[1], lex)
                or normalise_name(words[1]) in lex.place_surnames
            ):
                continue  # "Santiago Torres", "Crystal Minh" yes, "Santiago Bernabéu" no
        elif (
            len(words) > 1
            and _is_last(words[-1], lex)
            and (
                not _opens_sentence(batch, span[0])
                or _is_last(words[0], lex)
                or _LOWER_NEXT.match(batch.right(span[1], 3)) is not None
            )
        ):
            pass  # "... to Tomomi Nishiyama": unknown first name, known surname
        elif len(words) == 1 and _is_last(words[0], lex) and not _opens_sentence(batch, span[0]):
            pass  # a surname alone inside a sentence ("..., says Bergqvist")
        else:
            continue
        yield span[0], span[1], "PERSON", text_key(text[span[0] : span[1]])


def _with_surname(
    text: str, span: tuple[int, int], lex: NameLexicon, next_word: re.Pattern[str]
) -> tuple[int, int]:
    """A lone first name followed by a stop-listed surname ("Alessandro Phoenix") takes it."""
    if " " in text[span[0] : span[1]] or not _is_first(text[span[0] : span[1]], lex, context=True):
        return span
    m = next_word.match(text, span[1])
    if m is not None and normalise_name(m.group("v")) in lex.place_surnames:
        return span[0], m.end("v")
    return span


def _listed(word: str, lex: NameLexicon) -> bool:
    norm = normalise_name(word.rstrip("."))
    return (norm in lex.first or norm in lex.last) and norm not in lex.ambiguous


def _plain_name(word: str, lex: NameLexicon) -> bool:
    """A name of the lists that is neither ambiguous nor a common English word."""
    norm = normalise_name(word)
    return len(norm) > 2 and _listed(word, lex) and norm not in lex.common


def _lower_case_name(
    text: str, pos: int, lex: NameLexicon, pattern: re.Pattern[str]
) -> tuple[int, int] | None:
    """A lower-case name after a strong context: the leading words found in the lists."""
    m = pattern.match(text, pos)
    if m is None:
        return None
    start = end = m.start("v")
    for word in re.finditer(r"\S+", m.group("v")):
        norm = normalise_name(word.group())
        if norm in lex.stop or (norm not in lex.first and norm not in lex.strict_last):
            break
        end = m.start("v") + word.end()
    return (start, end) if end > start else None


def _is_first(word: str, lex: NameLexicon, context: bool = False) -> bool:
    norm = normalise_name(word)
    return norm in lex.first and norm not in (lex.stop if context else lex.ambiguous)


def _is_last(word: str, lex: NameLexicon) -> bool:
    norm = normalise_name(word)
    return len(norm) > 3 and norm in lex.strict_last and norm not in lex.ambiguous


def _opens_sentence(batch: Batch, pos: int) -> bool:
    left = batch.left(pos, 30).rstrip(" \t")
    if not left or left[-1] in ".!?¡¿\n\x00\"'«(->^":
        return True
    # After a leading @mention or #hashtag a message starts: "@brand Glad to help".
    return left.rsplit(None, 1)[-1][:1] in ("@", "#")


def _trim(
    text: str, start: int, end: int, stop: frozenset[str], token: re.Pattern[str]
) -> tuple[int, int] | None:
    """Drop stop words at either end of a name candidate; None if nothing is left."""
    words = [(m.start(), m.end()) for m in token.finditer(text, start, end)]
    keep = [(s, e) for s, e in words if normalise_name(text[s:e]).rstrip(".") not in stop]
    if not keep:
        return None
    first = words.index(keep[0])
    last = words.index(keep[-1])
    inner = words[first : last + 1]
    if any(normalise_name(text[s:e]) in stop for s, e in inner):
        # A stop word inside ("Juan Gracias Pedro"): keep only what precedes it.
        cut = next(i for i, (s, e) in enumerate(inner) if normalise_name(text[s:e]) in stop)
        inner = inner[:cut]
        if not inner:
            return None
    return inner[0][0], inner[-1][1]
