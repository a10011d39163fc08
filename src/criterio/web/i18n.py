"""The web pages' message catalogue (English and Spanish) and the choice of a page's language.

One dictionary per language with the same keys (a test checks it); templates call
``t("key")`` and get the text of the page's language. A missing key falls back to
English, then to the key itself, so a forgotten entry shows up on the page, never an error.
"""

from __future__ import annotations

from collections.abc import Callable

from criterio.assist.messages import WORKSPACE_MESSAGES
from criterio.languages import LANGUAGES
from criterio.learning.messages import LEARNING_MESSAGES
from criterio.web.i18n_knowledge import KNOWLEDGE_MESSAGES

__all__ = [
    "LANGUAGES",
    "MESSAGES",
    "choose_language",
    "figure_label",
    "figure_order",
    "figure_value",
    "translator",
]

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "app": "Criterio",
        "skip": "Skip to content",
        "nav.insights": "Insights",
        "nav.impact": "Impact",
        "nav.signed_in_as": "Signed in as {user} ({role}, {tenant})",
        "nav.sign_out": "Sign out",
        "nav.language": "Language",
        "login.title": "Sign in to Criterio",
        "login.username": "User name",
        "login.password": "Password",
        "login.submit": "Sign in",
        "done.title": "Signed in",
        "done.you_are": "You are {user}, {role} in tenant {tenant}.",
        "done.to_insights": "Go to the insights",
        "list.title": "Insights",
        "list.filters": "Filters",
        "list.status": "Status",
        "list.type": "Type",
        "list.min_severity": "Minimum severity",
        "list.period_from": "Period from",
        "list.period_to": "Period to",
        "list.any": "Any",
        "list.apply": "Apply filters",
        "list.clear": "Clear",
        "list.count": "{shown} of {total} insights",
        "list.none": "No insights match these filters.",
        "list.caption": "Insights, {order}",
        "list.most_severe_first": "most severe first",
        "list.least_severe_first": "least severe first",
        "list.sort_by_severity": "Sort by severity",
        "list.previous": "Previous page",
        "list.next": "Next page",
        "col.severity": "Severity",
        "col.statement": "Statement",
        "col.type": "Type",
        "col.segment": "Segment",
        "col.period": "Period",
        "col.status": "Status",
        "detail.back": "Back to the list",
        "detail.summary": "Summary",
        "detail.severity": "Severity",
        "detail.detections": "Times detected",
        "detail.pattern": "Pattern",
        "pattern.ongoing": "still detected",
        "pattern.ended": "ended",
        "detail.last_detected": "Last detected",
        "detail.chart": "Chart",
        "detail.no_chart": "This insight has no chart.",
        "detail.figures": "Figures",
        "detail.figure": "Figure",
        "detail.value": "Value",
        "detail.examples": "Example interactions",
        "detail.examples_note": "Personal data is redacted. Only the redacted text stored "
        "by the analysis is shown.",
        "detail.no_examples": "No example interactions.",
        "detail.unavailable": "Redacted text unavailable: this interaction has not been "
        "analysed with redaction since it last changed.",
        "detail.erased": "This interaction no longer exists (erased).",
        "detail.review": "Review",
        "detail.interpretation": "Interpretation",
        "detail.proposal": "Proposal",
        "detail.owner": "Owner",
        "detail.not_set": "Not set yet",
        "detail.history": "Review history",
        "detail.no_history": "No status changes yet.",
        "detail.when": "When",
        "detail.from": "From",
        "detail.to": "To",
        "detail.by": "By",
        "detail.reviewed": "Review saved.",
        "review.title": "Update the review",
        "review.status": "New status",
        "review.keep": "Keep: {status}",
        "review.final": "This status is final: only the texts can change.",
        "review.interpretation_help": "Required to confirm or dismiss.",
        "review.proposal_help": "With an owner, required to mark it actioned.",
        "review.submit": "Save review",
        "error.title": "Something went wrong",
        "error.forbidden": "Your role may not do this.",
        "error.csrf": "This form is out of date or did not come from this site: "
        "reload the page and try again.",
        "error.not_found": "There is no such insight in your tenant.",
        "status.new": "new",
        "status.in_review": "in review",
        "status.confirmed": "confirmed",
        "status.dismissed": "dismissed",
        "status.actioned": "actioned",
        "type.spike": "spike",
        "type.drop": "drop",
        "type.emerging": "emerging issue",
        "type.sentiment_shift": "sentiment shift",
        "type.csat_shift": "CSAT shift",
        "type.driver": "driver",
        "type.automation_opportunity": "automation opportunity",
        "role.customer": "customer",
        "role.agent": "agent",
        "role.bot": "bot",
        "role.system": "system",
        "segment.all": "all contacts",
        "dimension.intent": "intent",
        "dimension.topic": "topic",
        "dimension.term": "customers' words",
        "dimension.queue": "queue",
        "dimension.region": "region",
        "dimension.channel": "channel",
        "dimension.language": "language",
        "dimension.product": "product",
        "dimension.country": "country",
        "figure.vs": "{rate} vs {rest}",
        "outcome.low_csat": "low CSAT",
        "outcome.unresolved": "unresolved contacts",
        "outcome.escalated": "escalations",
        "outcome.repeat_contact": "repeat contacts within 7 days",
        "userrole.admin": "admin",
        "userrole.lead": "lead",
        "userrole.analyst": "analyst",
        "userrole.agent": "agent",
        "userrole.integration": "integration",
        "value.yes": "yes",
        "value.no": "no",
        "problem.severity": "{field}: give a number from 0 to 100.",
        "problem.date": "{field}: give a date as YYYY-MM-DD.",
        "problem.period_order": "The period starts after it ends: swap the dates.",
        "review.error": "The review was not saved:",
        **KNOWLEDGE_MESSAGES["en"],
    },
    "es": {
        "app": "Criterio",
        "skip": "Saltar al contenido",
        "nav.insights": "Hallazgos",
        "nav.impact": "Impacto",
        "nav.signed_in_as": "Sesión de {user} (rol {role}, cliente {tenant})",
        "nav.sign_out": "Cerrar sesión",
        "nav.language": "Idioma",
        "login.title": "Entrar en Criterio",
        "login.username": "Usuario",
        "login.password": "Contraseña",
        "login.submit": "Entrar",
        "done.title": "Sesión iniciada",
        "done.you_are": "Eres {user}, {role} en el cliente {tenant}.",
        "done.to_insights": "Ir a los hallazgos",
        "list.title": "Hallazgos",
        "list.filters": "Filtros",
        "list.status": "Estado",
        "list.type": "Tipo",
        "list.min_severity": "Gravedad mínima",
        "list.period_from": "Periodo desde",
        "list.period_to": "Periodo hasta",
        "list.any": "Cualquiera",
        "list.apply": "Aplicar filtros",
        "list.clear": "Quitar filtros",
        "list.count": "{shown} de {total} hallazgos",
        "list.none": "Ningún hallazgo cumple estos filtros.",
        "list.caption": "Hallazgos, {order}",
        "list.most_severe_first": "primero los más graves",
        "list.least_severe_first": "primero los menos graves",
        "list.sort_by_severity": "Ordenar por gravedad",
        "list.previous": "Página anterior",
        "list.next": "Página siguiente",
        "col.severity": "Gravedad",
        "col.statement": "Enunciado",
        "col.type": "Tipo",
        "col.segment": "Segmento",
        "col.period": "Periodo",
        "col.status": "Estado",
        "detail.back": "Volver a la lista",
        "detail.summary": "Resumen",
        "detail.severity": "Gravedad",
        "detail.detections": "Veces detectado",
        "detail.pattern": "Patrón",
        "pattern.ongoing": "se sigue detectando",
        "pattern.ended": "terminado",
        "detail.last_detected": "Última detección",
        "detail.chart": "Gráfico",
        "detail.no_chart": "Este hallazgo no tiene gráfico.",
        "detail.figures": "Cifras",
        "detail.figure": "Cifra",
        "detail.value": "Valor",
        "detail.examples": "Interacciones de ejemplo",
        "detail.examples_note": "Los datos personales están anonimizados. Solo se muestra "
        "el texto anonimizado que guardó el análisis.",
        "detail.no_examples": "No hay interacciones de ejemplo.",
        "detail.unavailable": "Texto anonimizado no disponible: esta interacción no se ha "
        "analizado con anonimización desde su último cambio.",
        "detail.erased": "Esta interacción ya no existe (borrada).",
        "detail.review": "Revisión",
        "detail.interpretation": "Interpretación",
        "detail.proposal": "Propuesta",
        "detail.owner": "Responsable",
        "detail.not_set": "Sin definir",
        "detail.history": "Historial de la revisión",
        "detail.no_history": "Aún no hay cambios de estado.",
        "detail.when": "Cuándo",
        "detail.from": "De",
        "detail.to": "A",
        "detail.by": "Quién",
        "detail.reviewed": "Revisión guardada.",
        "review.title": "Actualizar la revisión",
        "review.status": "Nuevo estado",
        "review.keep": "Mantener: {status}",
        "review.final": "Este estado es definitivo: solo pueden cambiar los textos.",
        "review.interpretation_help": "Obligatoria para confirmar o descartar.",
        "review.proposal_help": "Con un responsable, obligatoria para marcarlo como ejecutado.",
        "review.submit": "Guardar revisión",
        "error.title": "Algo ha fallado",
        "error.forbidden": "Tu rol no permite hacer esto.",
        "error.csrf": "Este formulario ha caducado o no viene de este sitio: "
        "recarga la página y vuelve a intentarlo.",
        "error.not_found": "No existe ese hallazgo en tu cliente.",
        "status.new": "nuevo",
        "status.in_review": "en revisión",
        "status.confirmed": "confirmado",
        "status.dismissed": "descartado",
        "status.actioned": "ejecutado",
        "type.spike": "pico",
        "type.drop": "caída",
        "type.emerging": "tema emergente",
        "type.sentiment_shift": "cambio de sentimiento",
        "type.csat_shift": "cambio de CSAT",
        "type.driver": "factor",
        "type.automation_opportunity": "oportunidad de automatización",
        "role.customer": "cliente",
        "role.agent": "agente",
        "role.bot": "bot",
        "role.system": "sistema",
        "segment.all": "todos los contactos",
        "dimension.intent": "intención",
        "dimension.topic": "tema",
        "dimension.term": "palabras del cliente",
        "dimension.queue": "cola",
        "dimension.region": "región",
        "dimension.channel": "canal",
        "dimension.language": "idioma",
        "dimension.product": "producto",
        "dimension.country": "país",
        "figure.vs": "{rate} frente a {rest}",
        "outcome.low_csat": "CSAT baja",
        "outcome.unresolved": "contactos no resueltos",
        "outcome.escalated": "escalados",
        "outcome.repeat_contact": "contactos repetidos en 7 días",
        "userrole.admin": "administrador",
        "userrole.lead": "supervisor",
        "userrole.analyst": "analista",
        "userrole.agent": "agente",
        "userrole.integration": "integración",
        "value.yes": "sí",
        "value.no": "no",
        "problem.severity": "{field}: indica un número de 0 a 100.",
        "problem.date": "{field}: indica una fecha como AAAA-MM-DD.",
        "problem.period_order": "El periodo empieza después de acabar: intercambia las fechas.",
        "review.error": "No se guardó la revisión:",
        **KNOWLEDGE_MESSAGES["es"],
    },
}
# Each domain's pages bring their own texts; the catalogue is one.
for _code, _texts in WORKSPACE_MESSAGES.items():
    MESSAGES[_code].update(_texts)
