"""The check's rules, the view and the browser's session, in-process with a fake `Send`.

No network and no subprocess: a `Send` is any function from a Request to a Response, so each
test plays Netlify's answers itself, and says which requests it expected.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from checker import api, samples
from checker.api import Send
from checker.check import CAP, Check, TeamRefused
from checker.credits import CREDITS_PER_GB, GB, RATE_SINCE
from checker.session import LIMITS, Session
from checker.transport import check
from checker.view import page_view, team_view
from tests.clock import Clock
from tests.conftest import ROOT
from tests.fake_netlify import TOKEN

NOW = datetime(2024, 3, 10, 16, 0, tzinfo=UTC)
TEAMS = [
    {
        "slug": "acme",
        "name": "Acme Web",
        "type_name": "Pro",
        "capabilities": {"sites": {"used": 12, "included": 500}},
    },
    {"slug": "side", "name": "Side", "type_name": "Starter"},
]


ACME = api.Response(200, json.dumps(TEAMS[0]).encode())


def netlify(
    answers: dict[str, api.Response],
) -> tuple[Callable[[api.Request], api.Response], list[str]]:
    """A `Send` that answers by path (acme's account as listed, unless a test says otherwise),
    and the paths it was asked for, in order."""
    asked: list[str] = []
    answers = {"/accounts/acme": ACME, **answers}

    def send(request: api.Request) -> api.Response:
        path = request.url.removeprefix(api.API_BASE)
        asked.append(path)
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        return answers[path]

    return send, asked


def listed(*extra: tuple[str, api.Response]) -> dict[str, api.Response]:
    return {"/accounts": api.Response(200, json.dumps(TEAMS).encode()), **dict(extra)}


def refused(status: int) -> api.Response:
    return api.Response(status, b'{"code": %d, "message": "Access Denied"}' % status)


# --- the check's rules --------------------------------------------------------------------------


def side_refuses(status: int) -> tuple[Callable[[api.Request], api.Response], list[str]]:
    """Both teams listed; acme's figures as recorded, side's refused with `status`."""
    return netlify(
        listed(
            ("/accounts/acme/bandwidth", samples.RECORDED_BANDWIDTH),
            ("/accounts/side/bandwidth", refused(status)),
        )
    )


def test_one_team_failing_is_shown_in_its_place_and_the_others_stand() -> None:
    send, asked = side_refuses(403)
    acme, side = check(TOKEN, [""], send, now=lambda: NOW)
    assert asked[0] == "/accounts"
    assert sorted(asked[1:]) == ["/accounts/acme/bandwidth", "/accounts/side/bandwidth"]
    assert acme.bandwidth is not None and acme.bandwidth.used == samples.RECORDED_USED
    assert side.bandwidth is None and isinstance(side.error, api.Forbidden)


def test_a_401_for_one_listed_team_is_that_teams_problem() -> None:
    send, _ = side_refuses(401)
    _, side = check(TOKEN, [""], send, now=lambda: NOW)
    assert isinstance(side.error, TeamRefused)
    assert "its role in that team may not include billing" in side.error.message


def test_every_listed_team_refusing_the_token_means_the_token_failed() -> None:
    send, _ = netlify(
        listed(
            ("/accounts/acme/bandwidth", refused(401)), ("/accounts/side/bandwidth", refused(401))
        )
    )
    with pytest.raises(api.TokenRejected, match="rejected this token"):
        check(TOKEN, [""], send, now=lambda: NOW)


def test_a_named_team_failing_fails_the_check() -> None:
    send, _ = netlify({"/accounts/acme/bandwidth": refused(403)})
    with pytest.raises(api.Forbidden):
        check(TOKEN, ["acme"], send, now=lambda: NOW)


def test_a_rate_limit_too_long_to_wait_for_part_way_ends_the_whole_check() -> None:
    limited = api.Response(429, b"{}", {"retry-after": "600"})
    send, _ = netlify(
        listed(
            ("/accounts/acme/bandwidth", samples.RECORDED_BANDWIDTH),
            ("/accounts/side/bandwidth", limited),
        )
    )
    with pytest.raises(api.RateLimited, match="Try again in 10 minutes"):
        check(TOKEN, [""], send, now=lambda: NOW)


def many_teams(count: int) -> list[dict[str, object]]:
    return [samples.account(f"team-{n}", f"Team {n}", "Pro") for n in range(count)]


def test_every_teams_figures_are_asked_for_at_once_within_the_cap() -> None:
    running = Check(TOKEN, [""], now=lambda: NOW)
    [(listing, _)] = running.requests()
    assert running.requests() == []  # nothing more until the list has come
    teams = api.Response(200, json.dumps(many_teams(CAP + 4)).encode())
    running.receive(listing, teams)
    first = running.requests()
    assert len(first) == CAP and running.requests() == []
    # Each answer makes room for one more request, never more than the cap in flight.
    running.receive(first[0][0], samples.RECORDED_BANDWIDTH)
    assert len(running.requests()) == 1
    assert not running.finished


def test_a_named_team_asks_for_its_figures_and_details_together() -> None:
    running = Check(TOKEN, ["acme", "side"], now=lambda: NOW)
    paths = [request.url.removeprefix(api.API_BASE) for _, request in running.requests()]
    assert paths == [
        "/accounts/acme/bandwidth",
        "/accounts/acme",
        "/accounts/side/bandwidth",
        "/accounts/side",
    ]


def test_the_command_line_sends_up_to_the_cap_at_once_and_no_more() -> None:
    teams = many_teams(CAP * 2 + 1)
    lock = threading.Lock()
    in_flight, most = 0, 0

    def send(request: api.Request) -> api.Response:
        nonlocal in_flight, most
        if request.url.endswith("/accounts"):
            return api.Response(200, json.dumps(teams).encode())
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return samples.RECORDED_BANDWIDTH

    reports = check(TOKEN, [""], send, now=lambda: NOW)
    # In the list's order, whatever order the answers came in.
    assert [report.account.slug for report in reports] == [team["slug"] for team in teams]
    assert most == CAP


def test_a_named_team_comes_with_its_account_and_without_it_its_plan_is_unknown() -> None:
    account = api.Response(200, json.dumps(TEAMS[0]).encode())
    send, asked = netlify(
        {"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH, "/accounts/acme": account}
    )
    [named] = check(TOKEN, ["acme"], send, now=lambda: NOW)
    assert sorted(asked) == ["/accounts/acme", "/accounts/acme/bandwidth"]
    assert (named.account.name, named.account.plan, named.plan) == ("Acme Web", "Pro", "legacy")
    send, _ = netlify(
        {"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH, "/accounts/acme": refused(500)}
    )
    [unknown] = check(TOKEN, ["acme"], send, now=lambda: NOW)
    assert unknown.account.name == "acme" and unknown.bandwidth is not None
    assert unknown.plan == "unknown"


def test_a_legacy_team_must_say_what_is_included_and_a_credit_team_need_not() -> None:
    no_included = api.Response(200, b'{"used": 5}')
    send, _ = netlify({"/accounts/acme/bandwidth": no_included})
    with pytest.raises(api.BadResponse, match="no “included” figure"):
        check(TOKEN, ["acme"], send, now=lambda: NOW)
    credit = samples.account("acme", "Acme Web", "Free", credits=(0, 300))
    send, _ = netlify(
        {
            "/accounts/acme/bandwidth": no_included,
            "/accounts/acme": api.Response(200, json.dumps(credit).encode()),
        }
    )
    [report] = check(TOKEN, ["acme"], send, now=lambda: NOW)
    assert report.plan == "credit" and report.bandwidth is not None
    assert report.bandwidth.included is None


def test_the_same_answer_again_is_unchanged() -> None:
    send, _ = netlify({"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH})
    memory: dict[str, bytes] = {}
    [first] = check(TOKEN, ["acme"], send, now=lambda: NOW, memory=memory)
    [again] = check(TOKEN, ["acme"], send, now=lambda: NOW, memory=memory)
    assert (first.unchanged, again.unchanged) == (False, True)


# --- the view: what the page draws and the terminal prints ---------------------------------------


def test_the_recorded_answer_as_a_reader_sees_it() -> None:
    send, _ = netlify({"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH})
    [report] = check(TOKEN, ["acme"], send, now=lambda: NOW)
    team = team_view(report, NOW, "binary")
    assert team["headline"] == {"strong": "25.3 GiB", "rest": " of 100 GiB used (25.3 %)"}
    assert [(row["label"], row["value"]) for row in team["rows"]] == [
        ("Used", "25.3 GiB"),
        ("Included", "100 GiB"),
        ("Remaining", "74.7 GiB"),
        ("Billing period", "17 Feb 2024 \u2013 17 Mar 2024"),
        ("Days left", "7"),
        ("Figure updated", "45 minutes ago"),
    ]
    assert team["meter"] == {
        "value": samples.RECORDED_USED,
        "max": samples.RECORDED_INCLUDED,
        "low": round(samples.RECORDED_INCLUDED * 0.75),
        "high": round(samples.RECORDED_INCLUDED * 0.9),
        "label": "Bandwidth used: 25.3 %",
    }
    assert team["pace"] is not None and team["pace"]["text"].startswith("On track: 25.3 % used")
    decimal = page_view([report], NOW)["units"]["decimal"]
    assert decimal["status"] == "Acme Web: 27.2 GB of 107 GB used (25.3 %)."


def test_over_the_allowance_warns_in_the_row_and_the_pace() -> None:
    period = '"period_start_date": "2024-03-01T00:00:00-08:00", "period_end_date": "2024-04-01"'
    over = api.Response(200, ('{"used": 120, "included": 100, ' + period + "}").encode())
    send, _ = netlify({"/accounts/acme/bandwidth": over})
    team = team_view(check(TOKEN, ["acme"], send, now=lambda: NOW)[0], NOW, "binary")
    assert team["over"] is True
    assert {"label": "Over by", "value": "20 B", "tone": "warning"} in team["rows"]
    assert team["pace"] == {"text": "Over the allowance by 20 B.", "tone": "warning"}


def test_a_plan_without_an_allowance_has_nothing_to_use_up() -> None:
    none = api.Response(200, b'{"used": 5000, "included": 0}')
    send, _ = netlify({"/accounts/acme/bandwidth": none})
    team = team_view(check(TOKEN, ["acme"], send, now=lambda: NOW)[0], NOW, "binary")
    assert team["meter"] is None
    assert [(row["label"], row["value"]) for row in team["rows"]] == [
        ("Used", "4.88 KiB"),
        ("Included", "none"),
        ("Over by", "4.88 KiB"),
    ]
    assert team["headline"] == {"strong": "4.88 KiB", "rest": " used"}


def test_every_team_summed_up_in_one_status_sentence() -> None:
    send, _ = side_refuses(403)
    view = page_view(check(TOKEN, [""], send, now=lambda: NOW), NOW)
    assert view["units"]["binary"]["status"] == "Checked 2 teams: 1 could not be checked."
    side = view["units"]["binary"]["teams"][1]
    assert side["error"] is not None and side["rows"] == [] and side["quotas"] == []


# --- the browser's session ------------------------------------------------------------------------


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
        outcome = {
            "status": answer.status,
            "headers": dict(answer.headers),
            "body": answer.body.decode(),
        }
        step = json.loads(session.receive(asked["id"], json.dumps(outcome)))
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
    answer = {"status": 200, "headers": {}, "body": teams.body.decode()}
    step = json.loads(session.receive(listing["id"], json.dumps(answer)))
    assert [request["url"].rsplit("/", 2)[-2] for request in step["send"]] == ["acme", "side"]
    # The list has come, no figures yet: both teams wait, in the list's order.
    waiting = json.loads(session.view())["units"]["binary"]
    assert waiting["status"] == "0 of 2 teams have answered…"
    assert [(t["heading"], t["pending"], t["note"]) for t in waiting["teams"]] == [
        ("Acme Web", True, "Asking Netlify…"),
        ("Side", True, "Asking Netlify…"),
    ]
    # The second team's answer first: it is drawn in its own place.
    side = {"status": 403, "headers": {}, "body": "{}"}
    step = json.loads(session.receive(step["send"][1]["id"], json.dumps(side)))
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
        "Example: Checked 3 teams: 1 over the allowance, 1 on course to run out of credits."
    )
    assert [team["heading"] for team in binary["teams"]] == [
        "Example Studio",
        "Example Side Projects",
        "Example New Team",
    ]
    credit = binary["teams"][2]
    assert credit["plan"] == "credit" and credit["runs_out"] and not credit["over"]
    assert credit["pace"]["tone"] == "warning"
    assert "every site of the team is then paused" in credit["pace"]["text"]
    assert binary["teams"][1]["pace"]["text"] == "Over the allowance by 12 GiB."


def test_the_page_is_told_pythons_own_bound_on_a_request() -> None:
    assert LIMITS["request_ms"] == 20_000
    assert LIMITS["timed_out"].startswith("Netlify did not answer within 20 seconds.")


def test_the_readme_states_the_rate_the_code_uses() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"{CREDITS_PER_GB} credits per GB, Netlify's rate since 14 April 2026" in readme
    assert RATE_SINCE.isoformat() == "2026-04-14"
    assert f'"credits_per_gb": {CREDITS_PER_GB}, "bytes_per_gb": {GB}' in readme


def test_a_rate_limit_is_a_pause_the_page_counts_down_then_the_check_goes_on() -> None:
    clock = Clock(NOW)
    session = Session(now=clock.now)
    step = json.loads(session.begin(json.dumps({"token": TOKEN, "team": "acme"})))
    figures, details = step["send"]
    limited = {"status": 429, "headers": {"retry-after": "29"}, "body": '{"code": 429}'}
    step = json.loads(session.receive(figures["id"], json.dumps(limited)))
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
    account = {"status": 200, "headers": {}, "body": json.dumps(TEAMS[0])}
    json.loads(session.receive(details["id"], json.dumps(account)))
    recorded = {"status": 200, "headers": {}, "body": samples.RECORDED_BANDWIDTH.body.decode()}
    step = json.loads(session.receive(again["id"], json.dumps(recorded)))
    assert step["done"]
    assert json.loads(session.view())["units"]["binary"]["teams"][0]["heading"] == "Acme Web"


def test_an_answer_no_reader_foresaw_settles_its_team_with_a_sentence() -> None:
    # "²" passes str.isdigit(), which int() then refuses: before the second security review
    # that team never settled, and the page said "Checked 0 teams".
    session = Session()
    step = json.loads(session.begin(json.dumps({"token": TOKEN, "team": ""})))
    [listing] = step["send"]
    two = [TEAMS[0], {**TEAMS[0], "slug": "side", "name": "Side"}]
    answer = {"status": 200, "headers": {}, "body": json.dumps(two)}
    step = json.loads(session.receive(listing["id"], json.dumps(answer)))
    body = json.loads(samples.RECORDED_BANDWIDTH.body)
    for request, used in zip(step["send"], ["²", body["used"]], strict=True):
        figures = {"status": 200, "headers": {}, "body": json.dumps({**body, "used": used})}
        step = json.loads(session.receive(request["id"], json.dumps(figures)))
    assert step["done"]
    view = json.loads(session.view())["units"]["binary"]
    broken, fine = view["teams"]
    assert "unusable “used”" in broken["error"]["message"]
    assert fine["error"] is None
    assert view["status"].startswith("Checked 2 teams")
