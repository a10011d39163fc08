"""The knowledge base's pages over HTTP (the real app): roles, CSRF, editor, versions, search."""

from __future__ import annotations

import re
from typing import Any

import pytest
from argon2 import PasswordHasher

from criterio.auth import service as auth
from criterio.auth.roles import Role
from criterio.db import session_scope
from criterio.knowledge import ArticleIn, create_article
from criterio.knowledge.service import get_article
from tests import api_support
from tests.api_support import PASSWORD, Api
from tests.knowledge_data import ARTICLES

api = api_support.api


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its smallest cost: these tests sign in a dozen times (the real hasher,
    the real login path; only the work factor that makes guessing slow is lowered)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _seed(a: Api) -> dict[str, int]:
    """acme's articles and a user with a password per role."""
    with session_scope(a.factory) as session:
        for name, role in (
            ("ana", Role.analyst),
            ("agnes", Role.agent),
            ("ines", Role.integration),
        ):
            auth.create_user(session, "acme", username=name, role=role, password=PASSWORD)
        return {
            r["external_id"]: create_article(session, "acme", ArticleIn(**r), actor="seed").id
            for r in ARTICLES
        }


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _login(a: Api, username: str) -> None:
    a.client.cookies.clear()
    form = {"username": username, "password": PASSWORD, "csrf_token": ""}
    form["csrf_token"] = _csrf(a.client.get("/login").text)
    assert a.client.post("/login", data=form, follow_redirects=False).status_code == 303


def _post(a: Api, path: str, data: dict[str, Any], page: str | None = None) -> Any:
    """Post a page's form with the CSRF token of the page it sits on."""
    token = _csrf(a.client.get(page or path.rsplit("/", 1)[0]).text)
    return a.client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def _denied(a: Api) -> set[tuple[str, str]]:
    events = a.client.get("/api/v1/audit", headers=a.headers()).json()["items"]
    return {(e["actor"], e["action"]) for e in events if e["outcome"] == "denied"}


def _editor(**changes: str) -> dict[str, str]:
    form = {
        "title": "Router blinks red",
        "issue": "The router light blinks red and there is no internet",
        "environment": "Fibre router HG8245",
        "resolution": "1. Unplug the router for **30 seconds**.\n2. Plug it back in.",
        "cause": "",
        "language": "en",
        "audience": "customer",
        "owner": "agnes",
        "tags": "router, fibre",
        "intents": "no_internet",
        "topics": "",
    }
    return {**form, **changes}


def test_readers_read_writers_write_strangers_and_integrations_do_not(api: Api) -> None:
    ids = _seed(api)
    article = f"/kb/{ids['kb-password']}"
    assert api.client.get(article, follow_redirects=False).headers["location"] == (
        "/login?next=%2Fkb%2F" + str(ids["kb-password"])
    )
    _login(api, "ana")
    page = api.client.get(article, headers={"Accept-Language": "en"})
    assert (
        page.status_code == 200 and '<a href="/kb" aria-current="page">Knowledge</a>' in page.text
    )
    assert "I forgot my password and cannot log in" in page.text
    # An analyst reads: no editor, no state buttons, no flag, link, review or restore form.
    for form in ("/edit", "/state", "/links", "/quality", "/restore", "/kb/new"):
        assert form not in page.text, form
    refused = _post(api, f"{article}/state", {"state": "archived"}, page=article)
    assert refused.status_code == 403 and "Your role may not do this." in refused.text
    assert api.client.get("/kb/new").status_code == 403
    _login(api, "ines")
    assert api.client.get("/kb").status_code == 403
    assert "Knowledge" not in api.client.get("/login/done").text
    assert _denied(api) == {
        ("ana", "write_articles"),
        ("ines", "read_articles"),
    }
    _login(api, "agnes")
    page = api.client.get(article).text
    # A validated article: an agent may flag and link it, not edit, restore or move it.
    assert f'action="{article}/links"' in page and "/edit" not in page and "/restore" not in page
    assert "Only a lead or admin may change a validated or archived article." in page
    assert api.client.get(f"{article}/edit").status_code == 403
    assert api.client.get("/kb/987654").status_code == 404


