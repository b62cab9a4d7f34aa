"""A check without I/O: the named teams, or every team the token can see.

`Check` says which requests to send and reads each outcome as it comes; whoever drives it does
the sending: checker/netlify/drive.py's loop, for the command line from a pool of threads and for
the example and the warm-up from memory, or the page's worker with `fetch` (static/worker.js).
What a check counts beyond each team's figures (a credit team's production deploys) comes from
its counters (checker/netlify/counters.py): this module runs them without knowing what they count.

The rules live here once, for the page and the command line alike: one team's failure is shown
in its place; a token, rate-limit or network failure ends the check; a 401 for every team the
token has just listed means the token failed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import Enum

from checker.netlify import api, counters, deploys, inputs, ratelimit
from checker.netlify.keys import Details, Figures, ForCount, Key, TeamList
from checker.netlify.ratelimit import (
    RATE_LIMIT_MAX_WAIT,
    RATE_LIMIT_UNKNOWN_WAIT,
    RATE_LIMIT_WAITS,
    Pause,
)
from checker.netlify.report import Clock, Plan, TeamReport, plan_of, utc_now

# Netlify's last answer by team slug, so that a check again can say "unchanged". (The page
# sends no If-None-Match of its own, which Netlify's CORS answer might not allow; the browser's
# HTTP cache revalidates with Netlify's ETag by itself.)
Memory = dict[str, bytes]


class TeamRefused(api.Forbidden):
    """A 401 for one team's figures from a token that has just listed the teams."""

    def __init__(self, slug: str, token_message: str) -> None:
        super().__init__(
            f"Netlify refused this token for “{slug}”'s bandwidth (HTTP 401), though the "
            "token works: its role in that team may not include billing."
        )
        self.token_message = token_message


def listed_not_found(slug: str) -> api.BadResponse:
    return api.BadResponse(
        f"Netlify lists “{slug}” among this token's teams but answered that its bandwidth "
        "figures were not found (HTTP 404). Try again shortly."
    )


# At most this many requests in flight per check: a token with eighty teams must not burst past
# Netlify's 500 requests a minute, and browsers allow six connections to one host anyway.
CAP = 6

# What a check counts beyond each team's figures (checker/netlify/counters.py), for the teams
# whose plan each applies to: a credit team's production deploys.
COUNTS: tuple[counters.Count, ...] = (deploys.COUNT,)


class Phase(Enum):
    """Where a team's answers stand. A team named by slug asks for its figures and its details
    at once, and either may come first; a listed team asks for its figures alone."""

    ASKING = "nothing read yet"
    FIGURES_IN = "its figures read, its details still on their way"
    DETAILS_IN = "its details read, its figures still on their way"
    SETTLED = "its report decided (its counters may still be counting)"


class Arrival(Enum):
    """What came for a team: its figures, the error in their place, or its account object."""

    FIGURES = "figures"
    FAILED = "failed"
    DETAILS = "details"


class Asked(Enum):
    """How a team came into the check, which decides the answers it waits for."""

    NAMED = "named"  # by its slug: its figures and its account object (getAccount)
    LISTED = "listed"  # by the token's team list, which gives its account: its figures alone


class ImpossibleMove(RuntimeError):
    """An answer came that the team's phase does not allow: a bug in the check, never Netlify's."""


# Every move a team's phase can make, as h11 keeps its states: (phase, what came) -> phase. A
# move not here raises ImpossibleMove. A named team's figures wait for its details; one whose
# figures failed needs none, and its details, when they come, are dropped.
MOVES = {
    Asked.NAMED: {
        (Phase.ASKING, Arrival.FIGURES): Phase.FIGURES_IN,
        (Phase.ASKING, Arrival.FAILED): Phase.SETTLED,
        (Phase.ASKING, Arrival.DETAILS): Phase.DETAILS_IN,
        (Phase.FIGURES_IN, Arrival.DETAILS): Phase.SETTLED,
        (Phase.DETAILS_IN, Arrival.FIGURES): Phase.SETTLED,
        (Phase.DETAILS_IN, Arrival.FAILED): Phase.SETTLED,
        (Phase.SETTLED, Arrival.DETAILS): Phase.SETTLED,
    },
    Asked.LISTED: {
        (Phase.ASKING, Arrival.FIGURES): Phase.SETTLED,
        (Phase.ASKING, Arrival.FAILED): Phase.SETTLED,
    },
}


