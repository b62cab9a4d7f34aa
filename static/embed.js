// The one-line embed: <script src="https://<site>/embed.js" async data-team="slug"></script>
// Puts the checker, in a frame of its own origin, where this script tag stands. The host page
// cannot read the frame's field or results; the only message crossing is the frame's height.
(() => {
  const script = document.currentScript;
  if (!script) return;
  const widget = new URL("widget.html", script.src);
  const team = script.dataset.team;
  if (team) widget.searchParams.set("team", team);
  widget.searchParams.set("host", location.origin);

  const frame = document.createElement("iframe");
  frame.src = widget.href;
  frame.title = "Netlify bandwidth checker";
  frame.loading = "lazy";
  frame.referrerPolicy = "no-referrer";
  frame.style.cssText = "display:block;width:100%;max-width:46rem;height:360px;border:0";
  script.after(frame);

  window.addEventListener("message", (event) => {
    // Only this frame, and only from the widget's own origin.
    if (event.source !== frame.contentWindow || event.origin !== widget.origin) return;
    const { type, height } = event.data ?? {};
    if (type !== "netlify-bandwidth-checker:height" || !Number.isFinite(height)) return;
    frame.style.height = `${Math.min(Math.max(Math.ceil(height), 120), 5000)}px`;
  });
})();
