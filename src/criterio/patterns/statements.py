"""Plain-language statements of detections, in Spanish or English, from templates."""

from __future__ import annotations

from datetime import date
from typing import Any

from criterio.languages import LANGUAGES, supported
from criterio.patterns._frame import TERM
from criterio.patterns._types import Detection

__all__ = ["LANGUAGES", "segment_phrase", "statement"]

MONTHS_ES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
    "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip
DIMENSIONS_ES = {
    "queue": "cola", "region": "región", "channel": "canal", "product": "producto",
    "language": "idioma", "country": "país", "segment": "segmento",
}  # fmt: skip
#: Growth (of the share of contacts) from which a segment is "nearly new": a factor
#: that large comes from a near-zero base and means nothing as a number.
NEARLY_NEW = 10.0
OUTCOMES = {
    "low_csat": ("low CSAT", "CSAT baja"),
    "unresolved": ("unresolved contacts", "contactos no resueltos"),
    "escalated": ("escalations", "escalados"),
    "repeat_contact": ("repeat contacts within 7 days", "contactos repetidos en 7 días"),
}


def _day(value: date, lang: str) -> str:
    if lang == "es":
        return f"{value.day} de {MONTHS_ES[value.month - 1]}"
    return f"{value.day} {value.strftime('%B')}"


def _num(value: float, lang: str, digits: int = 0) -> str:
    text = f"{value:,.{digits}f}"
    if lang == "es":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def _pct(value: float, lang: str) -> str:
    return f"{_num(100 * value, lang)} %" if lang == "es" else f"{_num(100 * value, lang)}%"


def _human(value: str) -> str:
    return value.replace("_", " ").replace("-", " ") if " " not in value else value


def segment_phrase(segment: dict[str, str], lang: str) -> str:
    """ "contacts about double charge in region ES-CT" (lower case, without a full stop)."""
    about = [_human(segment[k]) for k in ("intent", "topic") if k in segment]
    where = [(k, v) for k, v in sorted(segment.items()) if k not in ("intent", "topic", TERM)]
    if TERM in segment:
        term = segment[TERM]
        return (
            f"los contactos que mencionan «{term}»"
            if lang == "es"
            else f"contacts mentioning “{term}”"
        )
    if lang == "es":
        text = "los contactos" + (f" sobre {' / '.join(about)}" if about else "")
        places = ", ".join(f"{DIMENSIONS_ES.get(k, k)} {v}" for k, v in where)
        text += f" en {places}" if places else ("" if about else " en total")
        return text
    text = "contacts" + (f" about {' / '.join(about)}" if about else "")
    places = ", ".join(f"{k} {v}" for k, v in where)
    return text + (f" in {places}" if places else ("" if about else " overall"))


def _rise(ratio: float, lang: str) -> str:
    words = {
        "en": ("doubled", "tripled", "quadrupled", "rose {r}-fold", "rose {p}"),
        "es": ("se duplicaron", "se triplicaron", "se cuadruplicaron", "se multiplicaron por {r}",
               "subieron un {p}"),
    }[lang]  # fmt: skip
    if ratio < 1.8:
        return words[4].format(p=_pct(ratio - 1, lang))
    if ratio < 2.5:
        return words[0]
    if ratio < 3.5:
        return words[1]
    if ratio < 4.5:
        return words[2]
    return words[3].format(r=_num(ratio, lang, 1))


def _fall(ratio: float, lang: str) -> str:
    if 0.4 <= ratio <= 0.6:
        return "se redujeron a la mitad" if lang == "es" else "halved"
    return (
        f"cayeron un {_pct(1 - ratio, lang)}"
        if lang == "es"
        else f"fell by {_pct(1 - ratio, lang)}"
    )


