"""How queries and articles are folded before the word-bound rankers read them.

Lower case, accents removed, a letter repeated three times or more kept once, common
chat spellings (es, en) written out; the commonest words of both languages listed.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["STOP_WORDS", "fold", "tokens"]

_REPEATS = re.compile(r"(\w)\1{2,}")
_TOKEN = re.compile(r"[a-z0-9]+")
#: Chat spellings of common words (es, en) written out, so every ranker sees the word.
_CHAT = {
    "q": "que",
    "k": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "tb": "tambien",
    "tmb": "tambien",
    "xfa": "por favor",
    "porfa": "por favor",
    "pls": "please",
    "plz": "please",
    "u": "you",
    "ur": "your",
    "thx": "thanks",
    "acct": "account",
    "pwd": "password",
    "msg": "message",
}
#: Words too common to tell articles apart (BM25 only; n-grams and vectors weigh them down).
_STOP_WORDS = (
    "a an the and or of to in on for is are be i my me you your it this that with can how do "
    "does what when where why have has was not no yes please hi hello thanks "
    "el la los las un una unos unas y o de del al en por para con mi mis me te tu su es son "
    "que como cuando donde porque hola gracias lo le les se si ya muy mas hay"
)
STOP_WORDS = frozenset(_STOP_WORDS.split())


def fold(text: str) -> str:
    """Lower case, accents removed, letters repeated 3+ times once, chat spellings written out."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _REPEATS.sub(r"\1", text)
    return " ".join(_CHAT.get(w, w) for w in _TOKEN.findall(text))


def tokens(folded: str) -> list[str]:
    """The words of a folded text that tell articles apart (all of them if none does)."""
    return [w for w in folded.split() if w not in STOP_WORDS] or folded.split()
