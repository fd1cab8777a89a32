import { h } from 'preact';
import { useState } from 'preact/hooks';
import { renderMarkdown } from '../markdown.js';

/**
 * What a webhook's post carries beside its text (docs/protocol.md, "Incoming webhooks"): Slack's attachments (a color
 * bar, pretext, a title link, text, a fields grid, a footer with its time) and blocks (header, section with fields,
 * context, divider, image). The server kept only these keys and http(s) URLs; texts are markdown, rendered through
 * the same sanitizer as messages.
 */

/** Slack's named colors, as Slack shows them; else a hex color the server checked (checked again here). */
const NAMED_COLORS = { good: '#2eb67d', warning: '#ecb22e', danger: '#e01e5a' };
const HEX = /^#[0-9a-fA-F]{6}$/;
const HTTP = /^https?:\/\//i;
const footerTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function barColor(color) {
  if (NAMED_COLORS[color]) {
    return NAMED_COLORS[color];
  }
  return HEX.test(color || '') ? color : null;
}

function Markdown({ text, me, tag = 'div', cls }) {
  if (!text) {
    return null;
  }
  return h(tag, { class: cls, dangerouslySetInnerHTML: { __html: renderMarkdown(text, me) } });
}

function link(url, children, cls) {
  return HTTP.test(url || '')
    ? h('a', { class: cls, href: url, target: '_blank', rel: 'noopener noreferrer nofollow' }, children)
    : h('span', { class: cls }, children);
}

/** An image from elsewhere; hidden when the page may not load it (the content security policy) or it is broken. */
function RemoteImage({ src, alt, cls }) {
  const [broken, setBroken] = useState(false);
  if (!HTTP.test(src || '') || broken) {
    return null;
  }
  return h('img', { class: cls, src, alt: alt || '', loading: 'lazy', referrerpolicy: 'no-referrer',
    onError: () => setBroken(true) });
}

function Attachment({ attachment, me }) {
  const color = barColor(attachment.color);
  const fields = attachment.fields || [];
  return h('div', { class: 'rich-attachment', 'data-color': attachment.color || undefined },
    h('span', { class: 'rich-bar', 'aria-hidden': 'true', style: color ? { background: color } : undefined }),
    h('div', { class: 'rich-body' },
      h(Markdown, { text: attachment.pretext, me, cls: 'rich-pretext' }),
      attachment.title && h('div', { class: 'rich-title' }, link(attachment.title_link, attachment.title)),
      h(Markdown, { text: attachment.text, me, cls: 'rich-text' }),
      fields.length > 0 && h('div', { class: 'rich-fields' }, fields.map(field =>
        h('div', { class: `rich-field${field.short ? ' short' : ''}` },
          field.title && h('div', { class: 'rich-field-title' }, field.title),
          h(Markdown, { text: field.value, me, cls: 'rich-field-value' })))),
      (attachment.footer || attachment.ts) && h('div', { class: 'rich-footer' },
        attachment.footer && h('span', null, attachment.footer),
        attachment.footer && attachment.ts && h('span', { 'aria-hidden': 'true' }, ' · '),
        attachment.ts && h('time', { datetime: new Date(attachment.ts * 1000).toISOString() },
          footerTime.format(new Date(attachment.ts * 1000))))));
}

function Block({ block, me }) {
  switch (block.type) {
    case 'header':
      return h('div', { class: 'rich-block rich-header', role: 'heading', 'aria-level': '4' }, block.text);
    case 'section':
      return h('div', { class: 'rich-block rich-section' },
        h(Markdown, { text: block.text, me, cls: 'rich-text' }),
        (block.fields || []).length > 0 && h('div', { class: 'rich-fields' }, block.fields.map(field =>
          h(Markdown, { text: field, me, cls: 'rich-field short' }))));
    case 'context':
      return h('div', { class: 'rich-block rich-context' }, (block.elements || []).map(element =>
        element.type === 'image'
          ? h(RemoteImage, { src: element.image_url, alt: element.alt_text, cls: 'rich-context-image' })
          : h(Markdown, { text: element.text, me, tag: 'span', cls: 'rich-context-text' })));
    case 'divider':
      return h('hr', { class: 'rich-block rich-divider' });
    case 'image':
      return h('figure', { class: 'rich-block rich-image' },
        h(RemoteImage, { src: block.image_url, alt: block.alt_text }),
        block.title && h('figcaption', null, block.title));
    default:
      return null;
  }
}

/** A webhook post's attachments and blocks; nothing for other messages. */
export function Rich({ rich, me }) {
  if (!rich) {
    return null;
  }
  const attachments = rich.attachments || [];
  const blocks = rich.blocks || [];
  if (attachments.length === 0 && blocks.length === 0) {
    return null;
  }
  return h('div', { class: 'rich' },
    blocks.length > 0 && h('div', { class: 'rich-blocks' }, blocks.map(block => h(Block, { block, me }))),
    attachments.map(attachment => h(Attachment, { attachment, me })));
}

/** "via <webhook name>" beside the sender of a webhook's post. */
export function ViaTag({ via }) {
  if (!via) {
    return null;
  }
  return h('span', { class: 'via-tag', title: `Posted by the webhook ${via.name}` }, `via ${via.name}`);
}
