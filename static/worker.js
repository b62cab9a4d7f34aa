// Python's home: loads Pyodide, the app's Python and pyodide-http, then answers checks.
// Runs in a module worker so the page stays responsive while Python starts or waits on Netlify.
import { loadPyodide } from "%RUNTIME_DIR%pyodide.mjs";

const RUNTIME = new URL("%RUNTIME_DIR%", import.meta.url);
// Every file the start needs, with its size, filled in by build.py.
const FILES = %FILES%;
const LIBRARY = "/home/pyodide/lib";

// The worker downloads every file itself, all at once: that shows real progress and turns a
// missing or mistyped file into a prompt failure (Pyodide itself would wait forever for a
// runtime that cannot be instantiated).
async function download(onProgress) {
  let loaded = 0;
  const bodies = await Promise.all(
    FILES.map(async ({ path, type }) => {
      const response = await fetch(new URL(path, import.meta.url));
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      if (type && !response.headers.get("content-type")?.startsWith(type)) {
        throw new Error(`${path} is served as ${response.headers.get("content-type")}`);
      }
      const reader = response.body.getReader();
      const chunks = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.length;
        onProgress(loaded);
      }
      return new Uint8Array(await new Blob(chunks).arrayBuffer());
    }),
  );
  return Object.fromEntries(FILES.map(({ path }, index) => [path, bodies[index]]));
}

// While Pyodide starts, its fetches of files already downloaded are answered from memory:
// a browser's cache may not keep a 10 MB file, and downloading it twice costs more than it saves.
async function fromMemory(files, start) {
  const network = self.fetch;
  const byUrl = new Map(FILES.map((file) => [new URL(file.path, import.meta.url).href, file]));
  self.fetch = (resource, options) => {
    const file = byUrl.get(new URL(resource.url ?? resource, import.meta.url).href);
    if (!file) return network(resource, options);
    const headers = { "Content-Type": file.type ?? "application/octet-stream" };
    return Promise.resolve(new Response(files[file.path], { headers }));
  };
  try {
    return await start();
  } finally {
    self.fetch = network;
  }
}

function throttled(post) {
  let last = 0;
  return (loaded) => {
    const now = performance.now();
    if (now - last > 100) {
      last = now;
      post(loaded);
    }
  };
}

const python = (async () => {
  const total = FILES.reduce((sum, file) => sum + file.size, 0);
  const files = await download(throttled((loaded) => postMessage({ type: "progress", loaded, total })));
  postMessage({ type: "progress", loaded: total, total });
  const pyodide = await fromMemory(files, () =>
    loadPyodide({ indexURL: RUNTIME.href, stdout: () => {}, stderr: () => {} }),
  );
  for (const archive of ["%HTTP_WHEEL%", "app.zip"]) {
    pyodide.unpackArchive(files[archive], "zip", { extractDir: LIBRARY });
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
