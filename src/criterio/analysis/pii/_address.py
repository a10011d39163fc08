"""Postal addresses: Spanish/Latin American street types, English house-number streets,
and the Northern European compound street names (Vesterskovvej 79, Harjukuja 54).

Every form needs a house number; the Spanish form may carry floor and door
("3º B", "2º izq.") and a postal code with its town ("28013 Madrid").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from criterio.analysis.pii._patterns import lower_class, upper_class

__all__ = ["AddressPatterns", "address_patterns"]

# Street types written before the name, matched on the lower-cased text.
_PREFIX_TRIGGER = (
    r"\b(?:calle|c/|avda\.|avenida|av\.|plaza|pza\.|paseo|pº|camino|carretera|ctra\."
    r"|ronda|traves[ií]a|glorieta|urbanizaci[óo]n|urb\.|pasaje|rambla|rua|rúa|rue|via"
    r"|viale|ul\.|carrera|calzada|jir[óo]n|prolongaci[óo]n|colonia|col\.)(?!\w)"
)
_ENGLISH_TYPES = (
    r"(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane|Ln\.?|Boulevard|Blvd\.?|Drive|Dr\.?"
    r"|Way|Court|Ct\.?|Square|Sq\.?|Place|Pl\.?|Terrace|Close|Crescent|Highway|Hwy\.?"
    r"|Parkway|Pkwy\.?|Trail|Circle|Loop|Pass|Crossroad|Greens|Radial|Squares|Gardens"
    r"|Row|Hill|Park|Mews|Walk|Grove)(?![\w])"
)
_COMPOUND_SUFFIX = (
    r"(?:vej|veien|vegen|gata|gatan|gade|katu|kuja|tie|straat|weg|laan|gasse|straße"
    r"|strasse|braut|stræde|vägen|väg|gränd|utca|allee|platz|plein|kade|singel)"
)
_UNIT = r"(?:,?[ \t]*(?:Apt\.?|Apartment|Suite|Unit|Flat|#)[ \t]*\d{1,5})*"


@dataclass(frozen=True)
class AddressPatterns:
    """Compiled address patterns."""

    prefix_trigger: re.Pattern[str]
    prefix_value: re.Pattern[str]
    english: re.Pattern[str]
    compound: re.Pattern[str]
    compound_word: re.Pattern[str]
    compound_tail: re.Pattern[str]
    unit: re.Pattern[str]
    military: re.Pattern[str]


@cache
def address_patterns() -> AddressPatterns:
    """Compile (once) the address patterns."""
    up, low = upper_class(), lower_class()
    word = rf"[{up}][{low}]+(?:-[{up}][{low}]+)?"
    link = r"(?:de|del|la|las|los|el|da|do|dos|di|du|y|e)"
    floor = (
        r"(?:,?[ \t]*(?:\d{1,2}[ºª°][ \t]?(?:(?:izq|izda|dcha|dcho|drcha)\.|izquierda|derecha"
        r"|[A-Za-z]{1,2}\b)?"
        r"|(?:piso|planta|puerta|pta\.|esc\.|escalera|bajo|[áa]tico)(?:[ \t]+\w{1,4}\b)?))*"
    )
    town = rf"(?:,?[ \t]*\d{{5}}(?:[ \t]+{word}(?:[ \t]+(?:{link}[ \t]+)?{word})*)?)?"
    prefix_value = (
        rf"[ \t]*(?:{link}[ \t]+)*(?:{word}|\d{{1,2}}[ \t]+de[ \t]+{word})"
        rf"(?:[ \t]+(?:{link}|{word}))*,?[ \t]*(?:n[º°o]\.?[ \t]*)?\d{{1,4}}[A-Za-z]?\b"
        rf"{floor}{town}"
    )
    english = (
        rf"\d(?<![\w]\d)\d{{0,5}}[ \t]+(?:(?:{word}|\d{{1,4}})[ \t]+){{0,3}}{word}"
        rf"[ \t]+{_ENGLISH_TYPES}{_UNIT}"
    )
    # Found by its suffix (a fast scan of the lower-cased text); the word around it
    # and the house number are matched on the original text.
    compound = rf"{_COMPOUND_SUFFIX}(?=[ \t]+\d)"
    compound_word = rf"(?:\d{{1,6}}[ \t]+)?[{up}][{low}]*$"
    compound_tail = rf"[ \t]+\d{{1,4}}[A-Za-z]?(?![\w]){_UNIT}"
    return AddressPatterns(
        prefix_trigger=re.compile(_PREFIX_TRIGGER),
        prefix_value=re.compile(prefix_value),
        english=re.compile(english),
        compound=re.compile(compound),
        compound_word=re.compile(compound_word),
        compound_tail=re.compile(compound_tail),
        # A flat or suite number on its own ("Apt. 478", "Suite 318").
        unit=re.compile(r"(?:Apt\.|Apartment|Suite)[ \t]+\d{1,5}(?![\w])"),
        # US military mail: "PSC 6477, Box 2981\nAPO AE 83700", "USS Lorenzen\nFPO AE 25990".
        military=re.compile(
            r"(?:PSC|Unit|USNS|USNV|USS|USCGC)[ \t][^\n\x00]{1,40}?\n?[ \t]*"
            r"(?:APO|FPO|DPO)[ \t](?:AA|AE|AP)[ \t]\d{5}"
        ),
    )
