// What the page says about where things stand: the status line (which screen readers announce),
// the alert, the busy state, the loading bar and a failure's technical details.

const $ = (selector) => document.querySelector(selector);
const statusLine = $("#status");
const alertBox = $("#alert");
const loading = $("#loading");
const failure = $("#failure");
const form = $("#check-form");

export function setStatus(text) {
  statusLine.textContent = text;
}

export function setBusy(busy) {
  $("#submit").setAttribute("aria-disabled", String(busy));
  form.setAttribute("aria-busy", String(busy));
}

export function showAlert(message) {
  alertBox.textContent = message;
}

export function clearAlert() {
  alertBox.textContent = "";
  failure.hidden = true;
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
}

// The field the reader should look at again, marked and focused.
export function pointAt(field) {
  field?.setAttribute("aria-invalid", "true");
  field?.focus();
}

export function showLoading(fraction = 0) {
  loading.value = fraction;
  loading.hidden = false;
}

export function hideLoading() {
  loading.hidden = true;
}

// `reason` is for whoever reports the problem: which file, and the error's name and message.
export function showLoadFailure(reason) {
  hideLoading();
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
