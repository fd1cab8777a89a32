// The client: every slice, the event router between the bridge and the slices, and the actions that span slices
// (signing in and out, opening a chat, switching workspaces, catching up after a reconnect).
//
// Slices are made in the order they depend on each other: a slice calls the actions of those made before it, and
// hears of the later ones only through their listeners (`onAdded`, `onNewMessage`, `subscribe`), so no two slices
// know each other both ways. Everything from the outside (the bridge, REST, storage, the page) comes in `deps`, so a
// test makes a client against fakes.

import { SCOPE, userAddress } from '../protocol.js';
import { createChats } from './chats.js';
import { createConnection } from './connection.js';
import { createMessages } from './messages.js';
import { createNotices } from './notices.js';
import { createOutbox } from './outbox.js';
import { createPeople } from './people.js';
import { createPresence } from './presence.js';
import { createReads } from './reads.js';
import { createRouter } from './router.js';
import { createSearch } from './search.js';
import { createSession } from './session.js';
import { createTitle } from './title.js';
import { createTyping } from './typing.js';
import { createUploads } from './uploads.js';
import { createChatFiles } from './files.js';
import { createNotes } from './notes.js';
import { createNotifications } from './notifications.js';
import { createMembers } from './members.js';
import { createDrafts } from './drafts.js';
import { createSidebarPrefs } from './sidebar.js';
import { browserTimeZone } from './status.js';
import { createPins } from './pins.js';
import { createCommands } from './commands.js';
import { createIntegrations } from './integrations.js';

/**
 * @param deps.api REST and the session (`js/api.js`)
 * @param deps.bus the bridge client (`js/eventbus.js`)
 * @param deps.outboxStore IndexedDB storage of unsent messages (`js/outbox-db.js`)
 * @param deps.storage localStorage (chosen workspace and chat)
 * @param deps.document the page (title, favicon, visibility)
 * @param deps.window activity (idleness)
 * @param deps.drawFavicon optional: how the favicon is drawn
 * @param deps.newId optional: makes a message's clientId
 * @param deps.clock optional: `now`, `setTimeout` and `clearTimeout` for what is paced in time (reads, the title)
 * @param deps.timeZone optional: () => the IANA zone search reads days in (the page's by default)
 */
const INVITE_KEY = 'ocomms.invite';

