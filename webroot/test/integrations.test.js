// The Integrations page's logic (issue #23): where a refusal is shown on a form (url_not_allowed beside the URL), what
// "Send test" posts and says, a delivery's line, who manages, and the composer's command list following the page.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canManage, deliverySummary, fieldError, invalidField, parseTriggerWords, postedAlike, TEST_PAYLOAD, testResult,
  TRIGGER_WORD_MAX, TRIGGER_WORDS_MAX, URL_NOT_ALLOWED, webhookAddress,
} from '../js/store/integrations.js';
import { connectedClient } from '../testing/fakes.js';

/** A refusal as js/api.js makes it: an ApiError's status, code and problem document. */
const problem = (status, fields) => Object.assign(new Error(fields.detail || fields.code),
  { status, code: fields.code, problem: fields });

describe('a refusal on a form', () => {
  test('url_not_allowed goes beside the URL field, whether a code or a reason', () => {
    const asCode = fieldError(problem(400, { code: URL_NOT_ALLOWED, detail: 'loopback addresses are not allowed' }));
    assert.deepEqual(asCode, { field: 'url', text: 'loopback addresses are not allowed' });
    const asReason = fieldError(problem(400, { code: 'validation_failed', reason: URL_NOT_ALLOWED, field: 'url',
      detail: '169.254.169.254 is not allowed' }));
    assert.equal(asReason.field, 'url');
    assert.equal(asReason.text, '169.254.169.254 is not allowed');
  });

  test('a conflict goes beside the field it is about; a named field beside that field', () => {
    assert.deepEqual(fieldError(problem(409, { code: 'conflict', detail: 'username taken' }), { conflictField: 'username' }),
      { field: 'username', text: 'username taken' });
    assert.deepEqual(fieldError(problem(400, { code: 'validation_failed', field: 'displayName', detail: 'too long' })),
      { field: 'displayName', text: 'too long' });
  });

  test('anything else is the form\'s', () => {
    assert.deepEqual(fieldError(problem(403, { code: 'forbidden', detail: 'owners and admins only' })),
      { field: null, text: 'owners and admins only' });
    assert.deepEqual(fieldError(problem(409, { code: 'conflict', detail: 'taken' })), { field: null, text: 'taken' });
  });
});

describe('the page', () => {
  test('is managed by owners and admins', () => {
    assert.equal(canManage('owner'), true);
    assert.equal(canManage('admin'), true);
    assert.equal(canManage('member'), false);
    assert.equal(canManage(undefined), false);
  });

  test("shows a webhook's URL in full", () => {
    assert.equal(webhookAddress('https://chat.example', '/hooks/abc'), 'https://chat.example/hooks/abc');
    assert.equal(webhookAddress('https://chat.example', 'https://hooks.example/hooks/abc'), 'https://hooks.example/hooks/abc');
  });

  test('says what a test post got: posted, or the problem with its reason', () => {
    assert.equal(testResult({ status: 200, ok: true, text: 'ok' }).ok, true);
    const refused = testResult({ status: 429, ok: false, problem: { code: 'rate_limited', detail: 'Too many posts',
      reason: undefined } });
    assert.deepEqual(refused, { ok: false, text: 'Refused (429): Too many posts' });
    assert.equal(testResult({ status: 400, ok: false, problem: { detail: 'not a payload', reason: 'invalid_payload' } }).text,
      'Refused (400): not a payload (invalid_payload)');
    assert.equal(testResult({ status: 502, ok: false, problem: null }).text, 'Refused (502): HTTP 502');
  });

  test("sums up a delivery: status and HTTP status, time, retries, error", () => {
    assert.equal(deliverySummary({ status: 'ok', httpStatus: 200, durationMs: 120, attempt: 1 }), 'ok 200 · 120 ms');
    assert.equal(deliverySummary({ status: 'failed', httpStatus: 502, durationMs: 40, attempt: 3, error: 'bad gateway' }),
      'failed 502 · 40 ms · attempt 3: bad gateway');
    assert.equal(deliverySummary({ status: 'refused', durationMs: 0, attempt: 1, error: 'loopback address' }),
      'refused · 0 ms: loopback address');
  });
});

describe('messages grouped under one header', () => {
  const own = { senderId: 'u-1' };
  const viaOps = { senderId: 'u-1', via: { outgoingWebhookId: 'ow-1', name: 'Ops' } };
  test('are posted alike: both by the person, or both through the same integration', () => {
    assert.equal(postedAlike(own, { senderId: 'u-1' }), true);
    assert.equal(postedAlike(viaOps, { ...viaOps }), true);
  });

  test("never an integration's post under its creator's own message, or two integrations' posts", () => {
    assert.equal(postedAlike(own, viaOps), false);
    assert.equal(postedAlike(viaOps, own), false);
    assert.equal(postedAlike(viaOps, { senderId: 'u-1', via: { commandId: 'c-1', name: '/deploy' } }), false);
    assert.equal(postedAlike(viaOps, { ...viaOps, via: { ...viaOps.via, username: 'ops-bot' } }), false);
  });
});

