import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { composerKey, describeUploadFailure, formatBytes } from '../js/store/uploads.js';
import {
  ALICE, ME, channel, connectedClient, localFile, message, newMessage, settle, uploadedFile,
} from '../testing/fakes.js';

const GENERAL = 'c-general';
const RANDOM = 'c-random';
const MB = 1024 * 1024;

/** A connected client whose server stores sends as seq 1, 2, ... and answers them with their files. */
async function writer(t, options = {}) {
  const setup = await connectedClient(t, { chats: [channel(GENERAL, 'general'), channel(RANDOM, 'random')],
    ...options });
  let seq = 0;
  setup.bus.answer('chat.message.send', body => {
    seq += 1;
    return message(GENERAL, seq, { clientId: body.clientId, senderId: ME.id, content: body.content,
      fileIds: body.fileIds || [] });
  });
  await settle();
  setup.bus.forget();
  return setup;
}

const items = client => client.uploads.table.get(GENERAL)?.items || [];
const sends = bus => bus.sent('chat.message.send');

describe('attaching files', () => {
  test('a file attached uploads at once, to the composer\'s chat, its progress counted as bytes go', async t => {
    const { client, api } = await writer(t);
    await client.uploads.add(GENERAL, GENERAL, [localFile('cat.png', 2000)]);
    assert.equal(api.uploads.length, 1);
    assert.equal(api.uploads[0].chatId, GENERAL);

    api.uploads[0].progress(500);
    await settle();
    assert.deepEqual(items(client).map(({ name, size, loaded, status }) => ({ name, size, loaded, status })),
      [{ name: 'cat.png', size: 2000, loaded: 500, status: 'uploading' }]);

    api.uploads[0].finish();
    await settle();
    assert.equal(items(client)[0].status, 'done');
    assert.equal(items(client)[0].loaded, 2000);
  });

  test('a thread\'s composer keeps its files apart from the chat\'s', async t => {
    const { client } = await writer(t);
    await client.uploads.add(composerKey(GENERAL, 'm-root'), GENERAL, [localFile('reply.png', 10)]);
    assert.equal(items(client).length, 0);
    assert.equal(client.uploads.table.get(`${GENERAL}/m-root`).items[0].name, 'reply.png');
  });

  test('a file over the server\'s limit is refused before a byte is sent, naming the limit', async t => {
    const { client, api } = await writer(t);
    await client.uploads.add(GENERAL, GENERAL, [localFile('film.mov', 30 * MB, 'video/quicktime')]);
    assert.equal(api.uploads.length, 0);
    const [item] = items(client);
    assert.equal(item.status, 'failed');
    assert.equal(item.failure.reason, 'upload_too_large');
    assert.equal(item.failure.text, 'Too large: 30 MB; files can be at most 25 MB');
  });

  test('a file that would pass the storage quota is refused before it is sent', async t => {
    const { client, api } = await writer(t);
    api.data.fileLimits = { ...api.data.fileLimits, quotaBytes: 100 * MB, usedBytes: 99 * MB };
    await client.uploads.add(GENERAL, GENERAL, [localFile('big.zip', 2 * MB, 'application/zip')]);
    assert.equal(api.uploads.length, 0);
    assert.equal(items(client)[0].failure.reason, 'quota_exceeded');
  });

  test('an eleventh file is refused: a message carries at most ten', async t => {
    const { client, api } = await writer(t);
    const files = Array.from({ length: 11 }, (_, i) => localFile(`f${i}.png`, 10));
    await client.uploads.add(GENERAL, GENERAL, files);
    assert.equal(api.uploads.length, 10);
    assert.equal(items(client)[10].status, 'failed');
    assert.match(items(client)[10].failure.text, /At most 10 files/);
  });
});

