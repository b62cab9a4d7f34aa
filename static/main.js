// The page: hands the form to Python in a worker and renders what Python returns.
// Everything from the API is rendered as text nodes, never as HTML.

// The worker's own bound on a request is not trusted alone: pyodide-http's urllib ignores
// timeouts, so the page stops a worker that is silent for longer than this.
const REQUEST_LIMIT_MS = 20_000;
// Loading fails when this long passes with no byte arriving and Python not ready: a slow
// connection keeps making progress, a broken one does not.
const LOAD_STALL_MS = 12_000;

const $ = (selector) => document.querySelector(selector);
const form = $("#check-form");
const tokenInput = $("#token");
const teamInput = $("#team");
const submitButton = $("#submit");
const statusLine = $("#status");
const alertBox = $("#alert");
const results = $("#results");
const loading = $("#loading");
const refreshButton = $("#refresh");
const failure = $("#failure");
const rememberBox = $("#remember");

let worker = null;
let ready = false;
let queued = null; // a check asked for before Python was ready
let current = null; // { id, timer } of the check in flight
let lastView = null;
let checkCount = 0;
let loadWatch = null;
let workerStarts = 0;
const embedded = document.body.dataset.mode === "widget";
// Whether the next worker may start Python from the runtime sw.js keeps (see loadFailed()).
let useKeptRuntime = Boolean(navigator.serviceWorker?.controller);

function startWorker() {
  ready = false;
  workerStarts += 1;
  worker = new Worker(new URL("worker.js", import.meta.url), {
    type: "module",
    // Tells the worker that sw.js answers for the runtime (worker.js names it too).
    name: useKeptRuntime ? "runtime-kept" : "",
  });
  worker.onmessage = ({ data }) => onWorkerMessage(data);
  worker.onerror = (event) => {
    event.preventDefault();
    if (!ready) {
      // A worker script that fails to load or parse says where; some engines say only "error".
      const where = event.filename ? ` (${event.filename}:${event.lineno})` : "";
      loadFailed(`worker.js: ${event.message || "the worker could not start"}${where}`);
    } else {
      restart("The checker stopped unexpectedly. It has been restarted; please try again.");
    }
  };
  loading.value = 0;
  loading.hidden = false;
  watchLoading();
}

function watchLoading() {
  clearTimeout(loadWatch);
  const stalled = () =>
    loadFailed(`no byte arrived for ${LOAD_STALL_MS / 1000} s (${Math.round(loading.value * 100)} % loaded)`);
  loadWatch = setTimeout(stalled, LOAD_STALL_MS);
}

// `reason` is for whoever reports the problem: which file, and the error's name and message.
function loadFailed(reason) {
  clearTimeout(loadWatch);
  worker.terminate();
  worker = null;
  if (useKeptRuntime) {
    // A kept runtime that does not start (damaged on disk, say) must not fail every visit: it
    // is thrown away, and Python loads the first visit's way, with any check still queued.
    useKeptRuntime = false;
    globalThis.caches
      ?.keys()
      .then((names) => Promise.all(names.map((name) => caches.delete(name))))
      .catch(() => {});
    startWorker();
    setStatus("Loading Python again…");
    return;
  }
  loading.hidden = true;
  queued = null;
  setBusy(false);
  showAlert(
    "Python could not be loaded: a download stalled or a file of the page is missing. " +
      "Check your connection and reload the page to try again.",
  );
  console.error(`Python could not be loaded: ${reason}`);
  failure.querySelector("code").textContent = reason;
  failure.hidden = false;
  setStatus("Python failed to load.");
}

function restart(message) {
  worker?.terminate();
  if (current) clearTimeout(current.timer);
  current = null;
  setBusy(false);
  showAlert(message);
  setStatus("Restarting Python…");
  startWorker();
}

function onWorkerMessage(message) {
  switch (message.type) {
    case "progress":
      loading.value = message.loaded / message.total;
      watchLoading();
      break;
    case "ready":
      ready = true;
      clearTimeout(loadWatch);
      loading.hidden = true;
      performance.mark("python-ready", { detail: { runtime: message.runtime } });
      setStatus("Ready.");
      keepRuntime();
      if (queued) {
        const form = queued;
        queued = null;
        run(form);
      }
      break;
    case "failed":
      loadFailed(message.reason);
      break;
    case "rehearse":
      rehearse(message.view);
      break;
    case "kept":
      compileKept(message.url);
      break;
    case "request":
      if (current?.id === message.id) arm(REQUEST_LIMIT_MS + 2_000);
      break;
    case "details":
      // Only for the latest check, and only while nothing newer is under way or shown.
      if (current || message.id !== checkCount || !lastView?.ok) return;
      lastView = message.view;
      render(message.view);
      setStatus(summarize(message.view.teams));
      performance.mark("details-shown");
      break;
    case "result":
      if (current?.id !== message.id) return;
      clearTimeout(current.timer);
      current = null;
      setBusy(false);
      show(message.view);
      break;
  }
}

