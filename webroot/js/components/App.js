import { h } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { useSlice } from './hooks.js';
import { AuthScreen } from './Auth.js';
import { Sidebar, WorkspaceRail } from './Sidebar.js';
import { ChatPane } from './ChatPane.js';
import { ThreadPanel } from './Thread.js';
import { SearchPanel } from './Search.js';
import { NotesPanelHost } from './Notes.js';
import { FilesPanel, Lightbox } from './Files.js';
import { MembersPanel } from './Members.js';
import { PinsPanel, SavedPanel } from './Pins.js';
import { DesktopBar, ScheduleDialog, Toasts, UrgentBanner } from './Notifications.js';
import { ConfirmHost } from './Confirm.js';
import {
  BrowseDialog, CreateChannelDialog, InviteDialog, NewDmDialog, QuickSwitcher, WorkspaceDialog,
} from './Dialogs.js';
import { ProfileCardHost, ProfileDialog } from './Profile.js';
import { IntegrationsDialog } from './Integrations.js';

const DIALOGS = {
  workspace: WorkspaceDialog,
  invite: InviteDialog,
  createChannel: CreateChannelDialog,
  browse: BrowseDialog,
  newDm: NewDmDialog,
  switcher: QuickSwitcher,
  schedule: ScheduleDialog,
  profile: ProfileDialog,
  integrations: IntegrationsDialog,
};

/** While the bridge is not connected: what is going on, and a way to try at once. */
function ConnectionBanner() {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick(n => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  const { status: connection, nextAttemptAt } = useSlice(client.connection.slice, state => state);
  if (connection === 'open' || connection === 'closed') {
    return null;
  }
  let text;
  if (connection === 'offline') {
    text = 'You are offline. Messages you write are kept and sent when the connection is back.';
  } else if (connection === 'reconnecting') {
    const seconds = Math.max(0, Math.ceil((nextAttemptAt - Date.now()) / 1000));
    text = seconds > 0 ? `Connection lost. Reconnecting in ${seconds} s…` : 'Reconnecting…';
  } else {
    text = 'Connecting…';
  }
  return h('div', { class: `connection-banner ${connection}`, role: 'status', 'data-connection': connection },
    text,
    connection === 'reconnecting'
      && h('button', { class: 'link', onClick: client.connection.reconnectNow }, 'Try now'));
}

function ErrorToast() {
  const error = useSlice(client.notices.slice, state => state.error);
  if (!error) {
    return null;
  }
  return h('div', { class: 'toast', role: 'alert' }, error,
    h('button', { class: 'icon-button', 'aria-label': 'Dismiss', onClick: client.notices.dismissError }, '✕'));
}

/** Read out by screen readers: a new message in the open chat. */
function Announcer() {
  const announcement = useSlice(client.notices.slice, state => state.announcement);
  return h('div', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' }, announcement);
}

/** Whether a key press goes to something the user is typing in. */
const typingIn = target => !!target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

function Workspace() {
  const [dialog, setDialog] = useState(null);
  const connection = useSlice(client.connection.slice, state => state.status);
  const threadRootId = useSlice(client.chats.selection, state => state.threadRootId);
  const filesOpen = useSlice(client.files.slice, state => state.open);
  const membersOpen = useSlice(client.members.slice, state => state.open);
  const pinsOpen = useSlice(client.pins.panel, state => state.open);
  const savedOpen = useSlice(client.pins.saved, state => state.open);
  const listOpen = pinsOpen || savedOpen;
  const activeChatId = useSlice(client.chats.selection, state => state.activeChatId);
  // On a phone the chat list is a drawer over the chat: opened from the chat's header, closed by choosing a chat.
  const [chatsOpen, setChatsOpen] = useState(false);
  const showChats = useCallback(() => setChatsOpen(true), []);
  const hideChats = useCallback(() => setChatsOpen(false), []);
  useEffect(() => setChatsOpen(false), [activeChatId]);
  const close = useCallback(() => setDialog(null), []);

  // The window's key handler is registered once and reads the state through a ref: a key pressed right after a
  // render (Esc just after Ctrl+K opened the switcher) must see that render's state, not the previous closure's.
  const latest = useRef({});
  latest.current = { dialog, chatsOpen };
  useEffect(() => {
    const onKey = event => {
      const { dialog, chatsOpen } = latest.current;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setDialog(current => (current === 'switcher' ? null : 'switcher'));
      } else if ((mod && !event.altKey && event.key.toLowerCase() === 'f')
        || (event.key === '/' && !mod && !event.altKey && !typingIn(event.target))) {
        event.preventDefault(); // the browser's own find, or a "/" typed into the search box
        setDialog(null);
        client.search.show();
      } else if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
        event.preventDefault();
        const ids = client.chats.orderedIds(client.session.slice.state.workspaceId);
        const at = ids.indexOf(client.chats.activeChatId());
        const next = ids[(at + (event.key === 'ArrowDown' ? 1 : -1) + ids.length) % ids.length];
        if (next) client.openChat(next);
      } else if (event.key === 'Escape' && !event.defaultPrevented) {
        // Esc closes what is open, innermost first; with nothing open it marks the open chat read. Shift+Esc marks
        // every chat read.
        if (dialog) {
          setDialog(null);
        } else if (event.shiftKey) {
          event.preventDefault();
          client.reads.markAllRead();
        } else if (chatsOpen) {
          setChatsOpen(false);
        } else if (client.search.slice.state.open) {
          client.search.hide();
        } else if (client.files.slice.state.open) {
          client.files.hide();
        } else if (client.members.slice.state.open) {
          client.members.hide();
        } else if (client.chats.selection.state.threadRootId) {
          client.closeThread();
        } else if (client.chats.activeChatId() && !document.querySelector('.modal-backdrop, .menu, .emoji-picker')) {
          client.reads.markChatRead();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const Dialog = dialog && DIALOGS[dialog];
  const classes = `layout${threadRootId || filesOpen || membersOpen || listOpen ? ' with-thread' : ''}${chatsOpen ? ' chats-open' : ''}`;
  return h('div', { class: classes, 'data-connection': connection },
    h('a', { class: 'skip-link', href: '#main' }, 'Skip to messages'),
    h('div', { class: 'top-bars' }, h(ConnectionBanner), h(UrgentBanner), h(DesktopBar)),
    h(WorkspaceRail, { onAddWorkspace: () => setDialog('workspace') }),
    h(Sidebar, { openDialog: setDialog, onChose: hideChats }),
    chatsOpen && h('div', { class: 'drawer-backdrop', 'aria-hidden': 'true', onClick: () => setChatsOpen(false) }),
    h(ChatPane, { onShowChats: showChats, openDialog: setDialog }),
    h(ThreadPanel),
    h(FilesPanel),
    h(MembersPanel),
    h(PinsPanel),
    h(SavedPanel),
    h(SearchPanel),
    h(NotesPanelHost),
    Dialog && h(Dialog, { onClose: close }),
    h(ProfileCardHost, { openDialog: setDialog }),
    h(ConfirmHost),
    h(Lightbox),
    h(Toasts),
    h(ErrorToast),
    h(Announcer));
}

/** Signed in: the workspace; else the sign-in screen. */
export function App() {
  const signedIn = useSlice(client.session.slice, state => !!state.session);
  return signedIn ? h(Workspace) : h(AuthScreen);
}
