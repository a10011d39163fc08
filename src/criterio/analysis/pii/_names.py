"""Person names: context patterns (es/en) and capitalised tokens checked against name lists.

Name lists come from the ``names`` package (MIT licence): the US Census 1990 first-name
and surname lists (5,494 first names, 88,799 surnames, many of them Hispanic), plus a
short list of Spanish first names written here. Matching ignores case and accents.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from criterio.analysis.pii._patterns import lower_class, upper_class

__all__ = ["NameLexicon", "load_lexicon", "name_patterns", "normalise_name"]

# Common Spanish first names the US census lists spell differently or lack.
_SPANISH_FIRST = """
agustin alba alejandro alicia almudena alvaro amparo ana andres angel angeles antonia
antonio ainhoa aitor ander araceli begoña beatriz borja carmen catalina concepcion
consuelo cristina dolores elena encarnacion enrique esperanza esther eugenia fernando
francisco gonzalo guadalupe hector ignacio ines inmaculada iñaki iñigo irene isabel jaime
javier jesus joaquin jordi jorge jose josefa juan julia julian laura lucia luis luisa
manuel manuela marcos margarita maria mariano marina marta mercedes miguel milagros
monica montserrat nerea nieves nuria pablo paloma patricia pedro pilar purificacion
rafael ramon raquel remedios ricardo rocio rosario sergio silvia sonia susana teresa
vicente victoria xavier yolanda zoe oriol pau arnau nil laia joan josep mireia
"""

# Capitalised words that are in the name lists but are mostly something else in
# customer messages: without a context pattern they are not taken as names.
_STOP = """
hola hello hi hey dear gracias thanks thank buenos buenas dias tardes noches saludos
regards best kind atentamente cordialmente please por favor the this that these those
my your our their his her its mi tu su nuestro vuestro el la los las un una unos unas
de del al a y o en con sin para por que como cuando donde quien what when where who how
why yes no si sí ok okay vale bien good great well will may june april august march
january february july september october november december enero febrero marzo abril
mayo junio julio agosto septiembre octubre noviembre diciembre monday tuesday wednesday
thursday friday saturday sunday lunes martes miercoles jueves viernes sabado domingo
rose grace hope joy faith bill mark art sunny dawn summer autumn winter star sky iris
ruby pearl jade amber crystal ivy holly lily daisy olive violet rich guy chase carol
gene dean frank pat sue major king price post young white black brown green long little
love fair lane street road avenue court park hall bank card visa master order pedido
cliente customer account cuenta servicio service soporte support equipo team atencion
ayuda help factura invoice precio importe total amazon google apple paypal spain espana
madrid barcelona valencia sevilla mexico argentina colombia chile peru london paris
cruz paz luz sol mar rosa blanca santiago salvador jesus angel reyes nieves gloria
mercedes victoria esperanza consuelo dolores amparo remedios soledad pilar rocio
ciudad calle plaza avenida norte sur este oeste centro san santa don doña señor señora
mr mrs ms dr sr sra srta dra also just all any some more most other new old first last
next then there here now today tomorrow yesterday hoy ayer mañana ahora aqui alli
"""

_PARTICLES = r"(?:de|del|de\s+la|de\s+los|van|von|da|di|du|le|y|e|dos|das)"


@lru_cache(maxsize=1 << 16)
def normalise_name(token: str) -> str:
    """Lower-case ``token`` and strip its accents (José -> jose)."""
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class NameLexicon:
    """First names, surnames and stop words, all normalised."""

    first: frozenset[str]
    last: frozenset[str]
    stop: frozenset[str]


def _census(name: str) -> list[str]:
    text = resources.files("names").joinpath(name).read_text(encoding="ascii")
    return [line.split(" ", 1)[0].lower() for line in text.splitlines() if line.strip()]


@cache
def load_lexicon() -> NameLexicon:
    """Load (once) the name lists shipped by the ``names`` package and the local lists."""
    first = {*_census("dist.male.first"), *_census("dist.female.first")}
    first.update(normalise_name(n) for n in _SPANISH_FIRST.split())
    last = set(_census("dist.all.last"))
    stop = frozenset(normalise_name(w) for w in _STOP.split())
    return NameLexicon(first=frozenset(first), last=frozenset(last), stop=stop)


@dataclass(frozen=True)
class NamePatterns:
    """Compiled patterns for person names.

    Triggers run over the lower-cased batch; the name after a trigger is matched on
    the original text (``.match`` at the trigger's end), where case matters.
    """

    strong: re.Pattern[str]
    strong_name: re.Pattern[str]
    weak: re.Pattern[str]
    weak_name: re.Pattern[str]
    sequence: re.Pattern[str]
    token: re.Pattern[str]


@cache
def name_patterns() -> NamePatterns:
    """Compile (once) the name patterns."""
    up, low = upper_class(), lower_class()
    word = rf"[{up}][{low}]+(?:['’\-][{up}]?[{low}]+)?"
    initial = rf"[{up}]\."
    name = rf"{word}(?:[ \t]+(?:{_PARTICLES}[ \t]+)?(?:{word}|{initial}))*"
    # After these the next capitalised words are a name, whatever the lists say.
    strong = (
        r"\b(?:me\s+llamo|mi\s+nombre\s+es|my\s+name\s+is|my\s+name's|name\s+is|nombre:"
        r"|name:|a\s+nombre\s+de|titular:|le\s+atiende|te\s+atiende|les\s+atiende"
        r"|le\s+saluda|te\s+saluda|soy\s+el\s+agente|soy\s+la\s+agente|mr\.?|mrs\.?|ms\.?"
        r"|dr\.?|sr\.?|sra\.?|srta\.?|dña\.?|dra\.?|don|doña|señor|señora)(?![\w'])"
    )
    # After these a name is likely; the first word must be a known first name.
    weak = (
        r"\b(?:soy|this\s+is|i\s+am|i'm|hola|hi|hello|hey|dear|estimad[oa]|querid[oa]"
        r"|buenos\s+d[ií]as|buenas\s+tardes|buenas\s+noches|buenas|gracias|thanks"
        r"|thank\s+you|saludos|un\s+saludo|regards|best\s+regards|kind\s+regards"
        r"|atentamente|cordialmente|cheers|sincerely|firmado|signed)(?![\w'])"
    )
    return NamePatterns(
        strong=re.compile(strong),
        strong_name=re.compile(rf"[ \t]+(?P<v>{name})"),
        weak=re.compile(weak),
        weak_name=re.compile(rf",?[ \t]*\n?[ \t]*(?P<v>{name})"),
        sequence=re.compile(rf"(?<![\w@.\-]){name}(?![\w@])"),
        token=re.compile(rf"{word}|{initial}"),
    )