// Registered only once Python is ready, so that it never competes with the start; from the
// next visit on, sw.js serves the runtime that the worker has put in Cache Storage.
function keepRuntime() {
  navigator.serviceWorker?.register(new URL("../sw.js", import.meta.url)).catch(() => {});
}

// The runtime Python runs on has by now been recompiled into fast machine code. Compiling it
// once more from sw.js's response, which costs no download, has the browser store that code
// with the kept copy, so that the very next visit starts from it. (Compiled in the worker
// instead, the code is not stored until a later visit: measured, not guessed.)
async function compileKept(url) {
  const container = navigator.serviceWorker;
  try {
    await container.ready;
    if (!container.controller) {
      await new Promise((resolve) =>
        container.addEventListener("controllerchange", resolve, { once: true }),
      );
    }
    await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // Only a later visit is slower for it.
  }
}

function arm(ms) {
  clearTimeout(current.timer);
  current.timer = setTimeout(() => {
    restart(
      `Netlify did not answer within ${REQUEST_LIMIT_MS / 1000} seconds. ` +
        "Check your connection, then try again.",
    );
  }, ms);
}

function run(formData) {
  current = { id: ++checkCount, timer: null };
  setBusy(true);
  setStatus(formData.example ? "Preparing the example…" : "Asking Netlify…");
  worker.postMessage({ type: "check", id: current.id, form: formData });
  arm(REQUEST_LIMIT_MS + 5_000);
}

function submit(event) {
  event.preventDefault();
  if (current) return;
  performance.mark("check-submitted");
  remember();
  ask({ token: tokenInput.value, team: teamInput.value });
}

// A check, or the example ({ example: true }): run now, or as soon as Python is ready.
function ask(formData) {
  clearAlert();
  if (ready) {
    run(formData);
  } else {
    queued = formData;
    setBusy(true);
    if (worker) {
      setStatus("Python is still loading; your check will run as soon as it is ready.");
    } else {
      // Not started yet (an embedded widget waits for intent), or loading failed before and
      // the cause may have passed.
      const again = workerStarts > 0;
      startWorker();
      setStatus(`Loading Python${again ? " again" : ""}; your check will run as soon as it is ready.`);
    }
  }
}

function show(view) {
  lastView = view;
  if (!view.ok) {
    results.replaceChildren();
    showAlert(view.error.message);
    setStatus("");
    const field = { token: tokenInput, team: teamInput }[view.error.field];
    field?.setAttribute("aria-invalid", "true");
    field?.focus();
    return;
  }
  render(view);
  // The example's figures are made up here: there is nothing at Netlify to refresh.
  refreshButton.hidden = Boolean(view.example);
  setStatus(`${view.example ? "Example: " : ""}${summarize(view.teams)}`);
  performance.mark("result-shown");
}

// One sentence for the status line, which screen readers announce.
function summarize(teams) {
  const units = form.elements.units.value;
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

function render(view, into = results) {
  const units = form.elements.units.value;
  into.replaceChildren(...view.teams.map((team) => renderTeam(team, units)));
  if (view.example && into === results) into.prepend(exampleNote());
}

// The worker's warm-up answer, rendered off the page: the first real result then finds the
// rendering code compiled and the date formats loaded, as Python finds its check path warm.
function rehearse(view) {
  if (!view?.ok) return;
  render(view, document.createElement("div"));
  summarize(view.teams);
}

// --- rendering ----------------------------------------------------------------------------------

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

function renderTeam(team, units) {
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
    ...rows.filter(Boolean).flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]),
  );
}

function quotas(team) {
  if (!team.quota_lines.length) return null;
  return el("section", { class: "quotas" }, el("h3", {}, "Other quotas"), definitions(team.quota_lines));
}

// --- state --------------------------------------------------------------------------------------

function setStatus(text) {
  statusLine.textContent = text;
}

function setBusy(busy) {
  submitButton.setAttribute("aria-disabled", String(busy));
  form.setAttribute("aria-busy", String(busy));
}

function showAlert(message) {
  alertBox.textContent = message;
}

