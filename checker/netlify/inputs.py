"""What a person types, cleaned or refused before any request is made: the token and the team
slug.

Nothing here is sent anywhere: a refused input raises TokenInvalid or SlugInvalid with a sentence
that never repeats a token.
"""

from __future__ import annotations

import re

from checker.netlify.api import SLUG, TOKENS_PAGE, SlugInvalid, TokenInvalid

# Netlify's tokens are 40-70 characters; anything far longer is a paste gone wrong, and a huge
# header would only earn a confusing 431 from a proxy.
MAX_TOKEN_LENGTH = 256
MAX_SLUG_LENGTH = 100

_BEARER = re.compile(r"\Abearer(\s+|\Z)", re.IGNORECASE)
_TEAM_URL = re.compile(r"app\.netlify\.com/teams/([^/?#\s]+)")
# Netlify's tokens: nfp_ (personal), nfo_ (OAuth), nfc_ (CLI) and kin, or an older long one of
# letters, digits and perhaps hyphens. Slugs are short lower-case words joined by hyphens.
_NETLIFY_TOKEN = re.compile(r"nf[a-z]_[A-Za-z0-9_-]{16,}\Z")
TOKEN_LENGTH = 40
# A run this long of one "word" is random, not a name.
_LONGEST_WORD = 20


def token_shaped(text: str) -> bool:
    """Whether `text` is most likely a token: never to be echoed, or put in a URL."""
    if _NETLIFY_TOKEN.match(text):
        return True
    if len(text) < TOKEN_LENGTH or not (
        any(c in "0123456789" for c in text) and any(c.isalpha() for c in text)
    ):
        return False
    words = text.split("-")
    return any(c.isupper() for c in text) or any(len(word) >= _LONGEST_WORD for word in words)


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
    if token_shaped(slug):
        # Never echoed, never put in a URL: it is most likely the reader's token.
        raise SlugInvalid(
            "This looks like a token, not a team slug, so it was not sent anywhere. "
            "A team slug is the last part of your team's address, app.netlify.com/teams/<slug>."
        )
    if len(slug) > MAX_SLUG_LENGTH or not SLUG.match(slug):
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
