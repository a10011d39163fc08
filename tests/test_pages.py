"""The analysts' pages over HTTP (the real app): login, roles, CSRF, language, what is shown."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from criterio.analysis.pipeline import build_pipeline
from criterio.annotations.runner import analyze_store
from criterio.auth import service
from criterio.auth.roles import Role
from criterio.db import session_scope
from criterio.engines import LocalEngine
from criterio.insights import InsightStatus, ReviewIn, review_insight
from criterio.insights.service import upsert_detections
from criterio.patterns import INSIGHT_TYPES
from criterio.web.i18n import MESSAGES, choose_language, translator
from criterio.web.pages import safe_next
from tests import api_support
from tests.api_support import PASSWORD, Api
from tests.factories import interaction
from tests.insight_data import EMAIL, PHONE, spike_detection

api = api_support.api


def _users(api: Api) -> None:
    with session_scope(api.factory) as session:
        for name, role in (
            ("ana", Role.analyst),
            ("agnes", Role.agent),
            ("ines", Role.integration),
        ):
            service.create_user(session, "acme", username=name, role=role, password=PASSWORD)


def _login(api: Api, username: str, next_url: str = "") -> str:
    """Sign in through the form; returns where the login redirected."""
    page = api.client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    if next_url:
        form["next"] = next_url
    response = api.client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _insights(api: Api) -> dict[str, int]:
    """acme: a new spike (examples c-1 redacted, c-2 not analysed) and a drop in review."""
    text = f"Soy Lucía Fernández, mi correo es {EMAIL} y mi móvil {PHONE}"
    records = [interaction(1, id="c-1", turns=[{"role": "customer", "text": text}])]
    api.client.post("/api/v1/interactions/batch", json=records, headers=api.headers())
    with LocalEngine(workers=1) as engine:
        analyze_store(api.factory, ["acme"], engine=engine, pipeline=build_pipeline(["pii"]))
    api.client.post(
        "/api/v1/interactions",
        json=interaction(2, id="c-2", turns=[{"role": "customer", "text": text}]),
        headers=api.headers(),
    )
    with session_scope(api.factory) as session:
        (spike,) = upsert_detections(
            session, "acme", [spike_detection(severity=81.0)], language="en"
        ).insights
        (drop,) = upsert_detections(
            session,
            "acme",
            [
                spike_detection(
                    date(2026, 10, 1),
                    date(2026, 10, 3),
                    segment=(("queue", "tech"),),
                    severity=42.0,
                    type_="drop",
                )
            ],
            language="en",
        ).insights
        review_insight(session, "acme", drop.id, ReviewIn(status=InsightStatus.in_review))
        return {"spike": spike.id, "drop": drop.id}


def _rows(html: str) -> list[str]:
    """The statements of the list's rows, in order."""
    return re.findall(r'<th scope="row" class="statement"><a href="/insights/(\d+)"', html)


