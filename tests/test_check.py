"""`Check` driven directly, as h11 drives its state machine: no threads, no sockets, no clock but
the test's own."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from checker.netlify import api, samples
from checker.netlify.check import (
    CAP,
    Arrival,
    Asked,
    Check,
    ImpossibleMove,
    Phase,
    TeamRefused,
    move,
)
from checker.netlify.drive import InTurn, drive
from checker.netlify.ratelimit import RATE_LIMIT_WAITS
from tests.answers import NOW, TEAMS, listed, many_teams, netlify, refused, side_refuses
from tests.clock import Clock
from tests.fake_netlify import TOKEN


def teams(count: int) -> api.Response:
    listing = [samples.account(f"team-{n}", f"Team {n}", "Pro") for n in range(count)]
    return api.Response(200, json.dumps(listing).encode())


def figures(**fields: object) -> api.Response:
    body = json.loads(samples.RECORDED_BANDWIDTH.body)
    return api.Response(200, json.dumps({**body, **fields}).encode())


def limited(**headers: str) -> api.Response:
    return api.Response(429, b'{"code": 429}', headers)


def teams_listed(running: Check, count: int) -> list[tuple[int, api.Request]]:
    [(listing, _)] = running.requests()
    running.receive(listing, teams(count))
    return running.requests()


# --- a hostile answer is that team's error, never the end of the check ------------------------


@pytest.mark.parametrize("used", ["²", "١٢٣", "12³"], ids=["superscript", "arabic-indic", "mixed"])
def test_a_count_in_other_digits_is_that_teams_error_and_the_rest_stand(used: str) -> None:
    running = Check(TOKEN, [""], now=lambda: NOW)
    first, second = teams_listed(running, 2)
    running.receive(first[0], figures(used=used))
    running.receive(second[0], samples.RECORDED_BANDWIDTH)
    assert running.finished
    broken, fine = running.reports()
    assert isinstance(broken.error, api.BadResponse)
    assert "unusable “used”" in broken.error.message
    assert fine.bandwidth is not None and fine.bandwidth.used == samples.RECORDED_USED


def test_whatever_reading_an_answer_raises_is_that_teams_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read, calls = api.bandwidth_of, []

    def breaks_on_the_first(document: object) -> api.Bandwidth:
        calls.append(document)
        if len(calls) == 1:  # team-0's, the first answered
            raise ZeroDivisionError("an answer no reader foresaw")
        return read(document)

    monkeypatch.setattr(api, "bandwidth_of", breaks_on_the_first)
    running = Check(TOKEN, [""], now=lambda: NOW)
    for request_id, _ in teams_listed(running, 3):
        assert running.receive(request_id, samples.RECORDED_BANDWIDTH)  # each settles its team
    broken, *rest = running.reports()
    assert isinstance(broken.error, api.BadResponse)
    assert "could not be read" in broken.error.message
    assert [report.error for report in rest] == [None, None]


def test_a_named_team_whose_answer_cannot_be_read_fails_the_check_with_a_sentence() -> None:
    running = Check(TOKEN, ["acme"], now=lambda: NOW)
    (figures_id, _), (details_id, _) = running.requests()
    running.receive(figures_id, figures(used="²"))
    running.receive(details_id, api.Response(200, json.dumps(samples.RECORDED_ACCOUNT).encode()))
    with pytest.raises(api.BadResponse, match="unusable “used”"):
        running.reports()


# --- the rate limit is waited out, within bounds ------------------------------------------------


def test_a_429_pauses_the_check_then_asks_again_for_what_it_refused() -> None:
    clock = Clock(NOW)
    running = Check(TOKEN, [""], now=clock.now)
    first, second = teams_listed(running, 2)
    running.receive(first[0], limited(**{"retry-after": "5"}))
    pause = running.pause
    assert pause is not None and pause.number == 1 and pause.known
    assert pause.until == NOW + timedelta(seconds=6)  # a second more than Netlify says
    # Sent before the pause began: the same window, so no second wait.
    running.receive(second[0], limited(**{"retry-after": "5"}))
    assert running.pause == pause
    assert running.requests() == [] and not running.finished
    clock.sleep(6)
    again = running.requests()
    assert [request.url for _, request in again] == [first[1].url, second[1].url]
    for request_id, _ in again:
        running.receive(request_id, samples.RECORDED_BANDWIDTH)
    assert running.finished and [r.error for r in running.reports()] == [None, None]


def test_a_reset_that_cannot_be_read_means_netlifys_minute() -> None:
    clock = Clock(NOW)
    running = Check(TOKEN, ["acme"], now=clock.now)
    (request_id, _), _details = running.requests()
    running.receive(request_id, limited())
    assert running.pause is not None
    assert running.pause.until == NOW + timedelta(seconds=60) and not running.pause.known


def test_after_three_waits_the_next_429_ends_the_check_with_when_to_try_again() -> None:
    clock = Clock(NOW)
    running = Check(TOKEN, [""], now=clock.now)
    [(listing, _)] = running.requests()
    for wait in range(1, RATE_LIMIT_WAITS + 1):
        running.receive(listing, limited(**{"retry-after": "10"}))
        assert running.pause is not None and running.pause.number == wait
        clock.sleep(11)
        [(listing, _)] = running.requests()
    running.receive(listing, limited(**{"retry-after": "10"}))
    assert running.finished
    with pytest.raises(api.RateLimited, match="Try again in 10 seconds"):
        running.reports()


def test_a_wait_longer_than_a_minute_and_a_half_is_not_waited() -> None:
    running = Check(TOKEN, [""], now=lambda: NOW)
    [(listing, _)] = running.requests()
    running.receive(listing, limited(**{"retry-after": "91"}))
    assert running.pause is None and running.finished
    with pytest.raises(api.RateLimited, match="Try again in 91 seconds"):
        running.reports()


# --- many teams -----------------------------------------------------------------------------------


def test_three_hundred_teams_complete_within_the_cap() -> None:
    def answer(request: api.Request) -> api.Response:
        return teams(300) if request.url.endswith("/accounts") else samples.RECORDED_BANDWIDTH

    running = Check(TOKEN, [""], now=lambda: NOW)
    reports = drive(running, InTurn(answer))
    assert len(reports) == 300
    assert all(report.bandwidth is not None for report in reports)


# --- the check's rules --------------------------------------------------------------------------


def test_one_team_failing_is_shown_in_its_place_and_the_others_stand() -> None:
    send, asked = side_refuses(403)
    acme, side = drive(Check(TOKEN, [""], now=lambda: NOW), InTurn(send))
    assert asked[0] == "/accounts"
    assert sorted(asked[1:]) == ["/accounts/acme/bandwidth", "/accounts/side/bandwidth"]
    assert acme.bandwidth is not None and acme.bandwidth.used == samples.RECORDED_USED
    assert side.bandwidth is None and isinstance(side.error, api.Forbidden)


def test_a_401_for_one_listed_team_is_that_teams_problem() -> None:
    send, _ = side_refuses(401)
    _, side = drive(Check(TOKEN, [""], now=lambda: NOW), InTurn(send))
    assert isinstance(side.error, TeamRefused)
    assert "its role in that team may not include billing" in side.error.message


def test_a_404_for_a_team_the_list_just_gave_is_not_told_as_no_such_team() -> None:
    send, _ = side_refuses(404)
    _, side = drive(Check(TOKEN, [""], now=lambda: NOW), InTurn(send))
    assert isinstance(side.error, api.BadResponse)
    assert "No team with the slug" not in side.error.message
    assert side.error.message.startswith("Netlify lists “side” among this token's teams but")
    named, _ = netlify({"/accounts/acme/bandwidth": refused(404)})
    with pytest.raises(api.TeamNotFound, match="No team with the slug “acme”"):
        drive(Check(TOKEN, ["acme"], now=lambda: NOW), InTurn(named))


def test_every_listed_team_refusing_the_token_means_the_token_failed() -> None:
    send, _ = netlify(
        listed(
            ("/accounts/acme/bandwidth", refused(401)), ("/accounts/side/bandwidth", refused(401))
        )
    )
    with pytest.raises(api.TokenRejected, match="rejected this token"):
        drive(Check(TOKEN, [""], now=lambda: NOW), InTurn(send))


def test_a_named_team_failing_fails_the_check() -> None:
    send, _ = netlify({"/accounts/acme/bandwidth": refused(403)})
    with pytest.raises(api.Forbidden):
        drive(Check(TOKEN, ["acme"], now=lambda: NOW), InTurn(send))


def test_a_rate_limit_too_long_to_wait_for_part_way_ends_the_whole_check() -> None:
    limited = api.Response(429, b"{}", {"retry-after": "600"})
    send, _ = netlify(
        listed(
            ("/accounts/acme/bandwidth", samples.RECORDED_BANDWIDTH),
            ("/accounts/side/bandwidth", limited),
        )
    )
    with pytest.raises(api.RateLimited, match="Try again in 10 minutes"):
        drive(Check(TOKEN, [""], now=lambda: NOW), InTurn(send))


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


def test_a_named_team_comes_with_its_account_and_without_it_its_plan_is_unknown() -> None:
    account = api.Response(200, json.dumps(TEAMS[0]).encode())
    send, asked = netlify(
        {"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH, "/accounts/acme": account}
    )
    [named] = drive(Check(TOKEN, ["acme"], now=lambda: NOW), InTurn(send))
    assert sorted(asked) == ["/accounts/acme", "/accounts/acme/bandwidth"]
    assert (named.account.name, named.account.plan, named.plan) == ("Acme Web", "Pro", "legacy")
    send, _ = netlify(
        {"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH, "/accounts/acme": refused(500)}
    )
    [unknown] = drive(Check(TOKEN, ["acme"], now=lambda: NOW), InTurn(send))
    assert unknown.account.name == "acme" and unknown.bandwidth is not None
    assert unknown.plan == "unknown"


def test_a_legacy_team_must_say_what_is_included_and_a_credit_team_need_not() -> None:
    no_included = api.Response(200, b'{"used": 5}')
    send, _ = netlify({"/accounts/acme/bandwidth": no_included})
    with pytest.raises(api.BadResponse, match="no “included” figure"):
        drive(Check(TOKEN, ["acme"], now=lambda: NOW), InTurn(send))
    credit = samples.account("acme", "Acme Web", "Free", credits=(0, 300))
    send, _ = netlify(
        {
            "/accounts/acme/bandwidth": no_included,
            "/accounts/acme": api.Response(200, json.dumps(credit).encode()),
        }
    )
    [report] = drive(Check(TOKEN, ["acme"], now=lambda: NOW), InTurn(send))
    assert report.plan == "credit" and report.bandwidth is not None
    assert report.bandwidth.included is None


def test_the_same_answer_again_is_unchanged() -> None:
    send, _ = netlify({"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH})
    memory: dict[str, bytes] = {}
    [first] = drive(Check(TOKEN, ["acme"], now=lambda: NOW, memory=memory), InTurn(send))
    [again] = drive(Check(TOKEN, ["acme"], now=lambda: NOW, memory=memory), InTurn(send))
    assert (first.unchanged, again.unchanged) == (False, True)


def test_a_phase_moves_only_as_its_table_allows() -> None:
    """The check's table of moves (h11's way): a named team settles once both its answers are
    in, in either order; a second answer of the same kind is a bug, and raises."""
    assert move(Phase.ASKING, Arrival.FIGURES, Asked.NAMED) is Phase.FIGURES_IN
    assert move(Phase.FIGURES_IN, Arrival.DETAILS, Asked.NAMED) is Phase.SETTLED
    assert move(Phase.ASKING, Arrival.DETAILS, Asked.NAMED) is Phase.DETAILS_IN
    assert move(Phase.DETAILS_IN, Arrival.FIGURES, Asked.NAMED) is Phase.SETTLED
    assert move(Phase.ASKING, Arrival.FIGURES, Asked.LISTED) is Phase.SETTLED
    for phase, arrival, asked in [
        (Phase.FIGURES_IN, Arrival.FIGURES, Asked.NAMED),
        (Phase.SETTLED, Arrival.FIGURES, Asked.NAMED),
        (Phase.SETTLED, Arrival.FIGURES, Asked.LISTED),
        (Phase.ASKING, Arrival.DETAILS, Asked.LISTED),
    ]:
        with pytest.raises(ImpossibleMove):
            move(phase, arrival, asked)
