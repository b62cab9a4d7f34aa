"""Answers generated from Netlify's published OpenAPI spec (`@netlify/open-api`'s swagger.json,
pinned in tests/netlify_build/ and installed by the tests), for every endpoint the checker
calls, run through a whole check: no answer crashes it, every failure is one clear sentence, and
no team is "not reached" when an answer it rests on was missing, null, negative or cut short.

The spec has no bandwidth endpoint and none of the credit fields of the account object: those
come from docs/netlify-api.md (`EXTRA` below). Values are drawn from each schema, and now and
then replaced by what a schema does not allow (null, a negative number, another type, a
dropped field), so that the check meets answers both plausible and broken.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.figures.team import team_model, verdict
from checker.netlify import api
from checker.netlify.check import Check
from checker.netlify.drive import InTurn, drive
from checker.outputs.schema import document
from checker.outputs.summary import markdown
from checker.view.card import team_view
from tests import netlify_build
from tests.clock import Clock
from tests.fake_netlify import TOKEN

NOW = datetime(2026, 12, 8, 12, tzinfo=UTC)
# The endpoints a check calls, by the spec's operation (the deploy guard's getSite aside).
OPERATIONS = ("listAccountsForUser", "getAccount", "listSitesForAccount", "listSiteDeploys")


def swagger() -> dict[str, Any]:
    try:
        folder = netlify_build.package("@netlify/open-api").parent
    except netlify_build.Unreachable as reason:
        pytest.skip(f"Netlify's OpenAPI spec could not be installed: {reason}")
    path = next(Path(folder).rglob("swagger.json"))
    return json.loads(path.read_text())


def response_schema(spec: dict[str, Any], operation: str) -> dict[str, Any]:
    for methods in spec["paths"].values():
        found = methods.get("get", {})
        if found.get("operationId") == operation:
            return found["responses"]["200"]["schema"]
    raise AssertionError(f"{operation} is not in Netlify's spec")


# What docs/netlify-api.md adds: the bandwidth answer, and the account object's credit fields.
DATE = {"type": "string", "format": "dateTime"}
COUNT = {"type": "integer"}
BANDWIDTH = {
    "type": "object",
    "properties": {
        "used": COUNT,
        "included": COUNT,
        "additional": COUNT,
        "period_start_date": DATE,
        "period_end_date": DATE,
        "last_updated_at": DATE,
    },
}
EXTRA = {
    "plan_credits": COUNT,
    "current_billing_period_start": DATE,
    "next_billing_period_start": DATE,
    "lifecycle_state": {"type": "string", "enum": ["active", "paused", "suspended"]},
    "usages_exceeded": {"type": "array", "items": {"type": "string"}},
    "sites_with_usage_exceeded": {"type": "array", "items": {"type": "string"}},
    "auto_topup_enabled": {"type": "boolean"},
    "plan_auto_topup_amount": COUNT,
    "capabilities": {
        "type": "object",
        "properties": {
            "credits": {"type": "object", "properties": {"included": COUNT, "used": COUNT}},
            "bandwidth": {"type": "object", "properties": {"included": COUNT, "used": COUNT}},
        },
    },
}
# Values the check reads closely, drawn from what Netlify sends as well as from any text.
KNOWN = {
    "slug": st.sampled_from(["acme", "credits-co", "team-3"]),
    "account_slug": st.sampled_from(["acme", "credits-co", "../x", ""]),
    "id": st.sampled_from(["site-a", "site-b", "d1", "d2", "d3"]),
    "context": st.sampled_from(["production", "deploy-preview", "branch-deploy"]),
    "state": st.sampled_from(["ready", "error", "building"]),
    "type_name": st.sampled_from(["Free", "Pro", "Starter"]),
}
# A credit team's capabilities, or a legacy team's, most of the time; the spec's otherwise.
CAPABILITIES = st.one_of(
    st.fixed_dictionaries(
        {
            "credits": st.fixed_dictionaries(
                {"included": st.sampled_from([300, 3000])}, optional={"used": st.integers(0, 400)}
            )
        }
    ),
    st.fixed_dictionaries({"bandwidth": st.fixed_dictionaries({"included": st.just(100 * 2**30)})}),
)
# What a schema does not allow, now and then in a value's place.
BROKEN = st.one_of(
    st.none(), st.integers(-(10**6), -1), st.text(max_size=5), st.lists(st.none(), max_size=1)
)


def dates() -> st.SearchStrategy[str]:
    """Around now, as Netlify writes them and otherwise (lower case, no offset, nonsense)."""
    moments = st.integers(-40 * 24, 40 * 24).map(lambda hours: NOW + timedelta(hours=hours))
    written = moments.map(lambda when: when.isoformat().replace("+00:00", "Z"))
    return st.one_of(written, written.map(str.lower), moments.map(lambda w: w.isoformat()[:19]))


def values(schema: dict[str, Any], key: str = "", depth: int = 0) -> st.SearchStrategy[Any]:
    """A value of `schema`, or now and then (one in eight) one it does not allow."""
    if key in KNOWN:
        plain = KNOWN[key]
    elif key == "capabilities":
        plain = sometimes(_values(schema, depth), instead_of=CAPABILITIES)
    elif key in ("period_start_date", "current_billing_period_start"):
        plain = st.one_of(st.just(_written(NOW - timedelta(days=20))), dates())
    elif key in ("period_end_date", "next_billing_period_start"):
        plain = st.one_of(st.just(_written(NOW + timedelta(days=10))), dates())
    else:
        plain = _values(schema, depth)
    return sometimes(BROKEN, instead_of=plain)


def sometimes(broken: st.SearchStrategy[Any], *, instead_of: st.SearchStrategy[Any]) -> Any:
    """`instead_of` seven times in eight, else `broken` (one_of would make it one in two)."""
    return st.sampled_from([True] * 7 + [False]).flatmap(
        lambda plain: instead_of if plain else broken
    )


def _written(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _values(schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    """A value of `schema` as it says, each field of an object there or not."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if schema.get("type") == "object" or "properties" in schema:
        properties = {**schema.get("properties", {})}
        if "slug" in properties and "capabilities" in properties:
            properties.update(EXTRA)  # an account object
        # What the check reads is there more often than not; the rest, now and then.
        read = ("slug", "id", "context", "state", "created_at", "capabilities", "credits")
        read += ("account_slug", "bandwidth")
        kept = {
            name: values(inner, name, depth + 1)
            for name, inner in properties.items()
            if (depth < 3 and (name in read or name in EXTRA or name in BANDWIDTH["properties"]))
            or name in ("included", "used")
        }
        required = {name: kept.pop(name) for name in list(kept) if name in ("slug", "used")}
        return st.fixed_dictionaries(required, optional=kept)
    if schema.get("type") == "array":
        # A list answer mostly holds something: an empty one ends the check at once.
        least = 1 if depth == 0 else 0
        return st.lists(values(schema.get("items", {}), "", depth + 1), min_size=least, max_size=3)
    if schema.get("format", "").lower() in ("datetime", "date-time"):
        return dates()
    kinds: dict[str, st.SearchStrategy[Any]] = {
        "integer": st.integers(0, 2 * 10**11),
        "number": st.floats(allow_nan=False, allow_infinity=False),
        "boolean": st.booleans(),
        "string": st.text(max_size=12),
    }
    return kinds.get(schema.get("type", ""), st.none())


