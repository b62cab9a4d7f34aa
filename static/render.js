// What a check shows: a team's figures as elements built from text nodes, never from HTML,
// and the sentence the status line announces.

// One sentence for the status line, which screen readers announce.
export function summarize(teams, units) {
  if (teams.length === 1) {
    const [team] = teams;
    if (team.error) return `${team.name}: ${team.error}`;
    const text = team.text[units];
    if (!text.percent) return `${team.name}: ${text.used} used.`;
    return `${team.name}: ${text.used} of ${text.available} used (${text.percent}).`;
  }
  const over = teams.filter((team) => team.bandwidth?.over > 0).length;
  const failed = teams.filter((team) => team.error).length;
  const notes = [
    over ? `${over} over the allowance` : null,
    failed ? `${failed} could not be checked` : null,
  ].filter(Boolean);
  return `Checked ${teams.length} teams${notes.length ? `: ${notes.join(", ")}` : ""}.`;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// Made on first use, not as the page loads: loading the reader's locale data takes a cold
// page 15 to 35 ms, which would hold up starting the worker and make start-up's task long.
let formats = null;
function localFormats() {
  formats ??= {
    date: new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }),
    relative: new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }),
  };
  return formats;
}

function ago(iso) {
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  const steps = [
    [60, "second"],
    [3600, "minute"],
    [86400, "hour"],
    [Infinity, "day"],
  ];
  let size = 1;
  for (const [limit, unit] of steps) {
    if (Math.abs(seconds) < limit) {
      return localFormats().relative.format(Math.round(seconds / size), unit);
    }
    size = limit;
  }
}

export function renderTeam(team, units) {
  const heading = el("h2", {}, team.name);
  const slug = team.slug === team.name ? null : team.slug;
  const subtitle = el("p", { class: "subtitle" }, [team.plan, slug].filter(Boolean).join(" · "));
  if (team.error) {
    return el("article", { class: "team" }, heading, subtitle, el("p", { class: "team-error" }, team.error));
  }
  const period = team.period;
  const bytes = team.bandwidth;
  const text = team.text[units];
  const headline = el(
    "p",
    { class: "headline" },
    el("strong", {}, text.used),
    bytes.available > 0 ? ` of ${text.available} used` : " used",
    text.percent ? ` (${text.percent})` : "",
  );
  const meter =
    bytes.available > 0
      ? el("meter", {
          min: "0",
          max: String(bytes.available),
          low: String(Math.round(bytes.available * 0.75)),
          high: String(Math.round(bytes.available * 0.9)),
          optimum: "0",
          value: String(Math.min(bytes.used, bytes.available)),
          "aria-label": `Bandwidth used: ${text.percent}`,
        })
      : null;

  // A plan without an allowance has nothing to use up: no "0 B included, 0 B remaining".
  const allowance = bytes.available > 0;
  const rows = [
    ["Used", text.used],
    ["Included", allowance ? text.included : "none"],
    bytes.additional > 0 ? ["Additional", text.additional] : null,
    bytes.over > 0 ? ["Over by", text.over] : allowance ? ["Remaining", text.remaining] : null,
  ];
  if (period.start && period.end) {
    const { date } = localFormats();
    const dates = `${date.format(new Date(period.start))} – ${date.format(new Date(period.end))}`;
    rows.push(["Billing period", dates]);
    rows.push(["Days left", String(period.days_left)]);
  }
  if (team.updated_at) rows.push(["Figure updated", ago(team.updated_at)]);
  const warning = bytes.over > 0 || bytes.on_course_to_run_over;
  return el(
    "article",
    { class: bytes.over > 0 ? "team over" : "team" },
    heading,
    subtitle,
    headline,
    meter,
    text.pace ? el("p", { class: warning ? "pace warning" : "pace" }, text.pace) : null,
    definitions(rows),
    team.unchanged
      ? el("p", { class: "note" }, "Unchanged since the last check: Netlify has no newer figure yet.")
      : null,
    quotas(team),
    el("details", { class: "raw" }, el("summary", {}, "Raw response"), el("pre", {}, team.raw)),
  );
}

export function exampleNote() {
  return el(
    "p",
    { class: "example-note" },
    el("strong", {}, "An example with made-up figures. "),
    "Nothing was sent to Netlify. Paste a token above to see your own teams.",
  );
}

function definitions(rows) {
  return el(
    "dl",
    { class: "figures" },
    ...rows.filter(Boolean).flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]),
  );
}

function quotas(team) {
  if (!team.quota_lines.length) return null;
  return el("section", { class: "quotas" }, el("h3", {}, "Other quotas"), definitions(team.quota_lines));
}
