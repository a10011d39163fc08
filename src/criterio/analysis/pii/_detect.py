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

from criterio.analysis.pii import _validate as v
from criterio.analysis.pii._address import address_patterns
from criterio.analysis.pii._batch import Batch
from criterio.analysis.pii._names import NameLexicon
from criterio.analysis.pii._patterns import Patterns, patterns
from criterio.analysis.pii._persons import persons, text_key
from criterio.analysis.pii._types import ENTITY_TYPES

__all__ = ["Found", "ScanConfig", "scan"]

_PRIORITY = {name: i for i, name in enumerate(ENTITY_TYPES)}
_HEX_COLON = frozenset("0123456789abcdefABCDEF:")
# What may follow an IPv6 address's hex groups: the rest of a dotted IPv4 (mapped and
# embedded forms), then a zone; a sentence's full stop is not taken.
_IPV4_TAIL = re.compile(r"(?:\.\d{1,3}){3}(?!\.?\d)")
_ZONE = re.compile(r"%[A-Za-z0-9_.\-]*[A-Za-z0-9]")
_IBAN_HEAD = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d\d[ \-]?$")
_YEAR = re.compile(r"(?:19|20)\d\d")
# Checksum-validated types: phone candidates starting inside one of them are skipped.
_VALIDATED = frozenset({"IBAN", "CARD", "DNI", "NIE", "CIF", "IP"})


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


def _checked(
    batch: Batch, pattern: re.Pattern[str], kind: str, check: Callable[[str], str | None]
) -> Iterator[tuple[int, int, str, str]]:
    for m in pattern.finditer(batch.joined):
        key = check(m.group())
        if key is not None:
            yield m.start(), m.end(), kind, key


def _emails(batch: Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
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
    batch: Batch, pattern: re.Pattern[str], kind: str, check: Callable[[str], str | None]
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


def _ipv6s(batch: Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
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
        for tail in (_IPV4_TAIL, _ZONE):
            # The IPv4 end of "::ffff:192.0.2.1", then the zone of "fe80::1%eth0".
            found = tail.match(text, end)
            end = end if found is None else found.end()
        # Every later ":hex:" inside this run gives the same candidate: skip them, valid
        # or not (a long run of "1:2:1:2:..." no longer costs quadratic time).
        last_end = end
        if (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")) or (
            end < len(text) and (text[end].isalnum() or text[end] == "_")
        ):
            continue
        key = v.canonical_ip(text[start:end])
        if key is not None:
            yield start, end, "IP", key


def _ipv4s(batch: Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
    text = batch.joined
    for m in p.ipv4.finditer(text):
        start = m.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in "._"):
            continue
        key = v.canonical_ip(m.group())
        if key is not None:
            yield start, m.end(), "IP", key


def _ibans(batch: Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
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


def _cccs(batch: Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
    for m in p.ccc.finditer(batch.joined):
        key = v.canonical_ccc(m.group())
        if key is not None and not p.not_pii_context.search(batch.left(m.start())):
            yield m.start(), m.end(), "IBAN", key


def _cards(batch: Batch, p: Patterns) -> Iterator[tuple[int, int, str, str]]:
    for m in p.card.finditer(batch.joined):
        key = v.canonical_card(m.group())
        if key is None:
            continue
        left = batch.left(m.start())
        if p.not_pii_context.search(left) and not p.card_context.search(left):
            continue
        yield m.start(), m.end(), "CARD", key


def _phones(
    batch: Batch,
    p: Patterns,
    default: tuple[str, ...],
    per_text: Sequence[tuple[str, ...]] | None,
    taken: set[int],
) -> Iterator[tuple[int, int, str, str]]:
    text = batch.joined
    for m in p.phone.finditer(text):
        start, end = m.start(), m.end()
        if end - start < 7 or start in taken:
            # Too short for a phone's digits, or already a card/IBAN/ID number.
            continue
        regions = default if per_text is None else per_text[bisect_right(batch.starts, start) - 1]
        # The text language's regions come before the default one (default[0]).
        home = regions.index(default[0]) + 1
        lead = text[start - 1] if start else ""
        if lead and lead in "+(" and (start < 2 or not text[start - 2].isalnum()):
            start -= 1
            if lead == "+" and start and text[start - 1] == "(":
                start -= 1  # "(+234) 70 94250 556"
        elif lead and (lead.isalnum() or lead in "_+@#"):
            continue
        if text[end - 1] == ")" and "(" not in text[start:end]:
            end -= 1  # "line ( 09020564975)": the bracket closes the sentence's, not the number's
        value = text[start:end]
        if p.date.match(value) or p.amount_after.match(batch.right(end)):
            continue
        left = batch.left(start)
        if p.amount_before.search(left) or p.not_pii_context.search(left):
            continue
        if _IBAN_HEAD.search(left):
            continue  # the groups of an IBAN whose check digits are wrong, not a phone
        labelled = p.phone_after.match(batch.right(end, 12)) is not None
        context = labelled or p.phone_context.search(left) is not None
        key = v.canonical_phone(value, regions, context=context, labelled=labelled, home=home)
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
                key = v.canonical_phone(sub, regions, context=context, home=home)
                if key is not None:
                    yield start + pieces[i][0], start + pieces[j][1], "PHONE", key
                    i = j
                    break
            i += 1


def _triggered(
    batch: Batch,
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
        if m is not None and not (kind == "CUSTOMER_ID" and _YEAR.fullmatch(m.group("v"))):
            # A year after a cue word is a date ("contrato 2024"), not an identifier.
            yield m.start("v"), m.end("v"), kind, key(m.group("v"))


def _addresses(batch: Batch) -> Iterator[tuple[int, int, str, str]]:
    ap = address_patterns()
    text = batch.joined
    for t in ap.prefix_trigger.finditer(batch.lowered):
        m = ap.prefix_value.match(text, t.end())
        if m is not None:
            yield t.start(), m.end(), "ADDRESS", text_key(text[t.start() : m.end()])
    for pattern in (ap.english, ap.unit, ap.military):
        for m in pattern.finditer(text):
            yield m.start(), m.end(), "ADDRESS", text_key(m.group())
    for t in ap.compound.finditer(batch.lowered):
        word = ap.compound_word.search(text, batch.text_start(t.start()), t.start())
        tail = ap.compound_tail.match(text, t.end())
        if word is not None and tail is not None:
            yield word.start(), tail.end(), "ADDRESS", text_key(text[word.start() : tail.end()])


def scan(
    texts: Sequence[str], cfg: ScanConfig, regions: Sequence[tuple[str, ...]] | None = None
) -> list[list[Found]]:
    """Detect personal data in every text; overlapping candidates resolved per text.

    ``regions`` gives each text its own phone regions (else ``cfg.regions``).
    """
    batch = Batch(texts)
    p = patterns()
    want = cfg.entities
    sources: list[Iterator[tuple[int, int, str, str]]] = []
    if "EMAIL" in want:
        sources.append(_emails(batch, p))
    if "IBAN" in want:
        sources.append(_ibans(batch, p))
        sources.append(_cccs(batch, p))
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
    if "POSTAL_CODE" in want:
        sources.append(_triggered(batch, p.postal_trigger, p.postal_value, "POSTAL_CODE", str))
    taken: set[int] = set()
    if "PHONE" in want:
        sources.append(_phones(batch, p, cfg.regions, regions, taken))
    if "ADDRESS" in want:
        sources.append(_addresses(batch))
    if "PERSON" in want and cfg.lexicon is not None:
        sources.append(persons(batch, cfg.lexicon))
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