describe("an outgoing webhook's trigger words", () => {
  test('are separated by commas, spaces or both', () => {
    assert.deepEqual(parseTriggerWords('deploy, status ship,rollback\tlogs').words,
      ['deploy', 'status', 'ship', 'rollback', 'logs']);
  });

  test('none typed (or only separators) means every message', () => {
    assert.deepEqual(parseTriggerWords(''), { words: [], error: null });
    assert.deepEqual(parseTriggerWords(' ,, \n').words, []);
    assert.deepEqual(parseTriggerWords(undefined).words, []);
  });

  test('a word repeated in another case is kept once, as first typed (the server matches without case)', () => {
    assert.deepEqual(parseTriggerWords('Deploy deploy DEPLOY status').words, ['Deploy', 'status']);
  });

  test(`more than ${TRIGGER_WORDS_MAX} words is refused before asking the server`, () => {
    const words = Array.from({ length: TRIGGER_WORDS_MAX }, (_, i) => `w${i}`);
    assert.equal(parseTriggerWords(words.join(' ')).error, null);
    assert.match(parseTriggerWords([...words, 'one-more'].join(' ')).error, /At most 10 trigger words \(11 given\)/);
  });

  test(`a word longer than ${TRIGGER_WORD_MAX} characters is refused`, () => {
    assert.equal(parseTriggerWords('x'.repeat(TRIGGER_WORD_MAX)).error, null);
    assert.match(parseTriggerWords(`ok ${'x'.repeat(TRIGGER_WORD_MAX + 1)}`).error, /at most 50 characters/);
  });

  test('a refusal made on the page is said beside its field', () => {
    assert.deepEqual(fieldError(invalidField('triggerWords', 'At most 10 trigger words (11 given)')),
      { field: 'triggerWords', text: 'At most 10 trigger words (11 given)' });
  });
});

describe('the integrations actions', () => {
  test("read the user's role in the workspace from their workspace list", async t => {
    const { client } = await connectedClient(t);
    assert.equal(client.integrations.roleIn('ws-1'), 'member');
    assert.equal(client.integrations.canManage('ws-1'), false);
  });

  test('"Send test" posts a Slack payload to the webhook URL and says what came back', async t => {
    const { client, api } = await connectedClient(t);
    const posts = [];
    api.rest.postToWebhook = async (url, payload) => {
      posts.push([url, payload]);
      return { status: 200, ok: true, text: 'ok', problem: null };
    };
    const result = await client.integrations.sendTest('http://localhost/hooks/s3cret');
    assert.deepEqual(posts, [['http://localhost/hooks/s3cret', TEST_PAYLOAD]]);
    assert.equal(typeof TEST_PAYLOAD.text, 'string');
    assert.equal(result.ok, true);
  });

  test('creating and deleting a command updates what the composer offers', async t => {
    const { client, api } = await connectedClient(t);
    const custom = [];
    api.rest.commands = async () => ({ commands: [...custom], builtIns: [{ command: '/help', description: '', usageHint: '' }] });
    api.rest.createCommand = async (workspaceId, fields) => {
      const command = { id: 'cmd-9', workspaceId, ...fields, creatorId: 'u-me', createdAt: '2026-01-01T00:00:00Z' };
      custom.push(command);
      return { command, signingSecret: 'shh' };
    };
    api.rest.deleteCommand = async () => null;
    await client.integrations.listCommands('ws-1');
    const answer = await client.integrations.createCommand('ws-1', { command: '/deploy', url: 'https://ci.example/x' });
    assert.equal(answer.signingSecret, 'shh');
    assert.deepEqual(client.commands.available('ws-1').map(c => c.command), ['/deploy', '/help']);
    await client.integrations.deleteCommand('ws-1', 'cmd-9');
    assert.deepEqual(client.commands.available('ws-1').map(c => c.command), ['/help']);
  });

  test("outgoing webhooks are listed, created, deleted and their deliveries read over their REST routes", async t => {
    const { client, api } = await connectedClient(t);
    const calls = [];
    const hook = { id: 'ow-1', chatId: 'c-1', name: 'Ops', url: 'https://ops.example/hook', triggerWords: ['deploy'] };
    api.rest.outgoingWebhooks = async chatId => { calls.push(['list', chatId]); return { outgoingWebhooks: [hook] }; };
    api.rest.createOutgoingWebhook = async (chatId, fields) => {
      calls.push(['create', chatId, fields]);
      return { outgoingWebhook: hook, signingSecret: 'f'.repeat(64) };
    };
    api.rest.deleteOutgoingWebhook = async id => { calls.push(['delete', id]); return null; };
    api.rest.outgoingWebhookDeliveries = async id => {
      calls.push(['deliveries', id]);
      return { deliveries: [{ id: 'd-1', status: 'ok', httpStatus: 200, durationMs: 12, attempt: 1 }] };
    };

    assert.deepEqual(await client.integrations.outgoingWebhooks('c-1'), [hook]);
    const created = await client.integrations.createOutgoingWebhook('c-1',
      { name: 'Ops', url: hook.url, triggerWords: ['deploy'] });
    assert.equal(created.signingSecret, 'f'.repeat(64));
    assert.deepEqual((await client.integrations.outgoingDeliveries('ow-1')).map(deliverySummary), ['ok 200 · 12 ms']);
    await client.integrations.deleteOutgoingWebhook('ow-1');
    assert.deepEqual(calls.map(call => call[0]), ['list', 'create', 'deliveries', 'delete']);
    assert.deepEqual(calls[1], ['create', 'c-1', { name: 'Ops', url: hook.url, triggerWords: ['deploy'] }]);
  });
});
