"""What people paste, read before anything is sent (checker/netlify/inputs.py): the token,
cleaned or refused; the team slug; and which API addresses count as this machine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.netlify import api, inputs
from checker.outputs import addresses
from tests.fake_netlify import TOKEN

# --- the token ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pasted",
    [
        "nfp_abc123",
        "  nfp_abc123  ",
        "\nnfp_abc123\r\n",
        "\tnfp_abc123",
        "Bearer nfp_abc123",
        "bearer   nfp_abc123\n",
        '"nfp_abc123"',
        " 'Bearer nfp_abc123' ",
    ],
)
def test_a_pasted_token_is_cleaned_of_what_people_paste_around_it(pasted: str) -> None:
    assert inputs.clean_token(pasted) == "nfp_abc123"


def test_bearer_is_only_dropped_as_a_leading_word() -> None:
    assert inputs.clean_token("nfp_bearer") == "nfp_bearer"
    assert inputs.clean_token("Bearertoken") == "Bearertoken"


@pytest.mark.parametrize("pasted", ["", "   ", "\n\t", "Bearer ", '""'])
def test_an_empty_token_says_where_to_get_one(pasted: str) -> None:
    with pytest.raises(api.TokenInvalid, match="Paste a Netlify personal access token") as caught:
        inputs.clean_token(pasted)
    assert "app.netlify.com/user/applications" in caught.value.message


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        ("nfp_abc\r\nX-Evil: 1", "a space or line break"),
        ("nfp_abc\x00def", "a control character"),
        ("nfp_abc\x7fdef", "a control character"),
        ("nfp_äbc", "outside plain ASCII"),
        ("nfp_abc def", "a space or line break"),
        ("nfp_abc\u200bdef", "outside plain ASCII"),
    ],
)
def test_a_token_that_could_inject_headers_is_refused_before_any_request(
    pasted: str, said: str
) -> None:
    with pytest.raises(api.TokenInvalid) as caught:
        inputs.clean_token(pasted)
    assert said in caught.value.message
    assert "abc" not in caught.value.message  # the token is never echoed back


def test_a_10_kb_token_is_refused_with_its_length() -> None:
    with pytest.raises(api.TokenInvalid, match="10,240 characters"):
        inputs.clean_token("a" * 10240)


# --- the team slug ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("acme", "acme"),
        ("  side-projects ", "side-projects"),
        ("my_team-2", "my_team-2"),
        ("https://app.netlify.com/teams/acme/overview", "acme"),
        ("app.netlify.com/teams/acme", "acme"),
        ("", None),
        ("   ", None),
    ],
)
def test_team_slug(typed: str, slug: str | None) -> None:
    assert inputs.clean_slug(typed) == slug


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("acme/../user", "“/”"),
        ("..", "“.”"),
        ("acme?x=1", "“?”"),
        ("acme#x", "“#”"),
        ("acme%2F..", "“%”"),
        ("my team", "other characters"),
        ("équipe", "“é”"),
        ("-acme", "a leading hyphen"),
        ("a" * 101, "too many characters"),
    ],
)
def test_an_odd_slug_is_refused_with_what_is_wrong(typed: str, named: str) -> None:
    with pytest.raises(api.SlugInvalid) as caught:
        inputs.clean_slug(typed)
    assert named in caught.value.message
    assert caught.value.field == "team"


@pytest.mark.parametrize(
    "typed",
    [
        TOKEN,
        "nfo_" + "Ab3" * 10,
        "nfc_abcdefghijklmnopqrstuvwxyz",
        "https://app.netlify.com/teams/" + TOKEN,
        "0123456789abcdef0123456789abcdef0123456789abcdef",
        # An older token of letters, digits and hyphens (base64url): finding 6 of the second
        # security review, which passed as a slug, went into the path, and was printed back.
        "Zx4-Hq8vT2mLpR7kW9yB3nC6dF1gJ5sA0eU-rYiOo",
        "abcdefghijk1234567890-lmnopqrstuvwxyz123456",
    ],
)
def test_a_token_pasted_as_the_slug_is_refused_and_never_echoed(typed: str) -> None:
    with pytest.raises(api.SlugInvalid) as caught:
        inputs.clean_slug(typed)
    assert "looks like a token, not a team slug" in caught.value.message
    assert typed.rsplit("/", 1)[-1] not in caught.value.message


@pytest.mark.parametrize(
    "slug",
    [
        "nfp",
        "nfp-team",
        "my-long-team-name-for-the-company-sites-2024",
        "a-team-of-engineers-who-build-and-ship-sites-99",
    ],
)
def test_slugs_that_merely_resemble_tokens_are_still_slugs(slug: str) -> None:
    assert inputs.clean_slug(slug) == slug


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8080/api/v1", True),
        ("http://127.9.9.9/api/v1", True),
        ("http://localhost/api/v1", True),
        ("http://[::1]:9000/api/v1", True),
        ("http://127.attacker.example/api/v1", False),
        ("http://127.0.0.1.nip.io/api/v1", False),
        ("http://localhost.attacker.example/", False),
        ("http://10.0.0.1/", False),
        ("https://", False),
    ],
)
def test_only_this_machine_counts_as_loopback(url: str, local: bool) -> None:
    assert addresses.is_loopback(url) is local


@given(st.text(max_size=40))
def test_any_accepted_slug_stays_one_path_segment_of_the_bandwidth_endpoint(typed: str) -> None:
    try:
        slug = inputs.clean_slug(typed)
    except api.SlugInvalid:
        return
    if slug is None:
        return
    url = api.bandwidth_request("t", slug).url
    assert url == f"https://api.netlify.com/api/v1/accounts/{slug}/bandwidth"
    assert "/" not in slug and "." not in slug
