"""Counts that plug into a check (checker/netlify/counters.py), and the one loop that drives a
check (checker/netlify/drive.py). A count made up here, of a team's forms, runs through `Check`
exactly as the production deploys do: the check knows neither."""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from datetime import datetime

import pytest

from checker.netlify import api, counters, samples
from checker.netlify.check import Check
from checker.netlify.counters import Ask, Budget, Count, Team
from checker.netlify.drive import InTurn, Stalled, drive
from checker.netlify.report import TeamReport
from tests.answers import NOW, counted, listed, netlify, refused
from tests.clock import Clock
from tests.fake_netlify import TOKEN


@dataclass
class FormCounter:
    """A team's forms, one request: what it was handed is kept for the test to read."""

    team: Team
    budget: Budget
    read_keys: list[Hashable] = field(default_factory=list)
    settled_with: list[TeamReport] = field(default_factory=list)
    forms: int | None = None

    def begin(self) -> list[Ask]:
        if not self.budget.take():
            return []
        team = self.team
        request = api.get_request(team.token, f"/accounts/{team.slug}/forms", base=team.base)
        return [Ask(("forms", team.slug), request)]

    def settled(self, report: TeamReport) -> list[Ask]:
        self.settled_with.append(report)
        return []

    def read(self, key: Hashable, outcome: api.Outcome, now: datetime) -> list[Ask]:
        self.read_keys.append(key)
        self.forms = len(api.read_json(api.answer(outcome), now, slug=self.team.slug))
        return []

    def shown(self, report: TeamReport) -> TeamReport:
        return replace(report, deploys=None if self.forms is None else counted(("forms", 1)))


def forms_count(made: list[FormCounter], budget: int = 10) -> Count:
    def counter(team: Team, left: Budget) -> FormCounter:
        made.append(FormCounter(team, left))
        return made[-1]

    return Count(frozenset({"legacy"}), budget, counter)


def forms(count: int) -> api.Response:
    return api.Response(200, json.dumps([{"id": n} for n in range(count)]).encode())


FIGURES = ("/accounts/acme/bandwidth", samples.RECORDED_BANDWIDTH)


def two_teams(*forms_of: tuple[str, int]) -> tuple[api.Send, list[str]]:
    """Acme and side listed, both with their figures, and the forms of those named."""
    found = [(f"/accounts/{slug}/forms", forms(count)) for slug, count in forms_of]
    return netlify(listed(FIGURES, ("/accounts/side/bandwidth", FIGURES[1]), *found))


def test_a_count_plugs_into_the_check_and_is_shown_in_its_teams_report() -> None:
    made: list[FormCounter] = []
    send, asked = two_teams(("acme", 3), ("side", 1))
    running = Check(TOKEN, [""], now=lambda: NOW, counts=(forms_count(made),))
    acme, side = drive(running, InTurn(send))
    # Each listed team's count began with its figures, and read its answer under its own key.
    paths = [f"/accounts/{t}/{w}" for t in ("acme", "side") for w in ("bandwidth", "forms")]
    assert sorted(asked) == sorted(["/accounts", *paths])
    assert [counter.read_keys for counter in made] == [[("forms", "acme")], [("forms", "side")]]
    assert [counter.forms for counter in made] == [3, 1]
    assert [len(counter.settled_with) for counter in made] == [1, 1]
    assert acme.deploys is not None and side.deploys is not None
    # The default count (production deploys) applies to credit teams only: none asked here.
    assert not any("/sites" in path for path in asked)


def test_a_counts_budget_is_shared_by_every_team_of_the_check() -> None:
    made: list[FormCounter] = []
    send, asked = two_teams(("acme", 3))
    running = Check(TOKEN, [""], now=lambda: NOW, counts=(forms_count(made, budget=1),))
    drive(running, InTurn(send))
    assert [path for path in asked if path.endswith("/forms")] == ["/accounts/acme/forms"]
    assert [counter.forms for counter in made] == [3, None]


def test_a_team_whose_figures_failed_shows_no_count() -> None:
    made: list[FormCounter] = []
    send, _ = netlify(
        listed(
            FIGURES,
            ("/accounts/side/bandwidth", refused(403)),
            ("/accounts/acme/forms", forms(3)),
            ("/accounts/side/forms", forms(2)),
        )
    )
    running = Check(TOKEN, [""], now=lambda: NOW, counts=(forms_count(made),))
    acme, side = drive(running, InTurn(send))
    assert side.error is not None and side.deploys is None
    assert made[1].settled_with[0].bandwidth is None  # its counter was told
    assert acme.deploys is not None


def test_a_named_teams_count_begins_once_its_plan_is_known() -> None:
    made: list[FormCounter] = []
    send, asked = netlify({**dict([FIGURES]), "/accounts/acme/forms": forms(2)})
    running = Check(TOKEN, ["acme"], now=lambda: NOW, counts=(forms_count(made),))
    [acme] = drive(running, InTurn(send))
    # Its plan came with its account object, after which its forms were asked for.
    assert asked[-1] == "/accounts/acme/forms" and made[0].forms == 2
    assert acme.deploys is not None


# --- the driver ---------------------------------------------------------------------------------


def test_the_driver_waits_out_the_rate_limit_and_says_so_once() -> None:
    clock = Clock(NOW)
    answers = [api.Response(429, b"{}", {"retry-after": "29"}), samples.RECORDED_BANDWIDTH]
    send, _ = netlify({})
    paused: list[object] = []

    def answer(request: api.Request) -> api.Response:
        if request.url.endswith("/bandwidth"):
            return answers.pop(0)
        return send(request)

    running = Check(TOKEN, ["acme"], now=clock.now)
    sender = InTurn(answer)
    [acme] = drive(running, sender, now=clock.now, sleep=clock.sleep, on_pause=paused.append)
    assert acme.bandwidth is not None and len(paused) == 1
    assert clock.slept == [30.0]


def test_a_failure_to_send_is_the_requests_outcome() -> None:
    def unreachable(request: api.Request) -> api.Response:
        raise api.unreachable()

    with pytest.raises(api.NetworkError):
        drive(Check(TOKEN, ["acme"], now=lambda: NOW), InTurn(unreachable))


def test_a_check_whose_requests_went_elsewhere_stops_the_driver_rather_than_hang() -> None:
    running = Check(TOKEN, ["acme"], now=lambda: NOW)
    running.requests()  # taken, and never answered
    with pytest.raises(Stalled):
        drive(running, InTurn(netlify({})[0]))


def test_counters_budget_says_when_it_is_spent() -> None:
    budget = counters.Budget(2)
    assert [budget.take() for _ in range(3)] == [True, True, False]
