"""The Markdown table (checker/outputs/summary.py) that GitHub's job summary and the alert issue
show, from reports made directly: one row a team, in the card's words, and nothing a name can
inject."""

from __future__ import annotations

from dataclasses import replace

from checker.netlify import api
from checker.netlify.report import utc_now
from checker.outputs.summary import markdown
from tests.answers import CREDITS_CO_DEPLOYS, fake_report
from tests.fake_netlify import TEAMS


def rows(table: str) -> list[str]:
    return [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]


def test_one_row_a_team_with_its_share_pace_and_run_out() -> None:
    reports = [
        fake_report("acme"),
        fake_report("side-projects"),
        fake_report("credits-co", deploys=CREDITS_CO_DEPLOYS, used=9 * 10**9),
    ]
    table = markdown(reports, utc_now(), "binary", 80)
    header, acme, side, credits = rows(table)
    assert header == "| Team | Plan | Used | Share | Pace | Runs out |"
    assert acme.startswith("| Acme Web | Pro (legacy) | 25.3 GiB of 100 GiB used | 25.3 % | On")
    assert side.endswith("| 130 % | Over the allowance by 30 GiB. | over |")
    # 180 credits of bandwidth and 75 of deploys: on course to use the 300 before the end.
    assert credits.startswith(
        "| Credits Co | Free (credit) | at least 255 of 300 credits spent | 85 % |"
    )
    assert credits.split(" | ")[-1].rstrip(" |").endswith("2026")
    assert "**2 of 3 teams at or over 80 %.**" in table
    assert "At 100 %" in table


def test_a_team_that_failed_says_so_in_its_row() -> None:
    failed = replace(fake_report("acme"), bandwidth=None, error=api.Forbidden("No billing role."))
    [_, row] = rows(markdown([failed], utc_now(), "binary", None))
    assert "could not be checked" in row and "No billing role." in row
    assert "at or over" not in markdown([failed], utc_now(), "binary", None)


def test_a_name_cannot_add_a_link_an_image_or_a_row() -> None:
    hostile = "Evil | [click](https://evil.example) ![x](y) <img src=x>\n| injected |"
    report = fake_report("acme")
    report = replace(report, account=replace(report.account, name=hostile))
    [_, row] = rows(markdown([report], utc_now(), "binary", None))
    assert row.count(" | ") == 5  # six cells, whatever the name holds
    assert "\\[click\\](https:\u2060//evil.example)" in row and "\\<img src=x\\>" in row
    assert "\n" not in row


def test_a_name_can_mention_nobody_reference_nothing_and_link_nowhere() -> None:
    hostile = "@octocat @org/team owner/repo#7 #12 GH-7 deadbeefcafe https://evil.example www.x.io"
    team = {**TEAMS[0], "name": hostile, "type_name": "@plan"}
    table = markdown([fake_report("acme", team)], utc_now(), "binary", 80)
    row = next(line for line in table.splitlines() if line.startswith("| @"))
    for reference in (
        "@octocat",
        "@org",
        "repo#7",
        "#12",
        "GH-7",
        "deadbeefcafe",
        "https://",
        "www.",
    ):
        assert reference not in row
    # Still legible: only invisible joiners were added.
    assert row.replace("\u2060", "").startswith("| @octocat @org/team owner/repo#7 #12 GH-7")


def test_a_name_is_capped_and_a_long_table_fits_githubs_limit() -> None:
    team = {**TEAMS[0], "name": "N" * 5000}
    [row] = [
        line
        for line in markdown([fake_report("acme", team)], utc_now(), "binary", None).splitlines()
        if line.startswith("| N")
    ]
    assert row.startswith("| " + "N" * 99 + "\u2026 |")
    many = [fake_report("acme", {**TEAMS[0], "name": f"Team {n} " + "x" * 80}) for n in range(1000)]
    table = markdown(many, utc_now(), "binary", 80, limit=60_000)
    assert len(table) < 60_000
    shown = sum(
        1
        for line in table.splitlines()
        if line.startswith("| Team ") and not line.startswith("| Team |")
    )
    assert f"{1000 - shown} more teams are left out here" in table
