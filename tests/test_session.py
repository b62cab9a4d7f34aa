"""The check's rules, the view and the browser's session, in-process with a fake `Send`.

No network and no subprocess: a `Send` is any function from a Request to a Response, so each
test plays Netlify's answers itself, and says which requests it expected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from checker import api, samples
from checker.check import TeamRefused, check
from checker.credits import CREDITS_PER_GB, GB, RATE_SINCE
from checker.session import LIMITS, Session
from checker.view import page_view, team_view
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
    assert asked == ["/accounts", "/accounts/acme/bandwidth", "/accounts/side/bandwidth"]
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


def test_a_rate_limit_part_way_ends_the_whole_check() -> None:
    limited = api.Response(429, b"{}", {"retry-after": "30"})
    send, _ = netlify(
        listed(
            ("/accounts/acme/bandwidth", samples.RECORDED_BANDWIDTH),
            ("/accounts/side/bandwidth", limited),
        )
    )
    with pytest.raises(api.RateLimited, match="Try again in 30 seconds"):
        check(TOKEN, [""], send, now=lambda: NOW)


def test_a_named_team_comes_with_its_account_and_without_it_its_plan_is_unknown() -> None:
    account = api.Response(200, json.dumps(TEAMS[0]).encode())
    send, asked = netlify(
        {"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH, "/accounts/acme": account}
    )
    [named] = check(TOKEN, ["acme"], send, now=lambda: NOW)
    assert asked == ["/accounts/acme/bandwidth", "/accounts/acme"]
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


def test_a_check_through_the_session_announces_each_request() -> None:
    account = api.Response(200, json.dumps(TEAMS[0]).encode())
    send, asked = netlify(
        {"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH, "/accounts/acme": account}
    )
    announced: list[None] = []
    form = json.dumps({"token": TOKEN, "team": "acme"})
    view = json.loads(Session().check(form, send, lambda: announced.append(None)))
    assert view["units"]["binary"]["teams"][0]["heading"] == "Acme Web"
    assert len(announced) == len(asked) == 2


def test_the_warm_up_contacts_only_its_own_url_and_touches_no_readers_state() -> None:
    sent: list[api.Request] = []

    def send(request: api.Request) -> api.Response:
        sent.append(request)
        return api.Response(200, b"{}")

    session = Session()
    view = json.loads(session.warm_up(send, "https://site.example/lock.json"))
    # Its two requests (the figures, and the account) both go to the page's own file.
    assert [request.url for request in sent] == ["https://site.example/lock.json"] * 2
    assert "Authorization" not in sent[0].headers
    assert view["units"]["binary"]["teams"][0]["rows"][0]["value"] == "25.3 GiB"
    # Nothing of the warm-up's stays: a check of the same answer is not "unchanged".
    again = json.loads(session.warm_up(send, "https://site.example/lock.json"))
    assert again["units"]["binary"]["teams"][0]["note"] is None


def test_bad_input_gets_a_sentence_never_a_traceback() -> None:
    def send(request: api.Request) -> api.Response:
        raise AssertionError("a malformed form must not reach the network")

    for form in ("{not json", "[]", json.dumps({"token": "", "team": "acme"})):
        view = json.loads(Session().check(form, send))
        assert view["ok"] is False and "Traceback" not in view["error"]["message"]


def test_the_example_is_read_by_the_real_code_and_sends_nothing() -> None:
    def no_network(request: api.Request) -> api.Response:
        raise AssertionError(f"the example sent {request}")

    view = json.loads(Session().check('{"example": true}', no_network))
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
