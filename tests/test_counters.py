"""Counts that plug into a check (checker/netlify/counters.py), and the one loop that drives a
check (checker/netlify/drive.py). A count made up here, of a team's forms, runs through `Check`
exactly as the production deploys do: the check knows neither."""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import pytest
from pytest import MonkeyPatch

from checker.figures import credits, history
from checker.figures.credits import Meter
from checker.netlify import api, check, counters, samples
from checker.netlify.check import Check
from checker.netlify.counters import Address, Ask, Budget, Count
from checker.netlify.drive import InTurn, Stalled, drive
from checker.netlify.report import Counted, Plan, TeamReport, utc_now
from checker.outputs import schema
from checker.view.card import team_view
from tests import fake_netlify
from tests.answers import NOW, counted, fake_report, listed, netlify, refused
from tests.clock import Clock
from tests.fake_netlify import TOKEN


@dataclass
class FormCounter:
    """A team's forms, one request: what it was handed is kept for the test to read."""

    team: Address
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

    def shown(self) -> Counted:
        if self.forms is None:
            return replace(counted(), done=False)
        return counted((self.team.slug, self.forms))


def forms_count(made: list[FormCounter], budget: int = 10, plan: Plan = "legacy") -> Count:
    def counter(team: Address, left: Budget) -> FormCounter:
        made.append(FormCounter(team, left))
        return made[-1]

    return Count("forms", frozenset({plan}), budget, counter)


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
    assert [acme.counts["forms"].count, side.counts["forms"].count] == [3, 1]
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
    assert side.error is not None and not side.counts
    assert made[1].settled_with[0].bandwidth is None  # its counter was told
    assert acme.counts["forms"].count == 3


def test_a_named_teams_count_begins_once_its_plan_is_known() -> None:
    made: list[FormCounter] = []
    send, asked = netlify({**dict([FIGURES]), "/accounts/acme/forms": forms(2)})
    running = Check(TOKEN, ["acme"], now=lambda: NOW, counts=(forms_count(made),))
    [acme] = drive(running, InTurn(send))
    # Its plan came with its account object, after which its forms were asked for.
    assert asked[-1] == "/accounts/acme/forms" and made[0].forms == 2
    assert acme.counts["forms"].count == 2


# Form submissions at 1 credit each, as if Netlify's API reported them: a meter for the cost table.
FORMS = Meter(
    "forms",
    "Form submissions",
    "form submission",
    "form submissions",
    1,
    date(2026, 12, 1),
    "https://www.netlify.com/pricing/",
)


def test_a_new_meter_is_an_entry_in_the_cost_table_and_its_count(monkeypatch: MonkeyPatch) -> None:
    """Nothing else changes: the estimate, the card, the JSON document and the readings kept
    over time all show the new meter from the table and the team's report."""
    monkeypatch.setattr(credits, "METERS", (*credits.METERS, FORMS))
    monkeypatch.setattr(credits, "COUNTED", (*credits.COUNTED, FORMS))
    [team] = [entry for entry in fake_netlify.TEAMS if entry["slug"] == "credits-co"]
    now = utc_now()
    send, _ = netlify(
        {
            "/accounts/credits-co": api.Response(200, json.dumps(team).encode()),
            "/accounts/credits-co/bandwidth": api.Response(
                200, json.dumps(fake_netlify.bandwidth_figures("credits-co")).encode()
            ),
            "/accounts/credits-co/forms": forms(40),
        }
    )
    # Only the new count runs: the production deploys are left out, and said to be.
    only = (forms_count([], plan="credit"),)
    [report] = drive(Check(TOKEN, ["credits-co"], now=lambda: now, counts=only), InTurn(send))
    assert report.counts["forms"].count == 40 and "deploys" not in report.counts
    # 4.5 GB of bandwidth (90 credits) and 40 submissions (40).
    [document_team] = schema.document([report], now)["teams"]
    spent = document_team["credits"]
    assert (spent["estimate"], spent["forms"]["count"], spent["forms"]["credits"]) == (130, 40, 40)
    assert [meter["key"] for meter in spent["rate"]["meters"]] == ["bandwidth", "deploys", "forms"]
    rows = {row["label"]: row["value"] for row in team_view(report, now, "decimal")["rows"]}
    assert rows["Form submissions"] == "at least 40: 40 credits"
    assert rows["Production deploys"] == "not counted: not counted"
    assert rows["Most form submissions"] == "credits-co 40"
    assert "1 credits per form submission since 1 Dec 2026" in rows["Rate"]
    kept = history.reading(report, now)
    assert kept is not None and json.loads(kept.line())["forms"] == 40
    assert history.read_lines([kept.line()]) == [kept]


def test_every_count_of_the_check_counts_a_meter_of_the_cost_table() -> None:
    assert [count.meter for count in check.COUNTS] == [meter.key for meter in credits.COUNTED]


def test_no_meters_key_is_taken_by_a_reading_or_the_json_documents_credits(
    monkeypatch: MonkeyPatch,
) -> None:
    """A meter's count is kept under its key beside a reading's own fields and the `credits`
    object's: a key that named one of those would overwrite it."""
    keys = {meter.key for meter in credits.COUNTED}
    reading = history.Reading("acme", NOW, None, 0, None, None, credits=1, share=1.0)
    taken = set(json.loads(reading.line())) | {"netlify_over"}
    monkeypatch.setattr(credits, "COUNTED", ())  # the object's own keys, with no meter's
    [team] = schema.document([fake_report("credits-co")], NOW)["teams"]
    assert keys and not keys & (taken | set(team["credits"]))


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
