// Runs the built site's Pyodide under Node.js with Python's import-time profile on, starts
// the interpreter, imports the checker as the worker does, and prints Python's profile lines
// after a line "--- checker" (benchmarks/imports.py reads them). RUNTIME_DIR holds the
// runtime, inflated; STDLIB the standard library's zip, with the checker in it.
const dir = process.env.RUNTIME_DIR;
const { loadPyodide } = await import(`${dir}/pyodide.mjs`);
const lines = [];
const started = performance.now();
const pyodide = await loadPyodide({
  indexURL: `${dir}/`,
  stdLibURL: process.env.STDLIB,
  env: { PYTHONPROFILEIMPORTTIME: "1" },
  stdout: () => {},
  stderr: (line) => lines.push(line),
});
const booted = performance.now();
lines.push("--- checker");
pyodide.pyimport("checker.session");
const imported = performance.now();
lines.push(`--- interpreter ${(booted - started).toFixed(1)} ms, checker ${(imported - booted).toFixed(1)} ms`);
console.log(lines.join("\n"));
