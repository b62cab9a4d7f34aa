// Python's home: loads Pyodide, the app's Python and pyodide-http, then answers checks.
// Runs in a module worker so the page stays responsive while Python starts or waits on Netlify.
import { loadPyodide } from "%RUNTIME_DIR%pyodide.mjs";

const LIBRARY = "/home/pyodide/lib";

async function download(path) {
  const response = await fetch(new URL(path, import.meta.url));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// The app's own files download while the runtime starts, not after.
const python = (async () => {
  const [pyodide, httpWheel, appBundle] = await Promise.all([
    loadPyodide({
      indexURL: new URL("%RUNTIME_DIR%", import.meta.url).href,
      stdout: () => {},
      stderr: () => {},
    }),
    download("%HTTP_WHEEL%"),
    download("app.zip"),
  ]);
  for (const archive of [httpWheel, appBundle]) {
    pyodide.unpackArchive(archive, "zip", { extractDir: LIBRARY });
  }
  pyodide.runPython(
    `import sys\nsys.path.insert(0, "${LIBRARY}")\nimport pyodide_http\npyodide_http.patch_all()`,
  );
  return {
    handle: pyodide.pyimport("app").handle,
    send: pyodide.pyimport("checker.transport").send,
  };
})();

python.then(
  () => postMessage({ type: "ready" }),
  () => postMessage({ type: "failed" }),
);

self.onmessage = async ({ data }) => {
  if (data.type !== "check") return;
  const { handle, send } = await python;
  // Each request tells the page it started, so the page's watchdog times requests, not checks.
  const answer = handle(JSON.stringify(data.form), send, () =>
    postMessage({ type: "request", id: data.id }),
  );
  postMessage({ type: "result", id: data.id, view: JSON.parse(answer) });
};
