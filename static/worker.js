// Python's home: loads Pyodide and the app's Python, then answers checks, sending the requests
// Python asks for with fetch. Runs in a module worker so the page stays responsive while Python
// starts or waits on Netlify.

// Every file the start needs, filled in by build.py: `path` to fetch, `serves` the address
// Pyodide asks for it by, `size` once inflated, `gzip` if build.py compressed it.
const FILES = "%FILES%";
const here = (path) => new URL(path, import.meta.url).href;
// The page gives the worker this name when sw.js holds a copy of the runtime (see obtain()).
const RUNTIME_KEPT = "runtime-kept";
const KEPT_IN = "%KEPT_IN%";
// Whether Python started from that copy, for the page to record (a revisit's fast path).
let startedFromCopy = false;

// The worker fetches every file itself, all at once, as soon as it starts: that shows real
// progress, inflates what build.py compressed, and turns a missing or broken file into a prompt
// failure (Pyodide itself waits forever for a runtime it cannot instantiate). Each file is handed
// on as a stream, so Pyodide compiles the runtime while it is still arriving.
function download(file, onBytes) {
  let output;
  const stream = new ReadableStream({ start: (controller) => (output = controller) });
  const done = (async () => {
    try {
      const response = await fetch(here(file.path));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = file.gzip ? await inflated(response.body) : response.body;
      let seen = 0;
      // A reader, not `for await`: Safari's engine cannot iterate a stream.
      const reader = body.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        output.enqueue(chunk.value);
        seen += chunk.value.length;
        onBytes(chunk.value.length);
      }
      if (seen !== file.size) throw new Error(`${seen} of ${file.size} bytes arrived`);
      output.close();
    } catch (error) {
      const failure = blame(file.path, error);
      output.error(failure);
      throw failure;
    }
  })();
  const respond = (body) => Promise.resolve(typed(body, file));
  if (!file.kept) return { file, answer: respond(stream), done };
  // A copy for sw.js to serve on later visits, written once Python is ready (see keep()).
  const [forPyodide, forLater] = stream.tee();
  return { file, answer: respond(forPyodide), done, copy: forLater };
}

// Writing the copy waits until Python is ready, not to slow the start; meanwhile the stream
// holds what arrived. An incomplete download errors it, so only a whole runtime is ever kept.
async function keep({ file, copy }) {
  const body = await copy;
  if (!body) return null;
  try {
    // Whole before it is written: WebKit loses the entry when a worker ends mid-way through
    // putting a stream (a reader pressing "Forget token", say), and then never writes it again.
    // And into a cache made afresh: WebKit's clean-up of a write cut short by an earlier visit
    // can otherwise remove this one too (measured: 3 of 4 copies lost, 0 of 4 with this).
    const whole = await new Response(body).arrayBuffer();
    await caches.delete(KEPT_IN);
    const cache = await caches.open(KEPT_IN);
    await cache.put(here(file.serves), typed(whole, file));
    return here(file.serves);
  } catch {
    return null; // no Cache Storage (a private window, say): the next visit downloads again
  }
}

// The type lets the browser compile the runtime as it streams in.
function typed(body, file) {
  return new Response(body, { headers: { "Content-Type": file.type } });
}

// On a later visit sw.js answers for the runtime from its copy. Handing Pyodide that very
// response, not a stream of it, is what lets the browser reuse the machine code it compiled.
function obtain(file, onBytes) {
  if (!(file.kept && self.name === RUNTIME_KEPT)) return download(file, onBytes);
  const copy = fetch(here(file.serves)).then(
    (response) => (response.ok ? response : null),
    () => null,
  );
  // Pyodide gets the copy only once all of it has matched the build's hash: not one byte of an
  // altered runtime is compiled, let alone run.
  const verified = copy.then(
    (response) => response && verify(response.clone(), file).then(() => response),
  );
  const fallback = copy.then((response) => (response ? null : download(file, onBytes)));
  copy.then((response) => {
    if (!response) return;
    startedFromCopy = true;
    onBytes(file.size);
  });
  return {
    file,
    answer: fallback.then((downloaded) => downloaded?.answer ?? verified),
    done: fallback.then((downloaded) => downloaded?.done ?? verified),
    copy: fallback.then((downloaded) => downloaded?.copy),
  };
}

