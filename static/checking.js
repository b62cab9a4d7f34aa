// A check and its result: Python (through python.js) decides what a check shows, and render.js
// draws it, with text nodes only. main.js loads this module once a reader may check: at once on
// the full page, at the first sign of intent in a blog's widget, whose readers mostly never do.

import {
  afterLoading,
  clearAlert,
  countDown,
  hideLoading,
  pointAt,
  sayLoading,
  setBusy,
  setStatus,
  showAlert,
  showLoadFailure,
  showLoading,
} from "./feedback.js";
import { form, refreshButton, teamInput, tokenInput, units } from "./form.js";
import { Python } from "./python.js";
import { keepReadings, keptReadings } from "./remember.js";
import { loadChart, renderView } from "./render.js";
import { forgetHeld } from "./token.js";

const results = document.querySelector("#results");

const python = new Python();
// The view on show. python.js drops the answers of a check that a newer one (or Forget token)
// superseded, so whatever arrives here is the reader's latest.
let shown = null;
// Whether a check waits for its result: the button does nothing meanwhile.
let waiting = false;
// Settles once chart.js is here (or could not be had); asked for as Python starts. A result
// that comes first is drawn again with its chart when it arrives.
let charting = null;

python.addEventListener("progress", ({ detail }) => showLoading(detail.loaded / detail.total));
python.addEventListener("ready", ({ detail }) => {
  hideLoading();
  performance.mark("python-ready", { detail: { runtime: detail.runtime, restored: detail.restored } });
  if (waiting) setStatus("Asking Netlify…");
  else afterLoading("Ready.");
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

export const busy = () => waiting;

// Python starts loading, unless it already is; `quietly` leaves the status line to a sentence
// the reader still needs.
export function startPython({ quietly = false } = {}) {
  if (python.state !== "idle") return;
  showLoading();
  python.start();
  loadCharts();
  if (!quietly) sayLoading("Loading Python…");
}

function loadCharts() {
  charting ??= loadChart().then(() => {
    if (shown?.ok) draw(shown, true);
  });
}

// A check, or the example ({ example: true }): now, or as soon as Python is ready.
export async function ask(formData) {
  loadCharts();
  clearAlert();
  setBusy(true);
  waiting = true;
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
  const onPartial = (view) => draw(view, performance.now() < waitEnds);
  const onWaiting = ({ seconds, text }) => {
    waitEnds = performance.now() + seconds * 1000;
    countDown(text, seconds);
  };
  let view;
  try {
    const kept = formData.example ? {} : { history: keptReadings(form) };
    view = await python.check({ ...formData, ...kept }, { onPartial, onWaiting });
  } catch (error) {
    // Said already, by the "restarting" or "loadfailed" event. A superseded check leaves the
    // page to what superseded it: a newer check, or Forget token.
    if (error.kind !== "superseded") waiting = false;
    return;
  }
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

function draw(view, keepStatus = false) {
  shown = view;
  const { status } = view.units[units()];
  results.replaceChildren(...renderView(view, units()));
  if (!keepStatus) setStatus(status);
}

// The reader picked the other units: the view on show has them already.
export function redraw() {
  if (shown?.ok) draw(shown);
}

// Whatever is under way is dropped, and a fresh worker holds nothing of the token.
export function forget() {
  shown = null;
  waiting = false;
  results.replaceChildren();
  showLoading();
  python.forget();
  sayLoading("Token forgotten. Loading a fresh Python…");
}
