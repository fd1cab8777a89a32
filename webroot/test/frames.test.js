import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createFrameScheduler } from '../js/frames.js';

/** Animation frames and timers the test runs by hand. */
function fakeFrames() {
  const frames = [];
  const timers = [];
  return {
    requestFrame: callback => frames.push(callback),
    setTimeout: callback => timers.push(callback),
    /** Paints one frame: runs the callbacks asked for before it. */
    frame() {
      frames.splice(0).forEach(callback => callback());
    },
    /** The fallback timers fire (a hidden page gets no frames). */
    timeout() {
      timers.splice(0).forEach(callback => callback());
    },
  };
}

describe('rendering once per animation frame', () => {
  test('a hundred changes before a frame cost one run, at the frame', () => {
    const page = fakeFrames();
    const schedule = createFrameScheduler(page);
    let runs = 0;
    for (let i = 0; i < 100; i += 1) {
      schedule(() => { runs += 1; });
    }
    assert.equal(runs, 0, 'nothing before the frame');
    page.frame();
    assert.equal(runs, 100, 'each callback once');
    page.frame();
    page.timeout();
    assert.equal(runs, 100, 'and never again');
  });

  test('one flush per frame, however many frames the changes span', () => {
    const page = fakeFrames();
    const schedule = createFrameScheduler(page);
    let flushes = 0;
    const flush = () => { flushes += 1; };
    schedule(flush);
    schedule(flush);
    page.frame();
    schedule(flush);
    page.frame();
    assert.equal(flushes, 3);
  });

  test('a change made while a batch runs waits for the next frame', () => {
    const page = fakeFrames();
    const schedule = createFrameScheduler(page);
    const order = [];
    schedule(() => {
      order.push('first');
      schedule(() => order.push('second'));
    });
    page.frame();
    assert.deepEqual(order, ['first']);
    page.frame();
    assert.deepEqual(order, ['first', 'second']);
  });

  test('without frames (a hidden page) the fallback timer runs the batch, once', () => {
    const page = fakeFrames();
    const schedule = createFrameScheduler(page);
    let runs = 0;
    schedule(() => { runs += 1; });
    page.timeout();
    assert.equal(runs, 1);
    page.frame();
    assert.equal(runs, 1, 'the late frame finds nothing to do');
  });

  test('a failing callback does not stop the others', () => {
    const page = fakeFrames();
    const schedule = createFrameScheduler(page);
    let ran = false;
    const error = console.error;
    console.error = () => {};
    try {
      schedule(() => { throw new Error('boom'); });
      schedule(() => { ran = true; });
      page.frame();
    } finally {
      console.error = error;
    }
    assert.equal(ran, true);
  });
});

describe('rendering before the user acts', () => {
  test('flush runs the waiting batch at once, and the frame then finds nothing to do', () => {
    const page = fakeFrames();
    const schedule = createFrameScheduler(page);
    let runs = 0;
    schedule(() => { runs += 1; });
    schedule.flush();
    assert.equal(runs, 1, 'rendered before the key is handled');
    page.frame();
    page.timeout();
    assert.equal(runs, 1);
  });

  test('flush with nothing waiting does nothing', () => {
    const page = fakeFrames();
    const schedule = createFrameScheduler(page);
    schedule.flush();
    let runs = 0;
    schedule(() => { runs += 1; });
    page.frame();
    assert.equal(runs, 1);
  });
});
