// How a token reaches the widget without being typed inside someone else's page: the widget opens
// token.html as a top-level window of the checker's own, where the host page's scripts cannot
// move the focus, watch keys or lay an imitation over the field, and that window hands the token
// back to the frame that opened it, addressed to the checker's own origin only.

const TOKEN_MESSAGE = "netlify-bandwidth-checker:token";
const RECEIVED = "netlify-bandwidth-checker:received";
// How long the window waits for the frame to say it has the token before checking in place.
const RECEIPT_MS = 5_000;
let opened = null;

// The widget's side. Returns false when the browser blocked the window. `onToken(token)` runs
// once the window hands one over; `onClosed()` when it closes without doing so.
export function openTokenWindow({ onToken, onClosed }) {
  if (opened && !opened.closed) {
    opened.focus();
    return true;
  }
  let window_;
  try {
    // Unnamed ("_blank"): the page around the frame could find a named window and navigate it.
    window_ = window.open(new URL("token.html", location.href).href, "_blank", "popup,width=520,height=680");
  } catch {
    window_ = null; // Firefox throws, in a frame that may not open windows, where others give null
  }
  if (!window_) return false;
  opened = window_;
  const listener = (event) => {
    // Only that window, and only while it shows a page of the checker's own origin.
    if (event.source !== window_ || event.origin !== location.origin) return;
    const { type, token } = event.data ?? {};
    if (type !== TOKEN_MESSAGE || typeof token !== "string") return;
    stop();
    // The window closes only once the frame has said so: a message still in flight when the
    // window closed would otherwise be lost.
    window_.postMessage({ type: RECEIVED }, location.origin);
    onToken(token);
  };
  const watch = setInterval(() => {
    if (window_.closed) {
      stop();
      onClosed();
    }
  }, 400);
  function stop() {
    clearInterval(watch);
    removeEventListener("message", listener);
    opened = null;
  }
  addEventListener("message", listener);
  return true;
}

// The window's side: the checker frame that opened this window, or null when no page of the
// checker's own origin did (a link on the blog, a fresh tab, or a sign-in page whose
// Cross-Origin-Opener-Policy cut the link). A page of another origin cannot be read, so it throws.
export function openingWidget() {
  try {
    return window.opener?.location.origin === location.origin ? window.opener : null;
  } catch {
    return null;
  }
}

// Resolves to true as the window closes, once the frame has the token; to false when the frame
// never says so (its page was closed or went elsewhere meanwhile): the token is then still here.
export function handTokenToWidget(to, token) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => settle(false), RECEIPT_MS);
    const listener = (event) => {
      if (event.source !== to || event.origin !== location.origin) return;
      if (event.data?.type === RECEIVED) settle(true);
    };
    function settle(received) {
      clearTimeout(timer);
      removeEventListener("message", listener);
      if (received) window.close();
      resolve(received);
    }
    addEventListener("message", listener);
    to.postMessage({ type: TOKEN_MESSAGE, token }, location.origin);
  });
}
