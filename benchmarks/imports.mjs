// Runs the built site's Pyodide under Node.js with benchmarks/import_clock.py as sitecustomize,
// starts the interpreter, imports the checker as the worker does, and prints the clock's log:
// lines "depth|module|microseconds" after "--- start" (Pyodide's own start) and after
// "--- checker", then each part's total. RUNTIME_DIR holds the runtime, inflated; STDLIB the
// standard library's zip, with the checker and the clock in it.
const dir = process.env.RUNTIME_DIR;
const { loadPyodide } = await import(`${dir}/pyodide.mjs`);
const started = performance.now();
const pyodide = await loadPyodide({
  indexURL: `${dir}/`,
  stdLibURL: process.env.STDLIB,
  stdout: () => {},
  stderr: () => {},
});
const booted = performance.now();
const log = () => pyodide.runPython("import sitecustomize; len(sitecustomize.LOG)");
const atStart = log();
pyodide.pyimport("checker.session");
const imported = performance.now();
const lines = (from, to) =>
  pyodide.runPython(
    `'\\n'.join(f'{d}|{n}|{us}' for d, n, us in sitecustomize.LOG[${from}:${to}])`,
  );
console.log(["--- start", lines(0, atStart), "--- checker", lines(atStart, log())].join("\n"));
console.log(`--- totals ${(booted - started) * 1000} ${(imported - booted) * 1000}`);
