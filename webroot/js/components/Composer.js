import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { Icon } from './icons.js';
import { UploadChips } from './Files.js';
import { Avatar } from './Message.js';
import { useSlice } from './hooks.js';
import { composerKey } from '../store/uploads.js';
import { lastEditable } from '../store/drafts.js';
import { EmojiPicker } from './EmojiPicker.js';
import { completions, convertShortcodes, mayHaveShortcodes, shortcodeAt, shortcodeFor } from '../emoji/emoji.js';
import { emojiTable, loadEmoji, skinTone, used } from '../emoji/data.js';
import { commandCompletions, commandQuery, parseLine } from '../store/commands.js';
import { describeFailure, failureText } from '../store/outbox.js';

const SPECIAL = [
  { username: 'channel', displayName: 'Notify everyone in this chat' },
  { username: 'here', displayName: 'Notify everyone online' },
];

/** The server's limit on a message's content, in UTF-8 bytes (docs/protocol.md, "Sending"); counted from 90 % of it. */
export const MAX_CONTENT_BYTES = 16 * 1024;
const COUNTED_FROM = Math.floor(MAX_CONTENT_BYTES * 0.9);
const utf8 = new TextEncoder();

/** The trimmed text's size in UTF-8 bytes, or 0 when it is surely far below the limit (3 bytes at most per unit). */
function contentBytes(text) {
  return text.length * 3 < COUNTED_FROM ? 0 : utf8.encode(text.trim()).length;
}

/** People of the chat whose username or name starts with `prefix`, for @mention completion. */
function candidates(chatId, prefix) {
  const view = client.messages.views.get(chatId);
  const lower = prefix.toLowerCase();
  const people = [...(view?.members.keys() || [])].map(id => client.people.users.get(id)).filter(Boolean);
  return [...people, ...SPECIAL]
    .filter(user => user.username.toLowerCase().startsWith(lower)
      || user.displayName.toLowerCase().split(/\s+/).some(word => word.startsWith(lower)))
    .slice(0, 8);
}

/** Files a paste carries (an image copied from another program, a screenshot). */
function pastedFiles(event) {
  return [...(event.clipboardData?.items || [])].filter(item => item.kind === 'file')
    .map(item => item.getAsFile()).filter(Boolean);
}

/** The messages an up-arrow in an empty composer can edit: the chat's (not thread replies), or one thread's. */
function editableMessages(chatId, rootId) {
  const view = client.messages.views.get(chatId);
  if (!view) return [];
  return rootId ? view.threads.get(rootId)?.replies || [] : view.messages;
}

/** The workspace a chat is in (whose slash commands the box offers). */
const workspaceOf = chatId => client.chats.table.get(chatId)?.workspaceId || client.session.slice.state.workspaceId;

/**
 * The message box: Enter sends, Shift+Enter is a new line; drafts are kept per chat (and per thread, in
 * client.drafts). Up-arrow in an empty box edits one's last message. Files come by the attach button, a paste, or a
 * drop on the chat (ChatPane); sending waits for their uploads. A line starting with "/" runs a slash command
 * (`chat.command`; "//" sends a literal "/"): the text stays in the box until the server took it, and a refusal is
 * said under it.
 */
