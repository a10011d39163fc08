"""Phrase banks of the demo: customer openings per intent, agent and bot replies, extras.

Written by the project for the demo (no external corpus). Slots in braces are filled
by the generator: {product} {amount} {order} {days} {date} {competitor} {plan}.
"""

from __future__ import annotations

__all__ = [
    "AGENT_CLOSINGS",
    "AGENT_REPLIES",
    "ANGRY",
    "BOT_HANDOFF",
    "BOT_OPENERS",
    "BOT_SOLVED",
    "CLOSINGS",
    "CUSTOMER_FOLLOWUPS",
    "EMAIL_SIGNOFF",
    "EMOJIS_ANGRY",
    "EMOJIS_HAPPY",
    "GREETINGS",
    "INTENT_TEXTS",
    "PII_SENTENCES",
    "REPEAT_PREFIX",
    "SUBJECTS",
    "VOICE_FILLERS",
]

Bank = dict[str, dict[str, tuple[str, ...]]]

#: What the customer says first, by intent and language (several paraphrases each).
INTENT_TEXTS: Bank = {
    "double_charge": {
        "es": (
            "me habéis cobrado dos veces la factura de este mes, {amount} cada cargo",
            "tengo un cargo duplicado de {amount} en la cuenta y no entiendo por qué",
            "en el banco me aparecen dos cobros iguales de {amount}, uno sobra",
            "me han pasado el recibo de {product} dos veces",
            "no es normal que me cobréis dos veces el mismo mes, quiero que me devolváis {amount}",
            "cobro repetido!! {amount} dos veces en la misma semana",
            "revisando el extracto veo la cuota de {product} duplicada",
        ),
        "en": (
            "you charged me twice for this month's bill, {amount} each time",
            "there is a duplicate charge of {amount} on my card",
            "my bank shows two identical payments of {amount} for {product}",
            "I was billed two times for the same invoice",
            "why did you take {amount} twice?? I want one of them back",
            "double charge on my account this month, please fix it",
        ),
    },
    "invoice_question": {
        "es": (
            "no entiendo la factura de este mes, ha subido a {amount}",
            "¿por qué me ha llegado una factura de {amount} si mi tarifa es más barata?",
            "quería saber qué es un concepto de la factura que no reconozco",
            "la factura de {product} viene más alta que el mes pasado",
            "me podéis explicar el desglose de la última factura?",
            "necesito una copia de la factura del mes pasado para la empresa",
        ),
        "en": (
            "I don't understand this month's bill, it went up to {amount}",
            "why is my invoice {amount} when my plan is cheaper?",
            "there is a line on my bill I don't recognise",
            "can you explain the breakdown of my last invoice?",
            "I need a copy of last month's invoice for my company",
            "my {product} bill is higher than usual",
        ),
    },
    "payment_failed": {
        "es": (
            "he intentado pagar con tarjeta y me da error",
            "el pago de {amount} no se ha completado y me decís que tengo deuda",
            "me ha llegado un aviso de impago pero yo tengo domiciliado el recibo",
            "no me deja pagar en la web, sale un error al final",
            "me han devuelto el recibo y ahora no sé cómo pagarlo",
        ),
        "en": (
            "my card payment keeps failing on your website",
            "the payment of {amount} did not go through and now I have a debt notice",
            "I got a missed payment letter but I pay by direct debit",
            "the checkout gives an error when I try to pay",
            "my payment was declined but the bank says everything is fine",
        ),
    },
    "refund_request": {
        "es": (
            "quiero que me devolváis el dinero de {order}",
            "solicito el reembolso de {amount}, lo devolví hace {days} días",
            "cuándo me vais a devolver el dinero? ya os mandé el producto",
            "necesito la devolución de {amount} cuanto antes",
            "me prometieron un abono de {amount} y no lo veo",
        ),
        "en": (
            "I want a refund for {order}",
            "please refund {amount}, I sent it back {days} days ago",
            "when will I get my money back? you already have the item",
            "I was promised a credit of {amount} and it never arrived",
            "requesting a refund for my last payment",
        ),
    },
    "no_internet": {
        "es": (
            "no tengo internet desde esta mañana",
            "se ha caído la fibra y no vuelve, llevo {days} horas sin conexión",
            "el router tiene la luz roja y no hay internet en casa",
            "estoy sin conexión, trabajo desde casa y no puedo hacer nada",
            "no funciona internet en todo el barrio?",
            "otra vez sin internet, no me lo puedo creer",
            "la {product} no va, ni por cable ni por wifi",
        ),
        "en": (
            "my internet has been down since this morning",
            "no connection at home, the router light is red",
            "the fibre is down and I work from home",
            "is there an outage in my area? nothing works",
            "internet not working again, this is the third time",
            "my {product} has no signal at all",
        ),
    },
    "slow_connection": {
        "es": (
            "internet va lentísimo, pago {product} y no llega ni a la mitad",
            "la conexión va muy lenta por las tardes",
            "el wifi se corta cada dos por tres",
            "hago el test de velocidad y me salen 20 megas",
            "no puedo ver series, se queda cargando todo el rato",
        ),
        "en": (
            "my connection is really slow, I pay for {product} and get half",
            "the internet is very slow in the evenings",
            "wifi keeps dropping every few minutes",
            "speed test shows 20 Mbps on a {product} plan",
            "streaming keeps buffering all the time",
        ),
    },
    "router_setup": {
        "es": (
            "cómo cambio la contraseña del wifi del router?",
            "me ha llegado el router nuevo y no sé instalarlo",
            "quiero abrir puertos en el router para la consola",
            "no consigo conectar la tele al wifi nuevo",
            "necesito ayuda para configurar el router",
        ),
        "en": (
            "how do I change the wifi password on the router?",
            "the new router arrived and I don't know how to set it up",
            "I need to open ports on my router for gaming",
            "can't connect my TV to the new wifi",
            "help setting up the router please",
        ),
    },
    "app_login": {
        "es": (
            "no puedo entrar en la app, dice que la contraseña es incorrecta",
            "no me llega el código de verificación para entrar en mi área de cliente",
            "la aplicación se cierra sola al iniciar sesión",
            "he olvidado la contraseña y el enlace para cambiarla no funciona",
            "me sale cuenta bloqueada al entrar",
        ),
        "en": (
            "I can't log in to the app, it says wrong password",
            "the verification code never arrives when I sign in",
            "the app crashes when I try to log in",
            "password reset link does not work",
            "my account is locked and I can't get in",
        ),
    },
    "upgrade_plan": {
        "es": (
            "quiero subir a {plan}, qué me cuesta?",
            "me interesa cambiar a una tarifa con más datos",
            "puedo añadir otra línea móvil a mi contrato?",
            "quería mejorar la velocidad de la fibra a {plan}",
            "qué ofertas tenéis para pasar a {plan}?",
        ),
        "en": (
            "I'd like to upgrade to {plan}, how much is it?",
            "I want a plan with more data",
            "can I add another mobile line to my contract?",
            "I want faster fibre, maybe {plan}",
            "what offers do you have to move to {plan}?",
        ),
    },
    "new_contract": {
        "es": (
            "quiero contratar fibra en mi casa nueva",
            "me mudo y quiero daros de alta en la dirección nueva",
            "información para contratar {product}",
            "cuánto tardáis en instalar si contrato hoy?",
            "busco tarifa de fibra y móvil para la familia",
        ),
        "en": (
            "I want to sign up for fibre at my new home",
            "I'm moving and want the service at the new address",
            "info about getting {product}",
            "how long does installation take if I sign up today?",
            "looking for a fibre and mobile bundle for the family",
        ),
    },
    "price_question": {
        "es": (
            "cuánto cuesta {product} al mes?",
            "el precio de {product} incluye el IVA?",
            "me subís la cuota a {amount}, por qué?",
            "hay permanencia si contrato {product}?",
        ),
        "en": (
            "how much is {product} per month?",
            "does the price of {product} include tax?",
            "why is my monthly fee going up to {amount}?",
            "is there a minimum term for {product}?",
        ),
    },
    "cancel_service": {
        "es": (
            "quiero darme de baja",
            "quiero cancelar {product} a final de mes",
            "cómo doy de baja la línea? no quiero seguir",
            "estoy harto, quiero la baja ya",
            "tramitar la baja del contrato, gracias",
            "no quiero seguir con vosotros, dadme de baja",
        ),
        "en": (
            "I want to cancel my contract",
            "please cancel {product} at the end of the month",
            "how do I close my account? I don't want to continue",
            "I'm done, cancel everything",
            "I would like to terminate my service",
        ),
    },
    "competitor_offer": {
        "es": (
            "{competitor} me ofrece lo mismo por mucho menos, qué me podéis hacer?",
            "me voy a {competitor} si no me bajáis la cuota",
            "tengo una oferta de {competitor} de {amount}, la igualáis?",
            "en {competitor} me dan {plan} más barato",
        ),
        "en": (
            "{competitor} offers me the same for much less, what can you do?",
            "I'm switching to {competitor} unless you lower my bill",
            "{competitor} quoted me {amount}, can you match it?",
            "{competitor} gives me {plan} for cheaper",
        ),
    },
    "delivery_delay": {
        "es": (
            "mi pedido {order} no ha llegado todavía",
            "llevo {days} días esperando el pedido {order}",
            "el seguimiento dice entregado pero no tengo nada",
            "dónde está mi paquete? {order}",
            "me dijeron que llegaba el {date} y nada",
            "el repartidor no ha venido y me he quedado en casa toda la mañana",
        ),
        "en": (
            "my order {order} still hasn't arrived",
            "I've been waiting {days} days for order {order}",
            "tracking says delivered but I have nothing",
            "where is my package? {order}",
            "you said it would arrive on {date} and nothing",
        ),
    },
    "wrong_item": {
        "es": (
            "me ha llegado un producto que no es el que pedí, pedido {order}",
            "el router que me mandasteis está roto",
            "en la caja faltaba el cargador",
            "recibí otro modelo de móvil distinto al que compré",
        ),
        "en": (
            "I received the wrong item for order {order}",
            "the router you sent is broken",
            "the charger was missing from the box",
            "I got a different phone model than the one I bought",
        ),
    },
    "tracking": {
        "es": (
            "me podéis dar el número de seguimiento de {order}?",
            "cuándo llega el pedido {order}?",
            "quiero cambiar la dirección de entrega del pedido",
        ),
        "en": (
            "can you give me the tracking number for {order}?",
            "when will order {order} arrive?",
            "I need to change the delivery address of my order",
        ),
    },
    "esim_activation": {
        "es": (
            "he pedido la eSIM y no se activa, sale sin servicio",
            "el código QR de la eSIM no funciona en mi móvil",
            "me habéis pasado a eSIM y ahora no tengo línea",
            "la eSIM nueva dice activación pendiente desde hace {days} horas",
            "cambié a eSIM y el móvil dice SIM no válida",
            "no consigo instalar la esim, el qr da error",
        ),
        "en": (
            "my eSIM won't activate, it says no service",
            "the eSIM QR code doesn't work on my phone",
            "you moved me to eSIM and now I have no line",
            "the new eSIM has been pending activation for {days} hours",
            "switched to eSIM and the phone says invalid SIM",
        ),
    },
}

