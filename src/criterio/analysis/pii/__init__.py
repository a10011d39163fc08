"""Personal-data detection and redaction for Spanish and English texts.

``PIIRedactor().fit().redact(texts, groups)`` returns one :class:`Redaction` per
text: the text with typed, numbered placeholders (``[EMAIL_1]``, ``[PHONE_2]``) and
the :class:`PIISpan` list, with offsets into the original text. ``mask`` gives the
form models learn from: personal data replaced by its type alone (``[EMAIL]``).
"""

from criterio.analysis.pii._mask import mask_spans
from criterio.analysis.pii._redactor import DEFAULT_REGIONS, LANGUAGE_REGIONS, PIIRedactor
from criterio.analysis.pii._types import ENTITY_TYPES, PIISpan, Redaction

__all__ = [
    "DEFAULT_REGIONS",
    "ENTITY_TYPES",
    "LANGUAGE_REGIONS",
    "PIIRedactor",
    "PIISpan",
    "Redaction",
    "mask_spans",
]
