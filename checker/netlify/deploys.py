"""A credit team's production deploys in its billing period, counted without I/O: the requests
that list the team's sites and each site's deploys, page by page, and what each answer adds.

On credit-based plans each successful production deploy costs 15 credits (Netlify's "How credits
work"); deploy previews, branch deploys, failed deploys and rolling back to an earlier deploy cost
nothing. Netlify has no deploy list for a whole team, so the team's sites are listed
(listSitesForAccount), then each site's production deploys (listSiteDeploys), newest first. A
list is paged by its `Link` header where the answer shows one (the command line always sees it;
a browser only if Netlify exposes it): on while it names a next page, however short the page,
and no further when it names none. Without a Link, until a page comes back with fewer entries
than asked for. A deploy list also stops at a page that ends before the period's start.
`COUNT` is what checker/netlify/check.py runs (checker/netlify/counters.py): a `DeployCounter`
for each credit team, its requests within the check's cap and this module's budget.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from checker.netlify import api
from checker.netlify.counters import Address, Ask, Budget, Count
from checker.netlify.report import Counted, TeamReport

PER_PAGE = 100
# Requests for deploy lists one check may make, across all its teams. Netlify allows 500 requests
# a minute: a team of 200 sites costs about 202, and what is left covers the check's other
# requests and a second check within the minute. Past it, what was not counted is said.
BUDGET = 300
# Netlify's site ids are UUID-like; anything else is not put in an address.
_SITE_ID = api.SLUG


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    # When the site was made: a site made after the period ended cannot have deployed in it. No
    # other field of the site list says so reliably: `published_deploy` is older than the newest
    # production deploy after a rollback or while publishing is locked, and what changes the
    # site's `updated_at` is not documented.
    created_at: datetime | None


def sites_request(token: str, slug: str, page: int, *, base: str = api.API_BASE) -> api.Request:
    query = f"page={page}&per_page={PER_PAGE}"
    return api.get_request(token, f"/{api.segment(slug)}/sites?{query}", base=base)


def deploys_request(
    token: str, site_id: str, page: int, *, base: str = api.API_BASE
) -> api.Request:
    # Netlify filters to production deploys that are ready; the answer is still checked deploy
    # by deploy, in case a filter is ever ignored.
    query = f"production=true&state=ready&page={page}&per_page={PER_PAGE}"
    return api.get_request(token, f"/sites/{api.segment(site_id)}/deploys?{query}", base=base)


def read_sites(response: api.Response, slug: str, now: datetime) -> list[Site | None]:
    """A page of the team's sites; None for an entry that cannot be read or addressed, whose
    deploys can then not be asked for: the count is short by them, and says so."""
    return [_site(entry) for entry in _list(response, slug, now, "site list")]


def _site(entry: object) -> Site | None:
    if not isinstance(entry, dict):
        return None
    site_id, name = entry.get("id"), entry.get("name")
    if not isinstance(site_id, str) or not _SITE_ID.match(site_id):
        return None
    shown = name.strip() if isinstance(name, str) and name.strip() else site_id
    return Site(site_id, shown[:100], api.timestamp(entry.get("created_at")))


@dataclass(frozen=True)
class Deploy:
    id: str | None  # None when it has no id that can be read
    production: bool
    ready: bool
    created_at: datetime | None


def read_deploys(response: api.Response, slug: str, now: datetime) -> list[Deploy]:
    return [_deploy(entry) for entry in _list(response, slug, now, "deploy list")]


def _deploy(entry: object) -> Deploy:
    """One entry of a deploy list. One that is not an object may have been a billed deploy:
    it is read as one whose date cannot be read, which makes the count incomplete."""
    if not isinstance(entry, dict):
        return Deploy(id=None, production=True, ready=True, created_at=None)
    return Deploy(
        id=_id(entry.get("id")),
        production=entry.get("context") == "production",
        ready=entry.get("state") == "ready",
        created_at=api.timestamp(entry.get("created_at")),
    )


def _id(value: object) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 100 else None


def _list(response: api.Response, slug: str, now: datetime, what: str) -> list[object]:
    """Every entry of a page of a list, whatever it is: a page's length decides its paging."""
    document = api.read_json(response, now, slug=slug)
    if not isinstance(document, list) or len(document) > PER_PAGE:
        raise api.BadResponse(f"Netlify's {what} was not of the expected form.")
    return document


