// Message content is markdown written by anyone: marked renders it, raw HTML in it is shown as text, and DOMPurify
// removes whatever could still run (event handlers, javascript: URLs, forms, frames) before it reaches the DOM.

import { Marked } from 'marked';
import DOMPurify from 'dompurify';
import { createHtmlCache } from './html-cache.js';

const escapeHtml = text => text.replace(/[&<>"']/g, c => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const mention = {
  name: 'mention',
  level: 'inline',
  start(src) {
    const index = src.search(/(^|[^\w@])@[A-Za-z0-9]/);
    return index < 0 ? undefined : index + (src[index] === '@' ? 0 : 1);
  },
  tokenizer(src) {
    const match = /^@([A-Za-z0-9][A-Za-z0-9._-]{0,31})/.exec(src);
    if (match) {
      return { type: 'mention', raw: match[0], name: match[1].replace(/[._-]+$/, '') };
    }
    return undefined;
  },
  renderer(token) {
    const name = escapeHtml(token.name);
    const rest = escapeHtml(token.raw.slice(1 + token.name.length));
    return `<span class="mention" data-mention="${name.toLowerCase()}">@${name}</span>${rest}`;
  },
};

const marked = new Marked({
  gfm: true,
  breaks: true,
  extensions: [mention],
  renderer: {
    // Raw HTML in a message is text, not markup.
    html({ text }) {
      return escapeHtml(text);
    },
  },
});

/** Links in messages open in a new tab, and give the target neither the page nor the referrer. */
export function hardenLink(node) {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
}

DOMPurify.addHook('afterSanitizeAttributes', hardenLink);

/** What may stay after sanitizing: text formatting, lists, tables, task-list checkboxes and web or mail links. */
export const PURIFY = Object.freeze({
  ALLOWED_TAGS: ['p', 'br', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input'],
  ALLOWED_ATTR: ['href', 'title', 'class', 'data-mention', 'target', 'rel', 'type', 'checked', 'disabled', 'align',
    'start'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#|\/(?!\/))/i,
  // DOMPurify holds every attribute value it does not know to be safe to ALLOWED_URI_REGEXP: without these, a task
  // list's `type="checkbox"` (then a text field), a list's `start` and a cell's `align` would be dropped.
  ADD_URI_SAFE_ATTR: ['type', 'start', 'align'],
});

/** marked's HTML for a message's markdown, before sanitizing. */
export function markdownToHtml(content) {
  return marked.parse(content || '');
}

/** Marks the mentions of `me` (a username), and of the whole chat, as the user's own (`data-me`). */
export function markMentions(html, me) {
  if (!me) {
    return html;
  }
  const mine = `data-mention="${escapeHtml(me.toLowerCase())}"`;
  return html.split(mine).join(`${mine} data-me="true"`)
    .replace(/data-mention="(channel|everyone|here)"/g, '$& data-me="true"');
}

/** Safe HTML for a message's markdown; `me` (a username) gets its mentions marked as such. */
export function renderMarkdown(content, me) {
  return markMentions(DOMPurify.sanitize(markdownToHtml(content), PURIFY), me);
}

const rendered = createHtmlCache(renderMarkdown);

/**
 * A message's HTML for the user `me` (a username), rendered once per version of the message (its id and edit time)
 * and cached: rendering the list again neither parses nor sanitizes. A message not stored yet is keyed by its clientId.
 */
export function messageHtml(message, me) {
  return rendered.html(message.id || `pending:${message.clientId}`, `${message.editedAt || ''}|${me || ''}`,
    message.content || '', me);
}

export { escapeHtml };
