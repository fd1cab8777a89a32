import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { CopyButton, Modal } from './Dialogs.js';
import { askConfirm } from './Confirm.js';
import { Avatar } from './Message.js';
import { useSlice } from './hooks.js';
import {
  deliverySummary, fieldError, invalidField, parseTriggerWords, TRIGGER_WORDS_MAX, webhookAddress,
} from '../store/integrations.js';

// The Integrations page of a workspace (issue #23): its bots, the incoming and outgoing webhooks of its channels, its
// slash commands, and the delivery logs of commands and outgoing webhooks. Owners and admins manage bots, commands
// and outgoing webhooks; any member sees the commands and the outgoing webhooks of their channels, and manages the
// incoming webhooks of their channels. A secret (a bot's token, a webhook's URL, a signing secret) is shown once, in
// a read-only field with a Copy button, and forgotten when the page closes.

const TABS = [
  { id: 'bots', title: 'Bots' },
  { id: 'webhooks', title: 'Incoming webhooks' },
  { id: 'outgoing', title: 'Outgoing webhooks' },
  { id: 'commands', title: 'Slash commands' },
];

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

/** A form's state: its values, the refusal (per field, or of the form), whether it is being sent. */
function useForm(initial) {
  const [values, setValues] = useState(initial);
  const [error, setError] = useState(null); // {field, text}
  const [busy, setBusy] = useState(false);
  const field = name => ({
    value: values[name],
    onInput: event => {
      const value = event.currentTarget.value;
      setValues(current => ({ ...current, [name]: value }));
      if (error?.field === name) setError(null);
    },
  });
  const submit = (action, options) => async event => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action(values);
      setValues(initial);
    } catch (failure) {
      setError(fieldError(failure, options));
    } finally {
      setBusy(false);
    }
  };
  return { values, field, submit, error, busy };
}

/** A labelled input; the form's refusal of this field is said under it and tied to it. */
function Field({ form, name, id, label, hint, required, type = 'text', multiline, ...rest }) {
  const error = form.error?.field === name ? form.error.text : null;
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return h('div', { class: 'integration-field' },
    h('label', { for: id }, label, !required && h('span', { class: 'muted' }, ' (optional)')),
    h(multiline ? 'textarea' : 'input', { id, type: multiline ? undefined : type, required,
      'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy, ...form.field(name), ...rest }),
    hint && h('small', { id: `${id}-hint`, class: 'hint' }, hint),
    error && h('p', { id: `${id}-error`, class: 'form-error field-error', role: 'alert' }, error));
}

/** The refusal of a form that names no field. */
function FormError({ form }) {
  return form.error && !form.error.field ? h('p', { class: 'form-error', role: 'alert' }, form.error.text) : null;
}

/** A secret shown once: a read-only field, Copy (with "Copied"), and Done, which forgets it. */
function SecretBox({ id, title, note, value, what, children, onDone }) {
  const field = useRef(null);
  useEffect(() => field.current?.focus(), [value]);
  return h('div', { class: 'secret-box', role: 'group', 'aria-labelledby': `${id}-title` },
    h('h4', { id: `${id}-title` }, title),
    h('label', { for: id, class: 'secret-note' }, note),
    h('div', { class: 'row' },
      h('input', { id, ref: field, class: 'secret-value', readOnly: true, value, spellcheck: false,
        onFocus: event => event.currentTarget.select() }),
      h(CopyButton, { text: value, fieldId: id, label: 'Copy', what })),
    children,
    h('button', { type: 'button', class: 'secondary secret-done', onClick: onDone }, 'Done'));
}

/** Focuses what `selector` finds once the page has drawn it (a row's button, back from its deliveries). */
function focusSoon(selector) {
  requestAnimationFrame(() => document.querySelector(selector)?.focus());
}

/** The channel a tab works on: the open chat when it is one of the workspace's channels, else the first. */
function useChannel(workspaceId) {
  const channelIds = useSlice(client.chats.table, () => client.chats.chatsOf(workspaceId).channels);
  const activeChatId = useSlice(client.chats.selection, state => state.activeChatId);
  const [chatId, setChatId] = useState(() => (channelIds.includes(activeChatId) ? activeChatId : channelIds[0] || null));
  return { channelIds, chatId, setChatId };
}

const channelName = id => client.chats.title(client.chats.table.get(id));

/** The channel picker of a tab, and what it says when the user is in no channel. */
function ChannelPicker({ id, channel, onChange, empty }) {
  const { channelIds, chatId } = channel;
  return [
    h('div', { class: 'integration-field', key: 'picker' },
      h('label', { for: id }, 'Channel'),
      h('select', { id, value: chatId || '', disabled: channelIds.length === 0,
        onChange: event => { channel.setChatId(event.currentTarget.value); onChange?.(); } },
      channelIds.map(chat => h('option', { value: chat, key: chat }, `#${channelName(chat)}`)))),
    channelIds.length === 0 && h('p', { class: 'muted', key: 'empty' }, empty),
  ];
}

/** A list read when shown: `[items, setItems, error, reload]`. */
function useList(read, deps) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    read().then(list => live && setItems(list), failure => live && setError(failure.message));
    return () => { live = false; };
  }, [...deps, round]);
  return [items, setItems, error, () => setRound(n => n + 1)];
}

