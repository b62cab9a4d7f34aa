"""Netlify's API without I/O: build each request, read each response into a result or a typed error.

Nothing here touches the network or the clock, so the same code serves the browser (Pyodide) and
the terminal (CPython), and every answer Netlify might give can be tested in microseconds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from checker.netlify import ratelimit
from checker.netlify.numerals import ascii_digits

P = ParamSpec("P")
T = TypeVar("T")

API_BASE = "https://api.netlify.com/api/v1"
TOKENS_PAGE = "https://app.netlify.com/user/applications#personal-access-tokens"

# A bandwidth answer is a few hundred bytes and a team list a few kilobytes per team.
MAX_BODY_BYTES = 4 * 1024 * 1024
# JavaScript renders these numbers too, and it counts exactly only up to 2**53.
MAX_BYTES = 2**53 - 1

# A team slug as Netlify writes them (and as the checker accepts one typed).
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    # Names in lower case. In a browser only the headers CORS exposes are here.
    headers: Mapping[str, str] = field(default_factory=dict)


# Whatever sends a request and returns Netlify's answer, whatever its status.
Send = Callable[[Request], Response]


class CheckError(Exception):
    """A failure the user is told about in plain words; its class says what failed."""

    # Which input the user should look at again, if any.
    field: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TokenInvalid(CheckError):
    field = "token"


class SlugInvalid(CheckError):
    field = "team"


class TokenRejected(CheckError):
    field = "token"


class Forbidden(CheckError):
    field = "team"


class TeamNotFound(CheckError):
    field = "team"


class RateLimited(CheckError):
    def __init__(self, message: str, retry_at: datetime | None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class ServerError(CheckError):
    """Netlify's side failed (HTTP 5xx)."""


class BadResponse(CheckError):
    """An answer that is not what Netlify sends: a redirect, an HTML page, broken JSON."""


class NetworkError(CheckError):
    """No answer reached the checker."""


class TimedOut(NetworkError):
    """No answer within TIMEOUT_SECONDS."""


# How long a request may go unanswered, on the command line and in the browser alike.
TIMEOUT_SECONDS = 20


def timed_out() -> TimedOut:
    return TimedOut(
        f"Netlify did not answer within {TIMEOUT_SECONDS} seconds. "
        "Check your connection, then try again."
    )


def unreachable() -> NetworkError:
    return NetworkError(
        "Could not reach Netlify's API: you may be offline, or something between you and "
        "api.netlify.com (a firewall, VPN or browser extension) blocked the request."
    )


def too_large() -> BadResponse:
    return BadResponse("Netlify's answer was far larger than expected, so it was not read.")


def redirected() -> BadResponse:
    # Followed, a redirect could carry the token to another address.
    return BadResponse(
        "Netlify's API answered with a redirect, which the checker does not follow, so that "
        "the token goes nowhere else. Try again shortly."
    )


@dataclass(frozen=True)
class Bandwidth:
    used: int
    # None when Netlify gave none, as it may for a team on a credit-based plan.
    included: int | None
    additional: int
    period_start: datetime | None
    period_end: datetime | None
    updated_at: datetime | None

    @property
    def available(self) -> int:
        return (self.included or 0) + self.additional


@dataclass(frozen=True)
class Quota:
    used: int | None
    included: int | None


@dataclass(frozen=True)
class Billing:
    """What Netlify's account object says of a team beside its capabilities: its credit billing
    cycle, whether it is in good standing, and its auto recharge. None: not said (missing, or of
    a type nobody has seen). docs/netlify-api.md says where each field is known from."""

    cycle_start: datetime | None = None  # current_billing_period_start
    cycle_end: datetime | None = None  # next_billing_period_start
    plan_credits: int | None = None
    lifecycle_state: str | None = None  # "active" in good standing
    usages_exceeded: tuple[str, ...] | None = None
    sites_exceeded: tuple[str, ...] | None = None  # sites_with_usage_exceeded
    auto_recharge: bool | None = None  # auto_topup_enabled
    recharge_credits: int | None = None  # plan_auto_topup_amount

    @property
    def over(self) -> bool:
        """Netlify itself says the team is over: not active, or a usage or a site exceeded."""
        inactive = self.lifecycle_state is not None and self.lifecycle_state != "active"
        return inactive or bool(self.usages_exceeded) or bool(self.sites_exceeded)

    @property
    def cycle(self) -> tuple[datetime, datetime] | None:
        """The credit billing cycle, when Netlify gives both ends in order."""
        start, end = self.cycle_start, self.cycle_end
        return (start, end) if start is not None and end is not None and start < end else None


