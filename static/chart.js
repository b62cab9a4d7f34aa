// Draws the chart of a team's billing period that Python worked out (checker/view/chart.py): lines,
// dots and labels at the coordinates given, as SVG built from text nodes. It decides nothing.
// Loaded with Python, not before: a blog's widget fetches no more than it must until a reader
// starts (see render.js).

const SVG = "http://www.w3.org/2000/svg";

// Its look comes with it, for the same reason: style.css is on every page before any intent.
document.head.append(
  Object.assign(document.createElement("link"), {
    rel: "stylesheet",
    href: new URL("chart.css", import.meta.url).href,
  }),
);

// Labels keep one size on screen however wide the chart is drawn: an SVG scales what it holds
// with its width, so their size in its own units follows the width it is given.
const LABEL_PX = 12;
const sizing = new ResizeObserver((entries) => {
  for (const { target } of entries) {
    const drawn = target.getBoundingClientRect().width;
    if (drawn > 0) target.style.fontSize = `${(LABEL_PX * target.viewBox.baseVal.width) / drawn}px`;
  }
});

function node(tag, attributes, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

export function drawChart(chart) {
  const lines = chart.lines.map(({ kind, points }) =>
    // Unfilled even before chart.css has arrived.
    node("polyline", { class: kind, fill: "none", points: points.map((p) => p.join(",")).join(" ") }),
  );
  const dots = chart.dots.map(({ kind, x, y }) => node("circle", { class: kind, cx: x, cy: y, r: 3 }));
  const labels = chart.labels.map(({ kind, x, y, text, anchor }) =>
    node("text", { class: kind, x, y, "text-anchor": anchor }, text),
  );
  // One picture, named by its figures: its parts are not read out one by one.
  const picture = node(
    "svg",
    {
      class: chart.over ? "chart over" : "chart",
      viewBox: `0 0 ${chart.width} ${chart.height}`,
      role: "img",
      "aria-label": chart.label,
    },
    node("g", { "aria-hidden": "true" }, ...lines, ...dots, ...labels),
  );
  sizing.observe(picture);
  return picture;
}
