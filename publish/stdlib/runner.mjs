// Runs Pyodide under Node.js at build time (publish/stdlib/__init__.py starts it), with
// BUILD_DIR holding the runtime, the checker's zip and trim.py.
import { readFile } from "node:fs/promises";

const dir = process.env.BUILD_DIR;
const { loadPyodide } = await import(`${dir}/pyodide.mjs`);
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
