"""Netlify's API without I/O: build each request, read each response into a result or a typed error.

Nothing here touches the network or the clock, so the same code serves the browser (Pyodide) and
the terminal (CPython), and every answer Netlify might give can be tested in microseconds.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

API_BASE = "https://api.netlify.com/api/v1"
TOKENS_PAGE = "https://app.netlify.com/user/applications#personal-access-tokens"

# Netlify's tokens are 40-70 characters; anything far longer is a paste gone wrong, and a huge
# header would only earn a confusing 431 from a proxy.
MAX_TOKEN_LENGTH = 256
MAX_SLUG_LENGTH = 100
# A bandwidth answer is a few hundred bytes and a team list a few kilobytes per team.
MAX_BODY_BYTES = 4 * 1024 * 1024
# The longest rate-limit wait believed; Netlify's window is a minute.
MAX_CREDIBLE_WAIT = timedelta(days=1)
# JavaScript renders these numbers too, and it counts exactly only up to 2**53.
MAX_BYTES = 2**53 - 1

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
_NETLIFY_TIME = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")
_BEARER = re.compile(r"\Abearer(\s+|\Z)", re.IGNORECASE)
_TEAM_URL = re.compile(r"app\.netlify\.com/teams/([^/?#\s]+)")
# Netlify's tokens: nfp_ (personal), nfo_ (OAuth), nfc_ (CLI) and kin, or an older long one of
# letters and digits. Slugs are words joined by hyphens, and far shorter.
_TOKEN_SHAPED = re.compile(
    r"(nf[a-z]_[A-Za-z0-9_-]{16,}|(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_]{40,})\Z"
)


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


class CheckError(Exception):
    """A failure the user is told about in plain words; `kind` lets callers react to it."""

    kind = "error"
    # Which input the user should look at again, if any.
    field: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TokenInvalid(CheckError):
    kind = "token-invalid"
    field = "token"


class SlugInvalid(CheckError):
    kind = "team-invalid"
    field = "team"


class TokenRejected(CheckError):
    kind = "token-rejected"
    field = "token"


class Forbidden(CheckError):
    kind = "forbidden"
    field = "team"


class TeamNotFound(CheckError):
    kind = "team-not-found"
    field = "team"


class RateLimited(CheckError):
    kind = "rate-limited"

    def __init__(self, message: str, retry_at: datetime | None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class ServerError(CheckError):
    kind = "server-error"


class BadResponse(CheckError):
    kind = "bad-response"


class NetworkError(CheckError):
    kind = "network"


class TimedOut(NetworkError):
    kind = "timeout"


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
class Account:
    slug: str
    name: str
    plan: str | None
    quotas: dict[str, Quota]

    @property
    def monthly_credits(self) -> int | None:
        """The month's credits of a team on a credit-based plan; None for any other team.

        Decided by what Netlify counts, never by the plan's name: a team is on a credit plan
        when its capabilities carry credits with a number included.
        """
        credits = self.quotas.get("credits")
        return None if credits is None else credits.included


# --- input --------------------------------------------------------------------------------------


def clean_token(raw: str) -> str:
    """The token as pasted, without the whitespace, quotes or `Bearer ` people paste around it."""
    token = _BEARER.sub("", raw.strip().strip("\"'`").strip(), count=1)
    if not token:
        raise TokenInvalid(
            f"Paste a Netlify personal access token first. You can create one at {TOKENS_PAGE}"
        )
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenInvalid(
            f"That token is {len(token):,} characters long, and Netlify's tokens are under 100. "
            "Paste just the token."
        )
    for char in token:
        if not "!" <= char <= "~":
            raise TokenInvalid(
                f"The token contains {_describe(char)}, which Netlify's tokens never do. "
                "Paste just the token, as Netlify showed it."
            )
    return token


def _describe(char: str) -> str:
    if char.isspace():
        return "a space or line break"
    if ord(char) < 32 or ord(char) == 127:
        return "a control character"
    return "a character outside plain ASCII"


def clean_slug(raw: str) -> str | None:
    """The team slug to check, or None for every team. A pasted team URL yields its slug."""
    text = raw.strip()
    match = _TEAM_URL.search(text)
    slug = match.group(1) if match else text.strip("/")
    if not slug:
        return None
    if _TOKEN_SHAPED.match(slug):
        # Never echoed, never put in a URL: it is most likely the reader's token.
        raise SlugInvalid(
            "This looks like a token, not a team slug, so it was not sent anywhere. "
            "A team slug is the last part of your team's address, app.netlify.com/teams/<slug>."
        )
    if len(slug) > MAX_SLUG_LENGTH or not _SLUG.match(slug):
        odd = next((c for c in slug if not (c.isascii() and (c.isalnum() or c in "_-"))), None)
        what = f"“{odd}”" if odd and odd.isprintable() and not odd.isspace() else "other characters"
        if odd is None:
            what = "too many characters" if len(slug) > MAX_SLUG_LENGTH else "a leading hyphen"
        raise SlugInvalid(
            f"A team slug has only letters, digits and hyphens, and this one has {what}. "
            "Find your team's slug in its address, app.netlify.com/teams/<slug>, "
            "or leave the team out to see all your teams."
        )
    return slug


# --- requests -----------------------------------------------------------------------------------


def _headers(token: str) -> dict[str, str]:
    # Only what a browser's preflight must allow anyway (Authorization; Accept is safelisted):
    # a page cannot count on Netlify allowing any other header. The transport names the
    # command line in a User-Agent.
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def api_url(base: str, path: str) -> str:
    return base.rstrip("/") + path


def bandwidth_request(token: str, slug: str, *, base: str = API_BASE) -> Request:
    # quote(safe="") keeps the slug one path segment even if validation were ever loosened.
    path = f"/accounts/{quote(slug, safe='')}/bandwidth"
    return Request("GET", api_url(base, path), _headers(token))


def accounts_request(token: str, *, base: str = API_BASE) -> Request:
    return Request("GET", api_url(base, "/accounts"), _headers(token))


def account_request(token: str, slug: str, *, base: str = API_BASE) -> Request:
    return Request("GET", api_url(base, f"/accounts/{quote(slug, safe='')}"), _headers(token))


# --- responses ----------------------------------------------------------------------------------


def read_bandwidth(response: Response, slug: str, now: datetime) -> Bandwidth:
    document = _read_json(response, now, slug=slug)
    if not isinstance(document, dict):
        raise BadResponse(_shape_message("bandwidth", "an object"))
    used = _byte_count(document, "used", required=True)
    assert used is not None
    return Bandwidth(
        used=used,
        # Checked against the team's plan by the check: a credit plan may have none.
        included=_byte_count(document, "included", required=False),
        additional=_byte_count(document, "additional", required=False) or 0,
        period_start=_timestamp(document.get("period_start_date")),
        period_end=_timestamp(document.get("period_end_date")),
        updated_at=_timestamp(document.get("last_updated_at")),
    )


def read_accounts(response: Response, now: datetime) -> list[Account]:
    document = _read_json(response, now, slug=None)
    if not isinstance(document, list):
        raise BadResponse(_shape_message("team list", "a list"))
    # A team we cannot address is one we cannot check; skipping it beats failing all.
    return [account for account in map(_account, document) if account is not None]


def read_account(response: Response, slug: str, now: datetime) -> Account:
    """One team by its slug (getAccount): the same object as an entry of the team list."""
    account = _account(_read_json(response, now, slug=slug))
    if account is None or account.slug != slug:
        raise BadResponse(_shape_message("team", "the team asked for"))
    return account


def _account(entry: object) -> Account | None:
    if not isinstance(entry, dict):
        return None
    slug = entry.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        return None
    name = entry.get("name")
    plan = entry.get("type_name")
    return Account(
        slug=slug,
        name=name.strip() if isinstance(name, str) and name.strip() else slug,
        plan=plan if isinstance(plan, str) and plan else None,
        quotas=_quotas(entry.get("capabilities")),
    )


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


def _read_json(response: Response, now: datetime, *, slug: str | None) -> Any:
    """The decoded body of a successful answer; every other answer becomes its typed error."""
    status = response.status
    if status != 200:
        raise _status_error(response, now, slug)
    if len(response.body) > MAX_BODY_BYTES:
        raise BadResponse("Netlify's answer was far larger than expected, so it was not read.")
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
        retry_at = retry_time(response.headers, now)
        return RateLimited(rate_limit_message(retry_at, now), retry_at)
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


def rate_limit_message(retry_at: datetime | None, now: datetime) -> str:
    if retry_at is None:
        return "Netlify's rate limit was reached. Wait a minute, then try again."
    seconds = max(1, round((retry_at - now).total_seconds()))
    wait = f"{seconds} seconds" if seconds < 120 else f"{round(seconds / 60)} minutes"
    return f"Netlify's rate limit was reached. Try again in {wait}."


def retry_time(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """When Netlify says to come back, from whichever of its headers the browser let through.

    Netlify's own clients read X-RateLimit-Reset as unix seconds, while recorded answers send
    it, and Retry-After, as "2024-06-12 09:53:37 UTC"; both forms are read. The wait is measured
    against the answer's Date where there is one, so a wrong local clock neither stretches nor
    shortens it.
    """
    reset = headers.get("x-ratelimit-reset", "").strip()
    after = headers.get("retry-after", "").strip()
    if after.isdigit() and len(after) <= 9:
        wait = timedelta(seconds=int(after))
    else:
        at = _moment(reset, unix=True) or _moment(after, unix=False)
        if at is None:
            return None
        sent = _moment(headers.get("date", "").strip(), unix=False)
        wait = at - (sent or now)
    # Netlify's window is a minute long: a wait (or a reset gone by) of days comes from a header
    # or a clock gone wrong, and counts as no header at all, never as a date to compute with.
    return now + wait if abs(wait) <= MAX_CREDIBLE_WAIT else None


def _moment(text: str, *, unix: bool) -> datetime | None:
    """A point in time as Netlify writes one: unix seconds, its own form, or an HTTP date."""
    if not text:
        return None
    if text.isdigit():
        if not unix or len(text) > 12:
            return None
        try:
            return datetime.fromtimestamp(int(text), UTC)
        except (ValueError, OverflowError, OSError):
            return None  # past the years a datetime can hold
    # A pattern, not strptime, which would ship another two modules to the browser.
    netlify_style = _NETLIFY_TIME.fullmatch(text)
    if netlify_style:
        try:
            return datetime.fromisoformat(netlify_style.group(1)).replace(tzinfo=UTC)
        except ValueError:
            return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


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
    elif isinstance(value, str) and value.strip().isdigit() and len(value) < 20:
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


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if when.tzinfo else None


def usable_base(url: str) -> bool:
    """Whether `url` may stand in for the API: https:// with a host, or http:// on this machine.

    Nothing else: another scheme (file://, ftp://) would read or send the token somewhere that
    is no API at all, however local its host.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        return False
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(url))


def is_loopback(url: str) -> bool:
    """Whether `url` names this machine: `localhost` or a loopback address, nothing else."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name such as 127.attacker.example resolves wherever its owner likes