def _versus_expected(observed: str, expected: float, lang: str) -> str:
    """ "90 vs 29 expected"; under one expected contact, "13 vs fewer than 1 expected"
    (a baseline of 0.5 written as "0" would contradict the ratio beside it)."""
    if expected < 1:
        return (
            f"{observed} frente a menos de 1 esperado"
            if lang == "es"
            else f"{observed} vs fewer than 1 expected"
        )
    exp = _num(expected, lang)
    return (
        f"{observed} frente a {exp} esperados" if lang == "es" else f"{observed} vs {exp} expected"
    )


def _share(value: float, lang: str) -> str:
    """A share of contacts: "9%", "0.4%", "under 0.1%" (a tenth of a point is shown)."""
    if value < 0.001:
        return "menos del 0,1 %" if lang == "es" else "under 0.1%"
    digits = 1 if value < 0.01 else 0
    text = _num(100 * value, lang, digits)
    return f"{text} %" if lang == "es" else f"{text}%"


def _emerging(seg: str, start: str, f: dict[str, Any], lang: str) -> str:
    """Growth as shares of all contacts; "nearly new" when it starts from next to nothing."""
    before, after = _share(f["share_before"], lang), _share(f["share_after"], lang)
    growth = f.get("growth")
    if lang == "es":
        shares = f"del {before} al {after} de los contactos".replace("del menos", "de menos")
        if growth is None or growth >= NEARLY_NEW:
            return f"{seg} son casi nuevos desde el {start}: {shares}."
        return (
            f"{seg} crecen más rápido que el resto desde el {start}: {shares} "
            f"(peso ×{_num(growth, lang, 1)})."
        )
    shares = f"from {before} to {after} of contacts"
    if growth is None or growth >= NEARLY_NEW:
        return f"{seg} are nearly new since {start}: {shares}."
    return (
        f"{seg} are growing faster than the rest since {start}: {shares} "
        f"(share ×{_num(growth, lang, 1)})."
    )


def _similar(similar: list[dict[str, Any]], lang: str, shown: int = 5) -> str:
    """ " Similar: billing (31%), refunds (30%) and 2 more." for grouped drivers."""
    if not similar:
        return ""
    names = [
        f"{' / '.join(_human(str(v)) for v in s['segment'].values())} ({_pct(s['rate'], lang)})"
        for s in similar[:shown]
    ]
    more = len(similar) - shown
    if lang == "es":
        return f" Parecido en {', '.join(names)}" + (f" y {more} más." if more > 0 else ".")
    return f" Similar: {', '.join(names)}" + (f" and {more} more." if more > 0 else ".")


