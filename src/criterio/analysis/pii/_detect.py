"""Batch detection: every pattern runs once over the whole batch joined by NULs.

Scanning one joined string keeps the per-text Python work to the candidates the
compiled expressions find; validators (python-stdnum, phonenumbers, Luhn) and
context checks run only on those candidates.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

from criterio.analysis.pii import _validate as v
from criterio.analysis.pii._names import NameLexicon, name_patterns, normalise_name
from criterio.analysis.pii._patterns import Patterns, patterns
from criterio.analysis.pii._types import ENTITY_TYPES

__all__ = ["Found", "ScanConfig", "scan"]

SEP = "\x00"
_PRIORITY = {name: i for i, name in enumerate(ENTITY_TYPES)}
_WINDOW = 40
_SPACE_SPLIT = re.compile(r"[ \t]+")


@dataclass(frozen=True, slots=True)
class Found:
    """A detected value: type, offsets in its own text, and the key placeholders use."""

    type: str
    start: int
    end: int
    key: str


@dataclass(frozen=True)
class ScanConfig:
    """What to look for: entity types, phone regions, name lists."""

    entities: frozenset[str]
    regions: tuple[str, ...]
    lexicon: NameLexicon | None


class _Batch:
    """The joined batch with helpers to map absolute offsets back to texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.joined = SEP.join(texts)
        lowered = self.joined.lower()
        if len(lowered) != len(self.joined):
            # A few characters (e.g. "İ") lower to two: keep those as they are so
            # offsets in the lower-cased copy stay those of the original.
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.joined)
        self.lowered = lowered
        self.starts = [0, *accumulate(len(t) + 1 for t in texts)][: len(texts)]

    def text_start(self, pos: int) -> int:
        return self.starts[bisect_right(self.starts, pos) - 1]

    def left(self, pos: int, width: int = _WINDOW) -> str:
        return self.joined[max(self.text_start(pos), pos - width) : pos]

    def right(self, pos: int, width: int = 8) -> str:
        end = self.joined.find(SEP, pos)
        stop = len(self.joined) if end < 0 else end
        return self.joined[pos : min(stop, pos + width)]


def _checked(
    batch: _Batch, pattern: re.Pattern[str], kind: str, check: Callable[[str], str | None]
) -> Iterator[tuple[int, int, str, str]]:
    for m in pattern.finditer(batch.joined):
        key = check(m.group())
        if key is not None:
            yield m.start(), m.end(), kind, key


