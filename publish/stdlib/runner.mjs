// Runs Pyodide under Node.js at build time (publish/stdlib/__init__.py starts it), with
// BUILD_DIR holding the runtime, the checker's zip, pyodide-http's wheel and trim.py.
// pyodide-http's requests go to a stand-in for the browser's XMLHttpRequest that plays back the
// answers trim.py queues in `globalThis.answers`.
import { readFile } from "node:fs/promises";

const dir = process.env.BUILD_DIR;
const { loadPyodide } = await import(`${dir}/pyodide.mjs`);
globalThis.crossOriginIsolated = false;
globalThis.importScripts = () => {};
globalThis.XMLHttpRequest = class {
  open() {}
  setRequestHeader() {}
  getAllResponseHeaders() {
    return this.headers;
  }
  send() {
    const [answer, ...rest] = JSON.parse(globalThis.answers);
    globalThis.answers = JSON.stringify(rest);
    if (answer.fail) throw new Error("NetworkError: a refused request");
    this.status = answer.status;
    this.headers = answer.headers;
    this.response = new TextEncoder().encode(answer.body).buffer;
  }
};
const pyodide = await loadPyodide({ indexURL: `${dir}/`, stdout: console.error });
pyodide.mountNodeFS("/build", dir);
try {
  pyodide.runPython(await readFile(`${dir}/trim.py`, "utf8"));
} catch (error) {
  // Python's traceback alone: uncaught, Node would print the runtime's minified source line
  // around the throw, 64 KB of it, and a pipe would cut the traceback off.
  console.error(String(error?.message ?? error));
  process.exitCode = 1;
}
