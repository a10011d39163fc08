"""Small articles written for the knowledge-base tests (English and Spanish)."""

from __future__ import annotations

from typing import Any

ARTICLES: list[dict[str, Any]] = [
    {
        "external_id": "kb-password",
        "title": "Reset a forgotten password",
        "issue": "I forgot my password and cannot log in to my account",
        "environment": "Web and mobile app",
        "resolution": "Open the login page and click 'Forgot password'.\n"
        "Follow the link in the email we send you.",
        "cause": "Password forgotten or expired",
        "language": "en",
        "state": "validated",
        "audience": "public",
        "tags": ["login"],
        "intents": ["reset_password"],
    },
    {
        "external_id": "kb-cobro",
        "title": "Cobro duplicado en la factura",
        "issue": "Me han cobrado dos veces el mismo recibo",
        "resolution": "Compruebe los dos cargos en Facturas y solicite la devolución del "
        "cargo repetido.",
        "language": "es",
        "state": "validated",
        "audience": "customer",
        "intents": ["double_charge"],
    },
    {
        "external_id": "kb-address",
        "title": "Change the delivery address of an order",
        "issue": "I want my parcel delivered to another address",
        "resolution": "Before the order ships, edit the address under My orders.",
        "language": "en",
        "state": "not_validated",
        "audience": "internal",
        "intents": ["change_shipping_address"],
    },
    {
        "external_id": "kb-fax",
        "title": "Send the contract by fax",
        "issue": "How do I send my signed contract by fax",
        "resolution": "Fax it to the number printed on the contract.",
        "language": "en",
        "state": "archived",
        "audience": "public",
    },
]