def answers(schema: dict[str, Any]) -> st.SearchStrategy[api.Response]:
    """Netlify's answer to one request: usually the schema's, sometimes an error page."""
    good = values(schema).map(lambda body: api.Response(200, json.dumps(body).encode()))
    failing = st.sampled_from(
        [
            api.Response(500, b"<html>Bad gateway</html>"),
            api.Response(404, b'{"code":404,"message":"Not Found"}'),
            api.Response(429, b"{}", {"retry-after": "²"}),
            api.Response(200, b"{not json"),
            api.Response(200, b""),
        ]
    )
    return sometimes(failing, instead_of=good)


def operation(path: str) -> str:
    if path == "/accounts":
        return "listAccountsForUser"
    if path.endswith("/bandwidth"):
        return "bandwidth"
    if path.endswith("/deploys"):
        return "listSiteDeploys"
    if path.endswith("/sites"):
        return "listSitesForAccount"
    return "getAccount"


def short(answer: api.Response, kind: str) -> bool:
    """Whether a count's answer leaves the count short: not a list the checker can read, a site
    in it that cannot be addressed, or a billed deploy whose date or id cannot be read."""
    body = _decoded(answer)
    if answer.status != 200 or not isinstance(body, list):
        return True
    for entry in body:
        if not isinstance(entry, dict):
            continue
        if kind == "listSitesForAccount" and not site_id(entry):
            return True
        billed = entry.get("context") == "production" and entry.get("state") == "ready"
        readable = isinstance(entry.get("id"), str) and api.timestamp(entry.get("created_at"))
        if kind == "listSiteDeploys" and billed and not readable:
            return True
    return False


