// The renderer's own logic with the real marked (the WebJar the browser loads); DOMPurify is a recording stand-in
// (testing/purify-stub.js says why), so what is tested of sanitizing is the configuration handed to it.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { useWebJars } from '../testing/webjars.js';

let markdown;
let purify;

before(async () => {
  useWebJars({ replace: { dompurify: new URL('../testing/purify-stub.js', import.meta.url).href } });
  markdown = await import('../js/markdown.js');
  purify = await import('../testing/purify-stub.js');
});

describe('markdown', () => {
  test('renders formatting with marked', () => {
    assert.equal(markdown.markdownToHtml('**bold** _and_ `code`'),
      '<p><strong>bold</strong> <em>and</em> <code>code</code></p>\n');
  });

  test('shows raw HTML as text, never as markup', () => {
    const html = markdown.markdownToHtml('<script>alert(1)</script> and <b>not bold</b>');
    assert.doesNotMatch(html, /<script|<b>/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /&lt;b&gt;not bold&lt;\/b&gt;/);
  });

  test('turns @names into mention spans, escaped, without the trailing punctuation', () => {
    const html = markdown.markdownToHtml('hi @alice.b, and @bob!');
    assert.match(html, /<span class="mention" data-mention="alice\.b">@alice\.b<\/span>,/);
    assert.match(html, /<span class="mention" data-mention="bob">@bob<\/span>!/);
    assert.doesNotMatch(markdown.markdownToHtml('mail me at ann@example.org'), /class="mention"/);
  });

  test('marks the user\'s own mentions and those of the whole chat, and no one else\'s', () => {
    const html = markdown.markMentions(markdown.markdownToHtml('@Alice @bob @here'), 'alice');
    assert.match(html, /data-mention="alice" data-me="true"/);
    assert.match(html, /data-mention="here" data-me="true"/);
    assert.doesNotMatch(html, /data-mention="bob" data-me/);
  });

  test('hands marked\'s HTML to DOMPurify with our allow-lists, and marks mentions in what comes back', () => {
    const html = markdown.renderMarkdown('hey @me [site](https://example.org)', 'me');
    const call = purify.calls.at(-1);
    assert.equal(call.html, markdown.markdownToHtml('hey @me [site](https://example.org)'));
    assert.equal(call.config, markdown.PURIFY);
    assert.match(html, /data-mention="me" data-me="true"/);
  });

  test('allows web, mail, fragment and same-site links only', () => {
    const allowed = url => markdown.PURIFY.ALLOWED_URI_REGEXP.test(url);
    ['https://example.org', 'http://example.org/a', 'mailto:ann@example.org', '#top', '/api/v1/files/1']
      .forEach(url => assert.equal(allowed(url), true, url));
    ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>', '//evil.example', 'vbscript:x']
      .forEach(url => assert.equal(allowed(url), false, url));
  });

  test('keeps the attributes of task lists, numbered lists and tables, which are not links', () => {
    assert.match(markdown.markdownToHtml('- [x] done\n\n3. third'), /<input checked="" disabled="" type="checkbox">[\s\S]*<ol start="3">/);
    ['type', 'start', 'align'].forEach(name => {
      assert.equal(markdown.PURIFY.ALLOWED_ATTR.includes(name), true, name);
      assert.equal(markdown.PURIFY.ADD_URI_SAFE_ATTR.includes(name), true, `${name} is not held to the link pattern`);
    });
  });

  test('allows no element that runs or loads anything', () => {
    ['script', 'img', 'iframe', 'svg', 'object', 'embed', 'style', 'form', 'video', 'audio', 'link', 'meta']
      .forEach(tag => assert.equal(markdown.PURIFY.ALLOWED_TAGS.includes(tag), false, tag));
    assert.equal(markdown.PURIFY.ALLOWED_ATTR.some(name => /^on/i.test(name) || name === 'style'), false);
  });

  test('makes every link open in a new tab that gets neither the page nor the referrer', () => {
    assert.equal(purify.hooks.afterSanitizeAttributes, markdown.hardenLink);
    const attributes = {};
    markdown.hardenLink({ tagName: 'A', setAttribute: (name, value) => { attributes[name] = value; } });
    assert.deepEqual(attributes, { target: '_blank', rel: 'noopener noreferrer nofollow' });
    const untouched = {};
    markdown.hardenLink({ tagName: 'SPAN', setAttribute: (name, value) => { untouched[name] = value; } });
    assert.deepEqual(untouched, {});
  });

  test('a message is rendered and sanitized once per version, however often it is shown', () => {
    const msg = { id: 'm-cached', clientId: 'c-cached', content: 'hello **@me**', editedAt: null };
    const before = purify.calls.length;
    const first = markdown.messageHtml(msg, 'me');
    assert.equal(markdown.messageHtml({ ...msg }, 'me'), first);
    assert.equal(purify.calls.length - before, 1, 'sanitized once');
    const edited = markdown.messageHtml({ ...msg, content: 'bye', editedAt: '2026-01-01T00:00:00Z' }, 'me');
    assert.match(edited, /bye/);
    assert.equal(purify.calls.length - before, 2, 'and once more for the edit');
  });
});