for _code, _texts in LEARNING_MESSAGES.items():
    MESSAGES[_code].update(_texts)

#: Names of the figures detectors report, for the figures table (raw key otherwise).
FIGURES: dict[str, dict[str, str]] = {
    "en": {
        "observed": "observed contacts",
        "expected": "expected contacts",
        "ratio": "ratio",
        "peak_day": "peak day",
        "days": "days",
        "q_value": "q-value (false discovery rate)",
        "measure": "measure",
        "rate": "rate in the segment",
        "rate_rest": "rate in the rest",
        "difference": "difference",
        "ci_low": "confidence interval, low",
        "ci_high": "confidence interval, high",
        "contacts": "contacts",
        "excess_outcomes": "outcomes in excess",
        "new": "new",
        "growth": "growth",
        "contacts_since_start": "contacts since the start",
        "extra_contacts": "extra contacts",
        "before": "before",
        "after": "after",
        "delta": "change",
        "scored_before": "scored before",
        "scored_after": "scored after",
        "contacts_per_30_days": "contacts per 30 days",
        "human_share": "share handled by people",
        "repetition": "repetition",
        "top_resolution": "most common resolution",
        "resolved_rate": "resolved rate",
        "automatable_per_30_days": "automatable per 30 days",
        "baseline_days": "baseline days",
        "granularity": "granularity",
        "start_time": "from",
        "end_time": "to",
        "hours": "hours",
        "other_outcomes": "other outcomes",
        "share_before": "share of contacts before",
        "share_after": "share of contacts in the last 7 days",
        "similar_segments": "similar segments",
        "merged_topics": "near-duplicate topics merged",
    },
    "es": {
        "observed": "contactos observados",
        "expected": "contactos esperados",
        "ratio": "razón",
        "peak_day": "día del pico",
        "days": "días",
        "q_value": "valor q (tasa de falsos descubrimientos)",
        "measure": "medida",
        "rate": "tasa en el segmento",
        "rate_rest": "tasa en el resto",
        "difference": "diferencia",
        "ci_low": "intervalo de confianza, inferior",
        "ci_high": "intervalo de confianza, superior",
        "contacts": "contactos",
        "excess_outcomes": "resultados en exceso",
        "new": "nuevo",
        "growth": "crecimiento",
        "contacts_since_start": "contactos desde el inicio",
        "extra_contacts": "contactos adicionales",
        "before": "antes",
        "after": "después",
        "delta": "cambio",
        "scored_before": "puntuados antes",
        "scored_after": "puntuados después",
        "contacts_per_30_days": "contactos cada 30 días",
        "human_share": "parte atendida por personas",
        "repetition": "repetición",
        "top_resolution": "resolución más frecuente",
        "resolved_rate": "tasa de resolución",
        "automatable_per_30_days": "automatizables cada 30 días",
        "baseline_days": "días de referencia",
        "granularity": "granularidad",
        "start_time": "desde",
        "end_time": "hasta",
        "hours": "horas",
        "other_outcomes": "otros resultados",
        "share_before": "parte de los contactos antes",
        "share_after": "parte de los contactos en los últimos 7 días",
        "similar_segments": "segmentos similares",
        "merged_topics": "temas casi iguales unidos",
    },
}


