import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canModerate, candidates, lineText, roleOf } from '../js/store/members.js';
import { ALICE, BOB, ME, channel, connectedClient, message, newMessage, settle } from '../testing/fakes.js';

const CAROL = { id: 'u-carol', username: 'carol', displayName: 'Carol Smith' };
const PRIVATE = 'c-private';
const users = new Map([ME, ALICE, BOB, CAROL].map(user => [user.id, user]));
const names = id => users.get(id)?.displayName || 'Someone';

/** A client in one private channel of Me and Alice, where the fake server adds and removes members as asked. */
async function inPrivateChannel(t, fields = {}) {
  const chat = channel(PRIVATE, 'secret', { private: true, memberCount: 2, createdBy: ME.id, lastSeq: 3, ...fields });
  const setup = await connectedClient(t, { chats: [chat] });
  const { api } = setup;
  api.data.members['ws-1'] = [ME, ALICE, BOB, CAROL].map(user => ({ userId: user.id, role: user === ALICE ? 'admin' : 'member', user }));
  api.data.chatMembers[PRIVATE] = [ME, ALICE].map(user => ({ userId: user.id, readSeq: 0, user }));
  const member = user => ({ userId: user.id, readSeq: 0, user });
  api.rest.addChatMember = async (chatId, userId) => {
    api.calls.push(['addChatMember', chatId, userId]);
    if (userId === CAROL.id) throw new Error('Carol cannot be added');
    api.data.chatMembers[chatId].push(member(users.get(userId)));
    return { chat: { ...chat, memberCount: api.data.chatMembers[chatId].length } };
  };
  api.rest.removeChatMember = async (chatId, userId) => {
    api.calls.push(['removeChatMember', chatId, userId]);
    api.data.chatMembers[chatId] = api.data.chatMembers[chatId].filter(row => row.userId !== userId);
    return null;
  };
  api.rest.updateChat = async (chatId, change) => {
    api.calls.push(['updateChat', chatId, change]);
    return { chat: { ...setup.client.chats.table.get(chatId), ...change } };
  };
  setup.client.openChat(PRIVATE);
  await settle();
  return setup;
}

describe('who may be added', () => {
  test('only workspace members not in the chat are offered, by name', () => {
    const found = candidates({ workspaceIds: [ME.id, ALICE.id, BOB.id, CAROL.id], memberIds: [ME.id, ALICE.id], users });
    assert.deepEqual(found.map(user => user.id), [BOB.id, CAROL.id]);
  });

  test('typing narrows the offer by display name or username, in any case', () => {
    const found = candidates({ workspaceIds: [ME.id, ALICE.id, BOB.id, CAROL.id], memberIds: [ME.id], users, query: 'SMI' });
    assert.deepEqual(found.map(user => user.id), [CAROL.id]);
    const byUsername = candidates({ workspaceIds: [BOB.id, CAROL.id], memberIds: [], users, query: '@bo' });
    assert.deepEqual(byUsername.map(user => user.id), [BOB.id]);
  });
});

describe('roles and permissions', () => {
  test('workspace owners and admins show as such, everyone else as member', () => {
    const roles = new Map([[ALICE.id, 'admin'], [BOB.id, 'owner'], [ME.id, 'member']]);
    assert.deepEqual([ALICE.id, BOB.id, ME.id, CAROL.id].map(id => roleOf(roles, id)), ['admin', 'owner', 'member', 'member']);
  });

  test('the channel\'s creator and workspace owners and admins moderate it; others do not; DMs have no moderators', () => {
    const chat = channel('c-1', 'x', { createdBy: ALICE.id });
    assert.equal(canModerate(chat, ALICE.id, 'member'), true);
    assert.equal(canModerate(chat, ME.id, 'admin'), true);
    assert.equal(canModerate(chat, ME.id, 'member'), false);
    assert.equal(canModerate({ ...chat, kind: 'dm' }, ALICE.id, 'owner'), false);
  });

  test('a member who did not create the channel may add people and edit the topic but not remove, rename or archive', async t => {
    const { client } = await inPrivateChannel(t, { createdBy: ALICE.id });
    assert.deepEqual(client.members.permissions(PRIVATE),
      { add: true, remove: false, topic: true, rename: false, archive: false, leave: true });
  });

  test('in an archived channel only unarchiving (and leaving) is offered', async t => {
    const { client } = await inPrivateChannel(t, { archived: true });
    assert.deepEqual(client.members.permissions(PRIVATE),
      { add: false, remove: true, topic: false, rename: false, archive: true, leave: true });
  });
});

describe('leaving', () => {
  test('the workspace\'s default channel (#general), where every member is, is not offered for leaving', async t => {
    const { client } = await connectedClient(t);
    assert.equal(client.members.permissions('c-general').leave, false);
  });

  test('leaving the channel whose panel is open closes the panel (it does not move on to the next chat)', async t => {
    const { client } = await connectedClient(t, { chats: [channel('c-general', 'general'), channel(PRIVATE, 'secret')] });
    client.openChat(PRIVATE);
    client.members.show(PRIVATE);
    await settle();
    await client.leaveChat(PRIVATE);
    await settle();
    assert.equal(client.members.slice.state.open, false);
  });
});