export function Composer({ chatId, rootId, label }) {
  const uploadKey = composerKey(chatId, rootId);
  const key = uploadKey;
  const uploads = useSlice(client.uploads.table, table => table.get(uploadKey), { key: uploadKey });
  const picker = useRef(null);
  const [text, setText] = useState(() => client.drafts.text(chatId, rootId));
  const [completion, setCompletion] = useState(null); // {start, query, items, index}
  const [urgent, setUrgent] = useState(false); // the next message is sent as urgent
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [running, setRunning] = useState(false); // a command sent, its reply awaited
  const [commandError, setCommandError] = useState(null); // why the last command was refused
  const emojiButton = useRef(null);
  const box = useRef(null);
  const shownKey = useRef(key);
  shownKey.current = key;

  useEffect(() => {
    setText(client.drafts.text(chatId, rootId));
    setCompletion(null);
    setUrgent(false);
    setCommandError(null);
    if (box.current && !rootId) {
      box.current.focus();
    }
  }, [key]);

  // Text put here from elsewhere (a quote): shown, with the caret after it.
  useEffect(() => client.drafts.onInsert((inserted, value) => {
    if (inserted !== key) return;
    setText(value);
    requestAnimationFrame(() => {
      const el = box.current;
      if (el) {
        el.focus();
        el.setSelectionRange(value.length, value.length);
      }
    });
  }), [key]);

  useEffect(() => {
    const el = box.current;
    if (el) {
      el.style.height = 'auto';
      el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
    }
  }, [text]);

  const saveDraft = value => client.drafts.save(chatId, rootId, value);

  const updateCompletion = (value, caret) => {
    const before = value.slice(0, caret);
    const command = commandQuery(before);
    if (command !== null) {
      const workspaceId = workspaceOf(chatId);
      // The workspace's list is read once (until then the built-ins are offered), then worked out again.
      if (!client.commands.lists.get(workspaceId)?.loaded) {
        client.commands.load(workspaceId).then(list => {
          const el = box.current;
          if (list?.loaded && el && document.activeElement === el) {
            updateCompletion(el.value, el.selectionStart);
          }
        }, () => {});
      }
      const items = commandCompletions(client.commands.available(workspaceId), command);
      setCompletion(items.length ? { kind: 'command', start: 0, query: command, items, index: 0 } : null);
      return;
    }
    const match = /(^|\s)@([\w.-]*)$/.exec(before);
    const code = !match && shortcodeAt(before);
    if (code) {
      const table = emojiTable();
      if (!table) { // the table comes once, then the completion is worked out again
        setCompletion(null);
        loadEmoji().then(() => box.current && updateCompletion(box.current.value, box.current.selectionStart), () => {});
        return;
      }
      const tone = skinTone();
      const items = completions(table, code.query).map(entry => ({ emoji: entry.skins && tone ? entry.skins[tone - 1]
        : entry.emoji, base: entry.emoji, shortcode: shortcodeFor(entry, code.query), name: entry.name }));
      setCompletion(items.length ? { kind: 'emoji', start: code.start, query: code.query, items, index: 0 } : null);
      return;
    }
    if (!match) {
      setCompletion(null);
      return;
    }
    const items = candidates(chatId, match[2]);
    setCompletion(items.length ? { start: caret - match[2].length - 1, query: match[2], items, index: 0 } : null);
  };

  /** Puts `inserted` in the box in place of text.slice(start, end), the caret after it. */
  const insert = (start, end, inserted) => {
    const el = box.current;
    const value = `${text.slice(0, start)}${inserted}${text.slice(end)}`;
    setText(value);
    saveDraft(value);
    const position = start + inserted.length;
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(position, position);
    });
  };

  const accept = item => {
    const el = box.current;
    const caret = el.selectionStart;
    if (completion.kind === 'emoji') {
      used(item.base);
      setCompletion(null);
      insert(completion.start, caret, item.emoji);
      return;
    }
    if (completion.kind === 'command') {
      setCompletion(null);
      insert(0, caret, `${item.command} `);
      return;
    }
    const value = `${text.slice(0, completion.start)}@${item.username} ${text.slice(caret)}`;
    setText(value);
    saveDraft(value);
    setCompletion(null);
    const position = completion.start + item.username.length + 2;
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(position, position);
    });
  };

  const files = uploads?.items || [];
  const waiting = !!uploads?.sending;
  const failed = files.some(item => item.status === 'failed');
  const bytes = contentBytes(text);
  const tooLong = bytes > MAX_CONTENT_BYTES; // not sent: the text stays here to be shortened
  const line = parseLine(text);
  const isCommand = line.kind === 'command';
  const canSend = !waiting && !running && !failed && !tooLong && (!!text.trim() || files.length > 0)
    && !(isCommand && files.length > 0);

  const sent = () => {
    setText('');
    saveDraft('');
    setUrgent(false);
    window.dispatchEvent(new CustomEvent('ocomms:sent', { detail: { chatId, rootId } }));
  };

  /** Runs the line as a slash command: the text stays (read-only) until the server took it; a refusal stays shown. */
  const runCommand = async commandText => {
    setRunning(true);
    setCommandError(null);
    client.typing.stoppedTyping(chatId);
    const from = key;
    try {
      await client.commands.run(chatId, commandText, rootId);
      if (shownKey.current === from) {
        sent();
      } else {
        saveDraft(''); // another chat is shown now: only this one's draft goes
      }
    } catch (error) {
      if (shownKey.current === from) {
        setCommandError(`${line.command} ${failureText(describeFailure(error))}`);
      }
    } finally {
      setRunning(false);
      requestAnimationFrame(() => box.current?.focus());
    }
  };

  const send = async () => {
    if (!canSend) {
      return;
    }
    if (isCommand) {
      await runCommand(line.text);
      return;
    }
    let content = line.content; // a line starting with two slashes sends one
    if (mayHaveShortcodes(content)) { // a typed :tada: goes as 🎉
      const table = emojiTable() || await loadEmoji().catch(() => null);
      if (table) content = convertShortcodes(table, content, skinTone());
    }
    client.typing.stoppedTyping(chatId);
    const priority = urgent ? 'urgent' : undefined;
    if (files.length === 0) {
      client.outbox.send(chatId, content, rootId, [], { priority }); // shown at once; the box is free for the next one
      sent();
      return;
    }
    // The text stays in the box (read-only) until the files are up: a failed one leaves it there to send again.
    if (await client.uploads.send(uploadKey, { chatId, content, rootId, priority })) {
      sent();
    }
  };

  const attach = list => {
    if (list?.length) {
      client.uploads.add(uploadKey, chatId, list);
    }
  };

  const onPaste = event => {
    const pasted = pastedFiles(event);
    if (pasted.length) {
      event.preventDefault();
      attach(pasted);
    }
  };

  const onKeyDown = event => {
    if (completion) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setCompletion({ ...completion, index: (completion.index + step + completion.items.length) % completion.items.length });
        return;
      }
      const chosen = completion.items[completion.index];
      // A command typed out in full: Enter runs it (Tab still completes it, with a space for its arguments).
      const typedOut = completion.kind === 'command' && event.key === 'Enter' && chosen.command === `/${completion.query}`;
      if ((event.key === 'Enter' && !typedOut) || event.key === 'Tab') {
        event.preventDefault();
        accept(chosen);
        return;
      }
      if (typedOut) {
        setCompletion(null);
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        setCompletion(null);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === 'ArrowUp' && !text && !event.shiftKey && !event.altKey && !event.ctrlKey
      && !event.metaKey && !event.isComposing) {
      const last = lastEditable(editableMessages(chatId, rootId), client.session.me());
      if (last) {
        event.preventDefault();
        client.drafts.edit(last.id);
      }
    }
  };

  const onInput = event => {
    const value = event.currentTarget.value;
    setText(value);
    saveDraft(value);
    if (commandError) {
      setCommandError(null);
    }
    updateCompletion(value, event.currentTarget.selectionStart);
    if (value.includes(':') && !emojiTable()) {
      loadEmoji().catch(() => {});
    }
    if (value.trim()) {
      client.typing.typed(chatId);
    } else {
      client.typing.stoppedTyping(chatId);
    }
  };

  const listId = `mentions-${rootId || chatId}`;
  return h('div', { class: `composer${files.length ? ' with-files' : ''}${urgent ? ' urgent' : ''}` },
    h(UploadChips, { uploadKey }),
    completion?.kind === 'emoji' && h('ul', { class: 'completion emoji-completion', id: listId, role: 'listbox',
      'aria-label': 'Emoji' },
    completion.items.map((item, i) => h('li', {
      id: `${listId}-${i}`, role: 'option', 'aria-selected': String(i === completion.index),
      class: i === completion.index ? 'selected' : '', 'data-emoji': item.emoji,
      onMouseDown: event => { event.preventDefault(); accept(item); },
    }, h('span', { class: 'completion-emoji', 'aria-hidden': 'true' }, item.emoji), ' ',
    h('strong', null, `:${item.shortcode}:`), ' ', h('span', { class: 'muted' }, item.name)))),
    completion?.kind === 'command' && h('ul', { class: 'completion command-completion', id: listId, role: 'listbox',
      'aria-label': 'Slash commands' },
    completion.items.map((item, i) => h('li', {
      id: `${listId}-${i}`, role: 'option', 'aria-selected': String(i === completion.index),
      class: i === completion.index ? 'selected' : '', 'data-command': item.command,
      onMouseDown: event => { event.preventDefault(); accept(item); },
    }, h('span', { class: 'command-line' }, h('strong', null, item.command),
      item.usageHint && h('span', { class: 'usage-hint' }, ` ${item.usageHint}`)),
    h('span', { class: 'muted command-description' }, item.description || (item.builtIn ? 'Built in' : ''))))),
    completion && completion.kind !== 'emoji' && completion.kind !== 'command' && h('ul', { class: 'completion', id: listId, role: 'listbox', 'aria-label': 'People to mention' },
      completion.items.map((item, i) => h('li', {
        id: `${listId}-${i}`, role: 'option', 'aria-selected': String(i === completion.index),
        class: i === completion.index ? 'selected' : '',
        onMouseDown: event => { event.preventDefault(); accept(item); },
      }, item.id && h(Avatar, { userId: item.id, size: 'tiny' }), h('strong', null, `@${item.username}`), ' ',
      h('span', { class: 'muted' }, item.displayName)))),
    h('textarea', {
      ref: box, rows: 1, value: text, 'aria-label': label, placeholder: label,
      class: 'composer-input',
      'aria-autocomplete': 'list', 'aria-controls': completion ? listId : undefined,
      'aria-activedescendant': completion ? `${listId}-${completion.index}` : undefined,
      onInput, onKeyDown, onPaste, readOnly: waiting || running, 'aria-busy': waiting || running ? 'true' : undefined,
      'aria-invalid': commandError ? 'true' : undefined,
      'aria-describedby': commandError ? `${listId}-error` : undefined,
      // A click on a suggestion blurs first: the list goes a moment later, and only if focus did not come back.
      onBlur: () => setTimeout(() => document.activeElement !== box.current && setCompletion(null), 150),
      // Back in the box (after a menu or a toast took focus), what is before the caret is offered again.
      onFocus: event => updateCompletion(event.currentTarget.value, event.currentTarget.selectionStart),
    }),
    h('div', { class: 'composer-buttons' },
      h('input', { ref: picker, type: 'file', multiple: true, class: 'visually-hidden file-picker', tabindex: -1,
        'aria-hidden': 'true', onChange: event => { attach([...event.currentTarget.files]); event.currentTarget.value = ''; } }),
      h('button', { ref: emojiButton, class: 'emoji-button', 'aria-label': 'Insert emoji', title: 'Emoji',
        'aria-haspopup': 'dialog', 'aria-expanded': String(emojiOpen), onClick: () => setEmojiOpen(!emojiOpen) },
      h(Icon, { name: 'smile' })),
      h('button', { class: 'attach', 'aria-label': 'Attach files', title: 'Attach files (or drop or paste them)',
        onClick: () => picker.current.click() }, h(Icon, { name: 'attach' })),
      h('button', { class: `urgent-toggle${urgent ? ' on' : ''}`, 'aria-pressed': String(urgent),
        'aria-label': 'Mark as urgent', title: 'Mark as urgent: notifies everyone here, even when paused or muted, '
          + 'until they acknowledge it (3 per hour)',
        onClick: () => { setUrgent(!urgent); box.current?.focus(); } }, h(Icon, { name: 'urgent' })),
      h('button', { class: 'send', 'aria-label': 'Send message', title: 'Send (Enter)', onClick: send,
        disabled: !canSend }, h(Icon, { name: 'send' }))),
    emojiOpen && h(EmojiPicker, {
      anchor: emojiButton.current, label: 'Insert emoji',
      onPick: emoji => {
        const el = box.current;
        insert(el ? el.selectionStart : text.length, el ? el.selectionEnd : text.length, emoji);
      },
      onClose: () => { setEmojiOpen(false); box.current?.focus(); },
    }),
    bytes >= COUNTED_FROM && h('p', { class: `composer-count${tooLong ? ' over' : ''}`, 'data-bytes': bytes,
      title: `At most ${MAX_CONTENT_BYTES.toLocaleString('en-US')} bytes`, 'aria-live': 'polite' },
    tooLong ? `${(bytes - MAX_CONTENT_BYTES).toLocaleString('en-US')} over the limit: shorten it to send`
      : `${(MAX_CONTENT_BYTES - bytes).toLocaleString('en-US')} left`),
    commandError && h('p', { class: 'composer-error', id: `${listId}-error`, role: 'alert' }, commandError),
    h('p', { class: `composer-hint${waiting || failed || urgent || running || (isCommand && files.length) ? ' notice' : ''}`
      + `${urgent ? ' urgent-hint' : ''}`, 'aria-live': 'polite' },
      running ? `Running ${line.command}…`
        : isCommand && files.length ? 'A command cannot carry files: remove them, or start the line with // to send it'
        : urgent && !waiting && !failed ? 'Urgent: everyone here is notified until they acknowledge it'
        : waiting ? 'Sending when the files are uploaded…'
        : failed ? 'Remove the files that failed to send the message'
          : 'Enter to send · Shift+Enter for a new line'));
}