function Bots({ workspaceId, manage }) {
  const [bots, setBots, loadError] = useList(() => (manage ? client.integrations.bots(workspaceId)
    : Promise.resolve([])), [workspaceId, manage]);
  const [secret, setSecret] = useState(null); // {bot, token}
  const [actionError, setActionError] = useState(null);
  const form = useForm({ username: '', displayName: '', description: '' });
  if (!manage) {
    return h('p', { class: 'integration-note' }, "Only the workspace's owners and admins manage its bots.");
  }
  const create = form.submit(async ({ username, displayName, description }) => {
    const fields = { username: username.trim(), displayName: displayName.trim() };
    if (description.trim()) fields.description = description.trim();
    const answer = await client.integrations.createBot(workspaceId, fields);
    setBots(list => [...(list || []), answer.bot]);
    setSecret(answer);
  }, { conflictField: 'username' });
  const rotate = bot => askConfirm({ title: `New token for @${bot.username}`, confirm: 'Make a new token', danger: true,
    text: 'The current token stops working at once, and the bot\'s open connections close.',
    run: async () => setSecret(await client.integrations.rotateBotToken(bot.id)) });
  const remove = bot => askConfirm({ title: `Delete @${bot.username}`, confirm: 'Delete bot', danger: true,
    text: 'Its token stops working at once and it leaves the workspace\'s channels. Its messages stay.',
    run: async () => {
      await client.integrations.deleteBot(bot.id);
      setBots(list => list.filter(item => item.id !== bot.id));
      if (secret?.bot.id === bot.id) setSecret(null);
    } }).catch(failure => setActionError(failure.message));
  return h('div', { class: 'integration-section' },
    secret && h(SecretBox, { id: 'bot-token', title: `Token for @${secret.bot.username}`, what: 'Token',
      note: 'Copy the token now: it is shown only this once. The bot signs in with it (Authorization: Bearer …).',
      value: secret.token, onDone: () => setSecret(null) }),
    h('h3', null, 'Bots of this workspace'),
    loadError && h('p', { class: 'form-error', role: 'alert' }, loadError),
    actionError && h('p', { class: 'form-error', role: 'alert' }, actionError),
    !bots && !loadError && h('p', { role: 'status' }, 'Loading…'),
    bots && bots.length === 0 && h('p', { class: 'muted' }, 'No bots yet.'),
    bots && bots.length > 0 && h('ul', { class: 'integration-list bot-list' }, bots.map(bot => h('li', {
      key: bot.id, 'data-bot-id': bot.id },
    h(Avatar, { userId: bot.id, size: 'small' }),
    h('div', { class: 'integration-item' },
      h('strong', null, bot.displayName), ' ', h('span', { class: 'muted' }, `@${bot.username}`),
      h('span', { class: 'bot-tag' }, 'BOT'),
      bot.description && h('div', { class: 'muted small' }, bot.description)),
    h('div', { class: 'integration-actions' },
      h('button', { type: 'button', class: 'secondary', 'data-action': 'rotate', onClick: () => rotate(bot),
        'aria-label': `New token for @${bot.username}` }, 'New token'),
      h('button', { type: 'button', class: 'secondary danger-text', 'data-action': 'delete', onClick: () => remove(bot),
        'aria-label': `Delete @${bot.username}` }, 'Delete'))))),
    h('form', { class: 'dialog-form integration-form bot-form', onSubmit: create, 'aria-labelledby': 'bot-form-title' },
      h('h3', { id: 'bot-form-title' }, 'Add a bot'),
      h(Field, { form, name: 'username', id: 'bot-username', label: 'Username', required: true, maxLength: 32,
        autocomplete: 'off', hint: 'How people mention it: letters, digits, "_", "-" and ".".' }),
      h(Field, { form, name: 'displayName', id: 'bot-display-name', label: 'Display name', required: true,
        maxLength: 64 }),
      h(Field, { form, name: 'description', id: 'bot-description', label: 'Description', multiline: true,
        maxLength: 500, rows: 2 }),
      h(FormError, { form }),
      h('button', { class: 'primary', type: 'submit',
        disabled: form.busy || !form.values.username.trim() || !form.values.displayName.trim() }, 'Create bot')));
}

