// Slash commands (issue #23): what a composer's line is, the command being typed and its completions, the
// workspace's list read once and kept, running a command over `chat.command`, and ephemeral replies kept in memory.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandCompletions, commandQuery, MAX_EPHEMERAL, parseLine, RETRY_LIST_MS } from '../js/store/commands.js';
import { BUILT_IN_COMMANDS } from '../js/protocol.js';
import { connectedClient, fakeClock, refusal, settle } from '../testing/fakes.js';

const DEPLOY = { id: 'cmd-1', workspaceId: 'ws-1', command: '/deploy', description: 'Ship it', usageHint: '[env]',
  creatorId: 'u-me', createdAt: '2026-01-01T00:00:00.000Z' };
const BUILT_INS = [{ command: '/help', description: 'Commands', usageHint: '' },
  { command: '/shrug', description: 'Shrug', usageHint: '[text]' }];

/** A connected client whose REST answers the workspace's commands (counting the reads); `fail` refuses them. */
async function withCommands(t, { fail = false, clock } = {}) {
  const setup = await connectedClient(t, { clock });
  setup.reads = 0;
  setup.api.rest.commands = async workspaceId => {
    setup.reads += 1;
    if (fail) {
      throw Object.assign(new Error('unavailable'), { status: 503, code: 'unavailable', problem: {} });
    }
    assert.equal(workspaceId, 'ws-1');
    return { commands: [DEPLOY], builtIns: BUILT_INS };
  };
  return setup;
}

const ephemeral = (fields = {}) => ({ type: 'command.ephemeral', id: 'e-1', chatId: 'c-general', command: '/help',
  text: 'Commands: /shrug', at: '2026-01-01T12:00:00.000Z', ...fields });

describe('a composer line', () => {
  test('starting with a slash and a name is a command, the whole line its text', () => {
    assert.deepEqual(parseLine('/shrug ok'), { kind: 'command', text: '/shrug ok', command: '/shrug' });
    assert.deepEqual(parseLine('  /Deploy prod  '), { kind: 'command', text: '/Deploy prod', command: '/deploy' });
  });

  test('starting with two slashes sends a literal slash', () => {
    assert.deepEqual(parseLine('//shrug is a command'), { kind: 'message', content: '/shrug is a command' });
    assert.deepEqual(parseLine('//'), { kind: 'message', content: '/' });
  });

  test('a lone slash, a slash and a space, or a slash later on is text', () => {
    assert.deepEqual(parseLine('/'), { kind: 'message', content: '/' });
    assert.deepEqual(parseLine('/ not a command'), { kind: 'message', content: '/ not a command' });
    assert.deepEqual(parseLine('and/or'), { kind: 'message', content: 'and/or' });
  });
});

describe('the command being typed', () => {
  test('is the name after a slash at the start of the box, up to the caret', () => {
    assert.equal(commandQuery('/'), '');
    assert.equal(commandQuery('/Sh'), 'sh');
    assert.equal(commandQuery('/deploy-prod_2'), 'deploy-prod_2');
  });

  test('is none once a space follows the name, after text, or after two slashes', () => {
    assert.equal(commandQuery('/shrug '), null);
    assert.equal(commandQuery('hi /sh'), null);
    assert.equal(commandQuery(' /sh'), null);
    assert.equal(commandQuery('//'), null);
  });

  test('completes to the commands starting with it, by name', () => {
    const all = [{ command: '/shrug' }, { command: '/deploy' }, { command: '/help' }, { command: '/dnd' }];
    assert.deepEqual(commandCompletions(all, '').map(c => c.command), ['/deploy', '/dnd', '/help', '/shrug']);
    assert.deepEqual(commandCompletions(all, 'd').map(c => c.command), ['/deploy', '/dnd']);
    assert.deepEqual(commandCompletions(all, 'x'), []);
  });
});

