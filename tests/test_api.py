"""The sans-I/O Netlify client on CPython: every request it builds, every answer it reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.netlify import api, ratelimit, samples
from tests.conftest import ROOT

NOW = datetime(2024, 3, 10, 16, 0, tzinfo=UTC)


def read_bandwidth(response: api.Response, slug: str, now: datetime) -> api.Bandwidth:
    """A bandwidth answer read as the check reads it: decoded once, then its figures."""
    return api.bandwidth_of(api.read_json(response, now, slug=slug))


# Netlify's answer as recorded (the seed article's too), kept once, in checker/netlify/samples.py.
SEED_ANSWER = json.loads(samples.RECORDED_BANDWIDTH.body)


def answer(body: object = SEED_ANSWER, status: int = 200, **headers: str) -> api.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return api.Response(status, raw, {k.replace("_", "-"): v for k, v in headers.items()})


# --- requests -----------------------------------------------------------------------------------


def test_the_bandwidth_request_carries_the_token_only_in_the_authorization_header() -> None:
    request = api.bandwidth_request("nfp_secret", "acme")
    assert request.method == "GET"
    assert request.url == "https://api.netlify.com/api/v1/accounts/acme/bandwidth"
    assert request.headers["Authorization"] == "Bearer nfp_secret"
    assert [v for v in request.headers.values() if "nfp_secret" in v] == ["Bearer nfp_secret"]


def test_requests_carry_no_header_a_strict_cors_answer_would_refuse() -> None:
    # From a page, every header but the safelisted Accept needs Netlify's preflight to allow
    # it, and Netlify is only known to allow Authorization.
    for request in (api.bandwidth_request("t", "acme"), api.accounts_request("t")):
        assert set(request.headers) == {"Authorization", "Accept"}


def test_one_team_by_slug_reads_like_an_entry_of_the_list() -> None:
    request = api.account_request("t", "acme")
    assert request.url == "https://api.netlify.com/api/v1/accounts/acme"
    entry = {"slug": "acme", "name": "Acme Web", "type_name": "Pro", "capabilities": {}}
    assert api.read_account(answer(entry), "acme", NOW) == api.Account(
        "acme", "Acme Web", "Pro", {}
    )
    with pytest.raises(api.BadResponse):
        api.read_account(answer({**entry, "slug": "other"}), "acme", NOW)


def test_the_accounts_request() -> None:
    request = api.accounts_request("t", base="https://127.0.0.1:9/api/v1/")
    assert request.url == "https://127.0.0.1:9/api/v1/accounts"


# --- reading bandwidth --------------------------------------------------------------------------


def test_the_seed_articles_answer_reads_to_the_byte() -> None:
    bandwidth = read_bandwidth(answer(), "acme", NOW)
    assert bandwidth == api.Bandwidth(
        used=27167800363,
        included=107374182400,
        additional=0,
        period_start=datetime.fromisoformat("2024-02-17T00:00:00.000-08:00"),
        period_end=datetime.fromisoformat("2024-03-17T00:00:00.000-07:00"),
        updated_at=datetime(2024, 3, 10, 15, 15, 3, 237000, tzinfo=UTC),
    )


def test_additional_bandwidth_counts_towards_what_is_available() -> None:
    body = {**SEED_ANSWER, "additional": 50 * 1024**3}
    bandwidth = read_bandwidth(answer(body), "acme", NOW)
    assert isinstance(bandwidth, api.Bandwidth)
    assert bandwidth.available == 150 * 1024**3


def test_z_timestamps_numbers_as_strings_and_missing_optional_fields_are_accepted() -> None:
    body = {"used": "1000", "included": 2000.0, "last_updated_at": "2024-03-10T15:15:03Z"}
    bandwidth = read_bandwidth(answer(body), "acme", NOW)
    assert isinstance(bandwidth, api.Bandwidth)
    assert (bandwidth.used, bandwidth.included, bandwidth.additional) == (1000, 2000, 0)
    assert bandwidth.updated_at == datetime(2024, 3, 10, 15, 15, 3, tzinfo=UTC)
    assert bandwidth.period_start is None and bandwidth.period_end is None


def test_unreadable_dates_are_dropped_not_fatal() -> None:
    body = {**SEED_ANSWER, "period_start_date": "soon", "period_end_date": 17}
    bandwidth = read_bandwidth(answer(body), "acme", NOW)
    assert isinstance(bandwidth, api.Bandwidth)
    assert bandwidth.period_start is None and bandwidth.period_end is None


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"included": 1}, "no “used” figure"),
        ({"used": None, "included": 1}, "no “used” figure"),
        ({"used": -5, "included": 1}, "unusable “used”"),
        ({"used": 2**60, "included": 1}, "unusable “used”"),
        ({"used": "lots", "included": 1}, "unusable “used”"),
        ({"used": True, "included": 1}, "unusable “used”"),
        ({"used": 1.5, "included": 1}, "unusable “used”"),
        ({"used": 1, "included": 1, "additional": "x"}, "unusable “additional”"),
        ([1, 2], "not an object"),
        ("text", "not an object"),
        (None, "not an object"),
    ],
)
def test_answers_of_the_wrong_shape_say_what_is_wrong(body: object, said: str) -> None:
    with pytest.raises(api.BadResponse) as caught:
        read_bandwidth(answer(body), "acme", NOW)
    assert said in caught.value.message


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"", "empty page"),
        (b"  \n", "empty page"),
        (b"{not json", "not valid JSON"),
        (b'{"used": 1, "included":', "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"<!DOCTYPE html><html><body>Oops</body></html>", "web page instead of figures"),
        (b"[" * 100_000, "not valid JSON"),
        (b'{"used": ' + b"9" * 5000 + b', "included": 1}', "not valid JSON"),
    ],
)
def test_unreadable_bodies_are_explained(raw: bytes, said: str) -> None:
    with pytest.raises(api.BadResponse, match=said):
        read_bandwidth(answer(raw), "acme", NOW)


def test_401_says_the_token_was_rejected_and_how_to_make_a_new_one() -> None:
    body = {"code": 401, "message": "Access Denied"}
    with pytest.raises(api.TokenRejected) as caught:
        read_bandwidth(answer(body, 401), "acme", NOW)
    assert "rejected this token" in caught.value.message
    assert "app.netlify.com/user/applications" in caught.value.message
    assert caught.value.field == "token"


def test_404_names_the_team() -> None:
    with pytest.raises(api.TeamNotFound, match="“acme-typo”"):
        read_bandwidth(answer(b"Not Found", 404), "acme-typo", NOW)


def test_403_names_the_team() -> None:
    with pytest.raises(api.Forbidden, match="“acme”"):
        read_bandwidth(answer({"code": 403, "message": "Forbidden"}, 403), "acme", NOW)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_blame_netlify_not_the_user(status: int) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    with pytest.raises(api.ServerError, match=f"HTTP {status}"):
        read_bandwidth(answer(page, status), "acme", NOW)


@pytest.mark.parametrize("status", [400, 418])
def test_unexpected_statuses_are_reported(status: int) -> None:
    with pytest.raises(api.BadResponse, match=f"unexpected HTTP {status}"):
        read_bandwidth(answer(b"", status), "acme", NOW)


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirect_is_not_followed_and_says_so(status: int) -> None:
    # The browser reports one without its status: the same sentence either way.
    with pytest.raises(api.BadResponse, match="answered with a redirect, which the checker does"):
        read_bandwidth(answer(b"", status), "acme", NOW)


def test_an_unexpected_status_says_what_netlify_said() -> None:
    body = {"code": 422, "message": "Account is suspended"}
    with pytest.raises(api.BadResponse, match="HTTP 422: “Account is suspended”"):
        read_bandwidth(answer(body, 422), "acme", NOW)


def test_capabilities_that_are_switches_are_not_quotas() -> None:
    teams = [
        {
            "slug": "acme",
            "name": "Acme",
            "capabilities": {
                "background_functions": {"included": True},
                "sites": {"included": 500, "used": 12},
                "collaborators": {"included": 3},
            },
        }
    ]
    [account] = api.read_accounts(answer(teams), NOW)
    assert set(account.quotas) == {"sites", "collaborators"}


# --- rate limits --------------------------------------------------------------------------------


def test_429_with_x_ratelimit_reset_says_when_to_retry() -> None:
    reset = str(int((NOW + timedelta(seconds=45)).timestamp()))
    response = answer({"code": 429}, 429, **{"x-ratelimit-reset": reset})
    with pytest.raises(api.RateLimited) as caught:
        read_bandwidth(response, "acme", NOW)
    assert caught.value.retry_at == NOW + timedelta(seconds=45)
    assert "Try again in 45 seconds" in caught.value.message


@pytest.mark.parametrize(
    "reset",
    [
        "2024-06-12 09:53:37 UTC",  # as recorded from Netlify
        # as Netlify's own clients read it: unix seconds
        str(int(datetime(2024, 6, 12, 9, 53, 37, tzinfo=UTC).timestamp())),
    ],
)
def test_the_wait_is_measured_on_netlifys_clock_not_ours(reset: str) -> None:
    # Netlify's Date says 09:52:37; this machine's clock is a day and an hour off.
    skewed = datetime(2024, 6, 13, 11, 0, tzinfo=UTC)
    headers = {"x-ratelimit-reset": reset, "date": "Wed, 12 Jun 2024 09:52:37 GMT"}
    assert ratelimit.retry_time(headers, skewed) == skewed + timedelta(seconds=60)


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("2024-03-10 16:03:00 UTC", datetime(2024, 3, 10, 16, 3, tzinfo=UTC)),
        ("30", NOW + timedelta(seconds=30)),
        ("Sun, 10 Mar 2024 16:05:00 GMT", datetime(2024, 3, 10, 16, 5, tzinfo=UTC)),
        # HTTP's two obsolete forms, which a recipient is still to read
        ("Sunday, 10-Mar-24 16:05:00 GMT", datetime(2024, 3, 10, 16, 5, tzinfo=UTC)),
        ("Sun Mar 10 16:05:00 2024", datetime(2024, 3, 10, 16, 5, tzinfo=UTC)),
        ("Sun, 10 Mar 2024 25:05:00 GMT", None),
        ("Sun, 10 Mar 2024 16:05:00 +0000", None),
        ("Sun, 1\u0660 Mar 2024 16:05:00 GMT", None),  # a digit, but not an ASCII one
        ("whenever", None),
    ],
)
def test_retry_after_in_netlifys_format_and_the_standard_ones(
    retry_after: str, expected: datetime | None
) -> None:
    assert ratelimit.retry_time({"retry-after": retry_after}, NOW) == expected


def test_429_without_readable_headers_still_says_what_to_do() -> None:
    with pytest.raises(api.RateLimited, match="Wait a minute"):
        read_bandwidth(answer({"code": 429}, 429), "acme", NOW)


@given(
    st.dictionaries(
        st.sampled_from(["x-ratelimit-reset", "retry-after", "date"]),
        st.one_of(
            st.integers(min_value=0, max_value=10**13).map(str),
            st.datetimes(timezones=st.just(UTC)).map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S UTC")),
            st.datetimes(timezones=st.just(UTC)).map(lambda d: format_datetime(d, usegmt=True)),
            st.text(max_size=30),
        ),
    )
)
def test_any_rate_limit_headers_give_a_time_within_a_day_or_none(headers: dict[str, str]) -> None:
    """Resets in the year 33658, Dates in 1970 or 9999: never an exception, never a silly wait."""
    retry_at = ratelimit.retry_time(headers, NOW)
    assert retry_at is None or abs(retry_at - NOW) <= ratelimit.MAX_CREDIBLE_WAIT
    with pytest.raises(api.RateLimited):
        read_bandwidth(answer({"code": 429}, 429, **headers), "acme", NOW)


def test_a_long_wait_is_said_in_minutes() -> None:
    assert "in 5 minutes" in ratelimit.message(NOW + timedelta(minutes=5), NOW)


# --- the team list ------------------------------------------------------------------------------


def test_accounts_are_read_with_names_plans_and_quotas() -> None:
    body = [
        {
            "slug": "acme",
            "name": "Acme Web",
            "type_name": "Pro",
            "capabilities": {"sites": {"included": 500, "used": 12}, "odd": "x"},
        },
        {"slug": "bare"},
        {"slug": "../evil", "name": "Unaddressable"},
        "not a team",
    ]
    accounts = api.read_accounts(answer(body), NOW)
    assert accounts == [
        api.Account("acme", "Acme Web", "Pro", {"sites": api.Quota(used=12, included=500)}),
        api.Account("bare", "bare", None, {}),
    ]


def test_accounts_of_the_wrong_shape() -> None:
    with pytest.raises(api.BadResponse, match="not a list"):
        api.read_accounts(answer({"slug": "acme"}), NOW)


# --- any answer at all --------------------------------------------------------------------------

TYPED = (api.CheckError,)


@given(status=st.integers(100, 599), body=st.binary(max_size=300), reset=st.text(max_size=12))
def test_any_bytes_with_any_status_give_a_result_or_a_typed_error(
    status: int, body: bytes, reset: str
) -> None:
    response = api.Response(status, body, {"x-ratelimit-reset": reset, "retry-after": reset})
    for read in (
        lambda: read_bandwidth(response, "acme", NOW),
        lambda: api.read_accounts(response, NOW),
    ):
        try:
            read()
        except TYPED:
            pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner),
    max_leaves=20,
)
bandwidth_like = st.fixed_dictionaries(
    {},
    optional={
        key: json_values
        for key in ("used", "included", "additional", "period_start_date", "last_updated_at")
    },
)


@given(document=json_values | bandwidth_like)
def test_any_json_document_gives_a_result_or_a_typed_error(document: object) -> None:
    response = api.Response(200, json.dumps(document).encode())
    for read in (
        lambda: read_bandwidth(response, "acme", NOW),
        lambda: api.read_accounts(response, NOW),
    ):
        try:
            result = read()
        except TYPED:
            continue
        assert result is not None


@given(st.text())
def test_a_slug_is_put_in_an_address_as_one_path_segment_whatever_it_holds(text: str) -> None:
    assert api.segment(text) == quote(text, safe="")


@pytest.mark.parametrize("value", ["²", "1²", "\u0661\u0662", "\uff13\uff10"])
def test_a_rate_limit_header_of_other_digits_is_no_time_and_no_crash(value: str) -> None:
    # "²".isdigit() is true and int("²") raises; int("١٢") is 12, which nobody wrote.
    now = datetime(2026, 12, 8, 12, tzinfo=UTC)
    assert ratelimit.retry_time({"retry-after": value}, now) is None
    assert ratelimit.retry_time({"x-ratelimit-reset": value}, now) is None
    error = api._status_error(api.Response(429, b"", {"retry-after": value}), now, "acme")
    assert isinstance(error, api.RateLimited) and error.retry_at is None
    assert api._count(value) is None


def test_no_text_from_outside_is_read_with_isdigit() -> None:
    sources = [path for path in (ROOT / "checker").rglob("*.py") if path.name != "numerals.py"]
    assert not [str(path) for path in sources if ".isdigit()" in path.read_text()]


@pytest.mark.parametrize(
    "written", ["2024-03-10t15:15:03z", "2024-03-10T15:15:03z", "2024-03-10t15:15:03Z"]
)
def test_rfc_3339s_lower_case_t_and_z_are_read(written: str) -> None:
    assert api.timestamp(written) == datetime(2024, 3, 10, 15, 15, 3, tzinfo=UTC)
