// The page: the form, and what each of the three pages does with it. Python (through python.js)
// decides what a check shows, and render.js draws it, with text nodes only.
//
// One script for three pages (publish/pages.py makes them from index.html), its `mode`:
// - "page", the full page; "widget", the frame a blog embeds, which has no token field and
//   takes its token from the checker's own window; "window", that window (token.html), which
//   hands the token to the widget that opened it, or checks here when no widget did.

// First, so that a sign-in answer leaves the address bar before anything else runs.
import { arrival, clientId, onLaterArrival, signIn } from "./signin.js";
import { handTokenToWidget, openingWidget, openTokenWindow } from "./handoff.js";
import { reportHeight, showEmbedSnippets } from "./embedding.js";
import {
  clearAlert,
  countDown,
  hideLoading,
  pointAt,
  setBusy,
  setStatus,
  showAlert,
  showLoadFailure,
  showLoading,
} from "./feedback.js";
import { Python } from "./python.js";
import { keepableTeam, keepReadings, keptReadings, recall, remember } from "./remember.js";
import { loadChart, renderView } from "./render.js";

const $ = (selector) => document.querySelector(selector);
const form = $("#check-form");
const tokenInput = $("#token");
const teamInput = $("#team");
const submitButton = $("#submit");
const results = $("#results");
const refreshButton = $("#refresh");
const rememberBox = $("#remember");
const signInButton = $("#sign-in");
const signedIn = $("#signed-in");

const mode = document.body.dataset.mode;
const embedded = mode === "widget";
// Behind frame-ancestors, which a host that drops headers (or an address the rules miss) would
// lose: the full page and the token window, framed by any page at all, ask for no token there,
// where the page around them could move the focus and catch what is typed.
const framed = !embedded && window.top !== window;
// In the token window: the widget frame to hand the token to, or null to check here instead.
let handingTo = mode === "window" ? openingWidget() : null;

const python = new Python();
// The view on show, and how many checks were asked for (an answer to an earlier one is not shown).
let shown = null;
let checks = 0;
// A token from signing in, or from the token window: in memory only, until "Forget token".
let held = null;
// Whether a check waits for its result: the button does nothing meanwhile.
let waiting = false;
// The loading line on show, if any: "ready" replaces that line only, never a line the reader
// still needs (the token window that closed, say, which Python may finish loading after).
let loadingLine = null;

python.addEventListener("progress", ({ detail }) => showLoading(detail.loaded / detail.total));
python.addEventListener("ready", ({ detail }) => {
  hideLoading();
  performance.mark("python-ready", { detail: { runtime: detail.runtime } });
  if (waiting) setStatus("Asking Netlify…");
  else if ($("#status").textContent === loadingLine) setStatus("Ready.");
});
python.addEventListener("reloading", () => sayLoading("Loading Python again…"));
python.addEventListener("restarting", ({ detail }) => {
  setBusy(false);
  showAlert(detail.message);
  sayLoading("Restarting Python…");
  showLoading();
});
python.addEventListener("loadfailed", ({ detail }) => showLoadFailure(detail.reason));
// The worker's warm-up view, drawn off the page: the first real result then finds the drawing
// code compiled, as Python finds its check path warm.
python.addEventListener("warmedup", ({ detail }) => {
  if (detail.view.ok) renderView(detail.view, units());
});

// Settles once chart.js is here (or could not be had); asked for as Python starts.
let charting = null;

function startPython() {
  showLoading();
  python.start();
  charting ??= loadChart();
  sayLoading("Loading Python…");
}

function sayLoading(line) {
  loadingLine = line;
  setStatus(line);
}

// A check, or the example ({ example: true }): now, or as soon as Python is ready.
async function ask(formData) {
  charting ??= loadChart();
  clearAlert();
  setBusy(true);
  waiting = true;
  const id = ++checks;
  if (python.state === "ready") {
    setStatus(formData.example ? "Preparing the example…" : "Asking Netlify…");
  } else {
    const again = python.state === "failed";
    if (python.state !== "loading") showLoading();
    setStatus(
      python.state === "loading"
        ? "Python is still loading; your check will run as soon as it is ready."
        : `Loading Python${again ? " again" : ""}; your check will run as soon as it is ready.`,
    );
  }
  // A check of several teams draws each card as its answer arrives.
  // A rate-limit wait is counted down on the status line, which cards drawn meanwhile leave.
  let waitEnds = 0;
  const partial = (view) => id === checks && draw(view, performance.now() < waitEnds);
  const wait = ({ seconds, text }) => {
    if (id !== checks) return;
    waitEnds = performance.now() + seconds * 1000;
    countDown(text, seconds);
  };
  let view;
  try {
    const kept = formData.example ? {} : { history: keptReadings(form) };
    view = await python.check({ ...formData, ...kept }, { onPartial: partial, onWaiting: wait });
  } catch {
    // Said already, by the "restarting" or "loadfailed" event; or the token was forgotten.
    if (id === checks) waiting = false;
    return;
  }
  await charting;
  if (id !== checks) return;
  waiting = false;
  setBusy(false);
  show(view);
}