def _decoded(answer: api.Response) -> Any:
    try:
        return json.loads(answer.body)
    except ValueError:
        return None


def site_id(entry: dict[str, Any]) -> str | None:
    found = entry.get("id")
    return found if isinstance(found, str) and api.SLUG.match(found) else None


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return swagger()


def test_every_endpoint_the_checker_calls_is_in_netlifys_spec(spec: dict[str, Any]) -> None:
    for name in (*OPERATIONS, "getSite"):
        assert response_schema(spec, name)


def test_any_site_answer_gives_the_deploy_guard_a_slug_or_one_clear_failure(
    spec: dict[str, Any],
) -> None:
    @given(answers(response_schema(spec, "getSite")))
    def run(answer: api.Response) -> None:
        try:
            slug = api.read_site_team(answer, NOW)
        except api.CheckError as error:
            assert error.message.strip() and "\n" not in error.message
        else:
            assert api.SLUG.match(slug)
            found.append(slug)

    found: list[str] = []
    run()
    assert found  # some answers named a team


def test_no_answer_of_netlifys_spec_crashes_a_check_or_passes_a_short_count_as_fine(
    spec: dict[str, Any],
) -> None:
    schemas = {name: response_schema(spec, name) for name in OPERATIONS}
    schemas["bandwidth"] = BANDWIDTH
    strategies = {name: answers(schema) for name, schema in schemas.items()}

    stats: list[str] = []

    @settings(max_examples=300)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        clock = Clock(NOW)
        short_for: dict[str, bool] = {}  # by team slug: an answer its count rests on was short
        team_of: dict[str, str] = {}  # each site's team, by the site's id

        def send(request: api.Request) -> api.Response:
            path = urlsplit(request.url).path.removeprefix("/api/v1")
            kind = operation(path)
            answer = data.draw(strategies[kind], label=path)
            slug = path.split("/")[1] if kind == "listSitesForAccount" else None
            if kind == "listSiteDeploys":
                slug = team_of[path.split("/")[2]]
            if slug is not None:
                short_for[slug] = short_for.get(slug, False) or short(answer, kind)
            listed = _decoded(answer) if kind == "listSitesForAccount" else None
            for entry in listed if isinstance(listed, list) else []:
                if isinstance(entry, dict) and site_id(entry):
                    team_of[site_id(entry)] = slug  # type: ignore[index]
            stats.append(kind)
            return answer

        teams = data.draw(st.sampled_from([[""], ["credits-co"]]), label="teams")
        check = Check(TOKEN, teams, now=clock.now)
        try:
            reports = drive(check, InTurn(send), now=clock.now, sleep=clock.sleep)
        except api.CheckError as error:
            assert error.message.strip() and "\n" not in error.message
            return
        now = clock.now()
        for report in reports:
            if report.error is not None:
                assert report.error.message.strip() and "\n" not in report.error.message
            model = team_model(report, now)
            said = verdict(model, 80)
            team_view(report, now, "binary")
            if said == "not reached":
                assert report.bandwidth is not None and report.bandwidth.used >= 0
                if model.kind == "credit":
                    assert not short_for.get(report.account.slug, True), "a short count passed"
        json.dumps(document(reports, now, threshold=80))
        markdown(reports, now, "binary", 80)

    run()
    # The answers reached every endpoint, the deploy lists included: not a test of /accounts.
    assert set(stats) == {*OPERATIONS, "bandwidth"}
