// Loading Python in the worker: Pyodide's runtime, the standard library and the checker's own
// Python, fetched all at once, checked, and kept between visits. worker.js calls loadRuntime()
// and nothing else of this module; what it does with Python is its own.

import { MESSAGE } from "./messages.js";

// Every file the start needs, filled in by build.py: `path` to fetch, `serves` the address
// Pyodide asks for it by, `size` once inflated, `gzip` if build.py compressed it.
const FILES = "%FILES%";
const here = (path) => new URL(path, import.meta.url).href;
const KEPT_IN = "%KEPT_IN%";
// Each stage of the start as it is reached, [name, milliseconds since the epoch], sent with
// `ready` for the page to mark on its own timeline (python.js): where the start's time goes.
const stages = [];
const reached = (name) => stages.push([name, performance.timeOrigin + performance.now()]);
reached("worker-started");
// Whether Python started from that copy, for the page to record (a revisit's fast path), and
// whether it was restored from a snapshot.
let startedFromCopy = false;
let restoredFrom = false;

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

// What python.js says in the worker's name: `kept` when sw.js holds a copy of the runtime,
// `forgotten` when the reader has just pressed Forget token.
function startOptions() {
  try {
    return JSON.parse(self.name) ?? {};
  } catch {
    return {};
  }
}

// On a later visit sw.js answers for the runtime from its copy. Handing Pyodide that very
// response, not a stream of it, is what lets the browser reuse the machine code it compiled.
function obtain(file, onBytes) {
  if (!(file.kept && startOptions().kept)) return download(file, onBytes);
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

export function reason(error) {
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

function progress(post) {
  const total = FILES.reduce((sum, file) => sum + file.size, 0);
  let loaded = 0;
  let reported = 0;
  return (bytes) => {
    loaded += bytes;
    const now = performance.now();
    if (now - reported > 100 || loaded === total) {
      reported = now;
      post({ type: MESSAGE.PROGRESS, loaded, total });
    }
  };
}

// A memory snapshot of Python, made in the reader's own browser once a first visit has warmed
// up, before any check: a revisit restores Python from it, the checker already imported,
// instead of starting it again. Its name carries the build's runtime and Python (build.py), so
// that no other build restores it; it is kept beside the runtime's copy. Pyodide checks its
// build when it restores one, and a snapshot that fails to restore fails the start like a
// damaged runtime copy: every copy is thrown away and Python loads the first visit's way.
const SNAPSHOT = here("%SNAPSHOT%");
const ANY_SNAPSHOT = /\/snapshot-[0-9a-f]+\.bin$/;

// The kept snapshot's bytes, when this start may restore from one.
async function keptSnapshot(options) {
  if (!options.kept || options.forgotten || !self.caches) return null;
  try {
    const response = await (await caches.open(KEPT_IN)).match(SNAPSHOT);
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;
  }
}

// Every snapshot of every build, out of every cache: what Forget token leaves behind.
export async function forgetSnapshots() {
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (ANY_SNAPSHOT.test(request.url)) await cache.delete(request);
    }
  }
}

// Writes this worker's snapshot in place of any other build's. Only a worker that started with
// `_makeSnapshot` can, and worker.js asks only while no check has come: it holds no token.
async function keepSnapshot(pyodide) {
  const bytes = pyodide.makeMemorySnapshot();
  const cache = await caches.open(KEPT_IN);
  for (const request of await cache.keys()) {
    if (ANY_SNAPSHOT.test(request.url) && request.url !== SNAPSHOT) await cache.delete(request);
  }
  const headers = { "Content-Type": "application/octet-stream" };
  await cache.put(SNAPSHOT, new Response(bytes, { headers }));
  return true;
}

// While Pyodide starts, its requests for files being downloaded are answered from those streams.
// `snapshot`: the bytes to restore Python from, or whether to start Python so that it can make
// a snapshot later.
async function startPyodide(downloads, snapshot) {
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
  reached("pyodide-imported");
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
      reached("wasm-compiling");
      const instantiating = instantiate(...args);
      instantiating.then(
        () => reached("wasm-instantiated"),
        (error) => reject(blame("pyodide.asm.wasm", error)),
      );
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
        ...(snapshot instanceof Uint8Array
          ? { _loadSnapshot: snapshot }
          : { _makeSnapshot: snapshot === true }),
      }),
    ]);
  } finally {
    self.fetch = network;
    WebAssembly.instantiateStreaming = instantiate;
  }
}

// The request the warm-up sends: a small file of the page's own origin, cached as immutable.
export const LOCK_FILE = here("%RUNTIME_DIR%pyodide-lock.json");

// Starts every download at once and Python as they arrive. `post` gets the `progress` messages.
// `interpreter` settles once Python runs, `session` then to checker/session.py's Session (the
// checker's Python was compiled into the standard library's zip by build.py), `stages` lists
// when each stage was reached, `keep()` writes the copies sw.js serves later, and `kept` says
// whether Python started from such a copy.
export function loadRuntime(post) {
  const options = startOptions();
  const onBytes = progress(post);
  const downloads = FILES.map((file) => obtain(file, onBytes));
  const forgotten = options.forgotten && self.caches ? forgetSnapshots().catch(() => {}) : null;
  const restoring = keptSnapshot(options);
  // A worker that restores, or starts after Forget token, or has nowhere to keep one, makes none.
  const snapshot = restoring.then((bytes) => bytes ?? (!options.forgotten && Boolean(self.caches)));
  const fetched = Promise.all(downloads.map(({ done }) => done));
  fetched.then(() => reached("runtime-fetched"), () => {}); // a failure is reported below
  const interpreter = Promise.all([
    snapshot.then((chosen) => {
      restoredFrom = chosen instanceof Uint8Array;
      return startPyodide(downloads, chosen);
    }),
    // Any failed download fails the start at once, whatever Pyodide is waiting for.
    fetched,
  ]).then(([pyodide]) => {
    reached("interpreter-started");
    return pyodide;
  });
  // A task of its own, after `interpreter` has been heard: the worker says `ready` first.
  const session = interpreter.then(
    (pyodide) =>
      new Promise((made) => setTimeout(made, 0)).then(() => {
        const module = pyodide.pyimport("checker.session");
        reached("checker-imported");
        const session = module.Session();
        reached("session-made");
        return session;
      }),
  );
  return {
    interpreter,
    session,
    stages,
    // Whether Python was restored from a snapshot; makeSnapshot() keeps one, when this worker
    // can make one, and says whether it did.
    restored: () => restoredFrom,
    makeSnapshot: async () => {
      await forgotten;
      const [chosen, pyodide] = await Promise.all([snapshot, interpreter]);
      return chosen === true ? keepSnapshot(pyodide).catch(() => false) : false;
    },
    keep: () => Promise.all(downloads.map(keep)),
    kept: () => startedFromCopy,
  };
}