describe('sending with files', () => {
  test('sending waits for every upload, then sends the message with the files\' ids in the order attached',
    async t => {
      const { client, api, bus } = await writer(t);
      await client.uploads.add(GENERAL, GENERAL, [localFile('a.png', 10), localFile('b.pdf', 20, 'application/pdf')]);
      const sent = client.uploads.send(GENERAL, { chatId: GENERAL, content: 'look' });
      await settle();
      assert.equal(client.uploads.table.get(GENERAL).sending, true);
      api.uploads[1].finish({ id: 'file-b' });
      await settle();
      assert.deepEqual(sends(bus), [], 'not before the first file is up');

      api.uploads[0].finish({ id: 'file-a' });
      assert.equal(await sent, true);
      await settle();
      assert.deepEqual(sends(bus).map(body => ({ content: body.content, fileIds: body.fileIds })),
        [{ content: 'look', fileIds: ['file-a', 'file-b'] }]);
      assert.equal(client.uploads.table.has(GENERAL), false, 'the composer is empty again');
    });

  test('a message of files alone goes with empty content', async t => {
    const { client, api, bus } = await writer(t);
    await client.uploads.add(GENERAL, GENERAL, [localFile('a.png', 10)]);
    api.uploads[0].finish({ id: 'file-a' });
    assert.equal(await client.uploads.send(GENERAL, { chatId: GENERAL, content: '' }), true);
    await settle();
    assert.deepEqual(sends(bus).map(body => [body.content, body.fileIds]), [['', ['file-a']]]);
  });

  test('while it waits for its files, the message is not in the outbox; once sent it shows them until acknowledged',
    async t => {
      const { client, api, bus } = await writer(t);
      bus.answer('chat.message.send', () => new Promise(() => {})); // never acknowledged
      await client.uploads.add(GENERAL, GENERAL, [localFile('a.png', 10)]);
      client.uploads.send(GENERAL, { chatId: GENERAL, content: 'pic' });
      await settle();
      assert.equal(client.outbox.pending.get(GENERAL)?.length || 0, 0);

      api.uploads[0].finish({ id: 'file-a', name: 'a.png' });
      await settle();
      const [pending] = client.outbox.pending.get(GENERAL);
      assert.deepEqual(pending.fileIds, ['file-a']);
      assert.deepEqual(pending.attachments.map(file => file.name), ['a.png']);
    });

  test('a file cancelled while uploading is aborted, and the message goes without it', async t => {
    const { client, api, bus } = await writer(t);
    await client.uploads.add(GENERAL, GENERAL, [localFile('a.png', 10), localFile('slow.png', 10 * MB)]);
    const sent = client.uploads.send(GENERAL, { chatId: GENERAL, content: 'one of two' });
    api.uploads[0].finish({ id: 'file-a' });
    await settle();
    client.uploads.remove(GENERAL, items(client)[1].id);
    assert.equal(api.uploads[1].aborted, true);
    assert.equal(await sent, true);
    await settle();
    assert.deepEqual(sends(bus).map(body => body.fileIds), [['file-a']]);
  });

  test('a refused file holds the message back (nothing is sent) until it is removed', async t => {
    const { client, api, bus } = await writer(t);
    await client.uploads.add(GENERAL, GENERAL, [localFile('page.png', 10), localFile('ok.png', 10)]);
    api.uploads[0].refuse(415, { code: 'unsupported_media_type', reason: 'file_type_mismatch',
      detected: 'text/html', claimed: 'image/png' });
    api.uploads[1].finish({ id: 'file-ok' });
    assert.equal(await client.uploads.send(GENERAL, { chatId: GENERAL, content: 'both' }), false);
    assert.deepEqual(sends(bus), []);
    assert.equal(client.uploads.table.get(GENERAL).sending, false);
    assert.equal(items(client)[0].failure.text, 'The file is HTML but its name says PNG: not shared');

    client.uploads.remove(GENERAL, items(client)[0].id);
    assert.equal(await client.uploads.send(GENERAL, { chatId: GENERAL, content: 'both' }), true);
    await settle();
    assert.deepEqual(sends(bus).map(body => body.fileIds), [['file-ok']]);
  });

  test('an upload refused as rate limited can be tried again, and then sent', async t => {
    const { client, api, bus } = await writer(t);
    await client.uploads.add(GENERAL, GENERAL, [localFile('a.png', 10)]);
    api.uploads[0].refuse(429, { code: 'rate_limited', retryAfter: 12 });
    await settle();
    assert.deepEqual(items(client)[0].failure, { code: 'rate_limited', reason: null,
      text: 'Too many uploads: try again in 12 s', retryable: true });

    client.uploads.retry(GENERAL, items(client)[0].id);
    assert.equal(api.uploads.length, 2);
    assert.equal(items(client)[0].status, 'uploading');
    api.uploads[1].finish({ id: 'file-a' });
    assert.equal(await client.uploads.send(GENERAL, { chatId: GENERAL, content: '' }), true);
    await settle();
    assert.deepEqual(sends(bus).map(body => body.fileIds), [['file-a']]);
  });

  test('a refusal that trying again cannot change offers no retry', async t => {
    const { client, api } = await writer(t);
    await client.uploads.add(GENERAL, GENERAL, [localFile('a.exe', 10, '')]);
    api.uploads[0].refuse(415, { code: 'unsupported_media_type', reason: 'file_type_not_allowed',
      detected: 'application/x-msdownload' });
    await settle();
    client.uploads.retry(GENERAL, items(client)[0].id);
    assert.equal(api.uploads.length, 1);
  });

  test('without files, sending is the outbox\'s plain send; with neither text nor files nothing goes', async t => {
    const { client, bus } = await writer(t);
    assert.equal(await client.uploads.send(GENERAL, { chatId: GENERAL, content: '' }), false);
    assert.equal(await client.uploads.send(GENERAL, { chatId: GENERAL, content: 'hi' }), true);
    await settle();
    assert.deepEqual(sends(bus).map(body => [body.content, body.fileIds]), [['hi', undefined]]);
  });
});