GREETINGS: dict[str, tuple[str, ...]] = {
    "es": ("Hola", "Buenos días", "Buenas tardes", "Buenas", "Hola, buenas", "Hola qué tal"),
    "en": ("Hi", "Hello", "Good morning", "Hey", "Hi there", "Good afternoon"),
}

CUSTOMER_FOLLOWUPS: dict[str, tuple[str, ...]] = {
    "es": (
        "Ya os llamé ayer y nadie me ha solucionado nada.",
        "No es la primera vez que pasa.",
        "No quiero que me volváis a pasar con otro departamento.",
        "No me ha llegado ningún correo vuestro.",
        "Por favor, respondedme pronto.",
        "Lo necesito para hoy, no puedo esperar más.",
        "El otro día me dijeron que estaba arreglado pero no.",
        "Gracias de antemano.",
        "No entiendo nada, la verdad.",
        "Es urgente.",
    ),
    "en": (
        "I already called yesterday and nobody fixed anything.",
        "This is not the first time.",
        "Please don't transfer me to another department again.",
        "I never got any email from you.",
        "Please reply soon.",
        "I need this today, I can't wait any longer.",
        "Last week they told me it was fixed but it isn't.",
        "Thanks in advance.",
        "Honestly I don't understand anything.",
        "It's urgent.",
    ),
}