function show(view) {
  shown = view;
  if (!view.ok) {
    results.replaceChildren();
    showAlert(view.error.message);
    setStatus("");
    // A refused token from sign-in or the token window is not kept for the next check.
    if (view.error.field === "token" && !tokenInput?.value.trim()) forgetHeld();
    pointAt({ token: tokenInput, team: teamInput }[view.error.field]);
    return;
  }
  draw(view);
  if (!view.example) keepReadings(form, view.history);
  // The example's figures are made up here: there is nothing at Netlify to refresh.
  refreshButton.hidden = view.example;
  performance.mark("result-shown");
}

const units = () => form.elements.units.value;

function draw(view, keepStatus = false) {
  shown = view;
  const { status } = view.units[units()];
  results.replaceChildren(...renderView(view, units()));
  if (!keepStatus) setStatus(status);
}

function submit(event) {
  event.preventDefault();
  if (waiting) return;
  remember(form);
  const typed = tokenInput?.value.trim() ? tokenInput.value : null;
  if (handingTo) {
    if (typed) passTokenToWidget(typed);
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

// The widget's side: its token comes from the checker's own window, never a field in the frame.
function askForToken() {
  clearAlert();
  const opened = openTokenWindow({
    onToken: checkWithHeldToken,
    onClosed: () => {
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
  setStatus("Sign in or paste your token in the checker's window that opened.");
}

// The token window's side: hand the token over; when the widget does not take it, check here.
async function passTokenToWidget(token) {
  setStatus("Handing your token to the checker that opened this window…");
  if (await handTokenToWidget(handingTo, token)) return;
  handingTo = null;
  showChecksHere(true);
  tokenInput.value = "";
  checkWithHeldToken(token);
  setStatus("The checker that opened this window did not answer, so the check runs here.");
}

function startSignIn() {
  clearAlert();
  const keep = { team: keepableTeam(teamInput.value), units: units() };
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
    passTokenToWidget(answer.token);
    return;
  }
  if (signedIn) signedIn.hidden = false;
  checkWithHeldToken(answer.token);
}

// A token from sign-in or the token window, kept in memory for Refresh, and checked now.
function checkWithHeldToken(token) {
  held = token;
  performance.mark("check-submitted");
  ask({ token, team: teamInput.value });
}

// The parts of the form that only a page which checks here shows: the token window a widget
// opened asks for the token alone.
function showChecksHere(visible) {
  for (const part of form.querySelectorAll("[data-checks-here]")) part.hidden = !visible;
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
  results.replaceChildren();
  shown = null;
  checks += 1; // whatever is under way is no longer shown
  waiting = false;
  clearAlert();
  setBusy(false);
  showLoading();
  // The worker may hold the token in Python's memory; a fresh worker holds nothing.
  python.forget();
  sayLoading("Token forgotten. Loading a fresh Python…");
  (tokenInput ?? submitButton).focus();
}

$("#toggle-token")?.addEventListener("click", (event) => {
  const visible = tokenInput.type === "password";
  tokenInput.type = visible ? "text" : "password";
  event.currentTarget.setAttribute("aria-pressed", String(visible));
});
form.addEventListener("submit", submit);
form.addEventListener("change", (event) => {
  if (event.target.name === "units" && shown?.ok) draw(shown);
  if (event.target === rememberBox || rememberBox.checked) remember(form);
});
$("#forget").addEventListener("click", forget);
$("#example").addEventListener("click", () => waiting || ask({ example: true }));
refreshButton.addEventListener("click", () => form.requestSubmit());
signInButton?.addEventListener("click", startSignIn);
teamInput.value = new URLSearchParams(location.search).get("team") ?? "";
recall(form);
// The form ships hidden, so that a frame that runs no script shows no token field either.
form.hidden = framed;
if (clientId && signInButton) signInButton.closest(".sign-in").hidden = false;

if (framed) {
  form.remove();
  $("#framed").hidden = false;
} else if (handingTo) {
  // Only the token is asked for here: the widget that opened this window has the rest.
  showChecksHere(false);
  hideLoading();
  setStatus("Your token goes to the checker that opened this window, which then closes.");
  tokenInput.focus();
} else if (embedded) {
  // A blog's readers download Python only once one of them starts using the checker.
  const intent = () => python.state === "idle" && startPython();
  // Check bandwidth opens a window here: the note that says so is read out with the button.
  submitButton.setAttribute("aria-describedby", "window-note");
  form.addEventListener("focusin", intent);
  form.addEventListener("input", intent);
  hideLoading();
  setStatus("Python loads as soon as you start.");
  reportHeight();
} else {
  if (mode === "page") showEmbedSnippets();
  startPython();
}
// A sign-in answer, now or by a later change of fragment; the widget never signs in itself.
if (!embedded && !framed) {
  useArrival(arrival);
  onLaterArrival(useArrival);
}
