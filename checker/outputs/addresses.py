"""The addresses the command line may send a token to in place of Netlify's API (the
environment's NETLIFY_API_URL, and GITHUB_API_URL for the action's alert issue): https://, or
http:// on this machine alone.

The page never asks: it sends only to Netlify's API, and its Python is shipped without this
module and the two standard modules it imports.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


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
    # User information ("https://api.netlify.com@evil.example") hides the real host from a
    # reader, and a fragment has no place in an API's address.
    if not parts.hostname or "@" in parts.netloc or "#" in url:
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
