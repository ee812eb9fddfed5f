// Live updates by polling: one request round at a time, the next one at most `interval`
// ms after the previous one started, and none while the view is hidden.

/** A loop that calls `fn` every `interval` ms between start() and stop(). */
export function poller(fn, interval = 1000) {
  let timer = null;
  let running = false; // a round is in flight
  let again = false; // now() was asked for during a round
  let stopped = true;

  async function round() {
    clearTimeout(timer);
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    const started = performance.now();
    try {
      await fn();
    } catch (error) {
      console.error(error); // views show their own errors; never let the loop die
    } finally {
      running = false;
    }
    if (stopped) return;
    const wait = again ? 0 : Math.max(0, interval - (performance.now() - started));
    again = false;
    timer = setTimeout(round, wait);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      round();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    /** Refresh at once (after an action), without starting a second loop. */
    now() {
      round();
    },
  };
}
