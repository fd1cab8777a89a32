// What the Integrations page does (issue #23): a workspace's bots, its chats' incoming and outgoing webhooks, its slash
// commands, and the delivery logs of commands and outgoing webhooks, over REST (docs/protocol.md "Bots", "Incoming
// webhooks", "Slash commands", "Outgoing webhooks"). The
// page keeps its lists itself (they are read when shown); what other parts of the client use is kept up to date here
// (a command created or deleted changes the composer's list at once). Secrets (a bot's token, a webhook's URL, a
// command's or outgoing webhook's signing secret) are only ever in the answer that made them: never stored, never
// logged.

import { ERROR } from '../protocol.js';

/** The problem code (or reason) of a URL the server will not call: loopback, private, link-local, not http(s). */
export const URL_NOT_ALLOWED = 'url_not_allowed';

/** The Slack payload "Send test" posts to a new webhook's URL. */
export const TEST_PAYLOAD = Object.freeze({
  text: 'Test message from OComms: *this webhook works*. :tada:',
});

/** Who may manage bots and slash commands: a workspace's owners and admins. */
export const canManage = role => role === 'owner' || role === 'admin';

/** A webhook's full address from the path the server answers (`/hooks/<secret>`). */
export function webhookAddress(origin, url) {
  return /^https?:\/\//i.test(url || '') ? url : `${origin}${url || ''}`;
}

/**
 * Where a refusal belongs on a form: `{field, text}`, `field` naming the form's field at fault (the problem's `field`,
 * `url` for url_not_allowed, the name for a conflict) or null for the form as a whole.
 * @param conflictField the field a `409 conflict` is about (a taken username, a taken command)
 */
export function fieldError(error, { conflictField = null } = {}) {
  const problem = error?.problem || error?.body || {};
  const code = error?.code || problem.code;
  const text = problem.detail || error?.message || 'That did not work';
  if (code === URL_NOT_ALLOWED || problem.reason === URL_NOT_ALLOWED) {
    return { field: 'url', text: problem.detail && problem.detail !== problem.title ? problem.detail
      : 'This address is not allowed: only public http(s) addresses can be called' };
  }
  if (code === ERROR.CONFLICT && conflictField) {
    return { field: problem.field || conflictField, text };
  }
  if (problem.field) {
    return { field: problem.field, text };
  }
  return { field: null, text };
}

/** What "Send test" says of the webhook's answer. */
export function testResult({ status, ok, problem }) {
  if (ok) {
    return { ok: true, text: `Posted: the webhook answered ${status} ok. Look for the message in the channel.` };
  }
  const detail = problem?.detail || problem?.title || `HTTP ${status}`;
  return { ok: false, text: `Refused (${status}): ${detail}${problem?.reason ? ` (${problem.reason})` : ''}` };
}

/**
 * Whether two messages of one sender were posted the same way: both by the person, or both through the same
 * integration under the same name (an incoming or outgoing webhook's, a slash command's `via`). A message list groups
 * only these, so that an integration's post under its creator's message keeps its "via" tag.
 */
export function postedAlike(a, b) {
  const how = message => (message.via ? [message.via.webhookId, message.via.commandId, message.via.outgoingWebhookId,
    message.via.name, message.via.username].join('|') : '');
  return how(a) === how(b);
}

/** At most this many trigger words per outgoing webhook, each at most TRIGGER_WORD_MAX characters (the server's limits). */
export const TRIGGER_WORDS_MAX = 10;
export const TRIGGER_WORD_MAX = 50;

/**
 * An outgoing webhook's trigger words from what was typed: separated by commas or white space, empty ones dropped,
 * repeats (the server matches without case) kept once. `{words, error}`: `error` says what the server would refuse
 * (too many, one too long), null when none; no words means "every message".
 */
