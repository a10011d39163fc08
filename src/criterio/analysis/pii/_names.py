"""Person names: context patterns (es/en) and capitalised tokens checked against name lists.

Name lists come from two pip packages, both MIT-licensed: Faker's person providers
(first names and surnames of its Latin-script locales: es_ES, es_MX, es_AR, en_US,
pt_BR, fr_FR, de_DE, the Nordic and Central European ones...) and ``names`` (the US
Census 1990 lists: 5,494 first names, 88,799 surnames, many of them Hispanic), plus a
short list of Spanish first names written here. Matching ignores case and accents.
"""

from __future__ import annotations

import importlib
import pkgutil
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
lane street road avenue court park hall bank card visa master order pedido
cliente customer account cuenta servicio service soporte support equipo team atencion
ayuda help factura invoice precio importe total amazon google apple paypal spain espana
madrid barcelona valencia sevilla mexico argentina colombia chile peru london paris
ciudad calle plaza avenida norte sur este oeste centro san santa don doña señor señora
mr mrs ms dr sr sra srta dra also just all any some more most other new old first last
next then there here now today tomorrow yesterday hoy ayer mañana ahora aqui alli
apt apartment suite unit flat box po st street avenue ave road rd drive dr lane ln way
boulevard blvd court ct square squares place pl terrace close crescent creek cliffs
extensions forges fort hill hills park gardens row trail circle highway parkway island
princess prince royal queen lord lady sir saint god church university college school
user bot agent admin name email phone desk fax office mobile address date when where
tales song songs book novel film movie weekly daily news times club team group inc ltd
rua rio point lodge brook can ul via rue port bay beach lake river mount valley north
south east west new san los las el la le du des van von der den het mc mac
so in as esta está ah see many come an será ha ver over made ta sad general link press
true add less us run baby media dot branch worth rock kit haven echo delta sierra york
india florida denver phoenix africa texas america boston orlando washington cleveland
angeles dallas houston atlanta sydney ireland france francia french german safari
pandora alexa dell siri apple chase wells les lo los nos os se me te le usted ustedes
vosotros ellos ellas ella él yo tú quiero tengo necesito puedo pueden podrían
soy eres es somos son fue era estoy está i'm im am is was are
estimado estimada estimados querido querida apreciado apreciada distinguido
united states kingdom upper lower springs english spanish shadow producer director
perfecto perfecta genial claro estupendo entendido listo okey great perfect sure sorry
welcome awesome excellent
"""

# Words of the stop list (cities, brands) that are also surnames: right after a first
# name they finish the name ("Alessandro Phoenix", "Maria Chase").
_PLACE_SURNAMES = """
phoenix london paris washington cleveland dallas houston boston orlando denver york
sydney chase wells dell king lord hall park lane brook hill rock branch baker
"""

# First names and surnames that are also common words or places ("Rosa", "Pilar",
# "Santiago", "Grace", "Young"): taken as names after a context pattern or next to a
# known name ("Lily Nolan", "Zoe Young"), not on their own.
_AMBIGUOUS = """
rose grace hope joy faith bill mark art sunny dawn summer autumn winter star sky iris
ruby pearl jade amber crystal ivy holly lily daisy olive violet rich guy chase carol
gene dean frank pat sue major king price post young white black brown green long little
love fair gold silver grey gray blue red pink rose space midnight
cruz paz luz sol mar rosa blanca santiago salvador jesus angel reyes nieves gloria
mercedes victoria esperanza consuelo dolores amparo remedios soledad pilar rocio
francisco diego madison georgia carolina austin florence sierra india
"""

# Faker locales whose names are written in the Latin alphabet as customers write them;
# romanised lists (Vietnamese, Indonesian, Yoruba...) hold many short common words.
_LOCALE_LANGUAGES = frozenset(
    [
        "es",
        "en",
        "pt",
        "fr",
        "de",
        "it",
        "nl",
        "da",
        "no",
        "sv",
        "fi",
        "is",
        "pl",
        "cs",
        "sk",
        "sl",
        "hr",
        "hu",
        "ro",
        "et",
        "lt",
        "lv",
        "ga",
    ]
)

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
    ambiguous: frozenset[str]
    surface: frozenset[str]
    strict_last: frozenset[str]
    #: Stop-listed words that end a name after a first name ("Alessandro Phoenix").
    place_surnames: frozenset[str]
    #: Common English words (Faker's lorem list): no second word of a name on its own.
    common: frozenset[str]


def _faker_names() -> tuple[set[str], set[str], set[str]]:
    """First names and surnames from Faker's Latin-script person providers."""
    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    spellings: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        if module.name.split("_")[0] not in _LOCALE_LANGUAGES:
            continue
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attr, values in vars(provider).items():
            # first_names, first_names_female, last_names, unisex_last_names...
            into = first if "first_name" in attr else last if "last_name" in attr else None
            if into is not None and isinstance(values, dict | tuple | list):
                names = [n for n in values if _latin(n)]
                into.update(normalise_name(n) for n in names)
                spellings.update(names)
    return first, last, spellings


def _latin(name: object) -> bool:
    return isinstance(name, str) and all(ord(c) < 0x250 or c in " '-" for c in name)


def _census(name: str) -> list[str]:
    text = resources.files("names").joinpath(name).read_text(encoding="ascii")
    return [line.split(" ", 1)[0].lower() for line in text.splitlines() if line.strip()]