describe('upload failures in words', () => {
  const refused = (code, fields) => describeUploadFailure({ code, problem: { code, ...fields } },
    { name: 'x.png', size: 3 * MB });

  test('too large names the file\'s size and the limit', () => {
    assert.equal(refused('payload_too_large', { reason: 'upload_too_large', limitBytes: 2 * MB }).text,
      'Too large: 3 MB; files can be at most 2 MB');
  });

  test('over the quota says how much is used of how much', () => {
    assert.match(refused('payload_too_large', { reason: 'quota_exceeded', quotaBytes: 1024 * MB,
      usedBytes: 1023.5 * MB }).text, /^Your storage is full: 1024 MB of 1 GB used/);
  });

  test('a type not allowed names the type found', () => {
    assert.equal(refused('unsupported_media_type', { reason: 'file_type_not_allowed', detected: 'image/svg+xml' }).text,
      'This type of file (SVG) cannot be shared');
  });

  test('an image too large in pixels says its size and the limits', () => {
    assert.equal(refused('payload_too_large', { reason: 'image_too_large', width: 20000, height: 100,
      maxSide: 16384, maxPixels: 40000000 }).text,
    'The image is too large: 20000 × 100 pixels (at most 16384 on a side and 40 megapixels)');
  });

  test('a lost connection and an unavailable service can be retried; a chat one may not post in cannot', () => {
    assert.equal(describeUploadFailure({ code: 'network', problem: {} }).retryable, true);
    assert.equal(refused('unavailable', {}).retryable, true);
    assert.equal(refused('not_found', {}).retryable, false);
  });

  test('sizes read in binary units', () => {
    assert.deepEqual([0, 812, 1536, 25 * MB, 10.25 * MB, 1024 * MB].map(formatBytes),
      ['0 B', '812 B', '1.5 KB', '25 MB', '10 MB', '1 GB']);
  });
});

describe('the chat\'s files', () => {
  const shared = (id, attachedAt) => ({ ...uploadedFile({ name: `${id}.png`, size: 5, type: 'image/png' }, { id }),
    messageId: `m-${id}`, senderId: ALICE.id, attachedAt });

  test('the panel shows the open chat\'s files a page at a time, the next page by its cursor', async t => {
    const { client, api } = await writer(t);
    api.data.chatFiles = (chatId, before) => (before === 'cursor-1'
      ? { files: [shared('f2', '2026-01-01T00:00:00Z')], nextCursor: null }
      : { files: [shared('f3', '2026-01-02T00:00:00Z')], nextCursor: 'cursor-1' });
    await client.files.show(GENERAL);
    assert.deepEqual(client.files.slice.state.files.map(file => file.id), ['f3']);
    assert.equal(client.files.slice.state.nextCursor, 'cursor-1');

    await client.files.loadMore();
    assert.deepEqual(client.files.slice.state.files.map(file => file.id), ['f3', 'f2']);
    assert.equal(client.files.slice.state.nextCursor, null);
    assert.deepEqual(api.calls.filter(call => call[0] === 'chatFiles'),
      [['chatFiles', GENERAL, null], ['chatFiles', GENERAL, 'cursor-1']]);
  });

  test('files of a new message in the chat join the top of the open panel', async t => {
    const { client, api, bus } = await writer(t);
    api.data.chatFiles = () => ({ files: [shared('old', '2026-01-01T00:00:00Z')], nextCursor: null });
    client.openChat(GENERAL);
    await client.files.show(GENERAL);
    const file = uploadedFile({ name: 'new.png', size: 7, type: 'image/png' }, { id: 'new' });
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 1, { senderId: ALICE.id, content: '',
      fileIds: ['new'], attachments: [file] })));
    await settle();
    assert.deepEqual(client.files.slice.state.files.map(f => [f.id, f.senderId]), [['new', ALICE.id],
      ['old', ALICE.id]]);
  });

  test('opening another chat shows that chat\'s files; opening a thread closes the panel', async t => {
    const { client, api } = await writer(t);
    api.data.chatFiles = chatId => ({ files: [shared(`of-${chatId}`, '2026-01-01T00:00:00Z')], nextCursor: null });
    client.openChat(GENERAL);
    await client.files.show(GENERAL);
    client.openChat(RANDOM);
    await settle();
    assert.deepEqual(client.files.slice.state.files.map(file => file.id), [`of-${RANDOM}`]);

    client.chats.selectThread('m-1');
    await settle();
    assert.equal(client.files.slice.state.open, false);
  });
});

describe('avatars', () => {
  test('a new avatar is the user\'s everywhere: their profile and their session', async t => {
    const { client } = await writer(t);
    await client.setAvatar(localFile('me.png', 100));
    assert.equal(client.people.users.get(ME.id).avatarUrl, '/api/v1/avatars/me.png');
    assert.equal(client.session.slice.state.session.user.avatarUrl, '/api/v1/avatars/me.png');

    await client.removeAvatar();
    assert.equal(client.people.users.get(ME.id).avatarUrl, null);
    assert.equal(client.session.slice.state.session.user.avatarUrl, null);
  });
});