REPEAT_PREFIX: dict[str, tuple[str, ...]] = {
    "es": (
        "Os vuelvo a escribir por lo mismo:",
        "Segunda vez que contacto,",
        "Sigo con el mismo problema,",
        "Como os dije el otro día,",
    ),
    "en": (
        "Writing again about the same thing:",
        "Second time I'm contacting you,",
        "Still the same problem,",
        "As I told you the other day,",
    ),
}

ANGRY: dict[str, tuple[str, ...]] = {
    "es": (
        "ESTO ES UNA VERGÜENZA",
        "QUIERO UNA SOLUCIÓN YA",
        "no hay derecho",
        "sois un desastre",
        "estoy hasta las narices",
        "pésimo servicio",
    ),
    "en": (
        "THIS IS RIDICULOUS",
        "I WANT THIS FIXED NOW",
        "worst service ever",
        "you are a joke",
        "I'm fed up",
        "unacceptable",
    ),
}

CLOSINGS: dict[str, tuple[str, ...]] = {
    "es": ("Gracias", "Un saludo", "Muchas gracias", "Espero respuesta", "Saludos"),
    "en": ("Thanks", "Regards", "Thank you", "Waiting for your answer", "Cheers"),
}

#: Sentences that carry personal data; {name} {phone} {email} {dni} {iban} are filled in.
PII_SENTENCES: dict[str, tuple[str, ...]] = {
    "es": (
        "Soy {name}, mi teléfono es {phone}.",
        "Me podéis llamar al {phone}.",
        "Mi correo es {email} por si necesitáis algo.",
        "El titular es {name} con DNI {dni}.",
        "Mi documento es {dni}.",
        "La cuenta donde cobráis es {iban}.",
        "Devolvedlo a esta cuenta: {iban}",
        "Contacto: {name}, {email}, {phone}",
    ),
    "en": (
        "This is {name}, my phone number is {phone}.",
        "You can call me on {phone}.",
        "My email is {email} if you need anything.",
        "The account holder is {name}.",
        "Please send it to {email}.",
        "Contact: {name}, {email}, {phone}",
        "Refund it to this account: {iban}",
    ),
}

