import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KEEP_UNUSED_MS, createObjectUrls } from '../js/object-urls.js';
import { fakeClock } from '../testing/fakes.js';

function setup() {
  const fetched = [];
  const revoked = [];
  let made = 0;
  const clock = fakeClock();
  const urls = createObjectUrls({
    fetchBlob: async path => {
      fetched.push(path);
      return { path };
    },
    urls: { createObjectURL: blob => `blob:${blob.path}#${(made += 1)}`, revokeObjectURL: url => revoked.push(url) },
    clock,
  });
  return { urls, fetched, revoked, clock };
}

test('a file shown twice is fetched once and shares one object URL', async () => {
  const { urls, fetched } = setup();
  const [first, second] = await Promise.all([urls.acquire('/f/1'), urls.acquire('/f/1')]);
  assert.equal(first, second);
  assert.deepEqual(fetched, ['/f/1']);
});

test('an object URL nobody shows is revoked after a while, and fetched anew when shown again', async () => {
  const { urls, fetched, revoked, clock } = setup();
  const url = await urls.acquire('/f/1');
  urls.release('/f/1');
  await clock.advance(KEEP_UNUSED_MS - 1);
  await Promise.resolve();
  assert.deepEqual(revoked, []);
  await clock.advance(1);
  await Promise.resolve();
  assert.deepEqual(revoked, [url]);
  assert.equal(urls.size(), 0);

  assert.notEqual(await urls.acquire('/f/1'), url);
  assert.deepEqual(fetched, ['/f/1', '/f/1']);
});

test('taken again before the delay passes, an object URL is kept', async () => {
  const { urls, revoked, clock } = setup();
  const url = await urls.acquire('/f/1');
  urls.release('/f/1');
  assert.equal(await urls.acquire('/f/1'), url);
  await clock.advance(KEEP_UNUSED_MS * 2);
  await Promise.resolve();
  assert.deepEqual(revoked, []);
});

test('a fetch that failed is asked again the next time', async () => {
  let calls = 0;
  const urls = createObjectUrls({
    fetchBlob: async () => {
      calls += 1;
      if (calls === 1) throw new Error('offline');
      return {};
    },
    urls: { createObjectURL: () => 'blob:ok', revokeObjectURL: () => {} },
    clock: fakeClock(),
  });
  await assert.rejects(urls.acquire('/f/1'));
  assert.equal(await urls.acquire('/f/1'), 'blob:ok');
});