export function parseTriggerWords(text) {
  const words = [];
  const seen = new Set();
  for (const word of (text || '').split(/[\s,]+/)) {
    const key = word.toLowerCase();
    if (word && !seen.has(key)) {
      seen.add(key);
      words.push(word);
    }
  }
  const tooLong = words.find(word => word.length > TRIGGER_WORD_MAX);
  const error = words.length > TRIGGER_WORDS_MAX ? `At most ${TRIGGER_WORDS_MAX} trigger words (${words.length} given)`
    : tooLong ? `A trigger word has at most ${TRIGGER_WORD_MAX} characters: "${tooLong.slice(0, 20)}…" is longer`
      : null;
  return { words, error };
}

/** A refusal made here, before asking the server, shaped as fieldError reads the server's: said beside `field`. */
export function invalidField(field, detail) {
  return Object.assign(new Error(detail), { code: ERROR.VALIDATION_FAILED, problem: { field, detail } });
}

/** A delivery's line in the log: "ok 200 · 120 ms", "failed 502: …", "refused: …". */
export function deliverySummary(delivery) {
  const parts = [delivery.status];
  if (delivery.httpStatus) parts[0] += ` ${delivery.httpStatus}`;
  if (delivery.durationMs !== undefined && delivery.durationMs !== null) parts.push(`${delivery.durationMs} ms`);
  if (delivery.attempt > 1) parts.push(`attempt ${delivery.attempt}`);
  return `${parts.join(' · ')}${delivery.error ? `: ${delivery.error}` : ''}`;
}

/**
 * @param deps.api REST (`js/api.js`)
 * @param deps.session the workspace shown, and the user's role in it
 * @param deps.commands the slash commands slice (its cached lists follow what is created and deleted here)
 */
export function createIntegrations({ api, session, commands }) {
  const rest = api.rest;

  /** The user's role in a workspace (`owner`, `admin`, `member`), from their workspace list. */
  const roleIn = workspaceId => session.slice.state.workspaces.find(ws => ws.id === workspaceId)?.role || 'member';

  async function createCommand(workspaceId, fields) {
    const answer = await rest.createCommand(workspaceId, fields);
    commands.added(workspaceId, answer.command);
    return answer;
  }

  async function deleteCommand(workspaceId, commandId) {
    await rest.deleteCommand(commandId);
    commands.removed(workspaceId, commandId);
  }

  /** The workspace's commands for the page: read again (someone else may have added one), and cached. */
  async function listCommands(workspaceId) {
    return commands.remember(workspaceId, await rest.commands(workspaceId));
  }

  return {
    roleIn,
    canManage: workspaceId => canManage(roleIn(workspaceId)),
    bots: async workspaceId => (await rest.bots(workspaceId)).bots,
    createBot: (workspaceId, fields) => rest.createBot(workspaceId, fields),
    deleteBot: botId => rest.deleteBot(botId),
    rotateBotToken: botId => rest.rotateBotToken(botId),
    webhooks: async chatId => (await rest.webhooks(chatId)).webhooks,
    createWebhook: (chatId, fields) => rest.createWebhook(chatId, fields),
    renameWebhook: async (webhookId, name) => (await rest.updateWebhook(webhookId, { name })).webhook,
    deleteWebhook: webhookId => rest.deleteWebhook(webhookId),
    sendTest: async url => testResult(await rest.postToWebhook(url, TEST_PAYLOAD)),
    listCommands,
    createCommand,
    deleteCommand,
    deliveries: async commandId => (await rest.commandDeliveries(commandId)).deliveries,
    outgoingWebhooks: async chatId => (await rest.outgoingWebhooks(chatId)).outgoingWebhooks,
    createOutgoingWebhook: (chatId, fields) => rest.createOutgoingWebhook(chatId, fields),
    deleteOutgoingWebhook: outgoingWebhookId => rest.deleteOutgoingWebhook(outgoingWebhookId),
    outgoingDeliveries: async outgoingWebhookId => (await rest.outgoingWebhookDeliveries(outgoingWebhookId)).deliveries,
  };
}