/** One webhook's row: its name (renamed in place), who made it, Rename and Delete for those who may. */
function WebhookRow({ webhook, mayChange, onRenamed, onDeleted }) {
  const [editing, setEditing] = useState(false);
  const form = useForm({ name: webhook.name });
  const [error, setError] = useState(null);
  const creator = useSlice(client.people.users, () => client.people.displayName(webhook.creatorId));
  const rename = form.submit(async ({ name }) => {
    onRenamed(await client.integrations.renameWebhook(webhook.id, name.trim()));
    setEditing(false);
  });
  const remove = () => askConfirm({ title: `Delete the webhook ${webhook.name}`, confirm: 'Delete webhook',
    danger: true, text: 'Its URL stops working at once; what it posted stays.',
    run: async () => {
      await client.integrations.deleteWebhook(webhook.id);
      onDeleted(webhook.id);
    } }).catch(failure => setError(failure.message));
  const inputId = `webhook-name-${webhook.id}`;
  return h('li', { 'data-webhook-id': webhook.id },
    editing
      ? h('form', { class: 'integration-rename', onSubmit: rename },
        h(Field, { form, name: 'name', id: inputId, label: 'Name', required: true, maxLength: 80 }),
        h(FormError, { form }),
        h('div', { class: 'integration-actions' },
          h('button', { type: 'button', class: 'secondary', onClick: () => setEditing(false) }, 'Cancel'),
          h('button', { type: 'submit', class: 'primary', disabled: form.busy || !form.values.name.trim() }, 'Save')))
      : [
        h('div', { class: 'integration-item' },
          h('strong', { class: 'webhook-name' }, webhook.name),
          h('div', { class: 'muted small' }, `Added by ${creator} on ${dateFormat.format(new Date(webhook.createdAt))}`)),
        mayChange && h('div', { class: 'integration-actions' },
          h('button', { type: 'button', class: 'secondary', 'data-action': 'rename', onClick: () => setEditing(true),
            'aria-label': `Rename ${webhook.name}` }, 'Rename'),
          h('button', { type: 'button', class: 'secondary danger-text', 'data-action': 'delete', onClick: remove,
            'aria-label': `Delete ${webhook.name}` }, 'Delete')),
      ],
    error && h('p', { class: 'form-error', role: 'alert' }, error));
}