@dataclass(frozen=True)
class Account:
    slug: str
    name: str
    plan: str | None
    quotas: dict[str, Quota]
    billing: Billing = field(default_factory=Billing)

    @property
    def monthly_credits(self) -> int | None:
        """The month's credits of a team on a credit-based plan; None for any other team.

        Decided by what Netlify counts, never by the plan's name: a team is on a credit plan
        when its capabilities carry credits with a number included, or failing that, when its
        account object gives `plan_credits`.
        """
        credits = self.quotas.get("credits")
        included = None if credits is None else credits.included
        return included if included is not None else self.billing.plan_credits

    @property
    def netlify_credits(self) -> int | None:
        """Netlify's own count of the credits spent, across every meter, when it says one.

        It reads 0 on some teams whatever was spent (netlify/open-api#640), so 0 says nothing.
        """
        credits = self.quotas.get("credits")
        return credits.used if credits is not None and credits.used else None


# --- requests -----------------------------------------------------------------------------------


def get_request(token: str, path: str, *, base: str = API_BASE) -> Request:
    """A GET of `path` under the API's base. Only the headers a browser's preflight must allow
    anyway (Authorization; Accept is safelisted): a page cannot count on Netlify allowing any
    other header. The transport names the command line in a User-Agent."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    return Request("GET", api_url(base, path), headers)


def api_url(base: str, path: str) -> str:
    return base.rstrip("/") + path


# What a path segment keeps as it is (RFC 3986's unreserved characters); every other byte is
# percent-encoded, as urllib's quote(safe="") would, without shipping urllib to the browser.
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def segment(text: str) -> str:
    """`text` as one segment of a path, even if a slug's validation were ever loosened."""
    return "".join(chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in text.encode())


def bandwidth_request(token: str, slug: str, *, base: str = API_BASE) -> Request:
    return get_request(token, f"/accounts/{segment(slug)}/bandwidth", base=base)


def accounts_request(token: str, *, base: str = API_BASE) -> Request:
    return get_request(token, "/accounts", base=base)


def account_request(token: str, slug: str, *, base: str = API_BASE) -> Request:
    return get_request(token, f"/accounts/{segment(slug)}", base=base)


def site_request(token: str, site_id: str, *, base: str = API_BASE) -> Request:
    """One site (getSite), for the team it belongs to: a build knows its site, not its team."""
    return get_request(token, f"/sites/{segment(site_id)}", base=base)


# --- responses ----------------------------------------------------------------------------------


def bandwidth_of(document: object) -> Bandwidth:
    """The figures of a bandwidth answer already decoded (read_json)."""
    if not isinstance(document, dict):
        raise BadResponse(_shape_message("bandwidth", "an object"))
    used = _byte_count(document, "used", required=True)
    assert used is not None
    return Bandwidth(
        used=used,
        # Checked against the team's plan by the check: a credit plan may have none.
        included=_byte_count(document, "included", required=False),
        additional=_byte_count(document, "additional", required=False) or 0,
        period_start=timestamp(document.get("period_start_date")),
        period_end=timestamp(document.get("period_end_date")),
        updated_at=timestamp(document.get("last_updated_at")),
    )


# A `rel` of a Link header's entry: rel="next", rel=next, or one of several (rel="next last").
_REL = re.compile(r';\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))', re.IGNORECASE)


def next_page(response: Response) -> bool | None:
    """What a list's `Link` header says of the page after this one: True (a `rel="next"`), False
    (a Link without one: this page is the last), or None (no Link, which a browser is not let
    read unless Netlify exposes it). Only whether there is one: the token is never sent to an
    address a header names, so the next page is always asked for by its number."""
    link = response.headers.get("link")
    if link is None:
        return None
    rels = {
        rel.lower() for found in _REL.finditer(link) for rel in "".join(found.groups("")).split()
    }
    return "next" in rels


