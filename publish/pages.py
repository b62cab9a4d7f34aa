"""The site's three pages, all made from index.html, and the sign-in setting they carry.

- index.html, the full page;
- widget.html, the compact page that the embed frames: it has no token field, since a page that
  frames it can capture what a reader types there;
- token.html, the checker's own top-level window, where a reader signs in with Netlify or pastes a
  token. It is also the one redirect address that Netlify's OAuth application sends readers back
  to (an application registers a single one).

Parts of index.html are marked for the pages that keep them:

    <!-- page-only --> … <!-- /page-only -->        index.html alone
    <!-- not-widget --> … <!-- /not-widget -->      index.html and token.html
    <!-- widget-only … /widget-only -->             widget.html alone (commented out elsewhere)
    <!-- window-only … /window-only -->             token.html alone
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from publish.downloads import BuildError

# What Netlify's OAuth applications are given; the page refuses nothing else.
CLIENT_ID_VARIABLE = "NETLIFY_OAUTH_CLIENT_ID"
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,128}")

MODES = {"index.html": "page", "widget.html": "widget", "token.html": "window"}


def client_id_from_environment() -> str | None:
    """The OAuth application's client ID, or None when the deployer set none."""
    value = os.environ.get(CLIENT_ID_VARIABLE, "").strip()
    if not value:
        return None
    if not _CLIENT_ID.fullmatch(value):
        raise BuildError(
            f"{CLIENT_ID_VARIABLE} is not a Netlify OAuth client ID: expected 8 to 128 letters, "
            "digits, '-' or '_', as Netlify shows under the application's credentials"
        )
    return value


def variant(page: str, mode: str, client_id: str | None) -> str:
    """index.html as the page of `mode` ("page", "widget" or "window") shows it."""
    if 'data-mode="page"' not in page:
        raise BuildError('index.html has no <body data-mode="page">')
    keep = {
        "page-only": mode == "page",
        "not-widget": mode != "widget",
    }
    for marker, kept in keep.items():
        pattern = rf"\s*<!-- {marker} -->(.*?)<!-- /{marker} -->"
        page = re.sub(pattern, r"\1" if kept else "", page, flags=re.DOTALL)
    for marker, shown_in in (("widget-only", "widget"), ("window-only", "window")):
        pattern = rf"<!-- {marker}\n(.*?)\s*/{marker} -->"
        page = re.sub(pattern, r"\1" if mode == shown_in else "", page, flags=re.DOTALL)
    if client_id:
        # A meta element, since the policy runs no inline script: main.js reads it.
        meta = f'<meta name="netlify-oauth-client-id" content="{html.escape(client_id)}">'
        page = page.replace("</head>", f"  {meta}\n</head>", 1)
    return page.replace('data-mode="page"', f'data-mode="{mode}"')


def write(site: Path, page: str, client_id: str | None) -> None:
    for name, mode in MODES.items():
        (site / name).write_text(variant(page, mode, client_id))
