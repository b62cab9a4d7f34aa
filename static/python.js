// The page's one way to its Python: owns the worker (worker.js), and speaks the messages that
// docs/worker-protocol.md lists, so that the page sees promises and events, not message types.
//
//   const python = new Python();
//   python.addEventListener("ready", …);  // also "progress", "warmedup", "restarting",
//   python.start();                       // "reloading" (a kept runtime failed) and "loadfailed"
//   const view = await python.check(form, { onPartial, onWaiting });
//   // onPartial(view): some teams have answered; onWaiting({seconds, text}): a rate-limit wait
//
// A check rejects with a PythonError whose `kind` says why: "timed-out" (Netlify, or the
// worker, was silent longer than Python's own bound on a request), "crashed", "load-failed"
// (also announced by a "loadfailed" event), or "superseded" (a newer check, or forget()).

import { MESSAGE } from "./messages.js";

// Loading fails when this long passes with no byte arriving and Python not ready: a slow
// connection keeps making progress, a broken one does not.
const LOAD_STALL_MS = 12_000;
// Above Python's own bound on a request: the worker's answer, if any, comes first.
const WATCHDOG_MARGIN_MS = 2_000;
// Before the first request starts, Python has its checks of the form to make.
const FIRST_REQUEST_MARGIN_MS = 5_000;

export class PythonError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

export class Python extends EventTarget {
  // "idle" (not started), "loading", "ready", "failed" (loading failed; start() tries again).
  state = "idle";
  #worker = null;
  #limits = null;
  #loadWatch = null;
  #queued = null; // { form, settle } of a check asked for before Python was ready
  #current = null; // { id, settle, timer, superseded } of the check under way
  #lastId = 0;
  // Whether the next start may use the runtime sw.js keeps (see #loadFailed()).
  #useKeptRuntime = Boolean(navigator.serviceWorker?.controller);
  // Whether the reader pressed Forget token on this page (see forget()).
  #forgotten = false;