def read_site_team(response: Response, now: datetime) -> str:
    """The slug of the team a site belongs to (getSite's `account_slug`)."""
    if response.status == 404:
        raise TeamNotFound(
            "This token cannot see the site being built: it must be a personal access token of "
            "a member of the site's team."
        )
    document = read_json(response, now, slug=None)
    slug = document.get("account_slug") if isinstance(document, dict) else None
    if isinstance(slug, str) and SLUG.match(slug):
        return slug
    raise BadResponse(_shape_message("site", "a site with its team's slug"))


def read_accounts(response: Response, now: datetime) -> list[Account]:
    document = read_json(response, now, slug=None)
    if not isinstance(document, list):
        raise BadResponse(_shape_message("team list", "a list"))
    # A team we cannot address is one we cannot check; skipping it beats failing all.
    return [account for account in map(_account, document) if account is not None]


def read_account(response: Response, slug: str, now: datetime) -> Account:
    """One team by its slug (getAccount): the same object as an entry of the team list."""
    account = _account(read_json(response, now, slug=slug))
    if account is None or account.slug != slug:
        raise BadResponse(_shape_message("team", "the team asked for"))
    return account


def _account(entry: object) -> Account | None:
    if not isinstance(entry, dict):
        return None
    slug = entry.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        return None
    name = entry.get("name")
    plan = entry.get("type_name")
    return Account(
        slug=slug,
        name=name.strip() if isinstance(name, str) and name.strip() else slug,
        plan=plan if isinstance(plan, str) and plan else None,
        quotas=_quotas(entry.get("capabilities")),
        billing=_billing(entry),
    )


# Longest text kept of a field Netlify's account object names things in; at most this many names.
_NAME_CAP, _NAMES_CAP = 100, 50


def _billing(entry: dict[str, Any]) -> Billing:
    state = entry.get("lifecycle_state")
    recharge = entry.get("auto_topup_enabled")
    return Billing(
        cycle_start=timestamp(entry.get("current_billing_period_start")),
        cycle_end=timestamp(entry.get("next_billing_period_start")),
        plan_credits=_count(entry.get("plan_credits")),
        lifecycle_state=state.strip()[:_NAME_CAP]
        if isinstance(state, str) and state.strip()
        else None,
        usages_exceeded=_names(entry.get("usages_exceeded")),
        sites_exceeded=_names(entry.get("sites_with_usage_exceeded")),
        auto_recharge=recharge if isinstance(recharge, bool) else None,
        recharge_credits=_count(entry.get("plan_auto_topup_amount")),
    )


def _names(value: object) -> tuple[str, ...] | None:
    """A list Netlify gives of what is over: each entry's name ("" where it has none that can be
    read: it still counts). None when the field is missing or not a list."""
    if not isinstance(value, list):
        return None
    names = []
    for entry in value[:_NAMES_CAP]:
        if isinstance(entry, dict):
            entry = next((entry[k] for k in ("name", "type", "id") if k in entry), "")
        name = " ".join(entry.split())[:_NAME_CAP] if isinstance(entry, str) else ""
        names.append(name)
    return tuple(names)


def _quotas(capabilities: object) -> dict[str, Quota]:
    if not isinstance(capabilities, dict):
        return {}
    quotas = {}
    for name, value in capabilities.items():
        if isinstance(name, str) and isinstance(value, dict):
            quota = Quota(used=_count(value.get("used")), included=_count(value.get("included")))
            # Capabilities that are switches, not amounts (the spec allows booleans), are no quota.
            if quota.used is not None or quota.included is not None:
                quotas[name] = quota
    return quotas


# What a request came to: Netlify's answer, or the failure of the transport that sent it.
Outcome = Response | CheckError


def answer(outcome: Outcome) -> Response:
    """Netlify's answer, or the transport's failure raised."""
    if isinstance(outcome, CheckError):
        raise outcome
    return outcome


