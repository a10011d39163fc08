"""The demo's knowledge base: one KCS article per contact reason, as a team would have it.

Written for the demo's fictional telecom and retailer (``_catalog.INTENTS``): the
reasons a bot may answer have a validated article for customers, the rest an internal
one for agents (two still ``not_validated``), and the injected emerging reason
(``esim_activation``) has none, so it shows up as a knowledge gap. The English
templates answer English-speaking customers of the automated reasons.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AUTOMATED", "ENGLISH_REPLIES", "article_records"]

#: Reasons the demo's policy lets triage answer: their articles are for customers.
AUTOMATED = ("tracking", "router_setup", "app_login", "price_question", "invoice_question")

#: (intent, title, issue, resolution, cause, state)
_ARTICLES: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "tracking",
        "Dónde está mi pedido: seguimiento del envío",
        "Quiero saber dónde está mi pedido; no sé cuándo llega el paquete.",
        "1. Entra en Mi cuenta > Pedidos y abre el pedido.\n2. Pulsa «Seguir envío»: verás "
        "la empresa de transporte y el estado.\n3. Si el estado no cambia en 48 horas, "
        "responde a este mensaje y lo reclamamos por ti.",
        "El pedido ya salió del almacén; el transportista actualiza el estado cada día.",
        "validated",
    ),
    (
        "router_setup",
        "Configurar el router nuevo",
        "Me ha llegado el router y no sé cómo instalarlo ni cambiar la contraseña del wifi.",
        "1. Conecta el cable de fibra a la toma ONT y el router a la corriente.\n2. Espera "
        "a que la luz de Internet quede fija (unos 5 minutos).\n3. Conéctate a la red wifi "
        "de la etiqueta y entra en 192.168.1.1 para cambiar la contraseña.",
        "Los routers llegan preconfigurados; solo hay que conectarlos y esperar.",
        "validated",
    ),
    (
        "app_login",
        "No puedo entrar en la app",
        "La app me dice que el usuario o la contraseña no son correctos y no puedo entrar.",
        "1. En la pantalla de acceso pulsa «He olvidado mi contraseña».\n2. Sigue el enlace "
        "que te llega por SMS o correo (caduca en 30 minutos).\n3. Si la cuenta está "
        "bloqueada tras cinco intentos, espera 15 minutos o pide el desbloqueo aquí.",
        "Tras cinco intentos fallidos la cuenta se bloquea por seguridad.",
        "validated",
    ),
    (
        "price_question",
        "Precios y tarifas vigentes",
        "¿Cuánto cuesta la tarifa? ¿Qué precio tiene la fibra con móvil?",
        "1. Las tarifas vigentes y su precio final con impuestos están en la web, sección "
        "Tarifas.\n2. En Mi cuenta > Mi tarifa ves lo que pagas hoy y las ofertas para ti.\n"
        "3. Para un presupuesto a medida, pide que te llame un asesor.",
        "Los precios cambian con las promociones de cada mes.",
        "validated",
    ),
    (
        "invoice_question",
        "Entender la factura",
        "No entiendo un concepto de mi factura; ¿por qué pago este importe este mes?",
        "1. En Mi cuenta > Facturas abre la factura y pulsa «Detalle».\n2. Cada concepto "
        "explica su periodo; un prorrateo aparece cuando cambias de tarifa a mitad de mes.\n"
        "3. Puedes descargar una copia en PDF desde la misma pantalla.",
        "La mayoría de las dudas vienen de prorrateos o de consumos fuera de tarifa.",
        "validated",
    ),
    (
        "double_charge",
        "Cargo duplicado en la cuenta",
        "Me habéis cobrado dos veces el mismo recibo.",
        "1. Comprueba en el sistema de cobros si hay dos cargos del mismo periodo.\n2. Si "
        "los hay, emite la devolución del segundo (código refund) y avisa del plazo de "
        "3 a 5 días.\n3. Si solo hay uno, explica la retención del banco (no_error_found).",
        "Un reintento de cobro tras un rechazo puede generar un segundo cargo.",
        "validated",
    ),
    (
        "payment_failed",
        "Pago rechazado",
        "El pago de mi recibo ha sido rechazado y no sé cómo pagarlo.",
        "1. Revisa el motivo del rechazo en el sistema de cobros.\n2. Envía un enlace de "
        "pago seguro (código payment_link_sent).\n3. Confirma que el servicio no se corta "
        "si paga en 7 días.",
        "Tarjetas caducadas o sin saldo suficiente.",
        "validated",
    ),
    (
        "refund_request",
        "Solicitud de reembolso",
        "Quiero que me devolváis el dinero.",
        "1. Comprueba que la solicitud está dentro de los 14 días de desistimiento.\n2. Si "
        "procede, tramita el reembolso (refund); si no, explica el motivo (refund_denied).",
        "Devoluciones de producto y servicios no usados.",
        "validated",
    ),
    (
        "no_internet",
        "Sin conexión a Internet",
        "No tengo Internet en casa; el router no conecta.",
        "1. Comprueba en el panel de incidencias si hay una avería en la zona "
        "(outage_known).\n2. Si no la hay, reinicia el router en remoto (remote_fix).\n"
        "3. Si sigue sin línea, agenda la visita de un técnico (technician_visit).",
        "Averías de zona, cortes de fibra o routers bloqueados.",
        "validated",
    ),
    (
        "slow_connection",
        "La conexión va lenta",
        "Internet va muy lento, no llega la velocidad contratada.",
        "1. Pide un test de velocidad por cable, no por wifi.\n2. Si está bajo, reinicia "
        "el perfil de línea en remoto (remote_fix).\n3. Si el router es antiguo, ofrece el "
        "cambio (router_swap).",
        "Interferencias de wifi o routers de generaciones anteriores.",
        "validated",
    ),
    (
        "delivery_delay",
        "Pedido retrasado",
        "Mi pedido tenía que llegar ayer y todavía no ha llegado.",
        "1. Consulta el estado con el transportista.\n2. Si lleva más de 48 horas parado, "
        "abre una reclamación (courier_claim).\n3. Si se perdió, programa un nuevo envío "
        "(redelivery).",
        "Picos de demanda y direcciones incompletas.",
        "validated",
    ),
    (
        "wrong_item",
        "Producto equivocado",
        "Me ha llegado un producto que no es el que pedí.",
        "1. Pide una foto del producto y la etiqueta.\n2. Envía el correcto y la etiqueta "
        "de devolución (replacement_sent), o reembolsa si no hay existencias (refund).",
        "Errores de preparación en el almacén.",
        "validated",
    ),
    (
        "upgrade_plan",
        "Mejorar la tarifa",
        "Quiero más velocidad o más datos en mi tarifa.",
        "1. Revisa la tarifa actual y el consumo de los últimos tres meses.\n2. Ofrece la "
        "tarifa superior con el precio final (offer_sent) y aplícala si acepta "
        "(plan_changed).",
        "Clientes que se quedan cortos de datos o de velocidad.",
        "validated",
    ),
    (
        "cancel_service",
        "Baja del servicio",
        "Quiero darme de baja.",
        "1. Pregunta el motivo y registra el código.\n2. Ofrece la retención que el sistema "
        "proponga (retained_discount).\n3. Si mantiene la baja, tramítala y confirma la "
        "fecha (cancelled).",
        "Precio, calidad del servicio o mudanza.",
        "validated",
    ),
    (
        "new_contract",
        "Alta de un contrato nuevo",
        "Quiero contratar fibra y móvil.",
        "1. Comprueba la cobertura en la dirección.\n2. Envía la oferta (offer_sent) y el "
        "contrato para firma digital (contract_signed).",
        "Clientes nuevos o segundas residencias.",
        "not_validated",
    ),
    (
        "competitor_offer",
        "Oferta de la competencia",
        "Otra compañía me ofrece lo mismo más barato.",
        "1. Pide los datos de la oferta.\n2. Consulta la contraoferta disponible y "
        "ofrécela (retained_discount).",
        "Campañas de captación de la competencia.",
        "not_validated",
    ),
)

#: English replies of the automated reasons (the articles are in Spanish).
ENGLISH_REPLIES: dict[str, str] = {
    "tracking": "Open My account > Orders and tap 'Track shipment' to see the courier and "
    "status. If it has not moved in 48 hours, reply here and we will claim it for you.",
    "router_setup": "Plug the fibre cable into the ONT socket and the router into power, wait "
    "until the Internet light is steady (about 5 minutes), then join the wifi on the label "
    "and open 192.168.1.1 to change the password.",
    "app_login": "Tap 'I forgot my password' on the sign-in screen and follow the link we send "
    "by text or email (it expires in 30 minutes). After five failed tries the account locks "
    "for 15 minutes.",
    "price_question": "Current plans and their final prices are on our website under Plans; "
    "My account > My plan shows what you pay today and the offers for you.",
    "invoice_question": "Open My account > Invoices and tap 'Details': each line shows its "
    "period, and a pro-rata line appears when you changed plan mid-month. You can download a "
    "PDF copy there too.",
}


def article_records() -> list[dict[str, Any]]:
    """The demo's articles as import records (idempotent by external id)."""
    records = []
    for intent, title, issue, resolution, cause, state in _ARTICLES:
        automated = intent in AUTOMATED
        records.append(
            {
                "external_id": f"demo-{intent}",
                "source": "demo",
                "title": title,
                "issue": issue,
                "environment": "Clientes de fibra, móvil y tienda online",
                "resolution": resolution,
                "cause": cause,
                "language": "es",
                "state": state,
                "audience": "customer" if automated else "internal",
                "owner": "knowledge-lead",
                "intents": [intent],
            }
        )
    return records