SUBJECTS: dict[str, tuple[str, ...]] = {
    "es": ("Asunto: Reclamación", "Asunto: Consulta", "Asunto: Urgente", "Asunto: Incidencia"),
    "en": ("Subject: Complaint", "Subject: Question", "Subject: Urgent", "Subject: Issue"),
}

EMAIL_SIGNOFF: dict[str, tuple[str, ...]] = {
    "es": ("Atentamente,\n{name}", "Un saludo,\n{name}", "Gracias,\n{name}"),
    "en": ("Best regards,\n{name}", "Kind regards,\n{name}", "Thanks,\n{name}"),
}

VOICE_FILLERS: dict[str, tuple[str, ...]] = {
    "es": ("eh", "bueno", "vale vale", "a ver", "o sea", "mmm"),
    "en": ("uh", "well", "okay okay", "so", "like", "um"),
}

#: What the agent answers, by queue and language.
AGENT_REPLIES: Bank = {
    "billing": {
        "es": (
            "Lo reviso ahora mismo en su cuenta.",
            "Veo el cargo, voy a tramitar el abono.",
            "Le explico el desglose de la factura.",
            "He generado la devolución, la verá en 3 a 5 días hábiles.",
            "Compruebo los recibos de los últimos meses.",
        ),
        "en": (
            "Let me check your account right now.",
            "I can see the charge, I'll process the credit.",
            "Let me walk you through the invoice.",
            "I've issued the refund, it will show in 3 to 5 working days.",
            "I'm checking your last few bills.",
        ),
    },
    "tech_support": {
        "es": (
            "¿Puede reiniciar el router y decirme qué luces ve?",
            "Hay una incidencia abierta en su zona, nuestros técnicos ya están trabajando.",
            "Le hago una prueba de línea desde aquí.",
            "Le envío las instrucciones por SMS.",
            "Voy a programar la visita de un técnico.",
        ),
        "en": (
            "Could you restart the router and tell me which lights you see?",
            "There is an open incident in your area, our technicians are on it.",
            "I'm running a line test from here.",
            "I'm sending you the instructions by text.",
            "I'll book a technician visit.",
        ),
    },
    "sales": {
        "es": (
            "Tenemos una promoción que le puede interesar.",
            "Le paso el precio con todo incluido.",
            "Puedo hacer el cambio de tarifa ahora mismo.",
            "La instalación se hace en unas 48 horas.",
        ),
        "en": (
            "We have an offer you might like.",
            "Here is the all-in price.",
            "I can change your plan right now.",
            "Installation usually takes about 48 hours.",
        ),
    },
    "retention": {
        "es": (
            "Siento que quiera irse, déjeme ver qué le puedo ofrecer.",
            "Le puedo aplicar un descuento durante 12 meses.",
            "Tramito la baja, le llegará la confirmación por correo.",
            "Antes de la baja, ¿le interesa una tarifa más económica?",
        ),
        "en": (
            "I'm sorry you want to leave, let me see what I can offer.",
            "I can apply a discount for 12 months.",
            "I'm processing the cancellation, you'll get a confirmation email.",
            "Before cancelling, would a cheaper plan work for you?",
        ),
    },
    "deliveries": {
        "es": (
            "Consulto con la empresa de transporte.",
            "El pedido está en reparto, le llegará mañana.",
            "Le envío un producto nuevo sin coste.",
            "He abierto una reclamación con el transportista.",
        ),
        "en": (
            "I'm checking with the courier.",
            "The order is out for delivery, it will arrive tomorrow.",
            "I'll send you a replacement at no cost.",
            "I've opened a claim with the carrier.",
        ),
    },
    "mobile": {
        "es": (
            "Reviso el estado de la eSIM en el sistema.",
            "Le genero un código QR nuevo.",
            "Estamos teniendo incidencias con las activaciones de eSIM, lo escalo.",
        ),
        "en": (
            "Let me check the eSIM status in our system.",
            "I'm generating a new QR code for you.",
            "We're seeing issues with eSIM activations, I'm escalating it.",
        ),
    },
}

