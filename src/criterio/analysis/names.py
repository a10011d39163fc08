"""Names of the analysis that other parts read without loading the analysis itself.

The CLI's help and the insight queries need them; importing the pipeline or the
intent classifier for a constant would load scikit-learn and pyarrow.
"""

from __future__ import annotations

__all__ = ["ANALYZER_NAMES", "UNKNOWN"]

#: The analyzers a pipeline can run, in order.
ANALYZER_NAMES = ("language", "pii", "sentiment")
#: The intent given to an interaction no known intent fits (out of scope).
UNKNOWN = "unknown"
