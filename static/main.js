// The page: hands the form to Python in a worker and renders what Python returns.
// Everything from the API is rendered as text nodes, never as HTML.
//
// One script for three pages (publish/pages.py makes them from index.html):
// - "page", the full page; "widget", the frame a blog embeds, which has no token field and
//   takes its token from the checker's own window; "window", that window (token.html), which
//   hands the token to the widget that opened it, or checks here when no widget did.

// First, so that a sign-in answer leaves the address bar before anything else runs.
import { arrival, clientId, onLaterArrival, signIn } from "./signin.js";
import { checkerOpener, handOff, openTokenWindow } from "./handoff.js";
import { reportHeight, showEmbedSnippets } from "./embedding.js";
import { keepableTeam, recall, remember } from "./remember.js";
import { exampleNote, renderTeam, summarize } from "./render.js";

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
const signInButton = $("#sign-in");
const signedIn = $("#signed-in");

let worker = null;
let ready = false;
let queued = null; // a check asked for before Python was ready
let current = null; // { id, timer } of the check in flight
let lastView = null;
let checkCount = 0;
let loadWatch = null;
let workerStarts = 0;
const mode = document.body.dataset.mode;
const embedded = mode === "widget";
// Behind frame-ancestors, which a host that drops headers (or an address the rules miss) would
// lose: the full page and the token window, framed by any page at all, ask for no token there,
// where the page around them could move the focus and catch what is typed.
const framed = !embedded && window.top !== window;
// In the token window: the widget frame to hand the token to, or null to check here instead.
let handingTo = mode === "window" ? checkerOpener() : null;
// A token from signing in, or from the token window: in memory only, until "Forget token".
let held = null;
// Whether the widget's token window is open, so that the status line keeps asking for the token.
let awaitingToken = false;
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
      if (!awaitingToken) setStatus("Ready.");
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
      setStatus(summarize(message.view.teams, units()));
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
  remember(form);
  const typed = tokenInput?.value.trim() ? tokenInput.value : null;
  if (handingTo) {
    if (typed) handOver(typed);
    else showAlert("Paste a personal access token first, or sign in with Netlify.");
    return;
  }
  if (embedded && !held) {
    askForToken();
    return;
  }
  performance.mark("check-submitted");
  ask({ token: typed ?? held ?? "", team: teamInput.value });
}

// The widget's token comes from the checker's own window, never from a field in the frame.
function askForToken() {
  clearAlert();
  const opened = openTokenWindow({
    onToken: (token) => {
      awaitingToken = false;
      checkWithHeld(token);
    },
    onClosed: () => {
      awaitingToken = false;
      setStatus("The token window closed without a token. Press Check bandwidth to open it again.");
    },
  });
  if (!opened) {
    showAlert(
      "Your browser blocked the checker's token window. Allow pop-ups for this site and " +
        "press Check bandwidth again, or use “Open in a new tab” to check there.",
    );
    setStatus("");
    $("#new-tab").focus();
    return;
  }
  awaitingToken = true;
  setStatus("Sign in or paste your token in the checker's window that opened.");
}

// The token window's hand-over; when the widget does not take it, the check runs here instead.
async function handOver(token) {
  setStatus("Handing your token to the checker that opened this window…");
  if (await handOff(handingTo, token)) return;
  handingTo = null;
  showChecksHere(true);
  tokenInput.value = "";
  checkWithHeld(token);
  setStatus("The checker that opened this window did not answer, so the check runs here.");
}

function startSignIn() {
  clearAlert();
  const keep = { team: keepableTeam(teamInput.value), units: form.elements.units.value };
  if (!signIn(keep)) {
    showAlert(
      "Signing in needs this site's session storage, which the browser refuses here. " +
        "Paste a personal access token instead.",
    );
  }
}

// Signed in: the token is held in memory, and checks use it unless a token is pasted.
function useArrival(answer) {
  if (!answer) return;
  if (answer.team && !teamInput.value) teamInput.value = answer.team;
  if (answer.units === "decimal") form.querySelector("input[name=units][value=decimal]").checked = true;
  if (answer.error) {
    showAlert(answer.error);
    setStatus("");
    return;
  }
  if (handingTo) {
    handOver(answer.token);
    return;
  }
  if (signedIn) signedIn.hidden = false;
  checkWithHeld(answer.token);
}

