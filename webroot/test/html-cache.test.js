import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createHtmlCache } from '../js/html-cache.js';

function countingCache(options) {
  const rendered = [];
  const cache = createHtmlCache((content, me) => {
    rendered.push(content);
    return `<p>${content} for ${me}</p>`;
  }, options);
  return { cache, rendered };
}

describe('the rendered-message cache', () => {
  test('a message shown again is not rendered again', () => {
    const { cache, rendered } = countingCache();
    const first = cache.html('m-1', 'v0|me', '**hi**', 'me');
    const second = cache.html('m-1', 'v0|me', '**hi**', 'me');
    assert.equal(second, first);
    assert.deepEqual(rendered, ['**hi**']);
  });

  test('an edited message (a new edit time) is rendered again', () => {
    const { cache, rendered } = countingCache();
    cache.html('m-1', '|me', 'before', 'me');
    const html = cache.html('m-1', '2026-01-01T00:00:00Z|me', 'after', 'me');
    assert.equal(html, '<p>after for me</p>');
    assert.deepEqual(rendered, ['before', 'after']);
  });

  test('the same content under another key is rendered for that key', () => {
    const { cache, rendered } = countingCache();
    cache.html('m-1', '|me', 'same', 'me');
    cache.html('m-2', '|me', 'same', 'me');
    assert.equal(rendered.length, 2);
  });

  test('different content under one key and version is never served stale', () => {
    const { cache } = countingCache();
    cache.html('pending:c-1', '|me', 'draft one', 'me');
    assert.equal(cache.html('pending:c-1', '|me', 'draft two', 'me'), '<p>draft two for me</p>');
  });

  test('holds at most its limit, dropping the least recently used', () => {
    const { cache, rendered } = countingCache({ limit: 2 });
    cache.html('a', '', 'a', 'me');
    cache.html('b', '', 'b', 'me');
    cache.html('a', '', 'a', 'me'); // a is used again: b is now the oldest
    cache.html('c', '', 'c', 'me');
    assert.equal(cache.size, 2);
    cache.html('a', '', 'a', 'me');
    assert.deepEqual(rendered, ['a', 'b', 'c'], 'a stayed');
    cache.html('b', '', 'b', 'me');
    assert.deepEqual(rendered, ['a', 'b', 'c', 'b'], 'b was dropped');
  });
});
