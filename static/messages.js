// Every message between the page (python.js) and its Python worker (worker.js and runtime.js),
// in one table that both sides import, as Comlink keeps its protocol's types in one place: a
// type is written once, and a mistyped one is an undefined property rather than a message
// nobody hears. What each carries: docs/worker-protocol.md. (The messages between windows are
// in docs/window-protocol.md.)
export const MESSAGE = Object.freeze({
  CHECK: "check", // page → worker
  PROGRESS: "progress", // worker → page, and every one below
  READY: "ready",
  FAILED: "failed",
  WARMED_UP: "warmed-up",
  KEPT: "kept",
  REQUEST: "request",
  WAITING: "waiting",
  PARTIAL: "partial",
  RESULT: "result",
});