def statement(detection: Detection, lang: str = "en") -> str:
    """The one-sentence statement of a detection in ``lang`` (``es`` or ``en``)."""
    lang = supported(lang)
    f: dict[str, Any] = detection.figures
    seg = segment_phrase(detection.segment_dict, lang)
    start = _day(detection.start, lang)
    es = lang == "es"
    match detection.type:
        case "spike" | "drop":
            verb = _rise(f["ratio"], lang) if detection.type == "spike" else _fall(f["ratio"], lang)
            when = f"el {start}" if es else f"on {start}"
            if f.get("days", 1) > 1:
                end = _day(detection.end, lang)
                when = f"entre el {start} y el {end}" if es else f"from {start} to {end}"
            if f.get("start_time") and f.get("end_time"):
                a, b = f["start_time"][11:16], f["end_time"][11:16]
                when += f", de {a} a {b} UTC" if es else f", {a}–{b} UTC"
            obs = _num(f["observed"], lang)
            detail = _versus_expected(obs, float(f["expected"]), lang)
            text = f"{seg} {verb} {when} ({detail})."
        case "emerging" if f.get("new"):
            n = _num(f["contacts_since_start"], lang)
            text = (
                f"Nuevo: {seg} aparecieron el {start} ({n} desde entonces)."
                if es
                else f"New: {seg} appeared on {start} ({n} since)."
            )
        case "emerging" if "share_after" in f:
            text = _emerging(seg, start, f, lang)
        case "emerging":  # figures of detections before shares were kept
            g = _num(f["growth"], lang, 1)
            text = (
                f"{seg} crecen más rápido que el resto desde el {start}: su peso se ha "
                f"multiplicado por {g}."
                if es
                else f"{seg} are growing faster than the rest since {start}: their share is ×{g}."
            )
        case "csat_shift" | "sentiment_shift":
            b, a = _num(f["before"], lang, 2), _num(f["after"], lang, 2)
            if es:
                name = "La CSAT" if f["measure"] == "csat" else "El sentimiento"
                verb = "bajó" if f["delta"] < 0 else "subió"
                text = f"{name} de {seg} {verb} de {b} a {a} desde el {start}."
            else:
                name = "CSAT" if f["measure"] == "csat" else "Sentiment"
                verb = "fell" if f["delta"] < 0 else "rose"
                text = f"{name} of {seg} {verb} from {b} to {a} since {start}."
        case "driver":
            en_name, es_name = OUTCOMES.get(f["measure"], (f["measure"], f["measure"]))
            r, rest = _pct(f["rate"], lang), _pct(f["rate_rest"], lang)
            d = _num(100 * f["difference"], lang)
            lo, hi = _num(100 * f["ci_low"], lang), _num(100 * f["ci_high"], lang)
            x = _num(f["excess_outcomes"], lang)
            text = (
                f"{seg} se asocian a {es_name}: {r} frente a {rest} en el resto (+{d} puntos, "
                f"IC 95 % {lo}–{hi}), unos {x} casos más."
                if es
                else f"{seg} go with {en_name}: {r} vs {rest} in the rest (+{d} points, "
                f"95% CI {lo}–{hi}), about {x} more cases."
            )
            for other in f.get("other_outcomes", []):
                en_other, es_other = OUTCOMES.get(other["measure"], (other["measure"],) * 2)
                r, rest = _pct(other["rate"], lang), _pct(other["rate_rest"], lang)
                text += (
                    f" También {es_other}: {r} frente a {rest}."
                    if es
                    else f" Also {en_other}: {r} vs {rest}."
                )
            text += _similar(f.get("similar_segments", []), lang)
        case "automation_opportunity":
            n = _num(f["contacts_per_30_days"], lang)
            h = _pct(f["human_share"], lang)
            rep = f.get("repetition")
            if es:
                same = (
                    f", el {_pct(rep, lang)} se cierran igual ({f['top_resolution']})"
                    if rep
                    else ""
                )
                text = (
                    f"{seg} son candidatos a automatizar: {n} cada 30 días, "
                    f"el {h} atendidos por personas{same}."
                )
            else:
                same = (
                    f", {_pct(rep, lang)} close the same way ({f['top_resolution']})" if rep else ""
                )
                text = (
                    f"{seg} are an automation candidate: {n} per 30 days, "
                    f"{h} handled by people{same}."
                )
        case "knowledge_gap":  # criterio.knowledge.gaps: contacts no article answers
            label = detection.segment_dict.get("gap", "")
            n = _num(f["size"], lang)
            text = (
                f"Hueco de conocimiento: {n} contactos sobre «{label}» sin artículo que los "
                "responda"
                if es
                else f"Knowledge gap: {n} contacts about '{label}' that no article answers"
            )
        case "automation_suspended":  # criterio.triage.outcomes: answers that did not hold
            intent = detection.segment_dict.get("intent", "")
            held, target = _pct(f["realised_precision"], lang), _pct(f["target"], lang)
            n = _num(f["answered"], lang)
            text = (
                f"Se ha suspendido la automatización de {intent}: solo el {held} de sus {n} "
                f"respuestas automáticas fue correcto, por debajo del objetivo del {target}; "
                "sus contactos vuelven a atenderlos personas"
                if es
                else f"Automation of {intent} was suspended: {held} of its {n} automated "
                f"answers held, under the {target} target; its contacts go to people again"
            )
        case _:
            text = f"{detection.type}: {seg}."
    return text[0].upper() + text[1:]
