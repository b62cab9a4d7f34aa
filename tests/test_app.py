"""app.py's browser entry points, on CPython: what the worker calls before and during checks."""

from __future__ import annotations

import json

import app
from checker import api


def test_the_warm_up_contacts_only_its_own_url_and_returns_a_view_to_rehearse() -> None:
    sent: list[api.Request] = []
    announced: list[None] = []

    def send(request: api.Request) -> api.Response:
        sent.append(request)
        return api.Response(200, b"{}")

    view = json.loads(
        app.warm_up(send, "https://site.example/lock.json", lambda: announced.append(None))
    )
    assert [request.url for request in sent] == ["https://site.example/lock.json"]
    assert "Authorization" not in sent[0].headers
    assert announced == [None], "the page's request callback was not rehearsed"
    assert view["ok"]
    [team] = view["teams"]
    assert team["bandwidth"]["used"] == 27167800363


def test_handle_answers_bad_input_with_a_sentence_not_a_traceback() -> None:
    def send(request: api.Request) -> api.Response:
        raise AssertionError("a malformed form must not reach the network")

    view = json.loads(app.handle("{not json", send))
    assert not view["ok"]
    assert "Traceback" not in view["error"]["message"]


def test_the_example_is_read_by_the_real_code_and_sends_nothing() -> None:
    def no_network(request: object) -> object:
        raise AssertionError(f"the example sent {request}")

    view = json.loads(app.handle('{"example": true}', no_network))  # type: ignore[arg-type]
    assert view["ok"] and view["example"]
    names = [team["name"] for team in view["teams"]]
    assert names == ["Example Studio", "Example Side Projects"]
    over = view["teams"][1]
    assert over["text"]["binary"]["pace"] == "Over the allowance by 12 GiB."
    assert "On track" in view["teams"][0]["text"]["binary"]["pace"]
