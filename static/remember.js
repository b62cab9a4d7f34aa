// Remembered on this device, if asked: the team and units, never the token.

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

// `form` is the checker's form: its team field, its units and its "Remember" box.
export function remember(form) {
  const rememberBox = form.querySelector("#remember");
  const choice = { team: form.elements.team.value.trim(), units: form.elements.units.value };
  stored((storage) =>
    rememberBox.checked
      ? storage.setItem(REMEMBERED, JSON.stringify(choice))
      : storage.removeItem(REMEMBERED),
  );
}

export function recall(form) {
  const teamInput = form.elements.team;
  // What is not ours to read (not JSON, say) is ignored like refused storage.
  const choice = stored((storage) => JSON.parse(storage.getItem(REMEMBERED)));
  if (!choice) return;
  form.querySelector("#remember").checked = true;
  if (!teamInput.value && typeof choice.team === "string") teamInput.value = choice.team;
  const units = choice.units === "decimal" ? "decimal" : "binary";
  form.querySelector(`input[name=units][value=${units}]`).checked = true;
}