function Webhooks({ workspaceId, manage }) {
  const channel = useChannel(workspaceId);
  const { chatId } = channel;
  const [webhooks, setWebhooks, loadError] = useList(() => (chatId ? client.integrations.webhooks(chatId)
    : Promise.resolve([])), [chatId]);
  const [created, setCreated] = useState(null); // {webhook, url}
  const [test, setTest] = useState(null); // {busy} | {ok, text}
  const form = useForm({ name: '', iconUrl: '' });
  const me = client.session.me();
  const create = form.submit(async ({ name, iconUrl }) => {
    const fields = { name: name.trim() };
    if (iconUrl.trim()) fields.iconUrl = iconUrl.trim();
    const answer = await client.integrations.createWebhook(chatId, fields);
    setWebhooks(list => [...(list || []), answer.webhook]);
    setTest(null);
    setCreated({ ...answer, url: webhookAddress(location.origin, answer.url) });
  }, { conflictField: 'name' });
  const sendTest = async () => {
    setTest({ busy: true });
    try {
      setTest(await client.integrations.sendTest(created.url));
    } catch (failure) {
      setTest({ ok: false, text: failure.message });
    }
  };
  return h('div', { class: 'integration-section' },
    h('p', { class: 'integration-note' }, 'Tools post into a channel through its webhook\'s URL, with Slack\'s payload.'),
    h(ChannelPicker, { id: 'webhook-channel', channel, empty: 'Join a channel to add webhooks to it.',
      onChange: () => { setCreated(null); setTest(null); } }),
    created && h(SecretBox, { id: 'webhook-url', title: `URL of ${created.webhook.name}`, what: 'URL',
      note: 'Copy the URL now: it is shown only this once. Anyone who has it can post to the channel.',
      value: created.url, onDone: () => { setCreated(null); setTest(null); } },
    h('div', { class: 'webhook-test' },
      h('button', { type: 'button', class: 'secondary', 'data-action': 'send-test', disabled: !!test?.busy,
        onClick: sendTest }, test?.busy ? 'Sending…' : 'Send test'),
      h('span', { class: `webhook-test-result${test && !test.busy ? (test.ok ? ' ok' : ' failed') : ''}`,
        role: 'status' }, test && !test.busy ? test.text : ''))),
    chatId && h('h3', null, `Webhooks of #${channelName(chatId)}`),
    loadError && h('p', { class: 'form-error', role: 'alert' }, loadError),
    chatId && !webhooks && !loadError && h('p', { role: 'status' }, 'Loading…'),
    webhooks && chatId && webhooks.length === 0 && h('p', { class: 'muted' }, 'No webhooks in this channel yet.'),
    webhooks && webhooks.length > 0 && h('ul', { class: 'integration-list webhook-list' }, webhooks.map(webhook =>
      h(WebhookRow, { key: webhook.id, webhook, mayChange: manage || webhook.creatorId === me,
        onRenamed: next => setWebhooks(list => list.map(item => (item.id === next.id ? next : item))),
        onDeleted: id => setWebhooks(list => list.filter(item => item.id !== id)) }))),
    chatId && h('form', { class: 'dialog-form integration-form webhook-form', onSubmit: create,
      'aria-labelledby': 'webhook-form-title' },
    h('h3', { id: 'webhook-form-title' }, 'Add an incoming webhook'),
    h(Field, { form, name: 'name', id: 'webhook-name', label: 'Name', required: true, maxLength: 80,
      hint: 'Shown beside its posts: "via <name>".' }),
    h(Field, { form, name: 'iconUrl', id: 'webhook-icon', label: 'Icon URL', type: 'url', maxLength: 2048,
      placeholder: 'https://…' }),
    h(FormError, { form }),
    h('button', { class: 'primary', type: 'submit', disabled: form.busy || !form.values.name.trim() },
      'Create webhook')));
}