describe('the members panel', () => {
  test('opened, it lists the chat\'s members and the workspace roles', async t => {
    const { client } = await inPrivateChannel(t);
    client.members.show(PRIVATE);
    await settle();
    assert.deepEqual([...client.messages.views.get(PRIVATE).members.keys()], [ME.id, ALICE.id]);
    assert.equal(roleOf(client.members.slice.state.roles, ALICE.id), 'admin');
  });

  test('it takes the files panel\'s place, and the files panel takes its place', async t => {
    const { client } = await inPrivateChannel(t);
    client.files.show(PRIVATE);
    client.members.show(PRIVATE);
    await settle();
    assert.equal(client.files.slice.state.open, false);
    client.files.show(PRIVATE);
    await settle();
    assert.equal(client.members.slice.state.open, false);
  });

  test('adding several people adds each, and the header count follows the member list', async t => {
    const { client, api } = await inPrivateChannel(t);
    const failed = await client.members.addPeople(PRIVATE, [BOB.id]);
    await settle();
    assert.deepEqual(failed, []);
    assert.deepEqual(api.calls.filter(call => call[0] === 'addChatMember'), [['addChatMember', PRIVATE, BOB.id]]);
    assert.equal(client.chats.table.get(PRIVATE).memberCount, 3);
  });

  test('one refused among several is reported, the others are still added', async t => {
    const { client } = await inPrivateChannel(t);
    const failed = await client.members.addPeople(PRIVATE, [CAROL.id, BOB.id]);
    assert.deepEqual(failed.map(failure => failure.userId), [CAROL.id]);
    assert.ok(client.messages.views.get(PRIVATE).members.has(BOB.id));
  });

  test('a removal lowers the count', async t => {
    const { client } = await inPrivateChannel(t);
    await client.members.removeMember(PRIVATE, ALICE.id);
    await settle();
    assert.equal(client.chats.table.get(PRIVATE).memberCount, 1);
  });

  test('a topic change replaces the chat\'s topic at once', async t => {
    const { client, api } = await inPrivateChannel(t);
    await client.members.setTopic(PRIVATE, 'Plans');
    await settle();
    assert.deepEqual(api.calls.find(call => call[0] === 'updateChat'), ['updateChat', PRIVATE, { topic: 'Plans' }]);
    assert.equal(client.chats.table.get(PRIVATE).topic, 'Plans');
  });

  test('another window\'s member.joined updates the count without a chat.updated', async t => {
    const { client, bus, api } = await inPrivateChannel(t);
    api.data.chatMembers[PRIVATE].push({ userId: BOB.id, readSeq: 0, user: BOB });
    bus.publish(`chat.${PRIVATE}`, { type: 'member.joined', chatId: PRIVATE, userId: BOB.id, by: ALICE.id });
    await settle();
    assert.equal(client.chats.table.get(PRIVATE).memberCount, 3);
  });
});

describe('system lines', () => {
  const line = (action, actorId, userIds = [], fields = {}) => ({ action, actorId, userIds, ...fields });

  test('joins, adds, removals and leaves read as such', () => {
    assert.equal(lineText(line('joined', BOB.id, [BOB.id]), names), 'Bob joined');
    assert.equal(lineText(line('left', BOB.id, [BOB.id]), names), 'Bob left');
    assert.equal(lineText(line('added', ALICE.id, [BOB.id]), names), 'Alice added Bob');
    assert.equal(lineText(line('removed', ME.id, [BOB.id, CAROL.id]), names), 'Me Myself removed Bob and Carol Smith');
  });

  test('the channel\'s own changes read with what changed', () => {
    assert.equal(lineText(line('renamed', ALICE.id, [], { oldName: 'team', name: 'crew' }), names),
      'Alice renamed the channel from #team to #crew');
    assert.equal(lineText(line('topic', ALICE.id, [], { topic: 'Plans' }), names), 'Alice set the topic: Plans');
    assert.equal(lineText(line('purpose', ALICE.id, [], { purpose: '' }), names), 'Alice cleared the purpose');
    assert.equal(lineText(line('archived', ALICE.id), names), 'Alice archived the channel');
  });

  test('a member event sets the header\'s count from its memberCount', async t => {
    const { client, bus, api } = await inPrivateChannel(t);
    api.rest.chatMembers = () => new Promise(() => {}); // the list does not come back: the event alone says it
    bus.publish(`chat.${PRIVATE}`, { type: 'member.left', chatId: PRIVATE, userId: ALICE.id, by: ALICE.id,
      reason: 'left', memberCount: 1 });
    await settle();
    assert.equal(client.chats.table.get(PRIVATE).memberCount, 1);
  });

  test('a stored join line is not unread and is kept once, live and in history', async t => {
    const { client, bus } = await inPrivateChannel(t);
    const join = message(PRIVATE, 4, { senderId: BOB.id, content: '', kind: 'system',
      system: { action: 'added', actorId: ALICE.id, userIds: [BOB.id] } });
    bus.publish(`chat.${PRIVATE}`, newMessage(join));
    bus.publish(`chat.${PRIVATE}`, newMessage(join));
    await settle();
    assert.equal(client.chats.table.get(PRIVATE).unreadCount || 0, 0);
    assert.deepEqual(client.messages.views.get(PRIVATE).messages.filter(m => m.kind === 'system').map(m => m.seq), [4]);
  });

  test('the user removed from a chat loses it and its open panel', async t => {
    const { client, bus } = await inPrivateChannel(t);
    client.members.show(PRIVATE);
    bus.publish(`chat.${PRIVATE}`, { type: 'member.left', chatId: PRIVATE, userId: ME.id, by: ALICE.id, reason: 'removed' });
    await settle();
    assert.equal(client.chats.table.has(PRIVATE), false);
    assert.equal(client.members.slice.state.open, false);
  });
});
