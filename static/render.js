// Draws the view Python decided (checker/view/page.py; its shape is in docs/worker-protocol.md), as
// elements built from text nodes, never from HTML. It decides nothing of what is shown.

// The chart's code (chart.js) comes with Python: main.js asks for it when Python starts, and
// every result comes after that. Until it is here a card is drawn without its chart.
let drawChart = null;
export function loadChart() {
  return import("./chart.js").then(
    (module) => {
      drawChart = module.drawChart;
    },
    () => {}, // a card without its chart still has every figure as text
  );
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// Every team of a page view, in the reader's units, and the example's label where it is one.
export function renderView(view, units) {
  const teams = view.units[units].teams.map(renderTeam);
  return view.example ? [exampleNote(), ...teams] : teams;
}

function renderTeam(team) {
  const heading = el("h2", {}, team.heading);
  const subtitle = el("p", { class: "subtitle" }, team.subtitle);
  if (team.pending) {
    const note = el("p", { class: "note" }, team.note);
    return el("article", { class: "team pending", "aria-busy": "true" }, heading, subtitle, note);
  }
  if (team.error) {
    const error = el("p", { class: "team-error" }, team.error.message);
    return el("article", { class: "team" }, heading, subtitle, error);
  }
  const { headline, meter, pace } = team;
  return el(
    "article",
    { class: team.over ? "team over" : "team" },
    heading,
    subtitle,
    el("p", { class: "headline" }, el("strong", {}, headline.strong), headline.rest),
    meter
      ? el("meter", {
          min: "0",
          max: String(meter.max),
          low: String(meter.low),
          high: String(meter.high),
          optimum: "0",
          value: String(meter.value),
          "aria-label": meter.label,
        })
      : null,
    pace ? el("p", { class: pace.tone ? `pace ${pace.tone}` : "pace" }, pace.text) : null,
    team.chart && drawChart ? drawChart(team.chart) : null,
    definitions(team.rows),
    team.note ? el("p", { class: "note" }, team.note) : null,
    team.caveat ? el("p", { class: "note" }, team.caveat) : null,
    link(team.link),
    quotas(team),
    el("details", { class: "raw" }, el("summary", {}, "Raw response"), el("pre", {}, team.raw)),
  );
}

// Only ever to one of Netlify's own pages, in a new tab that cannot reach back to this one.
function link(to) {
  if (!to?.href.startsWith("https://app.netlify.com/")) return null;
  const attributes = { href: to.href, target: "_blank", rel: "noopener noreferrer" };
  return el("p", { class: "note" }, el("a", attributes, to.text));
}

function exampleNote() {
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
    ...rows.flatMap(({ label, value, tone }) => [
      el("dt", {}, label),
      el("dd", tone ? { class: tone } : {}, value),
    ]),
  );
}

function quotas(team) {
  if (!team.quotas.length) return null;
  return el("section", { class: "quotas" }, el("h3", {}, "Other quotas"), definitions(team.quotas));
}