/**
 * The last deliveries of a command or an outgoing webhook, newest first.
 * @param id what they are of; `read` reads them, `name` names it, `back` labels the way back
 */
function Deliveries({ id, name, read, back, onBack }) {
  const [deliveries, , error, reload] = useList(read, [id]);
  const heading = useRef(null);
  useEffect(() => heading.current?.focus(), []);
  return h('div', { class: 'integration-section deliveries' },
    h('div', { class: 'deliveries-bar' },
      h('button', { type: 'button', class: 'secondary', 'data-action': 'back', onClick: onBack }, back),
      h('button', { type: 'button', class: 'secondary', 'data-action': 'refresh', onClick: reload }, 'Refresh')),
    h('h3', { ref: heading, tabindex: -1 }, `Deliveries of ${name}`),
    h('p', { class: 'muted small' }, 'The last 50 calls to its URL, newest first.'),
    error && h('p', { class: 'form-error', role: 'alert' }, error),
    !deliveries && !error && h('p', { role: 'status' }, 'Loading…'),
    deliveries && deliveries.length === 0 && h('p', { class: 'muted' }, 'No deliveries yet.'),
    deliveries && deliveries.length > 0 && h('div', { class: 'deliveries-scroll' },
      h('table', { class: 'deliveries-table' },
        h('caption', { class: 'visually-hidden' }, `Deliveries of ${name}`),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col' }, 'Details'))),
        h('tbody', null, deliveries.map(delivery => h('tr', { key: delivery.id, 'data-status': delivery.status },
          h('td', null, h('time', { datetime: delivery.at }, timeFormat.format(new Date(delivery.at)))),
          h('td', null, h('span', { class: `delivery-status ${delivery.status}` }, delivery.status)),
          h('td', { class: 'delivery-details' }, deliverySummary(delivery))))))));
}