def _ibans(batch: _Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
    for m in p.iban.finditer(batch.joined):
        value = m.group()
        # The optional trailing group may have swallowed a short word ("... 1332 y"):
        # retry without trailing groups before giving up.
        while value:
            key = v.canonical_iban(value)
            if key is not None:
                yield m.start(), m.start() + len(value), "IBAN", key
                break
            cut = max(value.rfind(" "), value.rfind("-"))
            value = value[:cut] if cut > 4 else ""


def _cards(batch: _Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
    for m in p.card.finditer(batch.joined):
        key = v.canonical_card(m.group())
        if key is None:
            continue
        left = batch.left(m.start())
        if p.not_pii_context.search(left) and not p.card_context.search(left):
            continue
        yield m.start(), m.end(), "CARD", key


def _phone_key(value: str, context: bool, regions: tuple[str, ...]) -> str | None:
    return v.canonical_phone(value, regions, context=context)


def _phones(
    batch: _Batch, p: Patterns, regions: tuple[str, ...]
) -> Iterator[tuple[int, int, str, str]]:
    for m in p.phone.finditer(batch.joined):
        value, start = m.group(), m.start()
        if len(value) < 7:
            continue  # fewer than 7 characters cannot hold a phone number's digits
        if p.date.match(value) or p.amount_after.match(batch.right(m.end())):
            continue
        left = batch.left(start)
        if p.amount_before.search(left) or p.not_pii_context.search(left):
            continue
        context = p.phone_context.search(left) is not None
        key = _phone_key(value, context, regions)
        if key is not None:
            yield start, m.end(), "PHONE", key
            continue
        if len(v.digits_only(value)) <= 15:
            continue
        # Several numbers written one after another ("612345678 698765432"): take
        # the longest valid run of space-separated groups from each position.
        pieces = [(g.start(), g.end()) for g in re.finditer(r"[^ \t]+", value)]
        i = 0
        while i < len(pieces):
            for j in range(len(pieces) - 1, i - 1, -1):
                sub = value[pieces[i][0] : pieces[j][1]]
                key = _phone_key(sub, context, regions)
                if key is not None:
                    yield start + pieces[i][0], start + pieces[j][1], "PHONE", key
                    i = j
                    break
            i += 1


def _triggered(
    batch: _Batch,
    trigger: re.Pattern[str],
    value: re.Pattern[str],
    kind: str,
    key: Callable[[str], str],
) -> Iterator[tuple[int, int, str, str]]:
    for t in trigger.finditer(batch.lowered):
        m = value.match(batch.joined, t.end())
        if m is not None:
            yield m.start("v"), m.end("v"), kind, key(m.group("v"))


def _person_key(value: str) -> str:
    return " ".join(normalise_name(t) for t in value.split())


def _persons(batch: _Batch, lex: NameLexicon) -> Iterator[tuple[int, int, str, str]]:
    np_ = name_patterns()
    text = batch.joined
    for t in np_.strong.finditer(batch.lowered):
        m = np_.strong_name.match(text, t.end())
        span = m and _trim(text, m.start("v"), m.end("v"), lex, np_.token)
        if span:
            yield span[0], span[1], "PERSON", _person_key(text[span[0] : span[1]])
    for t in np_.weak.finditer(batch.lowered):
        m = np_.weak_name.match(text, t.end())
        span = m and _trim(text, m.start("v"), m.end("v"), lex, np_.token)
        if span and _is_first(text[span[0] : span[1]].split(None, 1)[0], lex):
            yield span[0], span[1], "PERSON", _person_key(text[span[0] : span[1]])
    for m in np_.sequence.finditer(text):
        value = m.group()
        if not any(_is_first(w, lex) for w in value.split()):
            continue  # cheap exit for the many capitalised words that are no names
        span = _trim(text, m.start(), m.end(), lex, np_.token)
        if span is None:
            continue
        words = [w for w in text[span[0] : span[1]].split() if not w.endswith(".")]
        if not words or not _is_first(words[0], lex):
            continue
        if len(words) == 1 and _sentence_start(batch.left(span[0], 3)):
            continue
        yield span[0], span[1], "PERSON", _person_key(text[span[0] : span[1]])


def _is_first(word: str, lex: NameLexicon) -> bool:
    norm = normalise_name(word)
    return norm in lex.first and norm not in lex.stop


def _sentence_start(left: str) -> bool:
    stripped = left.rstrip(" \t")
    return not stripped or stripped[-1] in ".!?¡¿\n\x00:\"'«(-"


def _trim(
    text: str, start: int, end: int, lex: NameLexicon, token: re.Pattern[str]
) -> tuple[int, int] | None:
    """Drop stop words at either end of a name candidate; None if nothing is left."""
    words = [(m.start(), m.end()) for m in token.finditer(text, start, end)]
    keep = [(s, e) for s, e in words if normalise_name(text[s:e]).rstrip(".") not in lex.stop]
    if not keep:
        return None
    first = words.index(keep[0])
    last = words.index(keep[-1])
    inner = words[first : last + 1]
    if any(normalise_name(text[s:e]) in lex.stop for s, e in inner):
        # A stop word inside ("Juan Gracias Pedro"): keep only what precedes it.
        cut = next(i for i, (s, e) in enumerate(inner) if normalise_name(text[s:e]) in lex.stop)
        inner = inner[:cut]
        if not inner:
            return None
    return inner[0][0], inner[-1][1]


def scan(texts: Sequence[str], cfg: ScanConfig) -> list[list[Found]]:
    """Detect personal data in every text; overlapping candidates resolved per text."""
    batch = _Batch(texts)
    p = patterns()
    want = cfg.entities
    sources: list[Iterator[tuple[int, int, str, str]]] = []
    if "EMAIL" in want:
        sources.append(_checked(batch, p.email, "EMAIL", str.lower))
    if "IBAN" in want:
        sources.append(_ibans(batch, p))
    if "CARD" in want:
        sources.append(_cards(batch, p))
    if "DNI" in want:
        sources.append(_checked(batch, p.dni, "DNI", v.canonical_dni))
    if "NIE" in want:
        sources.append(_checked(batch, p.nie, "NIE", v.canonical_nie))
    if "CIF" in want:
        sources.append(_checked(batch, p.cif, "CIF", v.canonical_cif))
    if "IP" in want:
        sources.append(_checked(batch, p.ipv4, "IP", v.canonical_ip))
        sources.append(_checked(batch, p.ipv6, "IP", v.canonical_ip))
    if "DOB" in want:
        sources.append(_triggered(batch, p.dob_trigger, p.dob_value, "DOB", v.digits_only))
    if "CUSTOMER_ID" in want:
        sources.append(
            _triggered(batch, p.customer_id_trigger, p.customer_id_value, "CUSTOMER_ID", str.upper)
        )
    if "PHONE" in want:
        sources.append(_phones(batch, p, cfg.regions))
    if "PERSON" in want and cfg.lexicon is not None:
        sources.append(_persons(batch, cfg.lexicon))
    per_text: list[list[tuple[int, int, str, str]]] = [[] for _ in texts]
    starts = batch.starts
    for source in sources:
        for start, end, kind, key in source:
            i = bisect_right(starts, start) - 1
            per_text[i].append((start - starts[i], end - starts[i], kind, key))
    return [_resolve(found) if found else [] for found in per_text]


def _resolve(found: list[tuple[int, int, str, str]]) -> list[Found]:
    """Keep non-overlapping candidates: longer first, then by type priority."""
    found.sort(key=lambda f: (f[0] - f[1], _PRIORITY[f[2]], f[0]))
    taken: list[Found] = []
    for start, end, kind, key in found:
        if all(end <= t.start or start >= t.end for t in taken):
            taken.append(Found(kind, start, end, key))
    taken.sort(key=lambda f: f.start)
    return taken
