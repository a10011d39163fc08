"""The learning pages' texts (English and Spanish), merged into ``web/i18n.py``'s catalogue."""

from __future__ import annotations

__all__ = ["LEARNING_MESSAGES"]

LEARNING_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "nav.learning": "Learning",
        "nav.teach": "Teach Criterio",
        "learn.tabs": "Learning",
        "learn.models": "Model history",
        "learn.models_intro": "Every model Criterio trained for this tenant, newest first: "
        "what it learned from, how it did on recent human decisions neither model had seen, "
        "and who made it the champion.",
        "learn.kind": "Kind",
        "learn.all_kinds": "all",
        "learn.show": "Show",
        "learn.version": "Version",
        "learn.status": "Status",
        "learn.status.champion": "champion",
        "learn.status.candidate": "candidate",
        "learn.status.retired": "retired",
        "learn.created": "Trained",
        "learn.examples": "Examples",
        "learn.heldout": "Held-out accuracy",
        "learn.decision": "Decision",
        "learn.promoted": "Promoted",
        "learn.promoted_by": "{when} by {who}",
        "learn.no_models": "No model has been trained for this tenant yet "
        "(`criterio learn` trains the first).",
        "learn.rollback": "Roll back the {kind} model",
        "learn.rollback_help": "Makes the previous {kind} champion the champion again; "
        "interactions the replaced model analysed are analysed again.",
        "learn.rolled_back": "Rolled back: model {model} is the champion again.",
        "learn.error": "That could not be done:",
        "learn.teach": "Teach Criterio",
        "learn.teach_intro": "Interactions whose label would teach the model most: it is "
        "unsure between two intents, and they are unlike one another. Give each the intent "
        "the customer meant; the next learning run trains on it.",
        "learn.budget": "Today's budget: {given} of {budget} labels given, {left} left.",
        "learn.budget_used": "Today's budget is used up. Thank you: come back tomorrow.",
        "learn.nothing": "Nothing to teach now: no intent model yet, or every interaction "
        "has a label.",
        "learn.guess": "The model's two best guesses: {best}, then {second} "
        "(ahead by {margin}; the smaller, the less sure).",
        "learn.intent": "Intent",
        "learn.intent_for": "Intent of {id}",
        "learn.intent_help": "A known intent, or a new name; “other” when none fits.",
        "learn.save_label": "Save the label",
        "learn.taught": "Label saved. Thank you.",
        "learn.proposals": "Proposed intents",
        "learn.proposals_intro": "Routed interactions people marked “other”, or labelled "
        "with an intent the model does not know, grouped by what they say. Accept a group "
        "under a new name, or merge it into an existing intent: its interactions are "
        "labelled so and the next learning run trains on them.",
        "learn.no_proposals": "No proposed intents: too few interactions fit no known intent.",
        "learn.proposal": "{n} interactions",
        "learn.names_given": "Names people gave: {names}",
        "learn.examples_heading": "Examples (redacted)",
        "learn.new_name": "New intent name",
        "learn.new_name_for": "New intent name for {key}",
        "learn.accept": "Accept as a new intent",
        "learn.merge_into": "Merge into",
        "learn.merge_into_for": "Merge {key} into",
        "learn.merge": "Merge",
        "learn.accepted": "{n} interactions labelled {name}; the next learning run trains on them.",
        "learn.leads_only": "Leads and admins accept or merge proposals.",
    },
    "es": {
        "nav.learning": "Aprendizaje",
        "nav.teach": "Enseñar a Criterio",
        "learn.tabs": "Aprendizaje",
        "learn.models": "Historial de modelos",
        "learn.models_intro": "Cada modelo que Criterio entrenó para este cliente, del más "
        "reciente al más antiguo: de qué aprendió, cómo le fue con decisiones humanas "
        "recientes que ningún modelo había visto y quién lo hizo campeón.",
        "learn.kind": "Tipo",
        "learn.all_kinds": "todos",
        "learn.show": "Mostrar",
        "learn.version": "Versión",
        "learn.status": "Estado",
        "learn.status.champion": "campeón",
        "learn.status.candidate": "candidato",
        "learn.status.retired": "retirado",
        "learn.created": "Entrenado",
        "learn.examples": "Ejemplos",
        "learn.heldout": "Acierto en reserva",
        "learn.decision": "Decisión",
        "learn.promoted": "Promovido",
        "learn.promoted_by": "{when} por {who}",
        "learn.no_models": "Aún no se ha entrenado ningún modelo para este cliente "
        "(`criterio learn` entrena el primero).",
        "learn.rollback": "Volver al modelo {kind} anterior",
        "learn.rollback_help": "El campeón {kind} anterior vuelve a ser el campeón; las "
        "interacciones que analizó el modelo sustituido se analizan de nuevo.",
        "learn.rolled_back": "Hecho: el modelo {model} vuelve a ser el campeón.",
        "learn.error": "No se pudo hacer:",
        "learn.teach": "Enseñar a Criterio",
        "learn.teach_intro": "Interacciones cuya etiqueta más enseñaría al modelo: duda "
        "entre dos intenciones y son distintas entre sí. Indica la intención que tenía el "
        "cliente; la próxima ronda de aprendizaje la usará.",
        "learn.budget": "Cupo de hoy: {given} de {budget} etiquetas dadas, quedan {left}.",
        "learn.budget_used": "El cupo de hoy está agotado. Gracias: vuelve mañana.",
        "learn.nothing": "Nada que enseñar ahora: aún no hay modelo de intenciones, o "
        "todas las interacciones tienen etiqueta.",
        "learn.guess": "Las dos mejores opciones del modelo: {best} y luego {second} "
        "(ventaja {margin}; cuanto menor, menos seguro).",
        "learn.intent": "Intención",
        "learn.intent_for": "Intención de {id}",
        "learn.intent_help": "Una intención conocida o un nombre nuevo; «other» si ninguna encaja.",
        "learn.save_label": "Guardar la etiqueta",
        "learn.taught": "Etiqueta guardada. Gracias.",
        "learn.proposals": "Intenciones propuestas",
        "learn.proposals_intro": "Interacciones derivadas que las personas marcaron como "
        "«other», o etiquetaron con una intención que el modelo no conoce, agrupadas por lo "
        "que dicen. Acepta un grupo con un nombre nuevo o fusiónalo con una intención "
        "existente: sus interacciones quedan etiquetadas así y la próxima ronda de "
        "aprendizaje las usa.",
        "learn.no_proposals": "No hay intenciones propuestas: pocas interacciones quedan "
        "fuera de las intenciones conocidas.",
        "learn.proposal": "{n} interacciones",
        "learn.names_given": "Nombres que dieron las personas: {names}",
        "learn.examples_heading": "Ejemplos (anonimizados)",
        "learn.new_name": "Nombre de la nueva intención",
        "learn.new_name_for": "Nombre de la nueva intención para {key}",
        "learn.accept": "Aceptar como intención nueva",
        "learn.merge_into": "Fusionar con",
        "learn.merge_into_for": "Fusionar {key} con",
        "learn.merge": "Fusionar",
        "learn.accepted": "{n} interacciones etiquetadas como {name}; la próxima ronda de "
        "aprendizaje las usa.",
        "learn.leads_only": "Las propuestas las aceptan o fusionan responsables y administradores.",
    },
}
