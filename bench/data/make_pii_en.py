"""Write pii_en.jsonl: English chat turns and tweets with annotated names, phones, e-mails.

Deterministic (fixed seed): ``python bench/data/make_pii_en.py`` rewrites the same file.
The templates copy the shapes of real English support chats (ABCD's agent/customer/
action turns: a name typed alone as the answer, "Account has been pulled up for ...",
"Details of (977) 625-2661 have been entered.") and of support tweets; the values are
new. Names mix common US names with names of many origins that no list may hold;
phones are North American numbers in the ways people type them (area codes that do
not exist included, as in ABCD) and Spanish mobiles announced as phones. Slots in lower
case are negatives the redactor must leave alone (order ids, amounts, zip
codes, case numbers, product names such as "Moto G Play") and are not annotated; a username
after "Username:" is annotated as a CUSTOMER_ID.

Written by the engineer who changed the name and phone detectors, after the change:
read its figures as "these chat shapes work", not as an estimate on unseen traffic.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

FIRST = (
    "Crystal", "Joyce", "Alessandro", "Sanjay", "Chidi", "Mei", "Olga", "Rahul", "Aaliyah",
    "Tyrone", "Bethany", "Dmitri", "Hannah", "Jamal", "Priya", "Connor", "Keisha", "Luis",
    "Yuki", "Brandon", "Destiny", "Ngozi", "Mateo", "Amber", "Dakota", "Wei", "Anh",
    "Fatima", "Albert", "Norma", "Kevin", "Sofia", "Ibrahim", "Ingrid", "Marcus", "Jessica",
)  # fmt: skip
LAST = (
    "Minh", "Phoenix", "Wu", "Nguyen", "Patel", "Okafor", "Kowalski", "Johnson", "Smith",
    "Garcia", "Li", "Kim", "Brooks", "Rivera", "Washington", "Chase", "Park", "Yamamoto",
    "Ivanova", "Oyelaran", "Hernandez", "Murphy", "O'Brien", "Sullivan", "Baker", "Fischer",
    "Khan", "Ahmed", "Lopez", "Tran", "Sanders", "Moreau", "Lindqvist", "Adeyemi",
)  # fmt: skip
PRODUCTS = (
    "Moto G Play", "Moto G Power", "Galaxy Z Flip", "Galaxy Tab S", "Echo Dot",
    "Fire TV Stick", "Kindle Paperwhite", "Nintendo Switch Lite", "Surface Pro",
    "Pixel Buds Pro", "Xbox Series X", "Google Nest Mini", "Ring Video Doorbell",
    "Roku Ultra", "Instant Pot Duo", "Apple Watch Series", "Beats Studio Buds",
)  # fmt: skip
BRANDS = ("michael_kors jeans", "calvin_klein boots", "guess shirt", "tommy_hilfiger jacket")
DOMAINS = ("email.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com")

# Turns of agents, customers and system actions, and tweets, in the shapes seen in real chats.
TEMPLATES = (
    "{PERSON}",
    "Account has been pulled up for {PERSON}.",
    "sure, my name is {PERSON}",
    "it's {PERSON}",
    "{PERSON} here, I still have not received my refund",
    "The account is under {PERSON}.",
    "Please ask for {PERSON} when you call back.",
    "thanks so much! What is your membership level {FIRST}?",
    "Thanks {FIRST}, one moment please.",
    "Hi, this is {FIRST} from support, how can I help?",
    "@AmazonHelp my name is {PERSON} and order {order} never arrived",
    "my wife {FIRST} ordered it on my account",
    "{PHONE}",
    "Details of {PHONE} have been entered.",
    "I'd just need your phone number. Sure, it's {PHONE}",
    "You can call me on {PHONE_ES}.",
    "my number is {PHONE} if you need to call",
    "{EMAIL}",
    "ok my email is {EMAIL}",
    "Username: {USERNAME}",
    "Order ID: {order}",
    "{order}",
    "I bought a {product} last week and it stopped working",
    "A {product}",
    "The {product} I ordered arrived broken, can I get a replacement?",
    "I'd like to return the {brand}, it's the wrong size",
    "Total was ${amount} and I was charged twice",
    "my zip code is {zip}",
    "Your case number is {case}, keep it for reference.",
    "Hi! I need to return an item, can you help me with that?",
    "I'm a {level} member, I've been with you for {years} years",
    "{PERSON}, {EMAIL}, {PHONE}",
    "Yes, {FIRST} {LAST_AFTER} is the name on the account",
    "I ordered the {product} for {PERSON}, it's a gift",
)
TYPE_OF = {"FIRST": "PERSON", "PHONE_ES": "PHONE", "USERNAME": "CUSTOMER_ID"}


def person(r: random.Random) -> str:
    """A first name and a surname."""
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def phone_us(r: random.Random) -> str:
    """A North American number as people type it; the area code need not exist."""
    area = f"{r.randint(2, 9)}{r.randint(0, 9)}{r.randint(0, 9)}"
    exchange = f"{r.randint(2, 9)}{r.randint(0, 9)}{r.randint(0, 9)}"
    line = f"{r.randint(0, 9999):04d}"
    return r.choice(
        (
            f"({area}) {exchange}-{line}",
            f"{area}-{exchange}-{line}",
            f"{area}.{exchange}.{line}",
            f"({area}){exchange}-{line}",
        )
    )


def phone_es(r: random.Random) -> str:
    """A Spanish mobile written as nine digits, valid in the plan or not (7xx...)."""
    return f"{r.choice('67')}{r.randint(10**7, 10**8 - 1)}"


def fill(r: random.Random, slot: str, name: str) -> str:
    """The value of one slot (``name`` is the text's person, for the e-mail)."""
    first, last = name.split(" ", 1)
    values = {
        "PERSON": name,
        "FIRST": first,
        "LAST_AFTER": last,
        "PHONE": phone_us(r),
        "PHONE_ES": phone_es(r),
        "EMAIL": f"{first[0].lower()}{re.sub(r'[^a-z]', '', last.lower())}{r.randint(1, 999)}"
        f"@{r.choice(DOMAINS)}",
        "USERNAME": f"{first[0].lower()}{re.sub(r'[^a-z]', '', last.lower())}{r.randint(1, 999)}",
        "order": f"{r.randint(10**9, 10**10 - 1)}",
        "product": r.choice(PRODUCTS),
        "brand": r.choice(BRANDS),
        "amount": f"{r.randint(5, 400)}.{r.randint(0, 99):02d}",
        "zip": f"{r.randint(10000, 99999)}",
        "case": f"{r.randint(10**7, 10**8 - 1)}",
        "level": r.choice(("gold", "silver", "bronze", "guest")),
        "years": str(r.randint(2, 12)),
    }
    return values[slot]


def main() -> None:
    """Write bench/data/pii_en.jsonl (deterministic)."""
    r = random.Random(20261205)
    out = Path(__file__).with_name("pii_en.jsonl")
    rows = []
    for i in range(340):
        template = TEMPLATES[i % len(TEMPLATES)]
        name = person(r)
        text, spans, last = "", [], 0
        slots = list(re.finditer(r"\{(\w+)\}", template))
        for m in slots:
            text += template[last : m.start()]
            value = fill(r, m.group(1), name)
            slot = m.group(1)
            if slot == "LAST_AFTER":  # "{FIRST} {LAST_AFTER}": one name, one span
                spans[-1]["end"] = len(text) + len(value)
            elif slot.isupper():
                kind = TYPE_OF.get(slot, slot)
                spans.append({"type": kind, "start": len(text), "end": len(text) + len(value)})
            text += value
            last = m.end()
        text += template[last:]
        rows.append({"id": f"en-{i:03d}", "text": text, "spans": spans})
    out.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    print(f"wrote {len(rows)} texts, {sum(len(x['spans']) for x in rows)} spans to {out}")


if __name__ == "__main__":
    main()