def move(phase: Phase, arrival: Arrival, asked: Asked) -> Phase:
    moved = MOVES[asked].get((phase, arrival))
    if moved is None:
        raise ImpossibleMove(f"a {asked.value} team's {arrival.value} came while {phase.value}")
    return moved


@dataclass
class _Answers:
    """Where one team of the check stands: what has come for it, and its report once decided."""

    index: int  # its place in the check's list
    account: api.Account
    asked: Asked
    phase: Phase = Phase.ASKING
    # Its figures as read, until its details (if named) have come too.
    figures: TeamReport | None = None
    details: api.Outcome | None = None
    report: TeamReport | None = None
    # Its counters, by their count's place in the check's counts: made once its plan is known.
    counters: dict[int, counters.Counter] = field(default_factory=dict)


class Check:
    """One check without I/O: it says which requests to send, and reads each outcome as it comes.

    A driver asks `requests()` for what to send (never more than `cap` in flight), hands each
    outcome to `receive()`, and stops when `finished`; `reports()` then gives the teams or raises
    the error that ended the check. Every team's requests are sent at once: the team list first,
    then every team's figures; a team named by slug has its figures and its details together.
    """

    def __init__(
        self,
        token_text: str,
        team_texts: Sequence[str],
        *,
        now: Clock = utc_now,
        base: str = api.API_BASE,
        memory: Memory | None = None,
        cap: int = CAP,
        counts: Sequence[counters.Count] = COUNTS,
    ) -> None:
        self._token = inputs.clean_token(token_text)
        slugs = list(dict.fromkeys(slug for slug in map(inputs.clean_slug, team_texts) if slug))
        self._now, self._base, self._cap = now, base, cap
        self._memory: Memory = {} if memory is None else memory
        self._queue: list[tuple[Key, api.Request]] = []
        self._sent: dict[int, tuple[Key, api.Request]] = {}
        self._next_id = 0
        self._failure: api.CheckError | None = None
        self._pause: Pause | None = None
        # Requests refused by the rate limit, to go again first, in the order they went.
        self._again: list[tuple[Key, api.Request]] = []
        # One entry a team, in the list's order.
        self._teams: list[_Answers] = []
        # Requests left for each count, across every team of this check.
        self._counts = counts
        self._budgets = [counters.Budget(count.budget) for count in counts]
        # A check of one named team is strict: any failure of that team ends the check.
        self._alone = len(slugs) == 1
        if slugs:
            self._add_teams([api.Account(slug, slug, None, {}) for slug in slugs], Asked.NAMED)
        else:
            self._queue.append((TeamList(), api.accounts_request(self._token, base=base)))

    # --- what a driver calls ------------------------------------------------------------------

    def requests(self) -> list[tuple[int, api.Request]]:
        """The requests to send now, each with the id its outcome is to be received by."""
        if self._failure is not None or self.pause is not None:
            return []
        room = self._cap - len(self._sent)
        self._queue[:0], self._again = self._again, []
        taken, self._queue = self._queue[:room], self._queue[room:]
        ids = []
        for key, request in taken:
            self._next_id += 1
            self._sent[self._next_id] = (key, request)
            ids.append((self._next_id, request))
        return ids

    @property
    def pause(self) -> Pause | None:
        """The wait for Netlify's rate limit under way, if any: nothing is sent until it ends."""
        if self._pause is None or self._now() >= self._pause.until:
            return None
        return self._pause

    def fail(self, error: api.CheckError) -> None:
        """Ends the check with `error` (its driver broke): nothing more is sent or read."""
        self._failure = error
        self._queue.clear()
        self._again.clear()

    def receive(self, request_id: int, outcome: api.Outcome) -> bool:
        """Reads one request's outcome. True when it settled a team's report."""
        sent = self._sent.pop(request_id, None)
        if sent is None or self._failure is not None:
            return False  # an outcome of a check already ended
        key, request = sent
        if self._waits_out(outcome):
            self._again.append((key, request))
            return False
        try:
            match key:
                case TeamList():
                    self._read_accounts(outcome)
                    return False
                case Figures(index):
                    team = self._teams[index]
                    team.figures = self._figures(team, outcome)
                    failed = team.figures.bandwidth is None
                    return self._advance(team, Arrival.FAILED if failed else Arrival.FIGURES)
                case Details(index):
                    team = self._teams[index]
                    team.details = outcome
                    return self._advance(team, Arrival.DETAILS)
                case ForCount(index, count, counted):
                    team = self._teams[index]
                    asks = team.counters[count].read(counted, outcome, self._now())
                    self._ask(team, count, asks)
                    self._show_counts(team)
                    return True
        except api.CheckError as error:
            self.fail(error)
        return False

    @property
    def finished(self) -> bool:
        if self._failure is not None:
            return True
        return not self._queue and not self._sent and not self._again

    def partial(self) -> list[TeamReport | api.Account]:
        """Every team known so far, in the list's order: its report, or its account if pending."""
        return [team.report or team.account for team in self._teams]

    def reports(self) -> list[TeamReport]:
        """The finished check's teams. Raises the CheckError that ended it, if one did."""
        if self._failure is not None:
            raise self._failure
        reports = [team.report for team in self._teams if team.report is not None]
        refused = [report.error for report in reports if isinstance(report.error, TeamRefused)]
        if refused and len(refused) == len(reports):
            # Every team refused the token it just listed them with: the token is what failed.
            raise api.TokenRejected(refused[0].token_message)
        return reports

    # --- reading outcomes ---------------------------------------------------------------------

    def _waits_out(self, outcome: api.Outcome) -> bool:
        """Whether a 429 is to be waited out (the request then goes again) rather than read."""
        if not isinstance(outcome, api.Response) or outcome.status != 429:
            return False
        if self.pause is not None:
            return True  # sent before the wait began: the same window, the same wait
        now = self._now()
        retry_at = ratelimit.retry_time(outcome.headers, now)
        # A second more than Netlify says: its clock and ours need not agree to the second.
        wait = RATE_LIMIT_UNKNOWN_WAIT
        if retry_at is not None:
            wait = retry_at - now + timedelta(seconds=1)
        number = 1 if self._pause is None else self._pause.number + 1
        if number > RATE_LIMIT_WAITS or wait > RATE_LIMIT_MAX_WAIT:
            return False  # read as the RateLimited error it is, which ends the check
        wait = max(wait, timedelta(seconds=1))
        self._pause = Pause(now + wait, number, known=retry_at is not None)
        return True

    def _read_accounts(self, outcome: api.Outcome) -> None:
        accounts = api.guarded(api.read_accounts, api.answer(outcome), self._now())
        if not accounts:
            raise api.TeamNotFound(
                "This token can see no Netlify team, so there is nothing to check."
            )
        self._add_teams(accounts, Asked.LISTED)

    def _add_teams(self, accounts: list[api.Account], asked: Asked) -> None:
        for account in accounts:
            index = len(self._teams)
            self._teams.append(_Answers(index, account, asked))
            slug = account.slug
            request = api.bandwidth_request(self._token, slug, base=self._base)
            self._queue.append((Figures(index), request))
            if asked is Asked.NAMED:
                request = api.account_request(self._token, slug, base=self._base)
                self._queue.append((Details(index), request))
            else:
                # A listed team's plan is known from the list: its counts begin with its
                # bandwidth, a round trip sooner.
                team = self._teams[index]
                for count in self._new_counters(team, plan_of(account)):
                    self._ask(team, count, team.counters[count].begin())

    def _advance(self, team: _Answers, arrival: Arrival) -> bool:
        """Moves the team's phase on by the table (MOVES); True if that settled its report."""
        was, team.phase = team.phase, move(team.phase, arrival, team.asked)
        if was is Phase.SETTLED or team.phase is not Phase.SETTLED:
            return False
        figures = team.figures
        assert figures is not None
        if arrival is Arrival.FAILED or team.asked is Asked.LISTED:
            team.report = figures  # nothing more is needed
        else:
            assert team.details is not None
            team.report = self._with_details(figures, team.details)
        report = team.report
        new = self._new_counters(team, report.plan) if report.bandwidth is not None else []
        for count, counter in team.counters.items():
            self._ask(team, count, counter.settled(report))
        for count in new:
            self._ask(team, count, team.counters[count].begin())
        self._show_counts(team)
        return True

    # --- the counts (checker/netlify/counters.py) -----------------------------------------------

    def _new_counters(self, team: _Answers, plan: Plan) -> list[int]:
        """Makes the counters that the team's plan calls for and it has not yet got."""
        new = [i for i, c in enumerate(self._counts) if plan in c.plans and i not in team.counters]
        address = counters.Address(team.account.slug, self._token, self._base)
        for index in new:
            team.counters[index] = self._counts[index].counter(address, self._budgets[index])
        return new

    def _ask(self, team: _Answers, count: int, asks: list[counters.Ask]) -> None:
        self._queue += [(ForCount(team.index, count, ask.key), ask.request) for ask in asks]

    def _show_counts(self, team: _Answers) -> None:
        if team.report is not None and team.report.bandwidth is not None:
            shown = {self._counts[i].meter: c.shown() for i, c in team.counters.items()}
            team.report = replace(team.report, counts={**team.report.counts, **shown})

    def _with_details(self, figures: TeamReport, details: api.Outcome) -> TeamReport:
        try:
            answer = api.answer(details)
            account = api.guarded(api.read_account, answer, figures.account.slug, self._now())
        except api.CheckError:
            # Without Netlify's account object the plan is unknown; the figures still stand.
            return figures
        return self._judged(replace(figures, account=account, account_known=True))

    def _figures(self, team: _Answers, outcome: api.Outcome) -> TeamReport:
        account = team.account
        try:
            response = api.answer(outcome)
            # Decoded once: the figures and the `raw` copy are both made from this.
            document = api.guarded(api.read_json, response, self._now(), slug=account.slug)
            result = api.guarded(api.bandwidth_of, document)
        except api.TeamNotFound as error:
            # A team the token has just listed exists: its 404 is not "no such team".
            shown = error if team.asked is Asked.NAMED else listed_not_found(account.slug)
            return self._failed(error, TeamReport(account, None), shown=shown)
        except (api.Forbidden, api.BadResponse, api.ServerError) as error:
            # A role without billing access, say; a token, rate or network failure ends it all.
            return self._failed(error, TeamReport(account, None))
        except api.TokenRejected as error:
            # The token has just listed this team, so a 401 here is about the team, not the token.
            refused = TeamRefused(account.slug, error.message)
            return self._failed(error, TeamReport(account, None), shown=refused)
        raw = json.dumps(document, indent=2)
        unchanged = self._memory.get(account.slug) == response.body
        self._memory[account.slug] = response.body
        # A named team's plan is known once its details come; a listed team's from the list.
        known = team.asked is Asked.LISTED
        report = TeamReport(account, result, raw=raw, unchanged=unchanged, account_known=known)
        return self._judged(report) if known else report

    def _judged(self, report: TeamReport) -> TeamReport:
        """A legacy plan's figures must say what is included; a credit plan's need not."""
        assert report.bandwidth is not None
        if report.plan != "legacy" or report.bandwidth.included is not None:
            return report
        return self._failed(api.missing_figure("included"), report)

    def _failed(
        self, error: api.CheckError, report: TeamReport, *, shown: api.CheckError | None = None
    ) -> TeamReport:
        """One team's failure. A check of one team ends with it; in a list of teams, the team
        shows `shown` (else the error) in its place, and the rest still count."""
        if self._alone:
            raise error
        return replace(report, bandwidth=None, error=shown or error, raw="")
