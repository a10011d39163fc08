"""Every word the report prints, in English and Spanish."""

from __future__ import annotations

from criterio.languages import LANGUAGES

__all__ = ["LANGUAGES", "WORDS", "channel_name"]


WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Contact report",
        "period": "Period",
        "previous_period": "Previous period",
        "generated": "Generated",
        "days": "days",
        "summary": "Summary",
        "contacts": "Contacts",
        "daily_average": "Daily average",
        "vs_previous": "vs previous period",
        "no_contacts": "There were no contacts in this period.",
        "volumes": "Volume",
        "daily_contacts": "Daily contacts",
        "this_period": "this period",
        "by_channel": "By channel",
        "daily_by_channel": "Daily contacts by channel",
        "channel": "Channel",
        "change": "Change",
        "points": "points",
        "new": "new",
        "reasons": "Top contact reasons",
        "reasons_note": "The labelled intent where a contact has one, otherwise the intent "
        "the analysis predicted.",
        "no_reasons": "No contact in this period has a labelled or predicted intent.",
        "topics": "Top topics",
        "topics_note": "Topics the analysis found in the contacts' texts.",
        "reason": "Reason",
        "topic": "Topic",
        "share": "Share",
        "trend": "Daily trend",
        "without_reason": "Contacts without a reason",
        "sentiment": "Sentiment",
        "no_sentiment": "No contact of this period has been analysed yet (`criterio analyze`).",
        "analysed": "Contacts analysed",
        "sentiment_distribution": "Share of analysed contacts by sentiment",
        "sentiment_trend": "Daily share of negative and positive contacts",
        "negative": "negative",
        "neutral": "neutral",
        "positive": "positive",
        "mean_score": "Mean sentiment score (−1 to 1)",
        "automation": "Automation opportunities",
        "automation_note": "Repetitive reasons handled by people that technology could "
        "answer. Detected automatically; the status says whether the team has reviewed them.",
        "no_automation": "No automation opportunity was detected in this period.",
        "confirmed": "What the team concluded",
        "confirmed_note": "Patterns the team reviewed and confirmed, with their "
        "interpretation, the proposal and who owns it.",
        "no_confirmed": "No insight of this period has been confirmed yet.",
        "interpretation": "Interpretation",
        "proposal": "Proposal",
        "owner": "Owner",
        "status": "Status",
        "status_new": "new",
        "status_in_review": "in review",
        "status_confirmed": "confirmed",
        "status_actioned": "actioned",
        "examples": "Examples (personal data removed)",
        "footnote": "Days are UTC calendar days. The previous period is the same number of "
        "days just before this one. Texts are shown only with personal data removed.",
        "report_for": "Report for",
    },
    "es": {
        "title": "Informe de contactos",
        "period": "Periodo",
        "previous_period": "Periodo anterior",
        "generated": "Generado",
        "days": "días",
        "summary": "Resumen",
        "contacts": "Contactos",
        "daily_average": "Media diaria",
        "vs_previous": "frente al periodo anterior",
        "no_contacts": "No hubo contactos en este periodo.",
        "volumes": "Volumen",
        "daily_contacts": "Contactos por día",
        "this_period": "este periodo",
        "by_channel": "Por canal",
        "daily_by_channel": "Contactos por día y canal",
        "channel": "Canal",
        "change": "Variación",
        "points": "puntos",
        "new": "nuevo",
        "reasons": "Principales motivos de contacto",
        "reasons_note": "La intención etiquetada cuando el contacto la tiene; si no, la "
        "intención que predijo el análisis.",
        "no_reasons": "Ningún contacto de este periodo tiene una intención etiquetada o predicha.",
        "topics": "Principales temas",
        "topics_note": "Temas que el análisis encontró en los textos de los contactos.",
        "reason": "Motivo",
        "topic": "Tema",
        "share": "Peso",
        "trend": "Tendencia diaria",
        "without_reason": "Contactos sin motivo",
        "sentiment": "Sentimiento",
        "no_sentiment": "Aún no se ha analizado ningún contacto de este periodo "
        "(`criterio analyze`).",
        "analysed": "Contactos analizados",
        "sentiment_distribution": "Reparto de los contactos analizados por sentimiento",
        "sentiment_trend": "Porcentaje diario de contactos negativos y positivos",
        "negative": "negativo",
        "neutral": "neutro",
        "positive": "positivo",
        "mean_score": "Sentimiento medio (−1 a 1)",
        "automation": "Oportunidades de automatización",
        "automation_note": "Motivos repetitivos atendidos por personas que la tecnología "
        "podría resolver. Detectados automáticamente; el estado indica si el equipo los ha "
        "revisado.",
        "no_automation": "No se detectó ninguna oportunidad de automatización en este periodo.",
        "confirmed": "Conclusiones del equipo",
        "confirmed_note": "Patrones que el equipo revisó y confirmó, con su interpretación, "
        "la propuesta y quién se encarga.",
        "no_confirmed": "Aún no se ha confirmado ningún hallazgo de este periodo.",
        "interpretation": "Interpretación",
        "proposal": "Propuesta",
        "owner": "Responsable",
        "status": "Estado",
        "status_new": "nuevo",
        "status_in_review": "en revisión",
        "status_confirmed": "confirmado",
        "status_actioned": "en acción",
        "examples": "Ejemplos (sin datos personales)",
        "footnote": "Los días son días naturales en UTC. El periodo anterior tiene los "
        "mismos días y termina justo antes de este. Los textos se muestran solo sin datos "
        "personales.",
        "report_for": "Informe para",
    },
}

CHANNELS_ES = {
    "voice": "voz",
    "social": "redes sociales",
    "messaging": "mensajería",
    "other": "otro",
    "unknown": "desconocido",
}


def channel_name(channel: str, language: str) -> str:
    """A channel as the report's reader calls it."""
    return CHANNELS_ES.get(channel, channel) if language == "es" else channel