// The copy lies in the reader's browser between visits, where it can be damaged or altered. The
// hash is taken from a clone, so that Pyodide is then handed the very response sw.js gave, whose
// compiled code the browser caches and finds again.
async function verify(response, file) {
  const digest = await crypto.subtle.digest("SHA-256", await response.arrayBuffer());
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0"));
  if (hex.join("") !== file.sha256) {
    throw blame(file.serves, new Error("the kept copy does not match the build's hash"));
  }
}

// What went wrong where, for the page to show under its plain sentence: the first failure
// names its file, and later ones it caused keep that name.
function blame(where, error) {
  if (error?.where) return error;
  const failure = new Error(`${error?.name ?? "Error"}: ${error?.message ?? error}`);
  failure.where = where;
  return failure;
}

function reason(error) {
  const { where, message } = blame("start-up", error);
  return `${where}: ${message}`;
}

// A host that sends the .gz file with `Content-Encoding: gzip` has the browser inflate it
// already; only bytes that still start with gzip's magic number are inflated here.
async function inflated(body) {
  const [peek, rest] = body.tee();
  const reader = peek.getReader();
  const { value } = await reader.read();
  reader.cancel(); // or the unread branch would hold a copy of everything
  const gzipped = value?.[0] === 0x1f && value?.[1] === 0x8b;
  if (!gzipped) return rest;
  if (typeof DecompressionStream !== "function") {
    throw new Error("this browser cannot inflate gzip (no DecompressionStream); please update it");
  }
  return rest.pipeThrough(new DecompressionStream("gzip"));
}

function progress() {
  const total = FILES.reduce((sum, file) => sum + file.size, 0);
  let loaded = 0;
  let reported = 0;
  return (bytes) => {
    loaded += bytes;
    const now = performance.now();
    if (now - reported > 100 || loaded === total) {
      reported = now;
      postMessage({ type: "progress", loaded, total });
    }
  };
}

// While Pyodide starts, its requests for files being downloaded are answered from those streams.
async function startPyodide(downloads) {
  // Imported here, not at the top, so that the downloads start one round trip sooner. Pyodide
  // would import its runtime's JavaScript only once pyodide.mjs has run; importing it now
  // fetches and compiles it alongside the downloads, and Pyodide finds it already loaded.
  const named = (name) => (error) => {
    throw blame(name, error);
  };
  const [{ loadPyodide }] = await Promise.all([
    import("%RUNTIME_DIR%pyodide.mjs").catch(named("pyodide.mjs")),
    import("%RUNTIME_DIR%pyodide.asm.mjs").catch(named("pyodide.asm.mjs")),
  ]);
  const network = self.fetch;
  const answers = new Map(downloads.map(({ file, answer }) => [here(file.serves), answer]));
  self.fetch = (resource, options) => {
    const url = here(resource.url ?? resource);
    const answer = answers.get(url);
    if (!answer) return network(resource, options);
    answers.delete(url);
    return answer;
  };
  // Pyodide only logs a runtime it cannot instantiate, and then waits forever; this turns
  // that into a failed start at once.
  const instantiate = WebAssembly.instantiateStreaming;
  const failed = new Promise((_, reject) => {
    WebAssembly.instantiateStreaming = (...args) => {
      const instantiating = instantiate(...args);
      instantiating.catch((error) => reject(blame("pyodide.asm.wasm", error)));
      return instantiating;
    };
  });
  try {
    return await Promise.race([
      failed,
      loadPyodide({
        indexURL: here("%RUNTIME_DIR%"),
        stdLibURL: here("%STDLIB%"),
        stdout: () => {},
        stderr: () => {},
      }),
    ]);
  } finally {
    self.fetch = network;
    WebAssembly.instantiateStreaming = instantiate;
  }
}

