// Being embedded, and offering to be: the widget's height reports to the page that frames it,
// and the full page's snippets for a blog, with their Copy buttons.

// The frame's height goes to the page that embeds it, and only to that page's origin.
export function reportHeight() {
  // Firefox masks the ancestor as "null" in a frame whose embed asks for no referrer, and
  // older engines have no ancestorOrigins: then the origin embed.js put in the address serves.
  const ancestor = location.ancestorOrigins?.[0];
  const host =
    ancestor && ancestor !== "null" ? ancestor : new URLSearchParams(location.search).get("host");
  if (!host || window.parent === window) return;
  let origin;
  try {
    origin = new URL(host).origin;
  } catch {
    return;
  }
  const page = document.querySelector("main");
  // In coarse steps: the host needs room for the frame, not a measure of what the reader sees.
  const STEP = 40;
  new ResizeObserver(() => {
    const height = Math.ceil(page.offsetHeight / STEP) * STEP;
    window.parent.postMessage({ type: "netlify-bandwidth-checker:height", height }, origin);
  }).observe(page);
}

export function showEmbedSnippets() {
  const site = new URL(".", location.href).href;
  document.querySelector("#embed-script").textContent = `<script src="${site}embed.js" async></script>`;
  document.querySelector("#embed-frame").textContent =
    `<iframe src="${site}widget.html" title="Netlify bandwidth checker" ` +
    `width="100%" height="620" style="border:0" loading="lazy"></iframe>`;
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const code = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(code.textContent);
        button.textContent = "Copied";
      } catch {
        // No clipboard access (an older engine, or a permission refused): select it for the reader.
        getSelection().selectAllChildren(code);
        button.textContent = "Selected: press Ctrl+C or ⌘C";
      }
    });
  });
}
