// The channel members slice: the members panel of the open chat (who is in it, with their workspace roles), what the
// user may do there (add people, remove them, rename, set the topic and purpose, archive), those actions, and the
// text of the system messages (joins, leaves, renames...) shown as lines in a chat's messages.
//
// Who is in a chat comes from the messages slice (its view's `members`, read from GET /chats/{chatId}/members and
// reloaded on every member event); this slice adds the roles (GET /workspaces/{workspaceId}/members) and keeps the
// chat's `memberCount` as member.joined / member.left give it (the server sends no chat.updated when members change).
// The join and leave lines are the server's stored system messages (`kind: "system"`), in history like any message.

import { createSlice } from './slice.js';

const CLOSED = { open: false, chatId: null, roles: new Map(), error: null };
/** The workspace role shown for a member: owner and admin as the workspace has them, else member. */
export const roleOf = (roles, userId) => (roles.get(userId) === 'owner' || roles.get(userId) === 'admin'
  ? roles.get(userId) : 'member');

/**
 * Whether the user may moderate a channel (remove members, rename, archive): its creator or a workspace owner or admin,
 * as the server decides.
 */
export function canModerate(chat, me, myRole) {
  return !!chat && chat.kind === 'channel' && (chat.createdBy === me || myRole === 'owner' || myRole === 'admin');
}

/**
 * The people that can be added to a chat: workspace members not in it whose name or username contains `query` (any
 * case), by display name; at most `limit`.
 */
export function candidates({ workspaceIds, memberIds, users, query = '', limit = 50 }) {
  const inChat = new Set(memberIds);
  const wanted = query.trim().toLowerCase().replace(/^@/, '');
  return workspaceIds
    .filter(id => !inChat.has(id))
    .map(id => users.get(id) || { id, displayName: 'Someone', username: '' })
    .filter(user => !wanted || (user.displayName || '').toLowerCase().includes(wanted)
      || (user.username || '').toLowerCase().includes(wanted))
    .sort((a, b) => (a.displayName || '').localeCompare(b.displayName || ''))
    .slice(0, limit);
}