def _more(listed: Sequence[object], link: bool | None) -> bool:
    """Whether a list goes on past this page: as its Link header says, or, without one, when the
    page is full. A short page that Link says is not the last does not end the list."""
    return len(listed) == PER_PAGE if link is None else link


@dataclass
class _Site:
    site: Site
    count: int = 0
    done: bool = False
    failed: bool = False
    # The ids of the deploys read so far: a deploy made between two page requests pushes the
    # last of one page to the top of the next, where it must not count twice.
    seen: set[str] = field(default_factory=set)
    unreadable: int = 0


@dataclass
class Tally:
    """One team's count as its answers come, with no request of its own: `DeployCounter` hands
    each answer to `sites()` or `deploys()`, which say what to ask for next. A listed credit
    team's sites are asked for with its bandwidth, before the billing period is known: its
    deploy pages wait here until `period()` gives it."""

    _start: datetime | None = None
    _end: datetime | None = None
    _period_known: bool = False
    _sites: list[_Site] = field(default_factory=list)
    _held: list[tuple[int, int, list[Deploy], bool | None]] = field(default_factory=list)
    _listed: bool = False
    _unknown: str | None = None
    _left_out: int = 0
    _unaddressed: int = 0  # sites listed without an id the checker can ask about
    _asking: int = 0  # requests out or queued

    def period(self, start: datetime | None, end: datetime | None) -> list[tuple[int, int]]:
        """The billing period, from the team's bandwidth: the (site, page) of deploys to ask for
        now, for pages that came before it."""
        self._start, self._end, self._period_known = start, end, True
        if start is None or end is None:
            self._unknown = self._unknown or "Netlify gave no billing period to count them in"
            return []
        held, self._held = self._held, []
        wanted = [(index, page, self._count(index, *rest)) for index, page, *rest in held]
        return [(index, page + 1) for index, page, more in wanted if more]

    def site_id(self, index: int) -> str:
        return self._sites[index].site.id

    def sites(self, listed: list[Site | None], link: bool | None = None) -> tuple[list[int], bool]:
        """A page of the site list: the indexes of the sites to ask about now, and whether to ask
        for the next page (`link`: what its Link header says of one, if it has a Link). Before the
        period is known no site is skipped."""
        self._asking -= 1
        fresh = []
        known = {entry.site.id for entry in self._sites}
        # An entry that cannot be read or addressed, once for each such entry of each page.
        self._unaddressed += sum(1 for site in listed if site is None)
        new = [site for site in listed if site is not None and site.id not in known]
        for site in dict((site.id, site) for site in new).values():
            end = self._end
            if site.created_at is not None and end is not None and site.created_at >= end:
                continue  # made after the period ended
            fresh.append(len(self._sites))
            self._sites.append(_Site(site))
        # A page that adds no site is the same page again: asking on would never end.
        more = _more(listed, link) and bool(new)
        self._listed = not more
        return fresh, more

    def deploys(
        self, index: int, page: int, listed: list[Deploy], link: bool | None = None
    ) -> bool:
        """A page of one site's deploys; True when its next page is to be asked for."""
        self._asking -= 1
        if not self._period_known:
            self._held.append((index, page, listed, link))
            return False
        return self._count(index, listed, link)

    def _count(self, index: int, listed: list[Deploy], link: bool | None) -> bool:
        entry, start, end = self._sites[index], self._start, self._end
        if start is None or end is None:
            return False
        new = []
        for deploy in listed:
            if deploy.id is None or deploy.id not in entry.seen:
                new.append(deploy)
            if deploy.id is not None:
                entry.seen.add(deploy.id)
        billed = [d for d in new if d.production and d.ready]
        # One that cannot be placed in the period, or told from another, is said, not guessed.
        entry.unreadable += sum(1 for d in billed if d.id is None or d.created_at is None)
        entry.count += sum(
            1
            for d in billed
            if d.id is not None and d.created_at is not None and start <= d.created_at < end
        )
        oldest = min((d.created_at for d in listed if d.created_at is not None), default=None)
        # A page that adds no deploy read before is the same page again: stop there.
        fresh = any(d.id is not None for d in new)
        more = _more(listed, link) and fresh and (oldest is None or oldest >= start)
        entry.done = not more
        return more

    def sites_failed(self) -> None:
        self._asking -= 1
        self._unknown = "Netlify's list of the team's sites could not be read"

    def deploys_failed(self, index: int) -> None:
        self._asking -= 1
        entry = self._sites[index]
        entry.failed = entry.done = True

    def asked(self) -> None:
        self._asking += 1

    def left_out(self, index: int | None) -> None:
        """A request the budget did not allow: a site (or, None, the rest of the site list)."""
        if index is None:
            self._unknown = self._unknown or "the check's budget of requests ran out"
        else:
            self._sites[index].done = True
            self._left_out += 1

    @property
    def counting(self) -> bool:
        return self._unknown is None

    def snapshot(self) -> Counted:
        sites = [entry for entry in self._sites if entry.count]
        by_site = sorted(((e.site.name, e.count) for e in sites), key=lambda pair: -pair[1])
        return Counted(
            count=sum(entry.count for entry in self._sites),
            by_site=tuple(by_site),
            sites=len(self._sites) if self._listed and self._unknown is None else None,
            counted=sum(1 for e in self._sites if e.done and not e.failed) - self._left_out,
            failed=sum(1 for entry in self._sites if entry.failed) + self._unaddressed,
            left_out=self._left_out,
            unreadable=sum(entry.unreadable for entry in self._sites),
            unknown=self._unknown,
            done=self._asking == 0 and self._period_known,
        )