// A token from sign-in or the token window, kept in memory for Refresh, and checked now.
function checkWithHeld(token) {
  held = token;
  performance.mark("check-submitted");
  ask({ token, team: teamInput.value });
}

// The parts of the form that only a page which checks here shows: the token window a widget
// opened asks for the token alone.
function showChecksHere(shown) {
  for (const part of form.querySelectorAll("[data-checks-here]")) part.hidden = !shown;
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
    // A refused token from sign-in or the token window is not kept for the next check.
    if (view.error.field === "token" && !tokenInput?.value.trim()) forgetHeld();
    field?.setAttribute("aria-invalid", "true");
    field?.focus();
    return;
  }
  render(view);
  // The example's figures are made up here: there is nothing at Netlify to refresh.
  refreshButton.hidden = Boolean(view.example);
  setStatus(`${view.example ? "Example: " : ""}${summarize(view.teams, units())}`);
  performance.mark("result-shown");
}


const units = () => form.elements.units.value;

function render(view, into = results) {
  into.replaceChildren(...view.teams.map((team) => renderTeam(team, units())));
  if (view.example && into === results) into.prepend(exampleNote());
}

// The worker's warm-up answer, rendered off the page: the first real result then finds the
// rendering code compiled and the date formats loaded, as Python finds its check path warm.
function rehearse(view) {
  if (!view?.ok) return;
  render(view, document.createElement("div"));
  summarize(view.teams, units());
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
  tokenInput?.removeAttribute("aria-invalid");
  teamInput.removeAttribute("aria-invalid");
}

function forgetHeld() {
  held = null;
  if (signedIn) signedIn.hidden = true;
}

function forget() {
  rememberBox.checked = false;
  remember(form);
  forgetHeld();
  if (tokenInput) tokenInput.value = "";
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
  (tokenInput ?? submitButton).focus();
}

$("#toggle-token")?.addEventListener("click", (event) => {
  const show = tokenInput.type === "password";
  tokenInput.type = show ? "text" : "password";
  event.currentTarget.setAttribute("aria-pressed", String(show));
});
form.addEventListener("submit", submit);
form.addEventListener("change", (event) => {
  if (event.target.name === "units" && lastView?.ok) render(lastView);
  if (event.target === rememberBox || rememberBox.checked) remember(form);
});
$("#forget").addEventListener("click", forget);
$("#example").addEventListener("click", () => current || ask({ example: true }));
refreshButton.addEventListener("click", () => form.requestSubmit());
signInButton?.addEventListener("click", startSignIn);
teamInput.value = new URLSearchParams(location.search).get("team") ?? "";
recall(form);
if (clientId && signInButton) signInButton.closest(".sign-in").hidden = false;

if (framed) {
  form.remove();
  $("#framed").hidden = false;
} else if (handingTo) {
  // Only the token is asked for here: the widget that opened this window has the rest.
  showChecksHere(false);
  loading.hidden = true;
  setStatus("Your token goes to the checker that opened this window, which then closes.");
  tokenInput.focus();
} else if (embedded) {
  // A blog's readers download Python only once one of them starts using the checker.
  const intent = () => {
    if (!worker && !queued) {
      startWorker();
      setStatus("Loading Python…");
    }
  };
  // Check bandwidth opens a window here: the note that says so is read out with the button.
  submitButton.setAttribute("aria-describedby", "window-note");
  form.addEventListener("focusin", intent);
  form.addEventListener("input", intent);
  loading.hidden = true;
  setStatus("Python loads as soon as you start.");
  reportHeight();
} else {
  if (mode === "page") showEmbedSnippets();
  startWorker();
}
// A sign-in answer, now or by a later change of fragment; the widget never signs in itself.
if (!embedded && !framed) {
  useArrival(arrival);
  onLaterArrival(useArrival);
}
