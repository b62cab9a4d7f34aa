// What the page says about where things stand: the status line (which screen readers announce),
// the alert, the busy state, the loading bar and a failure's technical details.

// Looked up when used: the framed page removes the form, and nothing here should hold on to it.
const byId = (id) => document.getElementById(id);

let counting = null;
// The loading line on show, if any: Python's being ready replaces that line only, never a line
// the reader still needs (the token window that closed, say, which Python may finish loading
// after).
let loadingLine = null;

// Any new word on the status line ends a countdown on it.
export function setStatus(text) {
  clearInterval(counting);
  byId("status").textContent = text;
}

export function sayLoading(line) {
  loadingLine = line;
  setStatus(line);
}

// `line` in place of the loading line, if that is still what the status line says.
export function afterLoading(line) {
  if (byId("status").textContent === loadingLine) setStatus(line);
}

// `text` with "{seconds}" counted down to 0.
export function countDown(text, seconds) {
  const until = performance.now() + seconds * 1000;
  const say = () => {
    const left = Math.max(0, Math.ceil((until - performance.now()) / 1000));
    byId("status").textContent = text.replace("{seconds}", String(left));
    if (left === 0) clearInterval(counting);
  };
  setStatus("");
  say();
  counting = setInterval(say, 1000);
}

export function setBusy(busy) {
  byId("submit").setAttribute("aria-disabled", String(busy));
  byId("check-form").setAttribute("aria-busy", String(busy));
}

export function showAlert(message) {
  byId("alert").textContent = message;
}

export function clearAlert() {
  showAlert("");
  byId("failure").hidden = true;
  for (const field of document.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
}

// The field the reader should look at again, marked and focused.
export function pointAt(field) {
  field?.setAttribute("aria-invalid", "true");
  field?.focus();
}

export function showLoading(fraction = 0) {
  byId("loading").value = fraction;
  byId("loading").hidden = false;
}

export function hideLoading() {
  byId("loading").hidden = true;
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
  byId("failure").querySelector("code").textContent = reason;
  byId("failure").hidden = false;
  setStatus("Python failed to load.");
}