def translator(language: str) -> Callable[..., str]:
    """``t(key, **values)``: the text of ``key`` in ``language``, with ``{values}`` filled.

    ``default`` is shown for a key neither catalogue has (an insight type added after
    this catalogue, say); without it, the key itself.
    """
    catalogue = MESSAGES.get(language, MESSAGES["en"])

    def t(key: str, /, default: str | None = None, **values: object) -> str:
        text = catalogue.get(key) or MESSAGES["en"].get(key) or default or key
        return text.format(**values) if values else text

    return t


def figure_order(key: str) -> int:
    """Where a figure goes in the table: the catalogue's order (stores may reorder keys)."""
    order = list(FIGURES["en"])
    return order.index(key) if key in order else len(order)


def figure_label(language: str, key: str) -> str:
    """The name of a detector's figure in ``language`` (the key, spaced, when unknown)."""
    return FIGURES.get(language, FIGURES["en"]).get(key, key.replace("_", " "))


#: Words some figures hold as values, in each language.
VALUES: dict[str, dict[str, str]] = {
    "en": {"hour": "hour", "day": "day"},
    "es": {"hour": "hora", "day": "día"},
}


def figure_value(
    language: str, key: str, value: object, number: Callable[[str, object], str]
) -> str:
    """A figure's value for people in ``language``: outcome names and units translated,
    times as UTC clock times, lists of outcomes or segments one after the other;
    ``number`` writes plain values (numbers the way the language writes them)."""
    t = translator(language)
    spanish = language == "es"
    if key == "measure" and isinstance(value, str):
        return t(f"outcome.{value}", default=value)
    if key in ("start_time", "end_time") and isinstance(value, str) and len(value) >= 16:
        return f"{value[:10]} {value[11:16]} UTC"
    if isinstance(value, str):
        return VALUES.get(language, VALUES["en"]).get(value, value)
    if isinstance(value, list):
        parts = []
        for item in value:
            if not isinstance(item, dict):
                parts.append(number(language, item))
                continue
            name = item.get("measure") or item.get("segment") or ""
            if isinstance(name, dict):
                name = " · ".join(f"{t(f'dimension.{k}', default=k)}: {v}" for k, v in name.items())
            name = figure_value(language, "measure", name, number) if "measure" in item else name
            rate, rest = (
                number(language, round(100 * float(item.get(k, 0)), 1)) + (" %" if spanish else "%")
                for k in ("rate", "rate_rest")
            )
            parts.append(f"{name} ({t('figure.vs', rate=rate, rest=rest)})")
        return "; ".join(parts) or "—"
    return number(language, value)


def choose_language(
    requested: str | None, cookie: str | None, accept_language: str | None
) -> str | None:
    """The user's choice (query, then cookie), else the browser's; None: neither says.

    ``accept_language`` is the raw header; its entries are taken in order of their
    ``q`` weight and the first that is English or Spanish (any region) wins.
    """
    for choice in (requested, cookie):
        if choice in LANGUAGES:
            return choice
    for tag in _ranked(accept_language or ""):
        base = tag.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return None


def _ranked(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:
            weighted.append((-weight, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]