describe('the commands slice', () => {
  test('offers the built-ins of the contract before the workspace list is read', async t => {
    const { client } = await withCommands(t);
    const names = client.commands.available('ws-1').map(c => c.command);
    assert.deepEqual(names, BUILT_IN_COMMANDS.map(c => c.command));
    assert.ok(names.includes('/shrug') && names.includes('/help'));
  });

  test("reads a workspace's commands once and offers its custom ones with the server's built-ins", async t => {
    const setup = await withCommands(t);
    const { client } = setup;
    await Promise.all([client.commands.load('ws-1'), client.commands.load('ws-1')]);
    await client.commands.load('ws-1');
    assert.equal(setup.reads, 1);
    assert.deepEqual(client.commands.available('ws-1').map(c => [c.command, c.builtIn, c.usageHint]),
      [['/deploy', false, '[env]'], ['/help', true, ''], ['/shrug', true, '[text]']]);
    await client.commands.load('ws-1', { force: true });
    assert.equal(setup.reads, 2);
  });

  test('after a failed read offers the built-ins, and asks again only after a pause', async t => {
    const clock = fakeClock();
    const setup = await withCommands(t, { fail: true, clock });
    const { client } = setup;
    await client.commands.load('ws-1');
    await client.commands.load('ws-1');
    assert.equal(setup.reads, 1);
    assert.equal(client.commands.available('ws-1').length, BUILT_IN_COMMANDS.length);
    await clock.advance(RETRY_LIST_MS);
    await client.commands.load('ws-1');
    assert.equal(setup.reads, 2);
  });

  test('a command created or deleted on the Integrations page changes the cached list at once', async t => {
    const { client } = await withCommands(t);
    await client.commands.load('ws-1');
    const status = { ...DEPLOY, id: 'cmd-2', command: '/status' };
    client.commands.added('ws-1', status);
    assert.deepEqual(client.commands.customOf('ws-1').map(c => c.command), ['/deploy', '/status']);
    client.commands.removed('ws-1', DEPLOY.id);
    assert.deepEqual(client.commands.customOf('ws-1').map(c => c.command), ['/status']);
  });

  test('runs a line over chat.command with a clientId, and the thread when written in one', async t => {
    const { client, bus } = await withCommands(t);
    bus.answer('chat.command', body => ({ command: body.text.split(' ')[0], kind: 'builtin' }));
    assert.deepEqual(await client.commands.run('c-general', '/shrug ok'), { command: '/shrug', kind: 'builtin' });
    await client.commands.run('c-general', '/me waves', 'm-root');
    const sent = bus.sent('chat.command');
    assert.equal(sent.length, 2);
    assert.deepEqual({ ...sent[0], clientId: undefined }, { chatId: 'c-general', text: '/shrug ok', clientId: undefined });
    assert.equal(typeof sent[0].clientId, 'string');
    assert.notEqual(sent[0].clientId, sent[1].clientId);
    assert.equal(sent[1].threadRootId, 'm-root');
    assert.equal('threadRootId' in sent[0], false);
  });

  test('a refused command rejects with the error code and the body (shown as a send failure is)', async t => {
    const { client, bus } = await withCommands(t);
    bus.answer('chat.command', () => {
      throw refusal('validation_failed', 400, 'text is empty', { field: 'text' });
    });
    await assert.rejects(client.commands.run('c-general', '/x'), error => error.code === 'validation_failed'
      && error.body.detail === 'text is empty');
  });
});

describe('ephemeral replies', () => {
  test('are kept per chat as they come on the user address, once each, with their attachments', async t => {
    const { client, bus } = await withCommands(t);
    bus.publish('user.u-me', ephemeral());
    bus.publish('user.u-me', ephemeral()); // another of one's connections' copy is not doubled
    bus.publish('user.u-me', ephemeral({ id: 'e-2', threadRootId: 'm-root', attachments: [{ color: 'good', text: 'ok' }] }));
    await settle();
    const list = client.commands.ephemerals.get('c-general');
    assert.deepEqual(list.map(e => e.id), ['e-1', 'e-2']);
    assert.deepEqual(client.commands.shownIn(list, null).map(e => e.id), ['e-1']);
    assert.deepEqual(client.commands.shownIn(list, 'm-root').map(e => e.id), ['e-2']);
    assert.equal(list[0].rich, null);
    assert.deepEqual(list[1].rich, { attachments: [{ color: 'good', text: 'ok' }], blocks: [] });
  });

  test('are dismissed one by one, and kept at most MAX_EPHEMERAL per chat', async t => {
    const { client, bus } = await withCommands(t);
    for (let i = 0; i < MAX_EPHEMERAL + 2; i += 1) {
      bus.publish('user.u-me', ephemeral({ id: `e-${i}` }));
    }
    const list = client.commands.ephemerals.get('c-general');
    assert.equal(list.length, MAX_EPHEMERAL);
    assert.equal(list[0].id, 'e-2');
    client.commands.dismiss('c-general', 'e-2');
    assert.equal(client.commands.ephemerals.get('c-general').some(e => e.id === 'e-2'), false);
  });

  test('live in memory only: signing out forgets them, and the cached lists', async t => {
    const { client, bus } = await withCommands(t);
    await client.commands.load('ws-1');
    bus.publish('user.u-me', ephemeral());
    assert.equal(client.commands.ephemerals.size, 1);
    await client.logout();
    assert.equal(client.commands.ephemerals.size, 0);
    assert.equal(client.commands.lists.size, 0);
  });
});
