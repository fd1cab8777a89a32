// protocol.js spells the names of docs/protocol.md: these tests read the document (and the server's reason codes)
// so that a name changed on one side fails here rather than in a browser.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ERROR, EVENT, EVENTS_BY_SCOPE, REASON, REQUEST, RETRYABLE, SCOPE, SEQUENCED } from '../js/protocol.js';

const root = new URL('../../', import.meta.url);
const protocol = readFileSync(new URL('docs/protocol.md', root), 'utf8');

/** The first column of the table that follows `heading` (a line of the document). */
function tableAfter(heading) {
  const start = protocol.indexOf(heading);
  assert.notEqual(start, -1, `docs/protocol.md has "${heading}"`);
  const rows = [];
  for (const line of protocol.slice(start + heading.length).split('\n').slice(1)) {
    if (!line.startsWith('|')) {
      if (rows.length > 0) {
        break;
      }
      continue;
    }
    const first = line.split('|')[1].trim();
    if (!/^-+$/.test(first) && first !== 'type' && first !== 'code') {
      rows.push(first.replaceAll('`', ''));
    }
  }
  return rows;
}

describe('protocol.js', () => {
  test('names the events of chat addresses exactly as docs/protocol.md lists them', () => {
    assert.deepEqual([...EVENTS_BY_SCOPE[SCOPE.CHAT]].sort(), tableAfter('On `chat.<chatId>` (members):').sort());
  });

  test('names the events of the user address exactly as docs/protocol.md lists them', () => {
    const documented = tableAfter('On `user.<userId>` (all of that user\'s connections):');
    assert.deepEqual([...EVENTS_BY_SCOPE[SCOPE.USER]].sort(), documented.sort());
  });

  test('has a name for every event type it routes, and only those', () => {
    const routed = new Set([...EVENTS_BY_SCOPE[SCOPE.CHAT], ...EVENTS_BY_SCOPE[SCOPE.USER]]);
    assert.deepEqual([...routed].sort(), Object.values(EVENT).sort());
    SEQUENCED.forEach(type => assert.equal(EVENTS_BY_SCOPE[SCOPE.CHAT].includes(type), true, type));
  });

  test('sends only to request addresses the bridge permits', () => {
    const permits = /`send` only to the request addresses: (.*?) \(their bodies/s.exec(protocol)[1];
    const permitted = [...permits.matchAll(/`([a-z.]+)`/g)].map(match => match[1]);
    Object.values(REQUEST).forEach(address => assert.equal(permitted.includes(address), true, address));
  });

  test('knows the error codes of docs/protocol.md (and "disconnected" and "network", its own)', () => {
    const documented = tableAfter('## Error codes');
    Object.values(ERROR).filter(code => code !== ERROR.DISCONNECTED && code !== ERROR.NETWORK)
      .forEach(code => assert.equal(documented.includes(code), true, code));
    RETRYABLE.forEach(code => assert.equal(Object.values(ERROR).includes(code), true, code));
  });

  test('names only reason codes the server gives (it shows any other one as it comes)', () => {
    const reasons = readFileSync(new URL('verticles/shared/src/main/java/dev/ocomms/shared/errors/Reason.java', root),
      'utf8');
    const server = [...reasons.matchAll(/^\s+[A-Z_]+\("([a-z_]+)", ErrorCode\./gm)].map(match => match[1]);
    assert.notEqual(server.length, 0);
    Object.values(REASON).forEach(reason => assert.equal(server.includes(reason), true, reason));
  });
});