  start() {
    if (this.state === "loading" || this.state === "ready") return;
    this.state = "loading";
    performance.mark("python-start");
    this.#worker = new Worker(new URL("worker.js", import.meta.url), {
      type: "module",
      // Its start options, which runtime.js reads (docs/worker-protocol.md).
      name: JSON.stringify({ kept: this.#useKeptRuntime, forgotten: this.#forgotten }),
    });
    this.#worker.onmessage = ({ data }) => this.#receive(data);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      if (this.state !== "ready") {
        // A worker script that fails to load or parse says where; some engines say only "error".
        const where = event.filename ? ` (${event.filename}:${event.lineno})` : "";
        this.#loadFailed(`worker.js: ${event.message || "the worker could not start"}${where}`);
      } else {
        this.#restart(
          new PythonError("crashed", "The checker stopped unexpectedly. It has been restarted; please try again."),
        );
      }
    };
    this.#watchLoading(0);
  }

  // Resolves to the view Python decided (docs/worker-protocol.md); meanwhile `onPartial` gets
  // each partial view of a check of several teams.
  check(form, { onPartial, onWaiting } = {}) {
    return new Promise((resolve, reject) => {
      const settle = { resolve, reject, onPartial, onWaiting };
      // Only the newest check is answered: an older one, queued or under way, is rejected now,
      // and nothing the worker still sends of it reaches its caller.
      const superseded = new PythonError("superseded", "A newer check was asked for.");
      this.#queued?.settle.reject(superseded);
      if (this.#current) this.#current.superseded = true;
      this.#current?.settle.reject(superseded);
      this.#queued = { form, settle };
      if (this.state === "ready" && !this.#current) this.#runQueued();
      else this.start();
    });
  }

  // A fresh worker, which holds nothing of the one before (a token in Python's memory, say).
  forget() {
    this.#stop(new PythonError("superseded", "The token was forgotten."));
    // The next worker restores no snapshot of Python, makes none, and deletes any kept.
    this.#forgotten = true;
    this.start();
  }

  #stop(error) {
    this.#worker?.terminate();
    this.#worker = null;
    clearTimeout(this.#loadWatch);
    this.state = "idle";
    for (const pending of [this.#current, this.#queued]) {
      if (!pending) continue;
      clearTimeout(pending.timer);
      pending.settle.reject(error);
    }
    this.#current = null;
    this.#queued = null;
  }

  #restart(error) {
    this.#stop(error);
    this.dispatchEvent(new CustomEvent("restarting", { detail: { message: error.message } }));
    this.start();
  }

  #watchLoading(fraction) {
    clearTimeout(this.#loadWatch);
    const percent = Math.round(fraction * 100);
    this.#loadWatch = setTimeout(
      () => this.#loadFailed(`no byte arrived for ${LOAD_STALL_MS / 1000} s (${percent} % loaded)`),
      LOAD_STALL_MS,
    );
  }

  // `reason` is for whoever reports the problem: which file, and the error's name and message.
  #loadFailed(reason) {
    const failure = new PythonError("load-failed", reason);
    // The queued check is kept out of #stop(): it may yet run on the next start.
    const queued = this.#queued;
    this.#queued = null;
    this.#stop(failure);
    if (this.#useKeptRuntime) {
      // A kept runtime that does not start (damaged on disk, say) must not fail every visit: it
      // is thrown away, and Python loads the first visit's way, with any check still queued.
      this.#useKeptRuntime = false;
      globalThis.caches
        ?.keys()
        .then((names) => Promise.all(names.map((name) => caches.delete(name))))
        .catch(() => {});
      this.#queued = queued;
      this.dispatchEvent(new Event("reloading"));
      this.start();
      return;
    }
    queued?.settle.reject(failure);
    this.state = "failed";
    this.dispatchEvent(new CustomEvent("loadfailed", { detail: { reason } }));
  }

  #runQueued() {
    const { form, settle } = this.#queued;
    this.#queued = null;
    this.#current = { id: ++this.#lastId, settle, timer: null };
    this.#worker.postMessage({ type: MESSAGE.CHECK, id: this.#current.id, form });
    this.#arm(this.#limits.request_ms + FIRST_REQUEST_MARGIN_MS);
  }

  // The watchdog, against a worker that is silent for longer than Python's own bound on a
  // request: the worker ends a stalled request itself, so this catches a worker that hangs.
  #arm(ms) {
    clearTimeout(this.#current.timer);
    this.#current.timer = setTimeout(
      () => this.#restart(new PythonError("timed-out", this.#limits.timed_out)),
      ms,
    );
  }

  #receive(message) {
    const current = this.#current?.id === message.id ? this.#current : null;
    // What the worker still says of a superseded check only keeps the watchdog informed.
    const caller = current?.superseded ? null : current?.settle;
    switch (message.type) {
      case MESSAGE.PROGRESS:
        this.#watchLoading(message.loaded / message.total);
        this.dispatchEvent(new CustomEvent("progress", { detail: message }));
        break;
      case MESSAGE.READY:
        this.state = "ready";
        this.#limits = message.limits;
        clearTimeout(this.#loadWatch);
        markStages(message.stages);
        const { runtime, restored } = message;
        this.dispatchEvent(new CustomEvent("ready", { detail: { runtime, restored } }));
        this.#keepRuntime();
        if (this.#queued) this.#runQueued();
        break;
      case MESSAGE.FAILED:
        this.#loadFailed(message.reason);
        break;
      case MESSAGE.WARMED_UP:
        markStages(message.stages);
        this.dispatchEvent(new CustomEvent("warmedup", { detail: { view: message.view } }));
        break;
      case MESSAGE.KEPT:
        compileKept(message.url);
        break;
      case MESSAGE.REQUEST:
        if (current) this.#arm(this.#limits.request_ms + WATCHDOG_MARGIN_MS);
        break;
      case MESSAGE.WAITING:
        if (!current) return; // quiet on purpose for a while: so is the watchdog
        this.#arm(message.seconds * 1000 + this.#limits.request_ms + WATCHDOG_MARGIN_MS);
        caller?.onWaiting?.({ seconds: message.seconds, text: message.text });
        break;
      case MESSAGE.PARTIAL:
        caller?.onPartial?.(message.view);
        break;
      case MESSAGE.RESULT:
        if (!current) return;
        clearTimeout(current.timer);
        this.#current = null;
        caller?.resolve(message.view);
        if (this.#queued) this.#runQueued();
        break;
    }
  }

  // Registered only once Python is ready, so that it never competes with the start; from the
  // next visit on, sw.js serves the runtime that the worker has put in Cache Storage.
  #keepRuntime() {
    navigator.serviceWorker?.register(new URL("../sw.js", import.meta.url)).catch(() => {});
  }
}

// The runtime Python runs on has by now been recompiled into fast machine code. Compiling it
// once more from sw.js's response, which costs no download, has the browser store that code
// with the kept copy, so that the very next visit starts from it. (Compiled in the worker
// instead, the code is not stored until a later visit: measured, not guessed.)
async function compileKept(url) {
  const container = navigator.serviceWorker;
  try {
    await container.ready;
    if (!container.controller) {
      await new Promise((resolve) =>
        container.addEventListener("controllerchange", resolve, { once: true }),
      );
    }
    await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // Only a later visit is slower for it.
  }
}

// The worker's start, stage by stage, as marks on the page's own timeline ("python:<stage>"),
// beside python-start and python-ready: where the start's time goes (docs/speed.md). The worker
// sends each as milliseconds since the epoch, since its clock's origin is not the page's.
function markStages(stages = []) {
  for (const [name, at] of stages) {
    const startTime = at - performance.timeOrigin;
    const mark = `python:${name}`;
    if (startTime >= 0 && !performance.getEntriesByName(mark).length) {
      performance.mark(mark, { startTime });
    }
  }
}