def test_agent_writes_previews_and_edits_a_version_but_may_not_validate(api: Api) -> None:
    _seed(api)
    _login(api, "agnes")
    hostile = _editor(
        cause="<script>alert(1)</script> [x](javascript:alert(1)) ![i](http://t.example/i.png)"
    )
    preview = _post(api, "/kb/new", {**hostile, "action": "preview"}, page="/kb/new")
    assert preview.status_code == 200
    assert "<strong>30 seconds</strong>" in preview.text and "Not saved yet" in preview.text
    # The Markdown renderer lets no markup, script link or outside image through.
    assert "<script>" not in preview.text and 'href="javascript:' not in preview.text
    assert "<img" not in preview.text
    bad = _post(api, "/kb/new", {**_editor(title=""), "action": "save"}, page="/kb/new")
    assert bad.status_code == 422 and "Title: String should have at least 1 character" in bad.text
    saved = _post(api, "/kb/new", {**_editor(), "action": "save"}, page="/kb/new")
    assert saved.status_code == 303
    article = saved.headers["location"].split("?")[0]
    article_id = int(article.rsplit("/", 1)[1])
    assert "Article created as version 1." in api.client.get(saved.headers["location"]).text
    edit = {**_editor(cause="Firmware 3.1 loses the line profile"), "version": "1"}
    shown = _post(api, f"{article}/edit", {**edit, "action": "preview"}, page=f"{article}/edit")
    assert "Saving changes: Cause" in shown.text
    with session_scope(api.factory) as session:
        assert get_article(session, "acme", article_id).version == 1  # a preview saves nothing
    done = _post(
        api, f"{article}/edit", {**edit, "note": "case c-9", "action": "save"}, f"{article}/edit"
    )
    assert done.headers["location"] == f"{article}?done=edited"
    page = api.client.get(done.headers["location"]).text
    assert "Saved as version 2." in page and "Firmware 3.1 loses the line profile" in page
    assert re.findall(r'<th scope="row" class="num">(\d+)</th>\s*<td>(\w+)</td>', page) == [
        ("2", "edited"),
        ("1", "created"),
    ]
    assert "case c-9" in page
    # A copy opened before version 2 no longer saves.
    stale = _post(api, f"{article}/edit", {**edit, "action": "save"}, f"{article}/edit")
    assert stale.status_code == 409 and "Someone saved version 2 (agnes)" in stale.text
    # The agent is offered "not validated" only, and the server refuses "validated".
    buttons = re.findall(r'<button type="submit" name="state" value="(\w+)"', page)
    assert buttons == ["not_validated"]
    forged = api.client.post(
        f"{article}/state", data={"csrf_token": "forged", "state": "not_validated"}
    )
    assert forged.status_code == 403 and "reload the page" in forged.text
    refused = _post(api, f"{article}/state", {"state": "validated"}, page=article)
    assert refused.status_code == 403 and "Only a lead or admin may validate" in refused.text
    with session_scope(api.factory) as session:
        assert get_article(session, "acme", article_id).state == "wip"
    assert ("agnes", "publish_articles") in _denied(api)
    events = api.client.get(
        "/api/v1/audit", params={"resource_type": "article"}, headers=api.headers()
    ).json()["items"]
    assert {(e["actor"], e["action"]) for e in events} == {
        ("agnes", "create_article"),
        ("agnes", "edit_article"),
    }


