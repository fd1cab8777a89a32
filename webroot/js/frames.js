// Rendering at most once per animation frame. A busy workspace brings a hundred events a second; each may change
// what a few components show, and none of it can be seen before the next frame is painted. Preact queues the
// components that must render again and asks `options.debounceRendering` when to render them: this answers "at the
// next animation frame", so every change made before that frame costs one render.

/** How long a frame may be waited for: a hidden page gets no animation frames, and must still catch up. */
export const FRAME_FALLBACK_MS = 250;

/**
 * A scheduler that runs everything it was given since the last frame together, once, at the next frame (or after
 * `fallbackMs` when no frame comes, as in a hidden tab). Callbacks scheduled while a batch runs go to the next one.
 * `schedule.flush()` runs the waiting batch now: before the page handles what the user does (a key, a click), so
 * that its handlers see what the user saw (a key typed just before Enter is in the state Enter sends).
 *
 * @param deps.requestFrame `requestAnimationFrame`
 * @param deps.setTimeout the page's setTimeout
 */
export function createFrameScheduler({ requestFrame, setTimeout, fallbackMs = FRAME_FALLBACK_MS }) {
  let queued = [];
  let batch = 0; // the number of the batch waiting for its frame; 0 when none waits
  let batches = 0;

  function run(number) {
    if (batch !== number) {
      return; // already run: by the frame or by the fallback, whichever came first
    }
    batch = 0;
    const callbacks = queued;
    queued = [];
    callbacks.forEach(callback => {
      try {
        callback();
      } catch (error) {
        console.error('render failed', error);
      }
    });
  }

  function schedule(callback) {
    queued.push(callback);
    if (batch === 0) {
      batches += 1;
      const number = batches;
      batch = number;
      requestFrame(() => run(number));
      setTimeout(() => run(number), fallbackMs);
    }
  }
  schedule.flush = () => run(batch || -1);
  return schedule;
}

/** What the user does: each is handled after the renders waiting for a frame have run (`schedule.flush`). */
export const USER_INPUT_EVENTS = ['keydown', 'input', 'pointerdown', 'click', 'compositionend', 'paste', 'drop'];

/** How long a change that only counts something (a sidebar badge) may wait to be shown. */
export const BADGE_INTERVAL_MS = 150;

/**
 * A slower lane for what changes often and is read at a glance: the callbacks given within one interval run together
 * at its end (and render at the next frame after that). A hundred messages a second into channels not open then
 * repaint the sidebar a few times a second, not at every frame; each badge is still at most an interval behind.
 *
 * @param deps.setTimeout the page's setTimeout
 */
export function createIntervalBatcher({ setTimeout, intervalMs = BADGE_INTERVAL_MS }) {
  let queued = new Set();
  let waiting = false;
  return function defer(callback) {
    queued.add(callback);
    if (!waiting) {
      waiting = true;
      setTimeout(() => {
        waiting = false;
        const callbacks = queued;
        queued = new Set();
        callbacks.forEach(run => run());
      }, intervalMs);
    }
  };
}
