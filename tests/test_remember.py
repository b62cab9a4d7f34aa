"""What the page may keep of the team field: never more than Python's own slug check accepts."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from checker.netlify import inputs
from tests.conftest import ROOT
from tests.fake_netlify import TOKEN

# The page's filter, read from the page's own module, so that the two cannot drift apart.
SOURCE = (ROOT / "static" / "remember.js").read_text()
KEEPABLE = re.compile(re.search(r"const SURELY_A_SLUG = /\^(.*)\$/;", SOURCE).group(1))  # type: ignore[union-attr]


@given(st.from_regex(KEEPABLE, fullmatch=True))
def test_whatever_the_page_keeps_is_a_slug_as_python_reads_it(team: str) -> None:
    assert inputs.clean_slug(team) == team


@given(
    st.one_of(
        st.from_regex(r"nf[a-z]_[A-Za-z0-9_-]{16,60}", fullmatch=True),
        st.from_regex(r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_]{40,70}", fullmatch=True),
    )
)
def test_no_token_of_netlifys_shapes_is_ever_kept(token: str) -> None:
    assert not KEEPABLE.fullmatch(token)


def test_the_tests_token_is_one_of_those_shapes() -> None:
    assert not KEEPABLE.fullmatch(TOKEN)
    assert KEEPABLE.fullmatch("acme") and KEEPABLE.fullmatch("side-projects")