def test_lead_validates_restores_reviews_and_agents_flag(api: Api) -> None:
    ids = _seed(api)
    article = f"/kb/{ids['kb-address']}"  # not_validated, internal, version 1
    _login(api, "agnes")
    empty = _post(api, f"{article}/links", {"kind": "flagged", "reason": " "}, page=article)
    assert empty.status_code == 422 and "a flag needs a reason" in empty.text
    flagged = _post(
        api,
        f"{article}/links",
        {"kind": "flagged", "reason": "Says nothing about orders already shipped"},
        page=article,
    )
    assert flagged.headers["location"] == f"{article}?done=linked"
    _post(api, f"{article}/links", {"kind": "reused", "interaction_id": "c-7"}, page=article)
    edit = {
        **_editor(title="Change the delivery address", language="en", audience="internal"),
        "version": "1",
        "action": "save",
    }
    _post(api, f"{article}/edit", edit, page=f"{article}/edit")
    _login(api, "acme-lead")
    page = api.client.get(article).text
    assert "Says nothing about orders already shipped" in page
    assert re.findall(r"<tr><td>(c-7|—)</td><td>(\w+)</td><td>(\w+)</td>", page) == [
        ("c-7", "reused", "search"),
        ("—", "flagged", "search"),
    ]
    assert re.findall(r'name="state" value="(\w+)"', page) == ["wip", "validated", "archived"]
    assert _post(api, f"{article}/state", {"state": "validated"}, page=article).status_code == 303
    page = api.client.get(article).text
    assert '<span class="state state-validated" id="current-state">validated</span>' in page
    restored = _post(api, f"{article}/restore", {"version": "1"}, page=article)
    assert restored.headers["location"] == f"{article}?done=restored"
    page = api.client.get(restored.headers["location"]).text
    assert "Restored as version 4." in page
    assert '<h1 lang="en">Change the delivery address of an order</h1>' in page
    assert "state state-validated" in page  # restoring keeps the state
    met = ["title_in_customer_words", "issue_complete", "resolution_actionable"]
    _post(api, f"{article}/quality", {"met": met, "note": "needs a cause"}, page=article)
    page = api.client.get(article).text
    assert '<td class="num">38 %</td>' in page and "Cause stated" in page
    events = api.client.get(
        "/api/v1/audit", params={"resource_type": "article"}, headers=api.headers()
    ).json()["items"]
    assert {(e["actor"], e["action"]) for e in events} >= {
        ("agnes", "article_flagged"),
        ("agnes", "article_reused"),
        ("acme-lead", "article_state"),
        ("acme-lead", "restore_article"),
        ("acme-lead", "review_article"),
    }


def test_search_and_filters_in_both_languages(api: Api) -> None:
    ids = _seed(api)
    _login(api, "agnes")
    found = api.client.get(
        "/kb", params={"q": "forgot my pasword"}, headers={"Accept-Language": "en"}
    )
    first = re.search(r'<h2 class="hit-title"><a href="/kb/(\d+)"', found.text)
    assert first is not None and int(first.group(1)) == ids["kb-password"]
    assert "Articles found for “forgot my pasword”: 3" in found.text
    sentence = api.client.get("/kb", params={"q": "I forgot my password, cant log in"}).text
    marks = re.findall(r'match (0\.\d\d)( <span class="weak">)?', sentence)
    assert marks[0][1] == "" and all(weak for _, weak in marks[1:]), marks  # one strong answer
    listed = api.client.get("/kb", params={"language": "es", "lang": "es"}).text
    titles = re.findall(
        r'<th scope="row" class="statement"><a href="/kb/\d+" lang="\w+">([^<]+)', listed
    )
    assert titles == ["Cobro duplicado en la factura"]
    assert "Base de conocimiento" in listed and "validado" in listed and "Nuevo artículo" in listed
    archived = api.client.get("/kb", params={"q": "fax", "state": "archived"}).text
    assert f'href="/kb/{ids["kb-fax"]}"' in archived
    assert f'href="/kb/{ids["kb-fax"]}"' not in api.client.get("/kb", params={"q": "fax"}).text
