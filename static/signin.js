// Sign in with Netlify: OAuth 2's implicit grant, as Netlify's own OAuth example uses it. Netlify
// sends the reader back to token.html (an application registers one redirect address) with the
// token in the address's fragment, which never reaches any server.

const AUTHORIZE = "https://app.netlify.com/authorize";
// The attempt under way, in this tab's session storage: it must outlive the trip to Netlify.
const PENDING = "netlify-bandwidth-checker:sign-in";

// The client ID of the deployer's OAuth application, or null: then there is no sign-in.
export const clientId =
  document.querySelector('meta[name="netlify-oauth-client-id"]')?.content || null;

// Taken as this module is first evaluated, before the page's other code runs: the fragment
// leaves the address bar and this history entry at once, so no reload, bookmark or later
// script finds it. null when the address holds no answer from Netlify; else { token } or
// { error }, with the team and units the reader had when the attempt began.
export const arrival = takeArrival();

// An answer can also arrive by a change of fragment alone, on a page already loaded: it leaves
// the address just as soon, and is judged the same way (`use` is told what it held).
export function onLaterArrival(use) {
  addEventListener("hashchange", () => {
    const later = takeArrival();
    if (later) use(later);
  });
}

function takeArrival() {
  const answer = new URLSearchParams(location.hash.slice(1));
  if (!answer.has("access_token") && !answer.has("error")) return null;
  history.replaceState(history.state, "", location.pathname + location.search);
  const pending = takePending();
  const state = answer.get("state");
  // Only the attempt this tab started may hand it a token: a link that arrives with a token of
  // someone else's (an attacker's account, say) is refused, and its token is never sent anywhere.
  if (!pending || !state || state !== pending.state) {
    return {
      error:
        "This sign-in answer is not from a sign-in started here, so it was ignored and its " +
        "token was not used. Sign in again, or paste a personal access token.",
    };
  }
  const kept = { team: pending.team, units: pending.units };
  const error = answer.get("error");
  if (error !== null) {
    const declined =
      error === "access_denied"
        ? "You declined to let the checker read your Netlify account, so nothing was checked."
        : `Netlify did not sign you in (${/^[a-z_]{1,40}$/.test(error) ? error : "an unknown error"}).`;
    return { ...kept, error: `${declined} Sign in again, or paste a personal access token.` };
  }
  const type = answer.get("token_type");
  const token = answer.get("access_token");
  if (!token || (type !== null && type.toLowerCase() !== "bearer")) {
    return { ...kept, error: "Netlify's answer held no usable token. Sign in again." };
  }
  return { ...kept, token };
}

function takePending() {
  try {
    const pending = JSON.parse(sessionStorage.getItem(PENDING));
    sessionStorage.removeItem(PENDING);
    return typeof pending?.state === "string" ? pending : null;
  } catch {
    return null; // refused storage, or not ours to read
  }
}

// Sends this tab to Netlify's authorization page; `keep` (the team and units) comes back with
// the answer. Returns false, sending nothing, when the browser refuses session storage.
export function signIn(keep) {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const state = btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, (c) => ({ "+": "-", "/": "_", "=": "" })[c]);
  try {
    sessionStorage.setItem(PENDING, JSON.stringify({ ...keep, state }));
  } catch {
    return false;
  }
  const url = new URL(AUTHORIZE);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: "token",
    redirect_uri: new URL("token.html", location.href).href,
    state,
  });
  location.assign(url.href);
  return true;
}
