// Where a check's token comes from when it is not typed into this page's field: signing in with
// Netlify (signin.js), or, for a blog's widget, the checker's own window (handoff.js). Such a
// token is held here, in memory only, for Refresh, until Forget token or Netlify refuses it.

import { clearAlert, setStatus, showAlert } from "./feedback.js";
import { form, teamInput, tokenInput, units } from "./form.js";
import { handTokenToWidget, openingWidget, openTokenWindow } from "./handoff.js";
import { keepableTeam } from "./remember.js";

const mode = document.body.dataset.mode;
// The pages that sign in run signin.js before any other script (index.html), so that a sign-in
// answer has left the address bar already; this finds that same module. The widget never signs
// in, and its readers never download signin.js.
const signin = mode === "widget" ? null : import("./signin.js");

const signedIn = document.querySelector("#signed-in");

let held = null;
// In the token window: the widget frame to hand the token to, or null to check here instead.
let handingTo = mode === "window" ? openingWidget() : null;
// How a held token is checked: main.js says, with setUp().
let check = null;

export const heldToken = () => held;
export const handsOver = () => handingTo !== null;

// `checkWith({ token, team })` runs a check.
export function setUp(checkWith) {
  check = checkWith;
}

export function forgetHeld() {
  held = null;
  if (signedIn) signedIn.hidden = true;
}

// A token from sign-in or the token window, kept in memory for Refresh, and checked now.
function checkWithHeldToken(token) {
  held = token;
  performance.mark("check-submitted");
  check({ token, team: teamInput.value });
}

// The widget's side: its token comes from the checker's own window, never a field in the frame.
export function askForToken() {
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
    document.querySelector("#new-tab").focus();
    return;
  }
  setStatus("Sign in or paste your token in the checker's window that opened.");
}

// The token window's side: hand the token over; when the widget does not take it, check here.
export async function passTokenToWidget(token) {
  setStatus("Handing your token to the checker that opened this window…");
  if (await handTokenToWidget(handingTo, token)) return;
  handingTo = null;
  showChecksHere(true);
  tokenInput.value = "";
  checkWithHeldToken(token);
  setStatus("The checker that opened this window did not answer, so the check runs here.");
}

// The parts of the form that only a page which checks here shows: the token window a widget
// opened asks for the token alone.
export function showChecksHere(visible) {
  for (const part of form.querySelectorAll("[data-checks-here]")) part.hidden = !visible;
}

// The sign-in button shows where the deployer gave the site an OAuth application.
export function offerSignIn(button) {
  signin?.then(({ clientId }) => {
    if (clientId) button.closest(".sign-in").hidden = false;
  });
}

export async function startSignIn() {
  clearAlert();
  const keep = { team: keepableTeam(teamInput.value), units: units() };
  const { signIn } = await signin;
  if (!signIn(keep)) {
    showAlert(
      "Signing in needs this site's session storage, which the browser refuses here. " +
        "Paste a personal access token instead.",
    );
  }
}

// A sign-in answer, now or by a later change of fragment.
export function useArrivals() {
  signin.then(({ arrival, onLaterArrival }) => {
    useArrival(arrival);
    onLaterArrival(useArrival);
  });
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