def test_pages_send_strangers_to_the_login_and_back(api: Api) -> None:
    ids = _insights(api)
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/insights"
    for path in ("/insights", f"/insights/{ids['spike']}?reviewed=1"):
        response = api.client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={quote(path, safe='')}"
    login_page = api.client.get("/login", params={"next": "/insights?status=new"})
    assert 'name="next" value="/insights?status=new"' in login_page.text
    assert _login(api, "acme-lead", "/insights?status=new") == "/insights?status=new"
    # Another site is never a place to go after login.
    assert _login(api, "acme-lead", "//evil.example/x") == "/login/done"
    assert safe_next("https://evil.example", "/d") == "/d" and safe_next("/\\evil", "/d") == "/d"
    forged = api.client.post(
        f"/insights/{ids['spike']}/review",
        data={"csrf_token": "forged", "status": "in_review"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and "reload the page and try again" in forged.text
    # A bearer token opens no page.
    api.client.cookies.clear()
    by_token = api.client.get("/insights", headers=api.headers(), follow_redirects=False)
    assert by_token.status_code == 303


def test_list_page_filters_and_sorts(api: Api) -> None:
    ids = _insights(api)
    _login(api, "acme-lead")
    page = api.client.get("/insights", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert _rows(page.text) == [str(ids["spike"]), str(ids["drop"])]
    assert "2 of 2 insights" in page.text
    assert (
        "intent: double_charge · region: ES-CT" in page.text
        and "2026-10-01 – 2026-10-03" in page.text
    )
    assert '<label for="f-status">Status</label>' in page.text
    assert 'aria-sort="descending"' in page.text
    ascending = api.client.get("/insights", params={"sort": "severity"})
    assert _rows(ascending.text) == [str(ids["drop"]), str(ids["spike"])]
    assert 'aria-sort="ascending"' in ascending.text
    in_review = api.client.get("/insights", params={"status": "in_review"})
    assert _rows(in_review.text) == [str(ids["drop"])] and "in review" in in_review.text
    assert _rows(api.client.get("/insights", params={"type": "spike"}).text) == [str(ids["spike"])]
    assert _rows(api.client.get("/insights", params={"min_severity": "50"}).text) == [
        str(ids["spike"])
    ]
    period = api.client.get("/insights", params={"period_from": "2026-11-01", "period_to": ""})
    assert _rows(period.text) == [str(ids["spike"])]
    bad = api.client.get("/insights", params={"min_severity": "lots", "period_to": "31/12"})
    assert bad.status_code == 200
    assert "Minimum severity: give a number from 0 to 100." in bad.text
    assert "Period to: give a date as YYYY-MM-DD." in bad.text


def test_detail_page_shows_chart_figures_redacted_examples(api: Api) -> None:
    ids = _insights(api)
    _users(api)
    _login(api, "ana")
    page = api.client.get(f"/insights/{ids['spike']}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in html
    assert '<th scope="row">observed contacts</th><td class="num">90</td>' in html
    assert "Soy [PERSON_1], mi correo es [EMAIL_1] y mi móvil [PHONE_1]" in html
    for secret in (EMAIL, PHONE, "Lucía", "Fernández"):
        assert secret not in html
    # c-2 was stored after the analysis: it has no redacted text, so no text at all.
    assert "Redacted text unavailable" in html
    assert "No status changes yet." in html
    # The later detection run found only the drop: the spike's pattern has ended.
    assert '<dd id="pattern-state">ended</dd>' in html
    drop = api.client.get(f"/insights/{ids['drop']}", headers={"Accept-Language": "es"})
    assert '<dd id="pattern-state">se sigue detectando</dd>' in drop.text
    listed = api.client.get("/insights", headers={"Accept-Language": "en"}).text
    assert listed.count('<span class="ended">(ended)</span>') == 1
    assert 'action="/insights/{}/review"'.format(ids["spike"]) in html
    assert re.findall(
        r'<option value="(\w+)"', html.split('id="r-status"')[1].split("</select>")[0]
    ) == ["in_review"]
    missing = api.client.get("/insights/987654")
    assert missing.status_code == 404 and "There is no such insight" in missing.text


def test_review_form_changes_status_and_keeps_history(api: Api) -> None:
    ids = _insights(api)
    _users(api)
    _login(api, "ana")
    url = f"/insights/{ids['drop']}"
    token = _csrf(api.client.get(url).text)
    early = api.client.post(
        f"{url}/review", data={"csrf_token": token, "status": "confirmed"}, follow_redirects=False
    )
    assert early.status_code == 422
    assert "an interpretation is required" in early.text
    assert f'href="{url}?lang=es"' in early.text  # not the POST's address
    assert '<option value="confirmed" selected>' in early.text  # the form keeps what was sent
    sent = api.client.post(
        f"{url}/review",
        data={
            "csrf_token": token,
            "status": "confirmed",
            "interpretation": "The router firmware update broke DNS",
            "owner": "network team",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"{url}?reviewed=1"
    after = api.client.get(sent.headers["location"]).text
    assert "Review saved." in after
    assert '<span class="status status-confirmed" id="current-status">confirmed</span>' in after
    assert "The router firmware update broke DNS" in after and "network team" in after
    history = re.findall(
        r"<tr><td class=\"nowrap\">[^<]+</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>",
        after,
    )
    assert history == [("in review", "confirmed", "ana"), ("new", "in review", "—")]
    events = api.client.get(
        "/api/v1/audit", params={"action": "review_insight"}, headers=api.headers()
    ).json()["items"]
    assert [(e["actor"], e["detail"]["to"]) for e in events] == [("ana", "confirmed")]


def test_agent_reads_without_the_form_integration_not_at_all(api: Api) -> None:
    ids = _insights(api)
    _users(api)
    _login(api, "agnes")
    page = api.client.get(f"/insights/{ids['spike']}")
    assert page.status_code == 200 and "[EMAIL_1]" in page.text
    assert "/review" not in page.text and 'id="r-status"' not in page.text
    token = _csrf(page.text)
    refused = api.client.post(
        f"/insights/{ids['spike']}/review", data={"csrf_token": token, "status": "in_review"}
    )
    assert refused.status_code == 403 and "Your role may not do this." in refused.text
    _login(api, "ines")
    assert api.client.get("/insights").status_code == 403
    events = api.client.get("/api/v1/audit", headers=api.headers()).json()["items"]
    assert {(e["actor"], e["action"]) for e in events if e["outcome"] == "denied"} == {
        ("agnes", "review_insights"),
        ("ines", "read_insights"),
    }


def test_page_language_choice_browser_and_tenant(api: Api) -> None:
    ids = _insights(api)
    _login(api, "acme-lead")
    spanish = api.client.get("/insights", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in spanish.text and "Gravedad mínima" in spanish.text
    assert "Aplicar filtros" in spanish.text and "en revisión" in spanish.text
    assert spanish.headers["content-language"] == "es"
    # The user's choice beats the browser's, and sticks (cookie).
    chosen = api.client.get("/insights?lang=en", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in chosen.text and "Minimum severity" in chosen.text
    assert api.client.cookies.get("criterio_lang") == "en"
    again = api.client.get(f"/insights/{ids['spike']}", headers={"Accept-Language": "es"})
    assert "Example interactions" in again.text
    # Nothing said: the tenant's language, that of its insights' statements.
    api.client.cookies.delete("criterio_lang")
    figures = {
        "observed": 12345,
        "expected": 2000.5,
        "ratio": 6.1708,
        "days": 1,
        "q_value": 1.085e-16,
    }
    with session_scope(api.factory) as session:
        (drop,) = upsert_detections(
            session, "acme", [spike_detection(type_="drop", figures=figures)], language="es"
        ).insights
    tenant = api.client.get(f"/insights/{ids['spike']}", headers={"Accept-Language": ""})
    assert '<html lang="es">' in tenant.text and "Interacciones de ejemplo" in tenant.text
    assert "Texto anonimizado no disponible" in tenant.text
    # The statement is written again in the page's language from its figures.
    assert '<h1 lang="es">Los contactos sobre double charge en región ES-CT' in tenant.text
    # Figures are written the Spanish way.
    cells = re.findall(
        r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>',
        api.client.get(f"/insights/{drop.id}").text,
    )
    assert cells == [  # in the same order on both stores
        ("contactos observados", "12.345"),
        ("contactos esperados", "2.000,5"),
        ("razón", "6,1708"),
        ("días", "1"),
        ("valor q (tasa de falsos descubrimientos)", "1,085E-16"),
    ]


def test_a_spanish_page_writes_statements_and_figure_labels_in_spanish(api: Api) -> None:
    figures = {"observed": 13, "expected": 0.5, "ratio": 26.0, "days": 1, "baseline_days": 9}
    with session_scope(api.factory) as session:
        (spike,) = upsert_detections(
            session,
            "acme",
            [spike_detection(segment=(("topic", "gift cards"),), figures=figures)],
            language="en",
        ).insights
        (driver,) = upsert_detections(
            session,
            "acme",
            [
                spike_detection(
                    segment=(("queue", "billing"),),
                    type_="driver",
                    figures={
                        "measure": "unresolved",
                        "rate": 0.4,
                        "rate_rest": 0.15,
                        "difference": 0.25,
                        "ci_low": 0.2,
                        "ci_high": 0.3,
                        "excess_outcomes": 50.0,
                        "other_outcomes": [
                            {"measure": "escalated", "rate": 0.2, "rate_rest": 0.05}
                        ],
                    },
                )
            ],
            language="en",
        ).insights
    _login(api, "acme-lead")
    listed = api.client.get("/insights?lang=es").text
    assert (
        f'<a href="/insights/{spike.id}" lang="es">Los contactos sobre gift cards se '
        "multiplicaron por 26,0 el 12 de noviembre (13 frente a menos de 1 esperado).</a>"
    ) in listed
    assert "<td>tema: gift cards</td>" in listed and "topic:" not in listed
    page = api.client.get(f"/insights/{spike.id}?lang=es").text
    assert '<h1 lang="es">Los contactos sobre gift cards se multiplicaron' in page
    assert '<th scope="row">días de referencia</th><td class="num">9</td>' in page
    assert "baseline days" not in page and "Contacts about" not in page
    page = api.client.get(f"/insights/{driver.id}?lang=es").text
    assert '<th scope="row">medida</th><td class="num">contactos no resueltos</td>' in page
    assert "escalados (20 % frente a 5 %)" in page
    # The API keeps the statement it stored, in the language detection ran with.
    stored = api.client.get(f"/api/v1/insights/{spike.id}", headers=api.headers()).json()
    assert stored["language"] == "en" and stored["statement"].startswith("Contacts about gift")
    english = api.client.get(f"/insights/{spike.id}?lang=en").text
    assert "(13 vs fewer than 1 expected)" in english
    assert '<th scope="row">baseline days</th>' in english


def test_catalogues_cover_the_same_messages() -> None:
    assert MESSAGES["es"].keys() == MESSAGES["en"].keys()
    assert all(MESSAGES["es"][k] for k in MESSAGES["es"])
    assert {f"type.{name}" for name in INSIGHT_TYPES} <= MESSAGES["en"].keys()
    t = translator("es")
    assert t("list.count", shown=1, total=3) == "1 de 3 hallazgos"
    assert t("type.churn_risk", default="churn risk") == "churn risk"


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        ("es", "en", "en", "es"),
        (None, "es", "en", "es"),
        ("fr", None, "fr-FR, es-MX;q=0.8, en;q=0.9", "en"),
        (None, None, "de, es-MX;q=0.8", "es"),
        (None, None, "es;q=0, en;q=0.1", "en"),
        (None, None, "*", None),
        (None, "xx", None, None),
    ],
)
def test_choose_language(
    query: str | None, cookie: str | None, header: str | None, expected: str | None
) -> None:
    assert choose_language(query, cookie, header) == expected


@given(st.text(max_size=200))
def test_any_accept_language_header_gives_en_es_or_nothing(header: str) -> None:
    assert choose_language(None, None, header) in ("en", "es", None)


def test_docs_use_only_local_assets(api: Api) -> None:
    docs = api.client.get("/docs")
    assert docs.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", docs.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    assert "http://" not in docs.text and "https://" not in docs.text and "//cdn" not in docs.text
    for asset in re.findall(r"""['"](/static/swagger-ui/[^'"]+)['"]""", docs.text):
        assert api.client.get(asset).status_code == 200, asset
    assert api.client.get("/redoc").status_code == 404
    assert api.client.get("/openapi.json").json()["info"]["title"] == "Criterio API"
    assert api.client.get("/static/criterio.css").status_code == 200