def guarded(reader: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`reader`'s result; whatever else it raises (a hostile answer that the reader did not
    foresee) is a BadResponse, so that it is that team's error, never the end of the check."""
    try:
        return reader(*args, **kwargs)
    except CheckError:
        raise
    except Exception:  # noqa: BLE001 - see above
        raise BadResponse(
            "Netlify's answer could not be read: it was not of the expected form."
        ) from None


def read_json(response: Response, now: datetime, *, slug: str | None) -> Any:
    """The decoded body of a successful answer; every other answer becomes its typed error."""
    status = response.status
    if status != 200:
        raise _status_error(response, now, slug)
    if len(response.body) > MAX_BODY_BYTES:
        raise too_large()
    if not response.body.strip():
        raise BadResponse(
            "Netlify answered with an empty page instead of figures. Try again shortly."
        )
    try:
        return json.loads(response.body.decode("utf-8"))
    except (ValueError, RecursionError):
        # ValueError covers bad UTF-8, bad JSON and integers too long to convert.
        if _looks_like_html(response.body):
            raise BadResponse(
                "Netlify answered with a web page instead of figures, "
                "which usually means a proxy or outage in between. Try again shortly."
            ) from None
        raise BadResponse("Netlify's answer could not be read: it was not valid JSON.") from None


def _status_error(response: Response, now: datetime, slug: str | None) -> CheckError:
    status = response.status
    team = f"“{slug}”" if slug else "your teams"
    if status == 401:
        return TokenRejected(
            "Netlify rejected this token: it is mistyped, expired or revoked. "
            f"Create a new personal access token at {TOKENS_PAGE} and use that one."
        )
    if status == 403:
        return Forbidden(
            f"This token is not allowed to read {team}. "
            "Use a token of a team member with access, or check the team slug."
        )
    if status == 404 and slug:
        return TeamNotFound(
            f"No team with the slug “{slug}” is visible to this token. "
            "Check the slug in your team's address (app.netlify.com/teams/<slug>), "
            "or leave the team out to see all your teams."
        )
    if status == 429:
        retry_at = ratelimit.retry_time(response.headers, now)
        return RateLimited(ratelimit.message(retry_at, now), retry_at)
    if 300 <= status <= 399:
        return redirected()
    if 500 <= status <= 599:
        return ServerError(
            f"Netlify's API is having trouble (HTTP {status}); this is on Netlify's side. "
            "Try again in a few minutes, or see netlifystatus.com."
        )
    said = _netlify_message(response.body)
    return BadResponse(
        f"Netlify answered with an unexpected HTTP {status}"
        + (f": “{said}”." if said else ".")
        + " Try again shortly."
    )


def _netlify_message(body: bytes) -> str | None:
    """The `message` of Netlify's error body ({code, message}), if it has a short, plain one."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    message = document.get("message") if isinstance(document, dict) else None
    if isinstance(message, str) and 0 < len(message.strip()) <= 200 and message.isprintable():
        return message.strip()
    return None


def _looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<"))


def _shape_message(what: str, expected: str) -> str:
    return f"Netlify's {what} answer was not {expected} as expected, so it could not be read."


def _count(value: object) -> int | None:
    """A non-negative whole number as JSON may carry it (int, integral float or digit string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and ascii_digits(value.strip()):
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_BYTES:
        return value
    return None


def missing_figure(key: str) -> BadResponse:
    return BadResponse(f"Netlify's answer had no “{key}” figure, so the usage cannot be shown.")


def _byte_count(document: dict[str, Any], key: str, *, required: bool) -> int | None:
    value = document.get(key)
    if value is None:
        if required:
            raise missing_figure(key)
        return None
    count = _count(value)
    if count is None:
        raise BadResponse(
            f"Netlify's answer had an unusable “{key}” figure (not a plausible number of bytes)."
        )
    return count


def timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        # RFC 3339 allows a lower-case "t" and "z", which fromisoformat() refuses.
        when = datetime.fromisoformat(value.strip().upper())
    except ValueError:
        return None
    return when if when.tzinfo else None
