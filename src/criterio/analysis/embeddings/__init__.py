"""Text representations behind one interface (``fit`` / ``transform(texts) -> ndarray``).

``make_encoder(name)`` builds one by name: ``static`` (default, shipped vectors distilled
from all-MiniLM-L6-v2, English, no torch), ``use`` (Universal Sentence Encoder
multilingual v3 in numpy, 16 languages, no torch), ``use-static`` (the same encoder
distilled into one vector per piece: multilingual and about 70× cheaper), ``lsa``
(learned from the tenant's corpus), ``st:<path-or-package>`` (a sentence-transformer,
when installed); names joined by ``+`` (``static+use``) put their vectors side by side.
"""

from __future__ import annotations

from criterio.analysis.embeddings.base import Encoder, l2_normalize
from criterio.analysis.embeddings.combined import CombinedEncoder
from criterio.analysis.embeddings.corpus import LsaEncoder
from criterio.analysis.embeddings.multilingual import UseEncoder
from criterio.analysis.embeddings.static import StaticEncoder, default_static_path
from criterio.analysis.embeddings.transformer import SentenceTransformerEncoder
from criterio.analysis.embeddings.use_static import UseStaticEncoder

__all__ = [
    "ENCODER_NAMES",
    "CombinedEncoder",
    "Encoder",
    "LsaEncoder",
    "SentenceTransformerEncoder",
    "StaticEncoder",
    "UseEncoder",
    "UseStaticEncoder",
    "default_static_path",
    "l2_normalize",
    "make_encoder",
]

#: Names ``make_encoder`` accepts (plus ``st:<model>``, ``static:<path>`` and ``a+b``).
ENCODER_NAMES = ("static", "use", "use-static", "lsa")


def make_encoder(name: str, random_state: int = 0) -> Encoder:
    """An unfitted encoder by name: static, use, use-static, lsa, static:<dir>, st:<model>, a+b."""
    if "+" in name:
        return CombinedEncoder([make_encoder(part, random_state) for part in name.split("+")])
    if name == "static":
        return StaticEncoder()
    if name.startswith("static:"):
        return StaticEncoder(path=name.split(":", 1)[1])
    if name == "use":
        return UseEncoder()
    if name == "use-static":
        return UseStaticEncoder()
    if name == "lsa":
        return LsaEncoder(random_state=random_state)
    if name.startswith("st:"):
        return SentenceTransformerEncoder(model=name.split(":", 1)[1])
    raise ValueError(
        f"unknown encoder {name!r}: use static, use, use-static, lsa, static:<dir>, "
        "st:<model> or a+b"
    )
