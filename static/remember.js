// Remembered on this device, if asked: the team, the units and the readings of past checks for
// the chart, never the token.

const REMEMBERED = "netlify-bandwidth-checker:remembered";
// The readings, as Python writes them (checker/figures/history.py): each team's slug, when Netlify made
// the figure, the bytes used and the period. Python decides what is kept and for how long.
const READINGS = "netlify-bandwidth-checker:readings";

// What the team field holds is kept only when it is certainly a slug and certainly no token:
// letters, digits and hyphens, fewer than 40. Netlify's tokens have an underscore (nfp_…) or
// are 40 characters or more, so a token pasted into the wrong field is never written down;
// Python's own slug check accepts everything this does (tests/test_remember.py holds that).
const SURELY_A_SLUG = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;

// The team as it may be kept in storage: itself, or nothing.
export function keepableTeam(text) {
  const team = text.trim();
  return SURELY_A_SLUG.test(team) ? team : "";
}

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
  const choice = { team: keepableTeam(form.elements.team.value), units: form.elements.units.value };
  stored((storage) => {
    if (rememberBox.checked) {
      storage.setItem(REMEMBERED, JSON.stringify(choice));
    } else {
      storage.removeItem(REMEMBERED);
      storage.removeItem(READINGS);
    }
  });
}

// The readings kept, for Python to draw; none unless the reader asked for them to be kept.
export function keptReadings(form) {
  if (!form.querySelector("#remember").checked) return [];
  const lines = stored((storage) => JSON.parse(storage.getItem(READINGS)));
  return Array.isArray(lines) ? lines.filter((line) => typeof line === "string") : [];
}

export function keepReadings(form, lines) {
  if (form.querySelector("#remember").checked) {
    stored((storage) => storage.setItem(READINGS, JSON.stringify(lines)));
  }
}

export function recall(form) {
  const teamInput = form.elements.team;
  // What is not ours to read (not JSON, say) is ignored like refused storage.
  const choice = stored((storage) => JSON.parse(storage.getItem(REMEMBERED)));
  if (!choice) return;
  form.querySelector("#remember").checked = true;
  const team = typeof choice.team === "string" ? keepableTeam(choice.team) : "";
  if (!teamInput.value) teamInput.value = team;
  const units = choice.units === "decimal" ? "decimal" : "binary";
  form.querySelector(`input[name=units][value=${units}]`).checked = true;
  // An earlier version kept whatever was typed, a pasted token included: written again without.
  if (team !== choice.team) remember(form);
}