function clearAlert() {
  alertBox.textContent = "";
  failure.hidden = true;
  tokenInput.removeAttribute("aria-invalid");
  teamInput.removeAttribute("aria-invalid");
}

// --- remembered on this device, if asked: the team and units, never the token ----------------

const REMEMBERED = "netlify-bandwidth-checker:remembered";

// Storage may be refused (a frame in another site's page, a private window): then nothing is
// remembered, and nothing fails.
function stored(use) {
  try {
    return use(localStorage);
  } catch {
    return null;
  }
}

function remember() {
  const choice = { team: teamInput.value.trim(), units: form.elements.units.value };
  stored((storage) =>
    rememberBox.checked
      ? storage.setItem(REMEMBERED, JSON.stringify(choice))
      : storage.removeItem(REMEMBERED),
  );
}

function recall() {
  // What is not ours to read (not JSON, say) is ignored like refused storage.
  const choice = stored((storage) => JSON.parse(storage.getItem(REMEMBERED)));
  if (!choice) return;
  rememberBox.checked = true;
  if (!teamInput.value && typeof choice.team === "string") teamInput.value = choice.team;
  const units = choice.units === "decimal" ? "decimal" : "binary";
  form.querySelector(`input[name=units][value=${units}]`).checked = true;
}

function forget() {
  rememberBox.checked = false;
  remember();
  tokenInput.value = "";
  refreshButton.hidden = true;
  queued = null;
  results.replaceChildren();
  lastView = null;
  clearAlert();
  // The worker may hold the token in Python's memory; a fresh worker holds nothing.
  worker?.terminate();
  if (current) clearTimeout(current.timer);
  current = null;
  setBusy(false);
  startWorker();
  setStatus("Token forgotten. Loading a fresh Python…");
  tokenInput.focus();
}

$("#toggle-token").addEventListener("click", (event) => {
  const show = tokenInput.type === "password";
  tokenInput.type = show ? "text" : "password";
  event.currentTarget.setAttribute("aria-pressed", String(show));
});
form.addEventListener("submit", submit);
form.addEventListener("change", (event) => {
  if (event.target.name === "units" && lastView?.ok) render(lastView);
  if (event.target === rememberBox || rememberBox.checked) remember();
});
$("#forget").addEventListener("click", forget);
$("#example").addEventListener("click", () => current || ask({ example: true }));
refreshButton.addEventListener("click", () => form.requestSubmit());
document.querySelectorAll("button[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const code = $(`#${button.dataset.copy}`);
    try {
      await navigator.clipboard.writeText(code.textContent);
      button.textContent = "Copied";
    } catch {
      // No clipboard access (an older engine, or a permission refused): select it for the reader.
      getSelection().selectAllChildren(code);
      button.textContent = "Selected: press Ctrl+C or ⌘C";
    }
  });
});
teamInput.value = new URLSearchParams(location.search).get("team") ?? "";
recall();

if (embedded) {
  // A blog's readers download Python only once one of them starts using the checker.
  const intent = () => {
    if (!worker && !queued) {
      startWorker();
      setStatus("Loading Python…");
    }
  };
  form.addEventListener("focusin", intent);
  form.addEventListener("input", intent);
  loading.hidden = true;
  setStatus("Python loads as soon as you start.");
  reportHeight();
} else {
  showEmbedSnippets();
  startWorker();
}

// The frame's height goes to the page that embeds it, and only to that page's origin.
function reportHeight() {
  // Firefox masks the ancestor as "null" in a frame whose embed asks for no referrer, and
  // older engines have no ancestorOrigins: then the origin embed.js put in the address serves.
  const ancestor = location.ancestorOrigins?.[0];
  const host =
    ancestor && ancestor !== "null" ? ancestor : new URLSearchParams(location.search).get("host");
  if (!host || window.parent === window) return;
  let origin;
  try {
    origin = new URL(host).origin;
  } catch {
    return;
  }
  const page = $("main");
  // In coarse steps: the host needs room for the frame, not a measure of what the reader sees.
  const STEP = 40;
  new ResizeObserver(() => {
    const height = Math.ceil(page.offsetHeight / STEP) * STEP;
    window.parent.postMessage({ type: "netlify-bandwidth-checker:height", height }, origin);
  }).observe(page);
}

function showEmbedSnippets() {
  const site = new URL(".", location.href).href;
  $("#embed-script").textContent = `<script src="${site}embed.js" async></script>`;
  $("#embed-frame").textContent =
    `<iframe src="${site}widget.html" title="Netlify bandwidth checker" ` +
    `width="100%" height="620" style="border:0" loading="lazy"></iframe>`;
}