@dataclass(frozen=True)
class _Sites:
    """A page of the team's sites (listSitesForAccount)."""

    page: int


@dataclass(frozen=True)
class _SiteDeploys:
    """A page of one site's production deploys (listSiteDeploys); `site` as the tally numbers
    the team's sites."""

    site: int
    page: int


class DeployCounter:
    """A credit team's production deploys, as a check's counter (checker/netlify/counters.py):
    its sites are listed, then their deploys, in its credit billing cycle (or, when Netlify gives
    none, the period of its bandwidth)."""

    def __init__(self, team: Address, budget: Budget) -> None:
        self._team, self._budget = team, budget
        self._tally = Tally()
        # Its report, once decided; None before. A report without figures ends the count.
        self._report: TeamReport | None = None

    def begin(self) -> list[Ask]:
        return self._ask(_Sites(1)) if self._tally.counting else []

    def settled(self, report: TeamReport) -> list[Ask]:
        self._report = report
        if report.bandwidth is None:
            return []  # its figures failed: nothing to count them against
        pages = self._tally.period(report.period.start, report.period.end)
        return [ask for site, page in pages for ask in self._ask(_SiteDeploys(site, page))]

    def read(self, key: Hashable, outcome: api.Outcome, now: datetime) -> list[Ask]:
        tally, slug = self._tally, self._team.slug
        if isinstance(key, _Sites):
            try:
                response = api.answer(outcome)
                listed = api.guarded(read_sites, response, slug, now)
            except api.CheckError:
                tally.sites_failed()  # the bandwidth stands; the count says it could not be made
                return []
            fresh, more = tally.sites(listed, api.next_page(response))
            if self._report is not None and self._report.bandwidth is None:
                return []
            asks = self._ask(_Sites(key.page + 1)) if more else []
            return asks + [ask for site in fresh for ask in self._ask(_SiteDeploys(site, 1))]
        assert isinstance(key, _SiteDeploys)
        try:
            response = api.answer(outcome)
            listed = api.guarded(read_deploys, response, slug, now)
        except api.CheckError:
            tally.deploys_failed(key.site)
            return []
        if tally.deploys(key.site, key.page, listed, api.next_page(response)):
            return self._ask(_SiteDeploys(key.site, key.page + 1))
        return []

    def shown(self) -> Counted:
        return self._tally.snapshot()

    def _ask(self, key: _Sites | _SiteDeploys) -> list[Ask]:
        site = key.site if isinstance(key, _SiteDeploys) else None
        if not self._budget.take():
            self._tally.left_out(site)
            return []
        self._tally.asked()
        team = self._team
        if site is None:
            request = sites_request(team.token, team.slug, key.page, base=team.base)
        else:
            site_id = self._tally.site_id(site)
            request = deploys_request(team.token, site_id, key.page, base=team.base)
        return [Ask(key, request)]


# Under "deploys", the key of production deploys in the cost table (checker/figures/credits.py).
COUNT = Count("deploys", frozenset({"credit"}), BUDGET, DeployCounter)
