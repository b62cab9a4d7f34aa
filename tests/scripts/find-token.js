// Where a page keeps things a script could read back: the token must be in none of them. The one
// message that may carry it goes from the checker's own window to the checker's own frame.
// Evaluated by the token audit (tests/audit.py) with [token, the checker's origin].
async ([token, checker]) => {
  const where = [];
  if (document.documentElement.outerHTML.includes(token)) where.push("DOM");
  if (document.body.innerText.includes(token)) where.push("page text");
  // A frame of another site may be refused its storage: what it cannot write holds nothing.
  const readable = (read) => {
    try {
      return read();
    } catch {
      return null;
    }
  };
  for (const store of [readable(() => localStorage), readable(() => sessionStorage)]) {
    for (let i = 0; i < (store?.length ?? 0); i++) {
      const key = store.key(i);
      if ((key + store.getItem(key)).includes(token)) where.push("web storage");
    }
  }
  if (readable(() => document.cookie)?.includes(token)) where.push("cookie");
  for (const name of await caches.keys().catch(() => [])) {
    const kept = await (await caches.open(name)).keys();
    if (kept.some((request) => request.url.includes(token))) {
      where.push("Cache Storage");
    }
  }
  const ours = (origin) => origin === checker && location.origin === checker;
  const received = window.__receivedMessages || [];
  if (received.some(([origin, data]) => data.includes(token) && !ours(origin))) {
    where.push("window.postMessage");
  }
  return where;
}
