// Put before the page's own scripts by the token audit (tests/audit.py): every message a window
// receives, with its sender's origin, and every breach of the page's policy. Recorded where they
// arrive, not by wrapping postMessage: a wrapper would make a message that the token window sends
// to the widget look as if the widget had sent it itself.
(() => {
  const received = [];
  const violations = [];
  Object.defineProperty(window, "__receivedMessages", { value: received });
  Object.defineProperty(window, "__policyViolations", { value: violations });
  document.addEventListener("securitypolicyviolation", (event) => {
    violations.push(`${event.effectiveDirective} blocked ${event.blockedURI}`);
  });
  addEventListener("message", (event) => {
    let data;
    try {
      data = JSON.stringify(event.data);
    } catch {
      data = String(event.data);
    }
    received.push([event.origin, data]);
  }, true);
})();
