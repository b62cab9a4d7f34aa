// Python's home: loads Pyodide and the app's Python (runtime.js), then answers checks, sending
// the requests Python asks for with fetch. Runs in a module worker so the page stays responsive
// while Python starts or waits on Netlify.

import { MESSAGE } from "./messages.js";
import { forgetSnapshots, LOCK_FILE, loadRuntime, reason } from "./runtime.js";

const runtime = loadRuntime(postMessage);
const python = runtime.session;

// A check that has come in ends the warm-up: it must not wait behind a round of it.
let checked = false;

// Python's first check is slow twice over: its code paths run for the first time, and, soon
// after, the engine recompiles Python's interpreter loop into fast code that bets on what it has
// seen run. The first check after that loses some of those bets, and each lost one costs a
// recompile of the loop on this thread: 15 to 25 ms in all (measured in Chromium). Warming up
// with a check now and a few times more while the reader pastes a token settles both before they
// press the button. The warm-up never contacts Netlify (see Session.warm_up).
const WARM_UP_ROUNDS = 7;
const WARM_UP_GAP_MS = 100;

async function warmUp(session) {
  // The sending path too, with a request for a small file of the page's own origin (cached
  // as immutable): Netlify is not contacted.
  const lockFile = { method: "GET", url: LOCK_FILE, headers: {} };
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    if (round > 0) await new Promise((resume) => setTimeout(resume, WARM_UP_GAP_MS));
    if (checked) return;
    // From the HTTP cache, where the runtime's files are kept as immutable: one download.
    await send(lockFile, new AbortController(), 1000, "default");
    if (checked) return;
    const view = JSON.parse(session.warm_up());
    // The page warms up its drawing with the first round's view; with it come the start's
    // stages after `ready` (the checker imported).
    if (round === 0) postMessage({ type: MESSAGE.WARMED_UP, view, stages: runtime.stages });
  }
}

// Python's bounds (checker/session.py's LIMITS), filled in by build.py.
const limits = "%LIMITS%";

// Ready once the interpreter runs. The checker's Python is imported right after (about a tenth
// of the start, docs/speed.md), while the reader pastes a token; a check asked for sooner
// waits for it (see onmessage). Its failure, unlikely as it is compiled with the build, is
// reported as a failed start all the same.
runtime.interpreter.then(
  () => {
    const { stages } = runtime;
    const restored = runtime.restored();
    const kept = runtime.kept() ? "kept" : "downloaded";
    postMessage({ type: MESSAGE.READY, runtime: kept, restored, limits, stages });
  },
  () => {}, // reported below, with the session's failure
);

python.then(
  async (session) => {
    const warming = warmUp(session);
    for (const url of await runtime.keep()) {
      if (url) postMessage({ type: MESSAGE.KEPT, url });
    }
    // Once warmed up and idle, and only if no check has come: the snapshot holds no token.
    await warming;
    if (!checked) runtime.makeSnapshot();
  },
  (error) => postMessage({ type: MESSAGE.FAILED, reason: reason(error) }),
);

// One request as Python built it, sent with fetch; its outcome as Python reads it. Only the
// headers Python gave (Authorization, and Accept, which CORS allows anyway); no credentials,
// and no redirect followed, since one could carry the token elsewhere. Python never sees a
// JavaScript error: a refused or dropped request is `{failed: "network"}`. The body stays the
// bytes it came as: Python decodes and parses it once, where it reads the figures.
async function send({ method, url, headers }, abort, limitMs, cache = "no-store") {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, limitMs);
  try {
    const response = await fetch(url, {
      method,
      headers,
      credentials: "omit",
      redirect: "manual",
      // Netlify's answers are the reader's figures: kept in no HTTP cache, after Forget token
      // or ever. ("Unchanged" is told by Python from the last answer it read.)
      cache,
      signal: abort.signal,
    });
    if (response.type === "opaqueredirect") return { failed: "redirect" };
    const body = await bounded(response.body, abort);
    if (body === null) return { failed: "too-large" };
    return { status: response.status, headers: Object.fromEntries(response.headers), body };
  } catch {
    return { failed: timedOut ? "timeout" : "network" };
  } finally {
    clearTimeout(timer);
  }
}