const onBytes = progress();
const downloads = FILES.map((file) => obtain(file, onBytes));
const python = (async () => {
  const [pyodide] = await Promise.all([
    startPyodide(downloads),
    // Any failed download fails the start at once, whatever Pyodide is waiting for.
    ...downloads.map(({ done }) => done),
  ]);
  // The checker's Python was compiled into the standard library's zip by build.py. One session
  // per worker: checker/session.py is all of Python this worker calls.
  return pyodide.pyimport("checker.session").Session();
})();

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
  const lockFile = { method: "GET", url: here("%RUNTIME_DIR%pyodide-lock.json"), headers: {} };
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    if (round > 0) await new Promise((resume) => setTimeout(resume, WARM_UP_GAP_MS));
    if (checked) return;
    // From the HTTP cache, where the runtime's files are kept as immutable: one download.
    await send(lockFile, new AbortController(), 1000, "default");
    if (checked) return;
    const view = JSON.parse(session.warm_up());
    // The page warms up its drawing with the first round's view.
    if (round === 0) postMessage({ type: "warmed-up", view });
  }
}

// Python's bound on a request (checker/session.py's LIMITS), read once Python is ready.
let limits = null;

python.then(
  async (session) => {
    limits = JSON.parse(session.limits());
    postMessage({ type: "ready", runtime: startedFromCopy ? "kept" : "downloaded", limits });
    warmUp(session);
    for (const url of await Promise.all(downloads.map(keep))) {
      if (url) postMessage({ type: "kept", url });
    }
  },
  (error) => postMessage({ type: "failed", reason: reason(error) }),
);

// One request as Python built it, sent with fetch; its outcome as Python reads it. Only the
// headers Python gave (Authorization, and Accept, which CORS allows anyway); no credentials,
// and no redirect followed, since one could carry the token elsewhere. Python never sees a
// JavaScript error: a refused or dropped request is `{failed: "network"}`.
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
  if (!stream) return "";
  const decoder = new TextDecoder();
  const reader = stream.getReader(); // not `for await`: Safari's engine cannot iterate a stream
  let text = "";
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.length;
    if (size > limits.max_body_bytes) {
      abort.abort();
      return null;
    }
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text + decoder.decode();
}

// A check: Python says what to send, up to six requests at once (checker/check.py keeps the
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
  const draw = () => {
    drawing = null;
    drawn = performance.now();
    if (!done) postMessage({ type: "partial", id, view: JSON.parse(session.view()) });
  };
  const follow = (step) => {
    done = step.done;
    step.send.forEach(start);
    if (step.answered && !done && !drawing) {
      drawing = setTimeout(draw, Math.max(0, drawn + PARTIAL_EVERY_MS - performance.now()));
    }
    if (step.pause && !resumed && !done) {
      const { seconds, text } = step.pause;
      postMessage({ type: "waiting", id, seconds, text });
      resumed = new Promise((resume) => setTimeout(resume, seconds * 1000)).then(() => {
        resumed = null;
        if (!done) follow(JSON.parse(session.resume()));
      });
    }
  };
  const start = (request) => {
    const abort = new AbortController();
    postMessage({ type: "request", id });
    const sending = send(request, abort, limits.request_ms).then((outcome) => {
      inFlight.delete(sending);
      if (!done) follow(JSON.parse(session.receive(request.id, JSON.stringify(outcome))));
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
  return JSON.parse(session.view());
}

// docs/worker-protocol.md: every `check` is answered by one `result`.
self.onmessage = async ({ data }) => {
  if (data.type !== "check") return;
  checked = true;
  const session = await python;
  const view = await runCheck(session, data.id, data.form);
  postMessage({ type: "result", id: data.id, view });
};
