"""A team's other quotas as a card lists them: sites, collaborators, build minutes, and whatever
else Netlify's account object counts, in the order it gives them."""

from __future__ import annotations

from checker.netlify import api
from checker.netlify.report import Plan
from checker.view.shape import Row, row

QUOTA_LABELS = {
    "sites": "Sites",
    "collaborators": "Collaborators",
    "build_minutes": "Build minutes",
    "credits": "Credits",
}


def quota_rows(quotas: dict[str, api.Quota], plan: Plan) -> list[Row]:
    """The team's other quotas, in the order Netlify lists them."""
    rows = []
    for name, quota in quotas.items():
        if name == "bandwidth" or (name == "credits" and plan == "credit"):
            continue  # shown in full above
        label = QUOTA_LABELS.get(name, name.replace("_", " ").capitalize())
        used, included = quota.used, quota.included
        if name == "credits" and not used:
            # Netlify's API reads 0 on credit-based plans whatever was spent (open-api #640).
            allowance = f"{included:,} included; " if included else ""
            value = f"{allowance}usage not reported by Netlify's API"
        elif used is not None and included is not None:
            value = f"{used:,} of {included:,}"
        elif used is not None:
            value = f"{used:,} used"
        elif included is not None:
            value = f"{included:,} included"
        else:
            continue
        rows.append(row(label, value))
    return rows
