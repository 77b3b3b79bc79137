// Live path vs fallback. A page first tries a Firestore listener; when it cannot be established
// (an error, or no snapshot from the server within a few seconds — the local gRPC-only Firestore
// is unreachable from browsers, and some networks block Firestore's channel) it polls small HTTP
// endpoints every 2 s instead, cursor-based and bounded, and says which path is live.

export const CONNECTING = "connecting";
export const LIVE = "live";
export const POLLING = "polling";

/**
 * A cursor-based poller. fetchPage(cursor) → {items, cursor, more?}; onPage(result) gets each page.
 * Each tick fetches at most maxPagesPerTick pages (a page with `more` or a full page asks for
 * the next), then waits intervalMs. Failures back off (×2 up to maxIntervalMs) and are reported.
 */
export function createPoller({
  fetchPage,
  onPage,
  onError = () => {},
  intervalMs = 2000,
  maxIntervalMs = 30000,
  maxPagesPerTick = 5,
  pageSize = 50,
  initialCursor = null,
  timers = globalThis,
}) {
  let cursor = initialCursor;
  let timer = null;
  let running = false;
  let inFlight = null;
  let delay = intervalMs;

  async function tick() {
    for (let page = 0; page < maxPagesPerTick; page++) {
      const result = await fetchPage(cursor);
      if (!running) return;
      if (result.cursor != null) cursor = result.cursor;
      onPage(result);
      const count = result.items?.length ?? 0;
      if (!(result.more ?? count >= pageSize)) break;
    }
  }

  async function loop() {
    timer = null;
    try {
      inFlight = tick();
      await inFlight;
      delay = intervalMs;
    } catch (err) {
      delay = Math.min(delay * 2, maxIntervalMs);
      onError(err);
    } finally {
      inFlight = null;
    }
    if (running) timer = timers.setTimeout(loop, delay);
  }

  return {
    start() {
      if (running) return this;
      running = true;
      loop();
      return this;
    },
    stop() {
      running = false;
      if (timer && timer !== "stopped") timers.clearTimeout(timer);
      timer = "stopped";
    },
    /** Poll now (e.g. right after the page sent something) instead of waiting for the next tick. */
    async now() {
      if (!running) return;
      if (inFlight) await inFlight.catch(() => {});
      if (timer && timer !== "stopped") timers.clearTimeout(timer);
      await loop();
    },
    get cursor() {
      return cursor;
    },
    get running() {
      return running;
    },
  };
}

/**
 * Try `listen`, fall back to `poll`.
 * listen({onReady, onError}) starts the listener(s) and returns an unsubscribe function; it calls
 * onReady once the server's first snapshot arrived and onError when the listener fails.
 * poll() returns a started poller ({stop, now}). onStatus(CONNECTING|LIVE|POLLING) reports the path.
 */
export function liveOrPoll({ listen, poll, onStatus = () => {}, timeoutMs = 4000, timers = globalThis }) {
  let mode = CONNECTING;
  let unsubscribe = null;
  let poller = null;
  let stopped = false;
  let lastError = null;

  const setMode = (next) => {
    mode = next;
    onStatus(next, lastError);
  };

  const fallBack = (err) => {
    if (stopped || mode === POLLING) return;
    lastError = err ?? null;
    timers.clearTimeout(timeout);
    if (unsubscribe) {
      try {
        unsubscribe();
      } catch {
        // a listener that failed to start may not unsubscribe cleanly; polling takes over anyway
      }
      unsubscribe = null;
    }
    poller = poll();
    setMode(POLLING);
  };

  const timeout = timers.setTimeout(() => fallBack(new Error(`no snapshot within ${timeoutMs} ms`)), timeoutMs);
  setMode(CONNECTING);
  try {
    unsubscribe = listen({
      onReady: () => {
        if (stopped || mode !== CONNECTING) return;
        timers.clearTimeout(timeout);
        setMode(LIVE);
      },
      onError: (err) => fallBack(err),
    });
  } catch (err) {
    fallBack(err);
  }

  return {
    get mode() {
      return mode;
    },
    get error() {
      return lastError;
    },
    /** Refresh now when polling (after the page itself changed something); a no-op when live. */
    refresh() {
      return poller ? poller.now() : Promise.resolve();
    },
    stop() {
      stopped = true;
      timers.clearTimeout(timeout);
      if (unsubscribe) unsubscribe();
      if (poller) poller.stop();
    },
  };
}