export function createClient({ api, bus, outboxStore, storage, document, window, drawFavicon, newId,
  clock = globalThis, timeZone }) {
  const router = createRouter();
  const notices = createNotices();
  const connection = createConnection({ bus });
  const session = createSession({ api, storage });
  const people = createPeople({ api, router, onOwnProfile: user => {
    if (user.id === session.me()) {
      api.updateUser(user);
    }
  } });
  const chats = createChats({ api, bus, router, session, people, notices, storage });
  const messages = createMessages({ bus, router, api, session, people, chats, connection, notices });
  const outbox = createOutbox({ bus, store: outboxStore, session, chats, messages, connection, newId });
  const uploads = createUploads({ api, outbox, newId });
  const files = createChatFiles({ api, chats, messages });
  const members = createMembers({ api, session, people, chats, messages, files });
  const typing = createTyping({ bus, router, session, people, messages, connection });
  const notes = createNotes({ api, bus, router, session, people, connection, storage, clock });
  const notifications = createNotifications({ bus, api, router, session, chats, document, clock });
  const presence = createPresence({ bus, router, session, people, connection, notices, window });
  const reads = createReads({ bus, session, chats, messages, connection, document, clock });
  const title = createTitle({ document, chats, people, drawFavicon, clock });
  const search = createSearch({ bus, session, chats, people, timeZone });
  const drafts = createDrafts({ storage });
  const sidebar = createSidebarPrefs({ storage, session });
  const pins = createPins({ bus, router, session, chats, messages, notices, panels: [files, members] });
  const commands = createCommands({ api, bus, router, newId, clock });
  const integrations = createIntegrations({ api, session, commands });
  notices.listen({ messages, chats, session, people });

  let unsubscribeUser = null;
  let workspacesLoaded = Promise.resolve(); // the chat list is read once the workspace to show is known
  const workspaceId = () => session.slice.state.workspaceId;

  bus.onOpen(() => {
    resync().catch(error => console.warn('sync after reconnect failed', error));
  });
  bus.onError(error => {
    if (error.failureCode === 401) {
      signedOut(); // the session was revoked (logged out elsewhere, or a refresh token was reused)
    }
  });
  api.onSession(next => {
    const wasSignedIn = !!session.slice.state.session;
    session.setSession(next);
    if (!next && wasSignedIn) {
      signedOut();
    } else if (next && !wasSignedIn) {
      start();
    } else if (next) {
      bus.sendPing(); // renews the connection's token
    }
  });

  /**
   * Starts the signed-in client: loads the workspaces and connects the bus. The chat list is fetched once the
   * connection is open (with the user's own address registered: no chat.added can fall between the list and it).
   */
  async function start() {
    const current = session.slice.state.session;
    if (!current) {
      return;
    }
    people.learn([current.user]);
    unsubscribeUser = bus.subscribe(userAddress(current.user.id), event => router.route(SCOPE.USER, event));
    workspacesLoaded = reloadWorkspaces();
    bus.start();
    try {
      await workspacesLoaded;
      await outbox.loadStored();
    } catch (error) {
      notices.fail(error);
    }
    presence.start();
    adoptTimeZone();
    joinPendingInvite();
    notifications.start();
    notifications.load().catch(error => console.warn('notification settings not loaded', error));
    pins.loadSaved();
  }

  function signedOut() {
    bus.close();
    unsubscribeUser?.();
    unsubscribeUser = null;
    presence.stop();
    reads.stop();
    reads.clear();
    drafts.editing.set({ messageId: null });
    session.signedOut();
    chats.clear();
    messages.clear();
    outbox.clear();
    uploads.clear();
    files.clear();
    members.clear();
    typing.clear();
    notes.clear();
    notifications.clear();
    search.clear();
    pins.clear();
    commands.clear();
    people.clear();
    api.dropSession();
  }

  async function logout() {
    await api.logout().catch(() => {});
    signedOut();
  }

  // After (re)connecting: the list is fresh, every chat's gaps are filled (once its registration is effective: what
  // is sent after that is heard live), presence is known, the outbox goes out.
  async function resync() {
    await workspacesLoaded.catch(() => {});
    await loadChats();
    notes.loadVersions([...chats.table.keys()]).catch(() => {});
    await chats.registered();
    await messages.resync();
    await presence.subscribePeople();
    await outbox.flush();
    if (chats.activeChatId()) {
      reads.markReadSoon();
    }
  }

  async function reloadWorkspaces() {
    const shown = await session.loadWorkspaces();
    if (shown) {
      await people.loadWorkspaceMembers(shown);
    }
  }

  /** The chat list, and a chat open if none is. */
  async function loadChats() {
    await chats.load();
    if (!chats.activeChatId()) {
      const target = chats.preferredChat(workspaceId());
      if (target) {
        openChat(target);
      }
    }
  }

  /** Opens a chat at its newest messages. */
  function openChat(chatId) {
    if (!chats.select(chatId)) {
      return;
    }
    search.hide();
    messages.clearFocus(chatId);
    const view = messages.views.get(chatId);
    if (view?.hasNewer) {
      messages.jumpToPresent(chatId); // left at an older window (a search result): opened, it shows the newest
    } else if (view && !view.loaded && !view.loading) {
      messages.loadOlder(chatId);
    }
    messages.loadMembers(chatId);
    reads.chatOpened(chatId);
    reads.markReadSoon();
  }

  /**
   * Opens a chat at one of its messages (a search result): history around it, the message brought into view; a
   * thread reply (`rootId`) opens its thread too. False when the user is not in that chat.
   */
  function openMessage({ chatId, seq, messageId, rootId = null }) {
    if (!chats.select(chatId)) {
      return false;
    }
    if (rootId) {
      chats.selectThread(rootId);
      messages.loadThread(chatId, rootId);
    }
    messages.showMessage(chatId, { seq, messageId, rootId });
    messages.loadMembers(chatId);
    reads.chatOpened(chatId);
    reads.markReadSoon();
    return true;
  }

  /**
   * Opens a chat at a message known only by its id (a toast, a desktop notification, a link): the chat at its
   * newest, then, once its messages are loaded, the message brought into view and highlighted when it is among them
   * (a notification is about a recent message). False when the user is not in that chat.
   */
  async function openMessageById(chatId, messageId) {
    if (!chats.table.has(chatId)) {
      return false;
    }
    openChat(chatId);
    if (!messageId) {
      return true;
    }
    const find = () => {
      const view = messages.views.get(chatId);
      return view?.loaded ? view.messages.find(message => message.id === messageId) || null : undefined;
    };
    let found = find();
    if (found === undefined) {
      found = await new Promise(resolve => {
        const timer = clock.setTimeout(() => { unsubscribe(); resolve(null); }, 10_000);
        const unsubscribe = messages.views.subscribeKey(chatId, () => {
          const seen = find();
          if (seen !== undefined) {
            clock.clearTimeout(timer);
            unsubscribe();
            resolve(seen);
          }
        });
      });
    }
    if (found && chats.activeChatId() === chatId) {
      messages.showMessage(chatId, { seq: found.seq, messageId });
    }
    return true;
  }

  /** Opens a search result: in a public channel the user is not in, after joining it. */
  async function openResult(result) {
    search.hide();
    if (!chats.table.has(result.chatId)) {
      const { chat } = await api.rest.joinChat(result.chatId);
      chats.add(chat);
      search.markJoined(result.chatId);
    }
    openMessage({ chatId: result.chatId, seq: result.seq, messageId: result.messageId, rootId: result.rootId });
  }

  async function switchWorkspace(id) {
    session.chooseWorkspace(id);
    chats.deselect();
    try {
      await people.loadWorkspaceMembers(id);
      const target = chats.preferredChat(id);
      if (target) {
        openChat(target);
      }
    } catch (error) {
      notices.fail(error);
    }
  }

  async function createWorkspace(name) {
    const { workspace } = await api.rest.createWorkspace(name);
    await reloadWorkspaces();
    await loadChats();
    await switchWorkspace(workspace.id);
  }

  async function joinWorkspace(code) {
    const { workspace } = await api.rest.join(code.trim());
    await reloadWorkspaces();
    await loadChats();
    await switchWorkspace(workspace.id);
  }

  async function joinChannel(chatId) {
    const { chat } = await api.rest.joinChat(chatId);
    chats.add(chat);
    openChat(chat.id);
  }

  async function createChannel(name, isPrivate, topic) {
    const { chat } = await api.rest.createChannel(workspaceId(), name, isPrivate, topic);
    chats.add({ unreadCount: 0, mentionCount: 0, ...chat });
    openChat(chat.id);
  }

  async function startDm(userIds) {
    const { chat } = await api.rest.openDm(workspaceId(), userIds);
    chats.add({ unreadCount: 0, mentionCount: 0, ...chat });
    openChat(chat.id);
  }

  async function leaveChat(chatId) {
    await api.rest.leaveChat(chatId);
    chats.remove(chatId);
    const next = chats.chatsOf(workspaceId()).channels[0];
    if (next) {
      openChat(next);
    }
  }

  /** Reloads the people of the current workspace (someone may have joined). */
  async function refreshMembers() {
    if (workspaceId()) {
      await people.loadWorkspaceMembers(workspaceId());
    }
  }

  /** The user's new avatar (or none): the answered profile replaces theirs everywhere. */
  async function setAvatar(file) {
    profileChanged(await api.rest.setAvatar(file));
  }

  async function removeAvatar() {
    profileChanged(await api.rest.removeAvatar());
  }

  function profileChanged(user) {
    people.learn([user]);
    api.updateUser(user);
  }

  /** Changes the user's profile: `{displayName?, status?, timeZone?}` (`status: null` clears it). */
  async function updateProfile(change) {
    profileChanged((await api.rest.updateMe(change)).user);
  }

  /**
   * A profile without a time zone gets the browser's (on signing in): others see the user's local time. The profile
   * is read from the server first: the one the session kept may be older than a zone set elsewhere.
   */
  async function adoptTimeZone() {
    const zone = timeZone ? timeZone() : browserTimeZone();
    try {
      const { user } = await api.rest.me();
      profileChanged(user);
      if (zone && !user.timeZone) {
        await updateProfile({ timeZone: zone });
      }
    } catch (error) {
      console.warn('time zone not saved', error);
    }
  }

  /** Remembers an invite link's code: joined once the visitor is signed in (now, or after signing up or in). */
  function rememberInvite(code) {
    storage.setItem(INVITE_KEY, code);
  }

  const pendingInvite = () => storage.getItem(INVITE_KEY);

  async function joinPendingInvite() {
    const code = pendingInvite();
    if (!code) {
      return;
    }
    storage.removeItem(INVITE_KEY);
    try {
      await joinWorkspace(code);
    } catch (error) {
      notices.fail(error);
    }
  }

  /** Opens (or creates) the DM with one person: the profile card's "Message". */
  async function messageUser(userId) {
    people.showCard(null);
    await startDm(userId === session.me() ? [] : [userId]);
  }

  function openThread(rootId) {
    const chatId = chats.activeChatId();
    chats.selectThread(rootId);
    return messages.loadThread(chatId, rootId);
  }

  return {
    router,
    notices,
    connection,
    session,
    people,
    chats,
    messages,
    outbox,
    uploads,
    files,
    members,
    typing,
    notes,
    notifications,
    presence,
    reads,
    title,
    search,
    drafts,
    sidebar,
    pins,
    commands,
    integrations,
    start,
    logout,
    openChat,
    openMessage,
    openMessageById,
    openResult,
    switchWorkspace,
    createWorkspace,
    joinWorkspace,
    joinChannel,
    createChannel,
    startDm,
    leaveChat,
    refreshMembers,
    setAvatar,
    removeAvatar,
    updateProfile,
    rememberInvite,
    pendingInvite,
    messageUser,
    openThread,
    closeThread: () => chats.selectThread(null),
    createInvite: () => api.rest.invite(workspaceId()),
    browseChannels: async () => (await api.rest.channels(workspaceId())).channels,
    workspaceMemberIds: () => people.memberIds(workspaceId()),
  };
}
