"""The browser's session (checker/session.py), in-process with a fake `Send`.

No network and no subprocess: a `Send` is any function from a Request to a Response, so each
test plays Netlify's answers itself, and says which requests it expected.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from checker.netlify import api, samples
from checker.netlify.api import Send
from checker.session import LIMITS, Session
from tests.answers import NOW, TEAMS, netlify, side_refuses
from tests.clock import Clock
from tests.fake_netlify import TOKEN

# --- the browser's session ------------------------------------------------------------------------


def reply(
    session: Session, request_id: int, status: int, body: str | bytes, **headers: str
) -> dict[str, Any]:
    """Netlify's answer handed to the session as static/worker.js hands it: its status and
    headers as JSON, its body as the bytes fetch read."""
    raw = body.encode() if isinstance(body, str) else body
    meta = json.dumps({"status": status, "headers": headers})
    return json.loads(session.receive(request_id, meta, raw))


def in_the_worker(session: Session, form: object, send: Send) -> tuple[dict[str, Any], int]:
    """Drive a session as static/worker.js does, one answer at a time: the view, and how many
    partial views there were on the way."""
    step = json.loads(session.begin(json.dumps(form)))
    if "view" in step:
        return step["view"], 0
    waiting, partials = list(step["send"]), 0
    while waiting:
        asked = waiting.pop(0)
        assert set(asked["headers"]) == {"Authorization", "Accept"}
        request = api.Request(asked["method"], asked["url"], asked["headers"])
        answer = send(request)
        step = reply(session, asked["id"], answer.status, answer.body, **answer.headers)
        waiting += step["send"]
        if step["done"]:
            break
        if step["answered"]:
            partial = json.loads(session.view())
            assert "teams have answered" in partial["units"]["binary"]["status"]
            partials += 1
    return json.loads(session.view()), partials


def test_a_check_through_the_session_names_the_team_from_its_account() -> None:
    account = api.Response(200, json.dumps(TEAMS[0]).encode())
    send, asked = netlify(
        {"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH, "/accounts/acme": account}
    )
    view, partials = in_the_worker(Session(), {"token": TOKEN, "team": "acme"}, send)
    assert view["units"]["binary"]["teams"][0]["heading"] == "Acme Web"
    assert (sorted(asked), partials) == (["/accounts/acme", "/accounts/acme/bandwidth"], 0)


def test_every_team_shows_waiting_until_its_answer_comes() -> None:
    send, _ = side_refuses(403)
    session = Session()
    step = json.loads(session.begin(json.dumps({"token": TOKEN, "team": ""})))
    [listing] = step["send"]
    teams = send(api.Request("GET", listing["url"], listing["headers"]))
    step = reply(session, listing["id"], 200, teams.body)
    assert [request["url"].rsplit("/", 2)[-2] for request in step["send"]] == ["acme", "side"]
    # The list has come, no figures yet: both teams wait, in the list's order.
    waiting = json.loads(session.view())["units"]["binary"]
    assert waiting["status"] == "0 of 2 teams have answered…"
    assert [(t["heading"], t["pending"], t["note"]) for t in waiting["teams"]] == [
        ("Acme Web", True, "Asking Netlify…"),
        ("Side", True, "Asking Netlify…"),
    ]
    # The second team's answer first: it is drawn in its own place.
    step = reply(session, step["send"][1]["id"], 403, "{}")
    assert step["answered"] and not step["done"]
    teams_now = json.loads(session.view())["units"]["binary"]["teams"]
    assert [t["pending"] for t in teams_now] == [True, False]
    assert teams_now[1]["error"] is not None


def test_the_warm_up_sends_nothing_and_touches_no_readers_state() -> None:
    session = Session()
    view = json.loads(session.warm_up())
    teams = view["units"]["binary"]["teams"]
    assert [team["plan"] for team in teams] == ["legacy", "credit"]
    assert teams[0]["rows"][0]["value"] == "25.3 GiB"
    # Nothing of the warm-up's stays: a check of the same answer is not "unchanged".
    again = json.loads(session.warm_up())
    assert again["units"]["binary"]["teams"][0]["note"] is None
    send, _ = netlify({"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH})
    view, _ = in_the_worker(session, {"token": TOKEN, "team": "acme"}, send)
    assert view["units"]["binary"]["teams"][0]["note"] is None


def test_bad_input_gets_a_sentence_never_a_traceback() -> None:
    for form in ("{not json", "[]", json.dumps({"token": "", "team": "acme"})):
        step = json.loads(Session().begin(form))
        assert "send" not in step
        assert step["view"]["ok"] is False
        assert "Traceback" not in step["view"]["error"]["message"]


@pytest.mark.parametrize(
    ("failed", "said"),
    [
        ("network", "Could not reach Netlify's API"),
        ("timeout", "did not answer within 20 seconds"),
        ("redirect", "answered with a redirect"),
        ("anything else", "Could not reach Netlify's API"),
    ],
)
def test_a_request_without_an_answer_ends_the_check_with_a_sentence(failed: str, said: str) -> None:
    session = Session()
    step = json.loads(session.begin(json.dumps({"token": TOKEN, "team": "acme"})))
    first, _ = step["send"]
    step = json.loads(session.receive(first["id"], json.dumps({"failed": failed})))
    assert step == {"send": [], "done": True, "answered": False, "pause": None}
    view = json.loads(session.view())
    assert view["ok"] is False and said in view["error"]["message"]


def test_an_odd_outcome_from_the_worker_is_a_sentence_too() -> None:
    session = Session()
    step = json.loads(session.begin(json.dumps({"token": TOKEN, "team": "acme"})))
    json.loads(session.receive(step["send"][0]["id"], '{"status": "x"}'))
    view = json.loads(session.view())
    assert view["ok"] is False and "unexpected" in view["error"]["message"]


def test_the_example_is_read_by_the_real_code_and_sends_nothing() -> None:
    view = json.loads(Session().begin('{"example": true}'))["view"]
    binary = view["units"]["binary"]
    assert view["example"] and binary["status"] == (
        "Example: Checked 5 teams: 1 reported over by Netlify, 1 over the allowance, "
        "2 on course to run out of credits."
    )
    assert [team["heading"] for team in binary["teams"]] == [
        "Example Studio",
        "Example Side Projects",
        "Example New Team",
        "Example Paused Shop",
        "Example Agency",
    ]
    paused, agency = binary["teams"][3:]
    assert paused["headline"]["strong"] == "Netlify reports this team over its credits"
    assert (
        paused["over"]
        and {"label": "Sites over", "value": "example-shop", "tone": "warning"} in paused["rows"]
    )
    # The agency's cycle is not its bandwidth's period; Netlify's own count drives its share.
    assert agency["headline"]["rest"] == " spent (61.7 %, Netlify's own count)"
    assert any(row["label"] == "Bandwidth's own period" for row in agency["rows"])
    assert "Netlify buys 500 more credits" in agency["pace"]["text"]
    credit = binary["teams"][2]
    assert credit["plan"] == "credit" and credit["runs_out"] and not credit["over"]
    assert credit["pace"]["tone"] == "warning"
    assert "every site of the team is paused when the credits are spent" in credit["pace"]["text"]
    assert binary["teams"][1]["pace"]["text"] == "Over the allowance by 12 GiB."


def test_the_pages_watchdog_uses_pythons_own_bound_and_words_for_a_request() -> None:
    # The page is told the bound with the worker's `ready`; a silent worker gets the same
    # sentence as a request that timed out.
    limits = LIMITS
    assert limits["request_ms"] == api.TIMEOUT_SECONDS * 1000
    session = Session(now=lambda: NOW)
    [request] = json.loads(session.begin(json.dumps({"token": TOKEN, "team": "acme"})))["send"][:1]
    session.receive(request["id"], json.dumps({"failed": "timeout"}))
    view = json.loads(session.view())
    assert view["error"]["message"] == limits["timed_out"]
    assert f"within {api.TIMEOUT_SECONDS} seconds" in limits["timed_out"]


def test_a_rate_limit_is_a_pause_the_page_counts_down_then_the_check_goes_on() -> None:
    clock = Clock(NOW)
    session = Session(now=clock.now)
    step = json.loads(session.begin(json.dumps({"token": TOKEN, "team": "acme"})))
    figures, details = step["send"]
    step = reply(session, figures["id"], 429, '{"code": 429}', **{"retry-after": "29"})
    assert step == {
        "send": [],
        "done": False,
        "answered": False,
        "pause": {
            "seconds": 30,
            "text": "Netlify's rate limit was reached. Asking again in {seconds} s (wait 1 of 3)…",
        },
    }
    clock.sleep(10)
    assert json.loads(session.resume())["pause"]["seconds"] == 20
    clock.sleep(20)
    step = json.loads(session.resume())
    assert step["pause"] is None
    [again] = step["send"]
    assert again["url"] == figures["url"] and again["id"] != figures["id"]
    reply(session, details["id"], 200, json.dumps(TEAMS[0]))
    step = reply(session, again["id"], 200, samples.RECORDED_BANDWIDTH.body)
    assert step["done"]
    assert json.loads(session.view())["units"]["binary"]["teams"][0]["heading"] == "Acme Web"


def test_an_answer_no_reader_foresaw_settles_its_team_with_a_sentence() -> None:
    # "²" passes str.isdigit(), which int() then refuses: before the second security review
    # that team never settled, and the page said "Checked 0 teams".
    session = Session()
    step = json.loads(session.begin(json.dumps({"token": TOKEN, "team": ""})))
    [listing] = step["send"]
    two = [TEAMS[0], {**TEAMS[0], "slug": "side", "name": "Side"}]
    step = reply(session, listing["id"], 200, json.dumps(two))
    body = json.loads(samples.RECORDED_BANDWIDTH.body)
    for request, used in zip(step["send"], ["²", body["used"]], strict=True):
        step = reply(session, request["id"], 200, json.dumps({**body, "used": used}))
    assert step["done"]
    view = json.loads(session.view())["units"]["binary"]
    broken, fine = view["teams"]
    assert "unusable “used”" in broken["error"]["message"]
    assert fine["error"] is None
    assert view["status"].startswith("Checked 2 teams")


def test_an_answers_body_comes_as_bytes_and_is_read_once_where_its_figures_are() -> None:
    class Uint8ArrayProxy:
        """What Pyodide hands Python for a Uint8Array: a proxy that copies itself out."""

        def __init__(self, data: bytes) -> None:
            self.data = data

        def to_bytes(self) -> bytes:
            return self.data

    session = Session(now=lambda: NOW)
    figures, details = json.loads(session.begin(json.dumps({"token": TOKEN, "team": "acme"})))[
        "send"
    ]
    reply(session, details["id"], 200, json.dumps(TEAMS[0]))
    meta = json.dumps({"status": 200, "headers": {}})
    body = Uint8ArrayProxy(samples.RECORDED_BANDWIDTH.body)
    assert json.loads(session.receive(figures["id"], meta, body))["done"]
    [team] = json.loads(session.view())["units"]["binary"]["teams"]
    assert team["rows"][0]["value"] == "25.3 GiB"
    # The raw copy is made from the one parse: Netlify's answer, as JSON.
    assert json.loads(team["raw"]) == json.loads(samples.RECORDED_BANDWIDTH.body)


def test_a_body_that_is_not_utf8_is_a_sentence() -> None:
    session = Session()
    figures, _ = json.loads(session.begin(json.dumps({"token": TOKEN, "team": "acme"})))["send"]
    reply(session, figures["id"], 200, b'{"used": "\xff\xfe"}')
    view = json.loads(session.view())
    assert view["ok"] is False and "not valid JSON" in view["error"]["message"]
