// The page: the form, and what each of the three pages does with it. What a check needs (Python,
// and the drawing of its result) is in checking.js, loaded once a reader may check; where a
// token comes from, other than the field, is in token.js.
//
// One script for three pages (publish/pages.py makes them from index.html), its `mode`:
// - "page", the full page; "widget", the frame a blog embeds, which has no token field and
//   takes its token from the checker's own window; "window", that window (token.html), which
//   hands the token to the widget that opened it, or checks here when no widget did.

import {
  askForToken,
  forgetHeld,
  handsOver,
  heldToken,
  offerSignIn,
  passTokenToWidget,
  setUp,
  showChecksHere,
  startSignIn,
  useArrivals,
} from "./token.js";
import { reportHeight, showEmbedSnippets } from "./embedding.js";
import {
  clearAlert,
  hideLoading,
  sayLoading,
  setBusy,
  setStatus,
  showAlert,
  showLoadFailure,
  showLoading,
} from "./feedback.js";
import { form, refreshButton, teamInput, tokenInput } from "./form.js";
import { recall, remember } from "./remember.js";

const $ = (selector) => document.querySelector(selector);
const submitButton = $("#submit");
const rememberBox = $("#remember");
const signInButton = $("#sign-in");

const mode = document.body.dataset.mode;
const embedded = mode === "widget";
// Behind frame-ancestors, which a host that drops headers (or an address the rules miss) would
// lose: the full page and the token window, framed by any page at all, ask for no token there,
// where the page around them could move the focus and catch what is typed.
const framed = !embedded && window.top !== window;

// checking.js, once loaded; a failed load is said as Python's would be, and tried again next time.
let checking = null;
let loadingChecks = null;
function checks() {
  loadingChecks ??= import("./checking.js").then(
    (module) => (checking = module),
    (error) => {
      loadingChecks = null;
      showLoadFailure(`checking.js: ${error?.message ?? error}`);
      throw error;
    },
  );
  return loadingChecks;
}

const busy = () => checking?.busy() ?? false;
const ask = (formData) => checks().then((module) => module.ask(formData), () => {});
// A token from signing in or from the token window is checked the same way.
setUp(ask);

// Python starts loading, unless it already is; `quietly` leaves the status line to a sentence
// the reader still needs. Until checking.js is here, the loading line is said now, or it would
// cover whatever the reader was told meanwhile.
function startPython({ quietly = false } = {}) {
  if (checking) {
    checking.startPython({ quietly });
    return;
  }
  if (!quietly && !loadingChecks) {
    showLoading();
    sayLoading("Loading Python…");
  }
  checks().then((module) => module.startPython({ quietly: true }), () => {});
}

function submit(event) {
  event.preventDefault();
  if (busy()) return;
  remember(form);
  const typed = tokenInput?.value.trim() ? tokenInput.value : null;
  if (handsOver()) {
    if (typed) passTokenToWidget(typed);
    else showAlert("Paste a personal access token first, or sign in with Netlify.");
    return;
  }
  if (embedded && !heldToken()) {
    askForToken();
    // Python loads while the reader is in the token window (a button a click does not focus,
    // as in Safari, has not started it yet).
    startPython({ quietly: true });
    return;
  }
  performance.mark("check-submitted");
  ask({ token: typed ?? heldToken() ?? "", team: teamInput.value });
}

function forget() {
  rememberBox.checked = false;
  remember(form);
  forgetHeld();
  if (tokenInput) tokenInput.value = "";
  refreshButton.hidden = true;
  clearAlert();
  setBusy(false);
  // The worker may hold the token in Python's memory; a fresh worker holds nothing.
  checks().then((module) => module.forget(), () => {});
  (tokenInput ?? submitButton).focus();
}

$("#toggle-token")?.addEventListener("click", (event) => {
  const visible = tokenInput.type === "password";
  tokenInput.type = visible ? "text" : "password";
  event.currentTarget.setAttribute("aria-pressed", String(visible));
});
form.addEventListener("submit", submit);
form.addEventListener("change", (event) => {
  if (event.target.name === "units") checking?.redraw();
  if (event.target === rememberBox || rememberBox.checked) remember(form);
});
$("#forget").addEventListener("click", forget);
$("#example").addEventListener("click", () => busy() || ask({ example: true }));
refreshButton.addEventListener("click", () => form.requestSubmit());
signInButton?.addEventListener("click", startSignIn);
teamInput.value = new URLSearchParams(location.search).get("team") ?? "";
recall(form);
// The form ships hidden, so that a frame that runs no script shows no token field either.
form.hidden = framed;
if (signInButton) offerSignIn(signInButton);

if (framed) {
  form.remove();
  $("#framed").hidden = false;
} else if (handsOver()) {
  // Only the token is asked for here: the widget that opened this window has the rest.
  showChecksHere(false);
  hideLoading();
  setStatus("Your token goes to the checker that opened this window, which then closes.");
  tokenInput.focus();
} else if (embedded) {
  // A blog's readers download Python only once one of them starts using the checker.
  // Check bandwidth opens a window here: the note that says so is read out with the button.
  submitButton.setAttribute("aria-describedby", "window-note");
  form.addEventListener("focusin", () => startPython());
  form.addEventListener("input", () => startPython());
  hideLoading();
  setStatus("Python loads as soon as you start.");
  reportHeight();
} else {
  if (mode === "page") showEmbedSnippets();
  startPython();
}
// A sign-in answer, now or by a later change of fragment; the widget never signs in itself.
if (!embedded && !framed) useArrivals();