function Commands({ workspaceId, manage }) {
  const [list, setList, loadError] = useList(() => client.integrations.listCommands(workspaceId), [workspaceId]);
  const cached = useSlice(client.commands.lists, lists => lists.get(workspaceId), { key: workspaceId });
  const [secret, setSecret] = useState(null); // {command, signingSecret}
  const [showing, setShowing] = useState(null); // the command whose deliveries are shown
  const [actionError, setActionError] = useState(null);
  const form = useForm({ command: '/', url: '', description: '', usageHint: '' });
  const shown = cached?.loaded ? cached : list; // follows what is created and deleted here
  if (showing) {
    return h(Deliveries, { id: showing.id, name: showing.command, back: '← All commands',
      read: () => client.integrations.deliveries(showing.id),
      onBack: () => {
        setShowing(null);
        focusSoon(`.command-list [data-command-id="${showing.id}"] [data-action=deliveries]`);
      } });
  }
  const create = form.submit(async ({ command, url, description, usageHint }) => {
    const name = command.trim().toLowerCase();
    const fields = { command: name.startsWith('/') ? name : `/${name}`, url: url.trim() };
    if (description.trim()) fields.description = description.trim();
    if (usageHint.trim()) fields.usageHint = usageHint.trim();
    const answer = await client.integrations.createCommand(workspaceId, fields);
    setList(current => current && { ...current, custom: [...current.custom, answer.command] });
    setSecret(answer);
  }, { conflictField: 'command' });
  const remove = command => askConfirm({ title: `Delete ${command.command}`, confirm: 'Delete command', danger: true,
    text: 'Typing it will no longer call its URL.',
    run: async () => {
      await client.integrations.deleteCommand(workspaceId, command.id);
      setList(current => current && { ...current, custom: current.custom.filter(item => item.id !== command.id) });
    } }).catch(failure => setActionError(failure.message));
  return h('div', { class: 'integration-section' },
    secret && h(SecretBox, { id: 'command-secret', title: `Signing secret of ${secret.command.command}`,
      what: 'Secret', value: secret.signingSecret, onDone: () => setSecret(null),
      note: 'Copy the secret now: it is shown only this once. Your endpoint checks each call\'s signature with it '
        + '(X-OComms-Signature, as Slack signs).' }),
    h('h3', null, 'Commands of this workspace'),
    loadError && h('p', { class: 'form-error', role: 'alert' }, loadError),
    actionError && h('p', { class: 'form-error', role: 'alert' }, actionError),
    !shown && !loadError && h('p', { role: 'status' }, 'Loading…'),
    shown && shown.custom.length === 0 && h('p', { class: 'muted' }, 'No custom commands yet.'),
    shown && shown.custom.length > 0 && h('ul', { class: 'integration-list command-list' }, shown.custom.map(command =>
      h('li', { key: command.id, 'data-command': command.command, 'data-command-id': command.id },
        h('div', { class: 'integration-item' },
          h('strong', null, command.command), command.usageHint && h('span', { class: 'usage-hint' }, ` ${command.usageHint}`),
          command.description && h('div', { class: 'small' }, command.description),
          command.url && h('div', { class: 'muted small command-url' }, command.url)),
        manage && h('div', { class: 'integration-actions' },
          h('button', { type: 'button', class: 'secondary', 'data-action': 'deliveries',
            onClick: () => setShowing(command), 'aria-label': `Deliveries of ${command.command}` }, 'Deliveries'),
          h('button', { type: 'button', class: 'secondary danger-text', 'data-action': 'delete',
            onClick: () => remove(command), 'aria-label': `Delete ${command.command}` }, 'Delete'))))),
    shown && h('details', { class: 'builtin-commands' },
      h('summary', null, `Built-in commands (${shown.builtIns.length})`),
      h('ul', { class: 'integration-list command-list builtin' }, shown.builtIns.map(command =>
        h('li', { key: command.command, 'data-command': command.command },
          h('div', { class: 'integration-item' },
            h('strong', null, command.command), command.usageHint && h('span', { class: 'usage-hint' }, ` ${command.usageHint}`),
            command.description && h('div', { class: 'muted small' }, command.description)))))),
    manage ? h('form', { class: 'dialog-form integration-form command-form', onSubmit: create,
      'aria-labelledby': 'command-form-title' },
    h('h3', { id: 'command-form-title' }, 'Add a slash command'),
    h(Field, { form, name: 'command', id: 'command-name', label: 'Command', required: true, maxLength: 33,
      autocomplete: 'off', hint: 'A slash, then 2–32 lower-case letters, digits, "_" or "-"; not a built-in.' }),
    h(Field, { form, name: 'url', id: 'command-url', label: 'Request URL', required: true, type: 'url',
      placeholder: 'https://…', hint: 'Called with Slack\'s form fields, signed with the secret.' }),
    h(Field, { form, name: 'description', id: 'command-description', label: 'Description', maxLength: 200 }),
    h(Field, { form, name: 'usageHint', id: 'command-usage', label: 'Usage hint', maxLength: 100,
      placeholder: 'e.g. [environment]' }),
    h(FormError, { form }),
    h('button', { class: 'primary', type: 'submit',
      disabled: form.busy || form.values.command.trim().length < 2 || !form.values.url.trim() }, 'Create command'))
      : h('p', { class: 'integration-note' }, "Only the workspace's owners and admins add slash commands."));
}

