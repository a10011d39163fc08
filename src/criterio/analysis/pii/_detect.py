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
from criterio.analysis.pii._address import address_patterns
from criterio.analysis.pii._names import NameLexicon, name_patterns, normalise_name
from criterio.analysis.pii._patterns import Patterns, patterns
from criterio.analysis.pii._types import ENTITY_TYPES

__all__ = ["Found", "ScanConfig", "scan"]

SEP = "\x00"
_PRIORITY = {name: i for i, name in enumerate(ENTITY_TYPES)}
_WINDOW = 40
_HEX_COLON = frozenset("0123456789abcdefABCDEF:")
# A name opening a sentence is followed by a verb or a comma ("Tosh Olsen lives at",
# "Hijacinta Godina, the writer"), a heading by more capitalised words.
_LOWER_NEXT = re.compile(r",|[ \t]+[a-zà-ÿ]")
# Checksum-validated types: phone candidates starting inside one of them are skipped.
_VALIDATED = frozenset({"IBAN", "CARD", "DNI", "NIE", "CIF", "IP"})
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


def _emails(batch: _Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
    # Find the "@" first (a plain character scan), then the parts around it.
    text = batch.joined
    at = text.find("@")
    while at >= 0:
        domain = p.email_domain.match(text, at)
        # The domain first: most "@" in messages are mentions (@brand), with no domain.
        local = domain and p.email_local.search(text, max(batch.text_start(at), at - 64), at)
        if domain is not None and local:
            start = local.start()
            # A local part starts after whitespace/punctuation, not inside a word run.
            yield start, domain.end(), "EMAIL", text[start : domain.end()].lower()
        at = text.find("@", at + 1)


def _lettered(
    batch: _Batch, pattern: re.Pattern[str], kind: str, check: Callable[[str], str | None]
) -> Iterator[tuple[int, int, str, str]]:
    # NIE/CIF: the match starts on the first digit; the letter is 1 or 2 characters back.
    text = batch.joined
    for m in pattern.finditer(text):
        start = m.start() - (1 if text[m.start() - 1].isalpha() else 2)
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-"):
            continue
        key = check(text[start : m.end()])
        if key is not None:
            yield start, m.end(), kind, key


def _ipv6s(batch: _Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
    text = batch.joined
    last_end = -1
    for m in p.ipv6.finditer(text):
        if m.start() < last_end:
            continue
        start, end = m.start(), m.end()
        while start > 0 and text[start - 1] in _HEX_COLON:
            start -= 1
        while end < len(text) and text[end] in _HEX_COLON:
            end += 1
        if (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")) or (
            end < len(text) and (text[end].isalnum() or text[end] == "_")
        ):
            continue
        key = v.canonical_ip(text[start:end])
        if key is not None:
            last_end = end
            yield start, end, "IP", key


def _ipv4s(batch: _Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
    text = batch.joined
    for m in p.ipv4.finditer(text):
        start = m.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in "._"):
            continue
        key = v.canonical_ip(m.group())
        if key is not None:
            yield start, m.end(), "IP", key


def _ibans(batch: _Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
    text = batch.joined
    for m in p.iban.finditer(text):
        start = m.start() - 2  # the country letters, checked by the lookbehind
        if start > 0 and text[start - 1].isalnum():
            continue
        value = text[start : m.end()]
        # The optional trailing group may have swallowed a short word ("... 1332 y"):
        # retry without trailing groups before giving up.
        while value:
            key = v.canonical_iban(value)
            if key is not None:
                yield start, start + len(value), "IBAN", key
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


def _phones(
    batch: _Batch, p: Patterns, regions: tuple[str, ...], taken: set[int]
) -> Iterator[tuple[int, int, str, str]]:
    text = batch.joined
    for m in p.phone.finditer(text):
        start, end = m.start(), m.end()
        if end - start < 7 or start in taken:
            # Too short for a phone's digits, or already a card/IBAN/ID number.
            continue
        lead = text[start - 1] if start else ""
        if lead in "+(" and (start < 2 or not text[start - 2].isalnum()):
            start -= 1
            if lead == "+" and start and text[start - 1] == "(":
                start -= 1  # "(+234) 70 94250 556"
        elif lead and (lead.isalnum() or lead in "_+@#"):
            continue
        value = text[start:end]
        if p.date.match(value) or p.amount_after.match(batch.right(end)):
            continue
        left = batch.left(start)
        if p.amount_before.search(left) or p.not_pii_context.search(left):
            continue
        labelled = p.phone_after.match(batch.right(end, 12)) is not None
        context = labelled or p.phone_context.search(left) is not None
        key = v.canonical_phone(value, regions, context=context, labelled=labelled)
        if key is not None:
            yield start, end, "PHONE", key
            continue
        if " " not in value or len(v.digits_only(value)) < 8:
            continue
        # Several numbers written one after another ("612345678 698765432", a postal
        # code then a phone): take the longest valid run of space-separated groups
        # from each position.
        pieces = [(g.start(), g.end()) for g in re.finditer(r"[^ \t]+", value)]
        i = 0
        while i < len(pieces):
            for j in range(len(pieces) - 1, i - 1, -1):
                sub = value[pieces[i][0] : pieces[j][1]]
                key = v.canonical_phone(sub, regions, context=context)
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
    low = batch.lowered
    for t in trigger.finditer(low):
        if t.start() and low[t.start() - 1].isalnum():
            continue  # inside a word
        m = value.match(batch.joined, t.end())
        if m is not None:
            yield m.start("v"), m.end("v"), kind, key(m.group("v"))


def _addresses(batch: _Batch) -> Iterator[tuple[int, int, str, str]]:
    ap = address_patterns()
    text = batch.joined
    for t in ap.prefix_trigger.finditer(batch.lowered):
        m = ap.prefix_value.match(text, t.end())
        if m is not None:
            yield t.start(), m.end(), "ADDRESS", _person_key(text[t.start() : m.end()])
    for pattern in (ap.english, ap.unit, ap.military):
        for m in pattern.finditer(text):
            yield m.start(), m.end(), "ADDRESS", _person_key(m.group())
    for t in ap.compound.finditer(batch.lowered):
        word = ap.compound_word.search(text, batch.text_start(t.start()), t.start())
        tail = ap.compound_tail.match(text, t.end())
        if word is not None and tail is not None:
            yield word.start(), tail.end(), "ADDRESS", _person_key(text[word.start() : tail.end()])


def _person_key(value: str) -> str:
    return " ".join(normalise_name(t) for t in value.split())


def _persons(batch: _Batch, lex: NameLexicon) -> Iterator[tuple[int, int, str, str]]:
    np_ = name_patterns()
    text = batch.joined
    for t in np_.strong.finditer(batch.lowered):
        m = np_.strong_name.match(text, t.end())
        span = m and _trim(text, m.start("v"), m.end("v"), lex.stop, np_.token)
        if not span:
            span = _lower_case_name(text, t.end(), lex, np_.lower_name)
        if span:
            yield span[0], span[1], "PERSON", _person_key(text[span[0] : span[1]])
    for t in np_.weak.finditer(batch.lowered):
        m = np_.weak_name.match(text, t.end())
        span = m and _trim(text, m.start("v"), m.end("v"), lex.stop, np_.token)
        if span and _is_first(text[span[0] : span[1]].split(None, 1)[0], lex, context=True):
            yield span[0], span[1], "PERSON", _person_key(text[span[0] : span[1]])
    for m in np_.sequence.finditer(text):
        value = m.group()
        if lex.surface.isdisjoint(value.split()) and np_.initial_inside.search(value) is None:
            continue  # cheap exit for the many capitalised words that are no names
        span = _trim(text, m.start(), m.end(), lex.stop, np_.token)
        if span is None:
            continue
        tokens = text[span[0] : span[1]].split()
        words = [w for w in tokens if len(w.rstrip(".")) > 1]
        if not words:
            continue
        if len(tokens) >= 3 and any(len(t.rstrip(".")) == 1 for t in tokens[1:-1]):
            pass  # "Faina D. Yefremova", "Szabina J Gelencsér": first, initial, last
        elif _is_first(words[0], lex, context=True):
            if len(words) == 1 and (len(words[0]) < 3 or not _is_first(words[0], lex)):
                continue  # a lone "Rosa", "Pilar" or "Al" is too ambiguous
            if not _is_first(words[0], lex) and not _is_last(words[1], lex):
                continue  # "Santiago Torres" yes, "Santiago Bernabéu" no
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
        yield span[0], span[1], "PERSON", _person_key(text[span[0] : span[1]])


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


def _opens_sentence(batch: _Batch, pos: int) -> bool:
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


def scan(texts: Sequence[str], cfg: ScanConfig) -> list[list[Found]]:
    """Detect personal data in every text; overlapping candidates resolved per text."""
    batch = _Batch(texts)
    p = patterns()
    want = cfg.entities
    sources: list[Iterator[tuple[int, int, str, str]]] = []
    if "EMAIL" in want:
        sources.append(_emails(batch, p))
    if "IBAN" in want:
        sources.append(_ibans(batch, p))
    if "CARD" in want:
        sources.append(_cards(batch, p))
    if "DNI" in want:
        sources.append(_checked(batch, p.dni, "DNI", v.canonical_dni))
    if "NIE" in want:
        sources.append(_lettered(batch, p.nie, "NIE", v.canonical_nie))
    if "CIF" in want:
        sources.append(_lettered(batch, p.cif, "CIF", v.canonical_cif))
    if "IP" in want:
        sources.append(_ipv4s(batch, p))
        sources.append(_ipv6s(batch, p))
    if "DOB" in want:
        sources.append(_triggered(batch, p.dob_trigger, p.dob_value, "DOB", v.digits_only))
    if "CUSTOMER_ID" in want:
        sources.append(
            _triggered(batch, p.customer_id_trigger, p.customer_id_value, "CUSTOMER_ID", str.upper)
        )
    taken: set[int] = set()
    if "PHONE" in want:
        sources.append(_phones(batch, p, cfg.regions, taken))
    if "ADDRESS" in want:
        sources.append(_addresses(batch))
    if "PERSON" in want and cfg.lexicon is not None:
        sources.append(_persons(batch, cfg.lexicon))
    per_text: list[list[tuple[int, int, str, str]]] = [[] for _ in texts]
    starts = batch.starts
    for source in sources:
        for start, end, kind, key in source:
            if kind in _VALIDATED:
                taken.update(range(start, end))
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
