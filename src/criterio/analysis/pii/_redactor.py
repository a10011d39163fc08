"""The scikit-learn estimator that detects and redacts personal data in batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Self

import phonenumbers
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from criterio.analysis.base import unique_texts
from criterio.analysis.pii._detect import Found, ScanConfig, scan
from criterio.analysis.pii._mask import mask_spans
from criterio.analysis.pii._names import load_lexicon
from criterio.analysis.pii._propagate import propagate_names
from criterio.analysis.pii._types import ENTITY_TYPES, PIISpan, Redaction

__all__ = ["DEFAULT_REGIONS", "PIIRedactor"]

#: Regions whose numbering plans validate national phone numbers announced as such
#: (Spain first, then Latin America, then the English-speaking markets).
DEFAULT_REGIONS: tuple[str, ...] = (
    "MX", "AR", "CO", "CL", "PE", "VE", "EC", "UY", "US", "GB",
)  # fmt: skip


#: The regions whose numbering plans come first for a text in that language (the
#: language identifier's codes); other languages keep ``default_region`` first.
LANGUAGE_REGIONS: dict[str, tuple[str, ...]] = {
    "es": ("ES",), "en": ("US", "GB"), "pt": ("BR", "PT"), "fr": ("FR",), "de": ("DE",),
    "it": ("IT",), "ca": ("ES",),
}  # fmt: skip


class PIIRedactor(BaseEstimator):  # type: ignore[misc]
    """Detect and redact personal data (Spanish and English) in batches of texts.

    Placeholders are ``[TYPE_n]``: ``n`` numbers the distinct values of one type
    within a group (conversation), from 1, in order of first appearance; the same
    value (compared in canonical form: E.164 phones, compact IBANs, lower-case
    emails...) gets the same placeholder throughout its group. A person named in part
    ("María" after "María García", or the other way round) keeps the placeholder of the
    one earlier name that shares those words; when several earlier names could be meant
    ("María" after "María García" and "María López") it gets a new one.
    """

    # 2: a name given in part keeps its placeholder; 3: names repeated in a conversation,
    # surnames that are places, North American and announced phones, language regions;
    # 4: IBANs and account numbers in any grouping, spaced DNIs, dates of birth in words,
    # bare contract/policy/member cues, POSTAL_CODE, IPv6 zones and IPv4-mapped forms
    # (loopback no longer redacted), the old Mexican mobile "+52 1".
    version: ClassVar[str] = "4"

    def __init__(
        self,
        entities: Sequence[str] | None = None,
        default_region: str = "ES",
        extra_regions: Sequence[str] = DEFAULT_REGIONS,
    ) -> None:
        self.entities = entities
        self.default_region = default_region
        self.extra_regions = extra_regions

    def fit(self, X: Any = None, y: Any = None) -> Self:  # noqa: N803 (sklearn naming)
        """Validate the parameters and load the name lists; nothing is learned from X."""
        wanted = ENTITY_TYPES if self.entities is None else tuple(self.entities)
        unknown = sorted(set(wanted) - set(ENTITY_TYPES))
        if unknown:
            raise ValueError(
                f"PIIRedactor.entities: unknown entity type(s) {unknown}; "
                f"choose from {list(ENTITY_TYPES)}"
            )
        regions = (self.default_region, *self.extra_regions)
        supported = phonenumbers.SUPPORTED_REGIONS
        bad = sorted({r for r in regions if r not in supported})
        if bad:
            raise ValueError(f"PIIRedactor.default_region/extra_regions: unknown region(s) {bad}")
        # Plain lists of strings: the fitted estimator round-trips through skops.
        self.entities_ = sorted(set(wanted))
        self.regions_ = list(dict.fromkeys(regions))
        if "PERSON" in self.entities_:
            load_lexicon()  # load the name lists now (cached), not on the first batch
        return self

    def _scan(
        self, texts: Sequence[str], languages: Sequence[str | None] | None
    ) -> list[list[Found]]:
        check_is_fitted(self, "entities_")
        if isinstance(texts, str):
            raise TypeError("PIIRedactor expects a sequence of texts, not one string")
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"PIIRedactor: texts[{i}] is {type(text).__name__}, not str")
        if languages is not None and len(languages) != len(texts):
            raise ValueError(
                f"PIIRedactor: languages has {len(languages)} items for {len(texts)} texts"
            )
        lexicon = load_lexicon() if "PERSON" in self.entities_ else None
        config = ScanConfig(frozenset(self.entities_), tuple(self.regions_), lexicon)
        regions = None if languages is None else [self._regions(lang) for lang in languages]
        # Each text's findings depend on that text (and its regions) alone: scan every
        # distinct one once.
        keys = texts
        if regions is not None:
            keys = [f"{r}\x00{t}" for t, r in zip(texts, regions, strict=True)]
        distinct, inverse = unique_texts(keys)
        if len(distinct) == len(texts):
            return scan(texts, config, regions)
        picked: dict[int, int] = {}
        for position, k in enumerate(inverse):
            picked.setdefault(k, position)
        firsts = [picked[k] for k in range(len(distinct))]
        found = scan(
            [texts[i] for i in firsts],
            config,
            None if regions is None else [regions[i] for i in firsts],
        )
        return [found[i] for i in inverse]

    def _regions(self, language: str | None) -> tuple[str, ...]:
        """The text's phone regions: its language's first, then the configured ones."""
        own = LANGUAGE_REGIONS.get(language or "", ())
        return tuple(dict.fromkeys([*own, *self.regions_]))

    def _found(
        self,
        texts: Sequence[str],
        groups: Sequence[object] | None,
        languages: Sequence[str | None] | None,
    ) -> list[list[Found]]:
        found = self._scan(texts, languages)
        if "PERSON" not in self.entities_:
            return found
        keys: Sequence[object] = groups if groups is not None else range(len(texts))
        return propagate_names(texts, found, keys, load_lexicon())

    def detect(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[list[PIISpan]]:
        """Return, for every text, its personal-data spans sorted by offset.

        ``languages`` (one code per text, e.g. ``"en"``) puts the numbering plans of the
        text's language first (``LANGUAGE_REGIONS``: US and GB for English); without it
        ``default_region`` comes first.
        """
        found_all = self._found(texts, None, languages)
        return [[PIISpan(f.type, f.start, f.end) for f in found] for found in found_all]

    def mask(self, texts: Sequence[str]) -> list[str]:
        """Each text with its personal data replaced by ``[TYPE]`` (no numbers): the
        form intent and topic models learn from and are applied to."""
        return [mask_spans(t, s) for t, s in zip(texts, self.detect(texts), strict=True)]

    def redact(
        self,
        texts: Sequence[str],
        groups: Sequence[str] | None = None,
        languages: Sequence[str | None] | None = None,
    ) -> list[Redaction]:
        """Replace personal data with numbered placeholders; ``groups`` keys conversations.

        A name found in one text of a group is redacted wherever the group repeats its
        words; ``languages`` as in :meth:`detect`.
        """
        if groups is not None and len(groups) != len(texts):
            raise ValueError(
                f"PIIRedactor.redact: groups has {len(groups)} items for {len(texts)} texts"
            )
        found_all = self._found(texts, groups, languages)
        numbering: dict[object, dict[tuple[str, str], int]] = {}
        counts: dict[object, dict[str, int]] = {}
        out: list[Redaction] = []
        for i, (text, found) in enumerate(zip(texts, found_all, strict=True)):
            if not found:
                out.append(Redaction(text, []))
                continue
            group: object = groups[i] if groups is not None else ("\x00text", i)
            seen = numbering.setdefault(group, {})
            count = counts.setdefault(group, {})
            pieces: list[str] = []
            last = 0
            for f in found:
                n = seen.get((f.type, f.key))
                if n is None and f.type == "PERSON":
                    n = _same_person(seen, f.key)
                if n is None:
                    n = count[f.type] = count.get(f.type, 0) + 1
                seen[(f.type, f.key)] = n
                pieces.append(text[last : f.start])
                pieces.append(f"[{f.type}_{n}]")
                last = f.end
            pieces.append(text[last:])
            out.append(Redaction("".join(pieces), [PIISpan(f.type, f.start, f.end) for f in found]))
        return out


def _same_person(seen: dict[tuple[str, str], int], key: str) -> int | None:
    """The number of the one earlier person whose name contains this one's words, or
    whose words this name contains; ``None`` when there is none, or more than one."""
    words = set(key.split())
    numbers = {
        n
        for (kind, other), n in seen.items()
        if kind == "PERSON" and (words <= set(other.split()) or set(other.split()) <= words)
    }
    return numbers.pop() if len(numbers) == 1 else None