// A body read as it streams in, up to Python's limit on an answer: a larger one is not read to
// its end (null), but dropped as soon as it passes the limit.
async function bounded(stream, abort) {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader(); // not `for await`: Safari's engine cannot iterate a stream
  const chunks = [];
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.length;
    if (size > limits.max_body_bytes) {
      abort.abort();
      return null;
    }
    chunks.push(chunk.value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

// The gate: whatever Python asks, nothing leaves but a GET of Netlify's API, with no header but
// the two Python builds (the token's Authorization, and Accept), and to the address checked
// here. A revisit restores Python from a snapshot in Cache Storage that no build hash covers
// (it is made in this browser), and a script of this origin could have rewritten the address in
// it once, to one the policy's 'self' allows; this code, which the build hashes, has the last
// word. Its `href` is what is sent: "/api/v1/../../x" is checked as what it resolves to.
const API_ORIGIN = "https://api.netlify.com";
const API_PATH = "/api/v1/";
const HEADERS = new Set(["authorization", "accept"]);

function allowed({ method, url, headers }) {
  let address;
  try {
    address = new URL(url);
  } catch {
    return null;
  }
  const named = Object.keys(headers ?? {}).every((name) => HEADERS.has(name.toLowerCase()));
  const plain = !address.username && !address.password && !address.hash;
  const netlify = address.origin === API_ORIGIN && address.pathname.startsWith(API_PATH);
  return method === "GET" && netlify && plain && named ? address.href : null;
}

// A check: Python says what to send, up to six requests at once (checker/netlify/check.py keeps the
// cap), and reads each outcome as it arrives. The page is told of each request as it starts
// (its watchdog times requests, not checks), of each wait for Netlify's rate limit, and gets a
// partial view when teams have answered, at most a few times a second: drawing every team's
// view for each of three hundred answers would cost more than all the answers.
const PARTIAL_EVERY_MS = 250;

async function runCheck(session, id, form) {
  const first = JSON.parse(session.begin(JSON.stringify(form)));
  if (first.view) return first.view;
  const inFlight = new Map(); // each request's promise, and what aborts it
  let done = false;
  let drawing = null;
  let drawn = 0; // when the last partial view was posted
  let resumed = null; // settles when a wait for the rate limit is over
  let refused = false; // Python asked for a request the gate refuses: the check is over
  const draw = () => {
    drawing = null;
    drawn = performance.now();
    if (!done) postMessage({ type: MESSAGE.PARTIAL, id, view: JSON.parse(session.view()) });
  };
  const follow = (step) => {
    done = step.done;
    step.send.forEach(start);
    if (step.answered && !done && !drawing) {
      drawing = setTimeout(draw, Math.max(0, drawn + PARTIAL_EVERY_MS - performance.now()));
    }
    if (step.pause && !resumed && !done) {
      const { seconds, text } = step.pause;
      postMessage({ type: MESSAGE.WAITING, id, seconds, text });
      resumed = new Promise((resume) => setTimeout(resume, seconds * 1000)).then(() => {
        resumed = null;
        if (!done) follow(JSON.parse(session.resume()));
      });
    }
  };
  const start = (request) => {
    const address = allowed(request);
    if (address === null) {
      refused = done = true;
      return;
    }
    const abort = new AbortController();
    postMessage({ type: MESSAGE.REQUEST, id });
    const outgoing = { ...request, url: address };
    const sending = send(outgoing, abort, limits.request_ms).then(({ body, ...outcome }) => {
      inFlight.delete(sending);
      if (!done) follow(JSON.parse(session.receive(request.id, JSON.stringify(outcome), body)));
    });
    inFlight.set(sending, abort);
  };
  follow(first);
  while (!done && (inFlight.size || resumed)) {
    await Promise.race([...inFlight.keys(), ...(resumed ? [resumed] : [])]);
  }
  // A check that ended early (a rate limit, say) leaves nothing running behind it.
  for (const abort of inFlight.values()) abort.abort();
  clearTimeout(drawing);
  if (refused) {
    // The Python that asked may have come from a rewritten snapshot: no revisit restores it.
    if (self.caches) await forgetSnapshots().catch(() => {});
    return { ok: false, error: { message: limits.refused, field: null } };
  }
  return JSON.parse(session.view());
}

// docs/worker-protocol.md: every `check` is answered by one `result`, even when the check
// breaks here: the page then shows Python's sentence for the unexpected, at once, rather than
// its watchdog's after twenty silent seconds.
self.onmessage = async ({ data }) => {
  if (data.type !== MESSAGE.CHECK) return;
  checked = true;
  let view;
  try {
    view = await runCheck(await python, data.id, data.form);
  } catch {
    view = { ok: false, error: { message: limits.unexpected, field: null } };
  }
  postMessage({ type: MESSAGE.RESULT, id: data.id, view });
};
