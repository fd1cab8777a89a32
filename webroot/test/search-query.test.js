import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OPERATORS, applyHint, hintsFor, tokenAt } from '../js/search-query.js';
import { decodeEntities, snippetRuns } from '../js/snippet.js';

const TODAY = new Date(2026, 2, 15, 10, 0); // 15 March 2026, local time
const inserts = hints => hints.items.map(item => item.insert);

describe('the word under the caret', () => {
  test('runs from the whitespace before the caret to the whitespace after it', () => {
    assert.deepEqual(tokenAt('deploy from:@al friday', 15), { start: 7, end: 15, text: 'from:@al' });
    assert.deepEqual(tokenAt('deploy fr', 9), { start: 7, end: 9, text: 'fr' });
    assert.deepEqual(tokenAt('deploy from:@al', 10), { start: 7, end: 15, text: 'fro' }, 'the caret inside the word');
  });

  test('is nothing inside an open quote: a phrase holds words, not operators', () => {
    assert.equal(tokenAt('"release fr', 11), null);
    assert.deepEqual(tokenAt('"release notes" fr', 18), { start: 16, end: 18, text: 'fr' });
  });
});

describe('hints', () => {
  test('list every operator, and the syntax, while the box is empty', () => {
    const hints = hintsFor('', 0, TODAY);
    assert.equal(hints.kind, 'operators');
    assert.deepEqual(inserts(hints), OPERATORS.map(item => item.insert));
    assert.deepEqual(hints.syntax.map(item => item.label), ['"exact phrase"', '-word', 'word*']);
  });

  test('are filtered by what is typed, each with its line of explanation', () => {
    assert.deepEqual(inserts(hintsFor('i', 1, TODAY)), ['in:#', 'in:@', 'is:thread']);
    assert.deepEqual(inserts(hintsFor('deploy has:', 11, TODAY)), ['has:file', 'has:image', 'has:link']);
    assert.deepEqual(inserts(hintsFor('so', 2, TODAY)), ['sort:recent', 'sort:relevance']);
    assert.equal(hintsFor('i', 1, TODAY).items[2].text, 'in threads: replies, and messages with replies');
  });

  test('are none for a plain word, an exclusion, a phrase, or an operator already complete', () => {
    assert.equal(hintsFor('deploy', 6, TODAY), null);
    assert.equal(hintsFor('-fr', 3, TODAY), null);
    assert.equal(hintsFor('"in the', 7, TODAY), null);
    assert.equal(hintsFor('has:image', 9, TODAY), null);
    assert.equal(hintsFor('re:meeting', 10, TODAY), null, 'a word with a colon that is no operator');
    assert.equal(hintsFor('deploy ', 7, TODAY), null, 'a space after words: nothing typed yet');
  });

  test('complete from:@, in:@ and mentions:@ with people, and in:# with channels, by the prefix typed', () => {
    assert.deepEqual(hintsFor('from:@al', 8, TODAY),
      { kind: 'people', token: { start: 0, end: 8, text: 'from:@al' }, operator: 'from:@', prefix: 'al' });
    assert.equal(hintsFor('x in:@', 6, TODAY).kind, 'people');
    assert.equal(hintsFor('mentions:@', 10, TODAY).operator, 'mentions:@');
    assert.deepEqual(hintsFor('in:#ran', 7, TODAY),
      { kind: 'channels', token: { start: 0, end: 7, text: 'in:#ran' }, operator: 'in:#', prefix: 'ran' });
  });

  test('offer both kinds of in: until its sigil is typed', () => {
    assert.deepEqual(inserts(hintsFor('in:', 3, TODAY)), ['in:#', 'in:@']);
  });

  test('offer today and yesterday for the day operators, as YYYY-MM-DD', () => {
    assert.deepEqual(inserts(hintsFor('on:', 3, TODAY)), ['on:2026-03-15', 'on:2026-03-14']);
    const tenth = new Date(2026, 2, 10, 10, 0);
    assert.deepEqual(inserts(hintsFor('after:2026-03-1', 15, tenth)), ['after:2026-03-10'],
      'what is typed filters them (yesterday was the 9th)');
    assert.equal(hintsFor('on:2026-03-10', 13, tenth), null, 'a day typed in full');
  });
});

describe('choosing a hint', () => {
  test('puts it in place of the word being typed, then a space and the caret after it', () => {
    const query = 'deploy ha friday';
    assert.deepEqual(applyHint(query, tokenAt(query, 9), 'has:link'), { value: 'deploy has:link friday', caret: 16 });
    assert.deepEqual(applyHint('deploy is', tokenAt('deploy is', 9), 'is:thread'),
      { value: 'deploy is:thread ', caret: 17 });
  });

  test('of an operator that takes a value leaves the caret right after it, for the value', () => {
    assert.deepEqual(applyHint('deploy fr', tokenAt('deploy fr', 9), 'from:@', { complete: false }),
      { value: 'deploy from:@', caret: 13 });
  });
});

describe('snippets', () => {
  test('are runs of text, the matched words marked', () => {
    assert.deepEqual(snippetRuns('…the <mark>deploy</mark> went out on <mark>Friday</mark>'), [
      { text: '…the ', mark: false }, { text: 'deploy', mark: true }, { text: ' went out on ', mark: false },
      { text: 'Friday', mark: true },
    ]);
  });

  test('read the escaped text back as the characters it was, so that it is shown as written', () => {
    assert.deepEqual(snippetRuns('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;&#39;<mark>deploy</mark>'), [
      { text: '<script>alert("x")</script> &\'', mark: false }, { text: 'deploy', mark: true },
    ]);
  });

  test('keep any markup other than <mark> as text: nothing else becomes an element', () => {
    const runs = snippetRuns('<img src=x onerror=alert(1)><mark>a</mark><b>bold</b><mark onclick=x>b</mark>');
    assert.deepEqual(runs, [
      { text: '<img src=x onerror=alert(1)>', mark: false }, { text: 'a', mark: true },
      { text: '<b>bold</b><mark onclick=x>b', mark: false },
    ]);
  });

  test('read numeric character references, and leave unknown or invalid ones as written', () => {
    assert.equal(decodeEntities('&#x41;&#66;&bogus;&#xD800;&#0;'), 'AB&bogus;&#xD800;&#0;');
  });
});