/** Names as a reader says them: "Ann", "Ann and Bob", "Ann, Bob and Carol". */
function listed(names) {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * The text of a system message's line (its `system`: {action, actorId, userIds, ...}), given display names. The server
 * stores what happened; the words are the client's.
 */
export function lineText(system, name) {
  const actor = name(system.actorId);
  const users = listed((system.userIds || []).map(name));
  switch (system.action) {
    case 'joined': return `${actor} joined`;
    case 'left': return `${actor} left`;
    case 'added': return `${actor} added ${users}`;
    case 'removed': return `${actor} removed ${users}`;
    case 'renamed': return `${actor} renamed the channel from #${system.oldName} to #${system.name}`;
    case 'topic': return system.topic ? `${actor} set the topic: ${system.topic}` : `${actor} cleared the topic`;
    case 'purpose': return system.purpose ? `${actor} set the purpose: ${system.purpose}` : `${actor} cleared the purpose`;
    case 'archived': return `${actor} archived the channel`;
    case 'unarchived': return `${actor} unarchived the channel`;
    default: return `${actor} changed the channel`;
  }
}

/**
 * @param deps.api REST (`rest.members`, `rest.addChatMember`, `rest.removeChatMember`, `rest.updateChat`)
 * @param deps.session who the user is and their role in each workspace
 * @param deps.people profiles (member names)
 * @param deps.chats the open chat (the panel follows it) and chat rows (member count, name, topic)
 * @param deps.messages member lists (`views[chatId].members`) and their events (`onMemberEvent`)
 * @param deps.files its panel takes the same place: one of the two is shown
 */
export function createMembers({ api, session, people, chats, messages, files }) {
  const slice = createSlice('members', CLOSED);
  let asked = 0;

  async function loadRoles(chatId) {
    const chat = chats.table.get(chatId);
    if (!chat) return;
    const ticket = (asked += 1);
    try {
      const { members } = await api.rest.members(chat.workspaceId);
      people.learn(members.map(member => member.user));
      if (ticket === asked && slice.state.chatId === chatId) {
        slice.set({ roles: new Map(members.map(member => [member.userId, member.role])) });
      }
    } catch (error) {
      if (ticket === asked) slice.set({ error: error?.message || 'The members could not be loaded' });
    }
  }

  /** Opens the panel on a chat's members (closing the files panel and the thread, whose place it takes). */
  function show(chatId = chats.activeChatId()) {
    if (!chatId) return;
    files.hide();
    if (chats.selection.state.threadRootId) chats.selectThread(null);
    slice.set({ ...CLOSED, open: true, chatId });
    messages.loadMembers(chatId);
    loadRoles(chatId);
  }

  function hide() {
    asked += 1;
    slice.set(CLOSED);
  }

  // The panel follows the open chat; a thread or the files panel opened takes its place.
  chats.selection.subscribe(() => {
    const active = chats.activeChatId();
    if (!slice.state.open) return;
    if (chats.selection.state.threadRootId || !active) {
      hide();
    } else if (active !== slice.state.chatId) {
      show(active);
    }
  });
  files.slice.subscribe(() => {
    if (files.slice.state.open && slice.state.open) hide();
  });

  // The header's count: the member events carry it, and the list's length agrees once it is loaded.
  messages.onMembersLoaded((chatId, count) => {
    if (chats.table.has(chatId)) chats.setMemberCount(chatId, count);
  });

  messages.onMemberEvent((event, chatId) => {
    if (Number.isInteger(event.memberCount) && chats.table.has(chatId)) {
      chats.setMemberCount(chatId, event.memberCount);
    }
    if (event.type === 'member.left' && event.userId === session.me() && slice.state.chatId === chatId) {
      hide();
    }
  });
  chats.onRemoved(chatId => {
    if (slice.state.chatId === chatId) hide(); // left or removed: the panel does not move on to another chat
  });

  const workspaceOf = workspaceId => (session.slice.state.workspaces || []).find(ws => ws.id === workspaceId);
  const myRole = workspaceId => workspaceOf(workspaceId)?.role;

  /** What the user may do in a chat. */
  function permissions(chatId) {
    const chat = chats.table.get(chatId);
    const me = session.me();
    const channel = chat?.kind === 'channel';
    const moderator = canModerate(chat, me, chat && myRole(chat.workspaceId));
    return {
      add: channel && !chat.archived,
      remove: channel && moderator,
      topic: !!chat && !chat.archived,
      rename: moderator && !chat.archived,
      archive: moderator,
      // Every workspace member is in its default channel (#general): it cannot be left.
      leave: channel && workspaceOf(chat.workspaceId)?.generalChatId !== chatId,
    };
  }

  /** Adds people one after the other; resolves to those that could not be added (`[{userId, error}]`). */
  async function addPeople(chatId, userIds) {
    const failed = [];
    let chat = null;
    for (const userId of userIds) {
      try {
        ({ chat } = await api.rest.addChatMember(chatId, userId));
      } catch (error) {
        failed.push({ userId, error: error?.message || 'Could not add' });
      }
    }
    if (chat && chats.table.has(chatId)) chats.add({ ...chats.table.get(chatId), ...chat });
    await messages.loadMembers(chatId);
    return failed;
  }

  async function removeMember(chatId, userId) {
    await api.rest.removeChatMember(chatId, userId);
    await messages.loadMembers(chatId);
  }

  /** Changes a chat's name, topic, purpose or archived flag; the answered chat replaces the row (chat.updated does too). */
  async function update(chatId, change) {
    const { chat } = await api.rest.updateChat(chatId, change);
    if (chats.table.has(chatId)) chats.add({ ...chats.table.get(chatId), ...chat });
    return chat;
  }

  function clear() {
    hide();
  }

  return {
    slice,
    show,
    hide,
    toggle: chatId => (slice.state.open && slice.state.chatId === chatId ? hide() : show(chatId)),
    permissions,
    addPeople,
    removeMember,
    setTopic: (chatId, topic) => update(chatId, { topic }),
    setPurpose: (chatId, purpose) => update(chatId, { purpose }),
    rename: (chatId, name) => update(chatId, { name }),
    setArchived: (chatId, archived) => update(chatId, { archived }),
    clear,
  };
}