/** One outgoing webhook's row: its name, URL and trigger words; Deliveries and Delete for those who may. */
function OutgoingRow({ hook, manage, onDeliveries, onDelete }) {
  const words = hook.triggerWords || [];
  return h('li', { 'data-outgoing-id': hook.id },
    h('div', { class: 'integration-item' },
      h('strong', { class: 'outgoing-name' }, hook.name),
      h('div', { class: 'muted small command-url outgoing-url' }, hook.url),
      h('div', { class: 'small trigger-words' },
        words.length === 0 ? h('span', { class: 'muted' }, 'Every new message (no trigger words)')
          : h('ul', { class: 'trigger-word-list', 'aria-label': `Trigger words of ${hook.name}` },
            words.map(word => h('li', { key: word }, h('code', { class: 'trigger-word' }, word)))))),
    manage && h('div', { class: 'integration-actions' },
      h('button', { type: 'button', class: 'secondary', 'data-action': 'deliveries', onClick: () => onDeliveries(hook),
        'aria-label': `Deliveries of ${hook.name}` }, 'Deliveries'),
      h('button', { type: 'button', class: 'secondary danger-text', 'data-action': 'delete', onClick: () => onDelete(hook),
        'aria-label': `Delete ${hook.name}` }, 'Delete')));
}

function OutgoingWebhooks({ workspaceId, manage }) {
  const channel = useChannel(workspaceId);
  const { chatId } = channel;
  const [hooks, setHooks, loadError] = useList(() => (chatId ? client.integrations.outgoingWebhooks(chatId)
    : Promise.resolve([])), [chatId]);
  const [secret, setSecret] = useState(null); // {outgoingWebhook, signingSecret}
  const [showing, setShowing] = useState(null); // the webhook whose deliveries are shown
  const [actionError, setActionError] = useState(null);
  const form = useForm({ name: '', url: '', triggerWords: '' });
  if (showing) {
    return h(Deliveries, { id: showing.id, name: showing.name, back: '← All outgoing webhooks',
      read: () => client.integrations.outgoingDeliveries(showing.id),
      onBack: () => {
        setShowing(null);
        focusSoon(`.outgoing-list [data-outgoing-id="${showing.id}"] [data-action=deliveries]`);
      } });
  }
  const create = form.submit(async ({ name, url, triggerWords }) => {
    const parsed = parseTriggerWords(triggerWords);
    if (parsed.error) throw invalidField('triggerWords', parsed.error);
    const fields = { name: name.trim(), url: url.trim() };
    if (parsed.words.length > 0) fields.triggerWords = parsed.words;
    const answer = await client.integrations.createOutgoingWebhook(chatId, fields);
    setHooks(list => [...(list || []), answer.outgoingWebhook]);
    setSecret(answer);
  });
  const remove = hook => askConfirm({ title: `Delete the outgoing webhook ${hook.name}`, confirm: 'Delete webhook',
    danger: true, text: 'New messages of the channel are no longer sent to its URL.',
    run: async () => {
      await client.integrations.deleteOutgoingWebhook(hook.id);
      setHooks(list => list.filter(item => item.id !== hook.id));
      if (secret?.outgoingWebhook.id === hook.id) setSecret(null);
    } }).catch(failure => setActionError(failure.message));
  return h('div', { class: 'integration-section' },
    h('p', { class: 'integration-note' }, 'The server sends a channel\'s new messages that start with a trigger word '
      + 'to a URL, signed, as Slack\'s outgoing webhooks do; a reply with text is posted back.'),
    h(ChannelPicker, { id: 'outgoing-channel', channel, empty: 'Join a channel to see its outgoing webhooks.',
      onChange: () => { setSecret(null); setActionError(null); } }),
    secret && h(SecretBox, { id: 'outgoing-secret', title: `Signing secret of ${secret.outgoingWebhook.name}`,
      what: 'Secret', value: secret.signingSecret, onDone: () => setSecret(null),
      note: 'Copy the secret now: it is shown only this once. Your endpoint checks each call\'s signature with it '
        + '(X-OComms-Signature, as Slack signs).' }),
    chatId && h('h3', null, `Outgoing webhooks of #${channelName(chatId)}`),
    loadError && h('p', { class: 'form-error', role: 'alert' }, loadError),
    actionError && h('p', { class: 'form-error', role: 'alert' }, actionError),
    chatId && !hooks && !loadError && h('p', { role: 'status' }, 'Loading…'),
    hooks && chatId && hooks.length === 0 && h('p', { class: 'muted' }, 'No outgoing webhooks in this channel yet.'),
    hooks && hooks.length > 0 && h('ul', { class: 'integration-list outgoing-list' }, hooks.map(hook =>
      h(OutgoingRow, { key: hook.id, hook, manage, onDeliveries: setShowing, onDelete: remove }))),
    chatId && (manage ? h('form', { class: 'dialog-form integration-form outgoing-form', onSubmit: create,
      'aria-labelledby': 'outgoing-form-title' },
    h('h3', { id: 'outgoing-form-title' }, 'Add an outgoing webhook'),
    h(Field, { form, name: 'name', id: 'outgoing-name', label: 'Name', required: true, maxLength: 80,
      hint: 'Shown beside its replies: "via <name>".' }),
    h(Field, { form, name: 'url', id: 'outgoing-url', label: 'URL', required: true, type: 'url',
      placeholder: 'https://…', hint: 'Called with Slack\'s outgoing-webhook fields as JSON, signed with the secret.' }),
    h(Field, { form, name: 'triggerWords', id: 'outgoing-trigger-words', label: 'Trigger words', autocomplete: 'off',
      spellcheck: false, placeholder: 'e.g. deploy, status',
      hint: `Separated by commas or spaces, up to ${TRIGGER_WORDS_MAX}; a message is sent when it starts with one. `
        + 'None: every message.' }),
    h(FormError, { form }),
    h('button', { class: 'primary', type: 'submit',
      disabled: form.busy || !form.values.name.trim() || !form.values.url.trim() }, 'Create webhook'))
      : h('p', { class: 'integration-note' }, "Only the workspace's owners and admins add outgoing webhooks, "
        + 'and see their deliveries.')));
}