@cache
def load_lexicon() -> NameLexicon:
    """Load (once) the name lists shipped by the ``names`` package and the local lists."""
    first, last, spellings = _faker_names()
    # Faker's surnames alone are clean enough to spot a lone surname; the census list
    # (88,799 names, "Glad", "Treat", "Call" among them) only pairs with a first name.
    strict_last = frozenset(last)
    first.update(_census("dist.male.first"), _census("dist.female.first"))
    first.update(normalise_name(n) for n in _SPANISH_FIRST.split())
    spellings.update(n.title() for n in _SPANISH_FIRST.split())
    last.update(_census("dist.all.last"))
    stop = frozenset(normalise_name(w) for w in _STOP.split())
    ambiguous = frozenset(normalise_name(w) for w in _AMBIGUOUS.split())
    ambiguous = ambiguous | stop
    # Capitalised spellings ("José", "Jose", "Müller") of every usable name: a cheap
    # first test on raw tokens before normalising them.
    usable = (first | {n for n in strict_last if len(n) > 3}) - ambiguous
    surface = {w for w in spellings if normalise_name(w) in usable}
    surface.update(n.title() for n in usable)
    # Place surnames too: in "Crystal Phoenix" no other spelling of the lists is found.
    surface.update(w.title() for w in _PLACE_SURNAMES.split())
    from faker.providers.lorem.en_US import Provider as EnglishWords

    return NameLexicon(
        first=frozenset(first),
        last=frozenset(last),
        stop=stop,
        ambiguous=ambiguous,
        surface=frozenset(surface),
        strict_last=strict_last,
        place_surnames=frozenset(normalise_name(w) for w in _PLACE_SURNAMES.split()),
        common=frozenset(normalise_name(w) for w in EnglishWords.word_list),
    )


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
    initial_inside: re.Pattern[str]
    lower_name: re.Pattern[str]
    next_word: re.Pattern[str]


@cache
def name_patterns() -> NamePatterns:
    """Compile (once) the name patterns."""
    up, low = upper_class(), lower_class()
    # O'Brien, D’Angelo, Ruiz-Pérez; never the possessive "'s".
    # McConnan, DiCaprio, O'Brien, D’Angelo, Ruiz-Pérez; never the possessive "'s".
    word = (
        rf"[{up}](?:[{low}]+|(?=['’][{up}]))"
        rf"(?:['’][{up}][{low}]+|-[{up}][{low}]+|(?<=[Mm]c|ac|Di|De|La|Le)[{up}][{low}]+)?"
    )
    # "J." anywhere inside a name; "J" without a point only before another name word.
    initial = rf"[{up}](?:\.|(?=[ \t]+[{up}][{low}]))"
    name = (
        rf"{word}(?:[ \t]+(?:{_PARTICLES}[ \t]+)?(?:{word}|{initial}))*"
        r"(?:[ \t]+(?:II|III|IV|Jr\.))?"
    )
    # After these the next capitalised words are a name, whatever the lists say.
    strong = (
        r"\b(?:me\s+llamo|mi\s+nombre\s+es|my\s+name\s+is|my\s+name's|name\s+is|nombre:"
        r"|name:|a\s+nombre\s+de|titular:|titular\s+es|le\s+atiende|te\s+atiende|les\s+atiende"
        r"|le\s+saluda|te\s+saluda|soy\s+el\s+agente|soy\s+la\s+agente|mr\.?|mrs\.?|ms\.?"
        r"|dr\.?|sr\.?|sra\.?|srta\.?|dña\.?|dra\.?|don|doña|señor|señora"
        # Agents asking for the name, and the answer after it (chat transcripts).
        r"|(?:last|first|full|sur|family|middle)\s?name(?:\s+is)?:?|your\s+name\??"
        r"|name\s+on\s+the\s+account\??(?:\s+(?:user|customer):)?|apellidos?:?"
        r"|nombre\s+completo:?|tu\s+nombre\??|su\s+nombre\??"
        # Reporting verbs: "says Hannah", "was called Kevin", "dijo Marta".
        r"|says|said|explained|replied|shouted\s+at|called|named|dijo|explicó|contestó"
        r"|llamad[oa]|apodad[oa])(?![\w'])"
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
        # "Mr. X", "my name is X", "your last name? X", "name on the account? User: X".
        strong_name=re.compile(
            rf"(?:[?:][ \t]*\n?|[ \t]+)[ \t]*(?:(?i:user|customer|client|cliente|usuario):"
            rf"[ \t]*)?(?P<v>{name})"
        ),
        weak=re.compile(weak),
        weak_name=re.compile(rf",?[ \t]*\n?[ \t]*(?P<v>{name})"),
        sequence=re.compile(rf"(?<![\w@.\-'’]){name}(?![\w@])"),
        token=re.compile(rf"{word}|{initial}"),
        initial_inside=re.compile(rf"[ \t][{up}]\.?[ \t]"),
        # A name typed in lower case, right after a strong context ("my name is lena").
        lower_name=re.compile(rf"(?:[?:][ \t]*|[ \t]+)(?P<v>[{low}]+(?:[ \t]+[{low}]+){{0,2}})"),
        next_word=re.compile(rf"[ \t]+(?P<v>{word})(?![\w@])"),
    )