AGENT_CLOSINGS: dict[str, tuple[str, ...]] = {
    "es": ("¿Le puedo ayudar en algo más?", "Gracias por su paciencia.", "Que tenga buen día."),
    "en": (
        "Is there anything else I can help with?",
        "Thanks for your patience.",
        "Have a good day.",
    ),
}

BOT_OPENERS: dict[str, tuple[str, ...]] = {
    "es": ("¡Hola! Soy el asistente virtual. ¿En qué te puedo ayudar?", "Hola 👋 ¿Qué necesitas?"),
    "en": ("Hi! I'm the virtual assistant. How can I help?", "Hello 👋 What do you need?"),
}

BOT_SOLVED: dict[str, tuple[str, ...]] = {
    "es": (
        "Aquí tienes los pasos para solucionarlo. ¿Te ha servido?",
        "He encontrado esta información en la ayuda. ¿Algo más?",
    ),
    "en": (
        "Here are the steps to fix it. Did that help?",
        "I found this in our help centre. Anything else?",
    ),
}

BOT_HANDOFF: dict[str, tuple[str, ...]] = {
    "es": ("Te paso con un agente.", "Un momento, te atiende una persona."),
    "en": ("Let me connect you with an agent.", "One moment, a person will help you."),
}

EMOJIS_ANGRY = ("😡", "🤬", "😤", "👎", "😠")
EMOJIS_HAPPY = ("🙏", "😊", "👍", "🙂")