/** The Integrations page, a dialog over the workspace: its tabs move with the arrow keys; Esc closes it. */
export function IntegrationsDialog({ onClose }) {
  const workspaceId = useSlice(client.session.slice, state => state.workspaceId);
  const role = useSlice(client.session.slice, () => client.integrations.roleIn(workspaceId));
  const manage = role === 'owner' || role === 'admin';
  const [tab, setTab] = useState(manage ? 'bots' : 'webhooks');
  const tabs = useRef(null);
  const choose = (id, focus) => {
    setTab(id);
    if (focus) requestAnimationFrame(() => tabs.current?.querySelector(`[data-tab="${id}"]`)?.focus());
  };
  const onTabKey = event => {
    const at = TABS.findIndex(item => item.id === tab);
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (step) {
      event.preventDefault();
      choose(TABS[(at + step + TABS.length) % TABS.length].id, true);
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      choose(TABS[event.key === 'Home' ? 0 : TABS.length - 1].id, true);
    }
  };
  const Panel = { bots: Bots, webhooks: Webhooks, outgoing: OutgoingWebhooks, commands: Commands }[tab];
  return h(Modal, { title: 'Integrations', onClose, wide: true },
    h('div', { class: 'integrations', 'data-role': role },
      h('div', { class: 'integration-tabs', role: 'tablist', 'aria-label': 'Kinds of integration', ref: tabs,
        onKeyDown: onTabKey },
      TABS.map(item => h('button', { type: 'button', role: 'tab', id: `integrations-tab-${item.id}`,
        'data-tab': item.id, 'aria-selected': String(item.id === tab), 'aria-controls': 'integrations-panel',
        tabindex: item.id === tab ? 0 : -1, class: item.id === tab ? 'active' : '', onClick: () => choose(item.id) },
      item.title))),
      h('div', { class: 'integration-panel', id: 'integrations-panel', role: 'tabpanel', 'data-panel': tab,
        'aria-labelledby': `integrations-tab-${tab}` },
      workspaceId ? h(Panel, { key: `${tab}-${workspaceId}`, workspaceId, manage })
        : h('p', null, 'Create or join a workspace first.'))));
}
