import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client, downloadFile, objectUrls } from '../store.js';
import { createSlice } from '../store/slice.js';
import { formatBytes } from '../store/uploads.js';
import { Icon } from './icons.js';
import { useDisplayName, useSlice } from './hooks.js';

/** Thumbnails in messages are at most this wide and tall (CSS pixels); the server makes them at most 400 px. */
const THUMB_BOX = { width: 360, height: 280 };
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** The object URL of a file path while the component is shown (null until fetched, or when it cannot be). */
export function useObjectUrl(path) {
  const [url, setUrl] = useState(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!path) {
      return undefined;
    }
    let live = true;
    setUrl(null);
    setFailed(false);
    objectUrls.acquire(path).then(value => live && setUrl(value), () => live && setFailed(true));
    return () => {
      live = false;
      objectUrls.release(path);
    };
  }, [path]);
  return { url, failed };
}

/** A short label of a file's kind, for its icon. */
export function typeLabel(type, name = '') {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toUpperCase();
  if (!type) return extension || 'FILE';
  if (type.startsWith('image/')) return 'IMG';
  if (type === 'application/pdf') return 'PDF';
  if (type === 'application/zip') return 'ZIP';
  if (type.startsWith('text/')) return 'TXT';
  if (/word|opendocument\.text/.test(type)) return 'DOC';
  if (/sheet|excel/.test(type)) return 'XLS';
  if (/presentation|powerpoint/.test(type)) return 'PPT';
  return extension || 'FILE';
}

export function FileIcon({ type, name }) {
  const label = typeLabel(type, name);
  return h('span', { class: `file-icon kind-${label.toLowerCase()}`, 'aria-hidden': 'true' },
    h(Icon, { name: 'file', size: 30 }), h('span', { class: 'file-icon-label' }, label));
}

/** The size an image is shown at: its own proportions, within `box`, known before it loads (the list does not jump). */
export function fitted(width, height, box = THUMB_BOX) {
  if (!width || !height) {
    return { width: box.width, height: Math.round(box.height * 0.75) };
  }
  const scale = Math.min(1, box.width / width, box.height / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

// The lightbox: one at a time, over everything.
const lightbox = createSlice('lightbox', { attachment: null, opener: null });

export function openLightbox(attachment, opener) {
  lightbox.set({ attachment, opener });
}

function closeLightbox() {
  const { opener } = lightbox.state;
  lightbox.set({ attachment: null, opener: null });
  opener?.focus?.(); // back where the reader was
}

function Download({ attachment, className = 'file-download', label = true }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const save = async event => {
    event.stopPropagation();
    setBusy(true);
    setError(null);
    try {
      await downloadFile(attachment.url, attachment.name);
    } catch (failure) {
      setError(failure.message || 'The download failed');
    } finally {
      setBusy(false);
    }
  };
  return h('span', { class: 'download-wrap' },
    h('button', { class: className, onClick: save, disabled: busy, 'aria-label': `Download ${attachment.name}`,
      title: `Download ${attachment.name}` }, h(Icon, { name: 'download' }), label && h('span', null, busy ? 'Downloading…' : 'Download')),
    error && h('span', { class: 'file-error', role: 'alert' }, error));
}

/** An image in a message: its thumbnail, at its proportions; a click (or Enter) opens the lightbox. */
function ImageAttachment({ attachment }) {
  const { url, failed } = useObjectUrl(attachment.thumbnailUrl);
  const size = fitted(attachment.width, attachment.height);
  return h('button', {
    class: `attachment-image${url ? ' loaded' : ''}`, style: { width: `${size.width}px`, aspectRatio: `${size.width} / ${size.height}` },
    'aria-label': `Open image ${attachment.name}`, title: attachment.name, 'data-file-id': attachment.id,
    onClick: event => openLightbox(attachment, event.currentTarget),
  },
  url ? h('img', { src: url, alt: attachment.name, width: size.width, height: size.height, decoding: 'async' })
    : h('span', { class: 'attachment-placeholder' }, failed ? 'Image unavailable' : ''));
}

/** Any other file in a message: a card with its kind, name, size and a download button. */
export function FileCard({ attachment }) {
  return h('div', { class: 'file-card', 'data-file-id': attachment.id },
    h(FileIcon, { type: attachment.type, name: attachment.name }),
    h('div', { class: 'file-meta' },
      h('span', { class: 'file-name', title: attachment.name }, attachment.name),
      h('span', { class: 'file-size' }, `${formatBytes(attachment.size)} · ${typeLabel(attachment.type, attachment.name)}`)),
    h(Download, { attachment, className: 'icon-button file-download', label: false }));
}

/** A message's files: images inline, the others as cards. */
export function Attachments({ attachments }) {
  if (!attachments?.length) {
    return null;
  }
  const images = attachments.filter(file => file.thumbnailUrl);
  const others = attachments.filter(file => !file.thumbnailUrl);
  return h('div', { class: 'attachments' },
    images.length > 0 && h('div', { class: 'attachment-images' },
      images.map(file => h(ImageAttachment, { key: file.id, attachment: file }))),
    others.map(file => h(FileCard, { key: file.id, attachment: file })));
}

/** The image opened from a message: its thumbnail at once (already fetched), then the whole image when it is here. */
export function Lightbox() {
  const attachment = useSlice(lightbox, state => state.attachment);
  const close = useRef(null);
  const thumb = useObjectUrl(attachment?.thumbnailUrl);
  const full = useObjectUrl(attachment?.url);
  useEffect(() => {
    if (!attachment) {
      return undefined;
    }
    close.current?.focus();
    const onKey = event => {
      if (event.key === 'Escape') {
        event.preventDefault(); // not also the panel below
        event.stopImmediatePropagation();
        closeLightbox();
      } else if (event.key === 'Tab') {
        // Focus stays in the lightbox (aria-modal): Tab goes round its buttons.
        const buttons = [...document.querySelectorAll('.lightbox button:not([disabled])')];
        const at = buttons.indexOf(document.activeElement);
        const next = event.shiftKey ? (at <= 0 ? buttons.length - 1 : at - 1) : (at + 1) % buttons.length;
        event.preventDefault();
        buttons[next]?.focus();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [attachment]);
  if (!attachment) {
    return null;
  }
  const size = fitted(attachment.width, attachment.height, { width: 4000, height: 4000 });
  const src = full.url || thumb.url;
  return h('div', { class: 'lightbox', role: 'dialog', 'aria-modal': 'true', 'aria-label': attachment.name,
    onClick: closeLightbox, 'data-showing': full.url ? 'full' : thumb.url ? 'thumbnail' : 'none' },
  h('div', { class: 'lightbox-bar', onClick: event => event.stopPropagation() },
    h('span', { class: 'lightbox-name' }, attachment.name),
    h('span', { class: 'lightbox-size' }, `${attachment.width || '?'} × ${attachment.height || '?'} · ${formatBytes(attachment.size)}`),
    h(Download, { attachment, className: 'lightbox-button', label: true }),
    h('button', { ref: close, class: 'lightbox-button', 'aria-label': 'Close', title: 'Close (Esc)', onClick: closeLightbox },
      h(Icon, { name: 'close' }))),
  h('div', { class: 'lightbox-stage' },
    src ? h('img', { class: 'lightbox-image', src, alt: attachment.name, width: size.width, height: size.height,
      onClick: event => event.stopPropagation() })
      : h('span', { class: 'muted' }, full.failed ? 'The image cannot be shown' : 'Loading…')));
}

/** A picture chosen for sending, shown from the local file (nothing to fetch); null for anything else. */
function useLocalPreview(id, type) {
  const [url, setUrl] = useState(null);
  useEffect(() => {
    const file = /^image\/(png|jpeg|gif|webp)$/.test(type) ? client.uploads.sourceOf(id) : null;
    if (!file) {
      return undefined;
    }
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [id]);
  return url;
}

/** One pending file in the composer: name, size, progress, and remove (or retry). */
function UploadChip({ item, uploadKey }) {
  const percent = item.size ? Math.round((item.loaded / item.size) * 100) : 100;
  const failed = item.status === 'failed';
  const preview = useLocalPreview(item.id, item.type);
  const [unreadable, setUnreadable] = useState(false); // named like a picture, but not one
  return h('li', { class: `upload-chip ${item.status}`, 'data-status': item.status },
    preview && !unreadable ? h('img', { class: 'upload-preview', src: preview, alt: '', onError: () => setUnreadable(true) })
      : h(FileIcon, { type: item.type, name: item.name }),
    h('div', { class: 'upload-meta' },
      h('span', { class: 'file-name', title: item.name }, item.name),
      failed
        ? h('span', { class: 'upload-error', role: 'alert', 'data-reason': item.failure?.reason || item.failure?.code },
          item.failure?.text)
        : h('span', { class: 'file-size' }, item.status === 'done' ? formatBytes(item.size)
          : `${formatBytes(item.loaded)} of ${formatBytes(item.size)}`),
      item.status === 'uploading' && h('progress', { class: 'upload-progress', max: 100, value: percent,
        'aria-label': `Uploading ${item.name}`, 'aria-valuetext': `${percent}%` })),
    failed && item.failure?.retryable && h('button', { class: 'icon-button chip-button', 'aria-label': `Retry ${item.name}`,
      title: 'Retry', onClick: () => client.uploads.retry(uploadKey, item.id) }, h(Icon, { name: 'retry', size: 16 })),
    h('button', { class: 'icon-button chip-button', 'aria-label': `${item.status === 'uploading' ? 'Cancel' : 'Remove'} ${item.name}`,
      title: item.status === 'uploading' ? 'Cancel upload' : 'Remove', onClick: () => client.uploads.remove(uploadKey, item.id) },
    h(Icon, { name: 'close', size: 16 })));
}

/** The files attached in a composer, before sending. */
export function UploadChips({ uploadKey }) {
  const row = useSlice(client.uploads.table, table => table.get(uploadKey), { key: uploadKey });
  if (!row?.items.length) {
    return null;
  }
  return h('ul', { class: 'upload-chips', 'aria-label': 'Files to send' },
    row.items.map(item => h(UploadChip, { key: item.id, item, uploadKey })));
}

/** The header's button that opens the chat's file list. */
export function FilesButton({ chatId }) {
  const open = useSlice(client.files.slice, state => state.open);
  return h('button', { class: `search-trigger files-trigger${open ? ' active' : ''}`, 'aria-pressed': String(open),
    'aria-label': 'Files in this chat', title: 'Files in this chat',
    onClick: () => (open ? client.files.hide() : (client.closeThread(), client.files.show(chatId))) },
  h(Icon, { name: 'files', size: 16 }), h('span', { class: 'search-trigger-label' }, 'Files'));
}

function FileRow({ file }) {
  const sender = useDisplayName(file.senderId);
  const { url } = useObjectUrl(file.thumbnailUrl);
  return h('li', { class: 'files-row', 'data-file-id': file.id },
    file.thumbnailUrl
      ? h('button', { class: 'files-thumb', 'aria-label': `Open image ${file.name}`,
        onClick: event => openLightbox(file, event.currentTarget) },
      url ? h('img', { src: url, alt: '' }) : null)
      : h(FileIcon, { type: file.type, name: file.name }),
    h('div', { class: 'file-meta' },
      h('span', { class: 'file-name', title: file.name }, file.name),
      h('span', { class: 'file-size' }, `${formatBytes(file.size)} · ${sender} · `,
        h('time', { datetime: file.attachedAt }, dateFormat.format(new Date(file.attachedAt || file.createdAt))))),
    h(Download, { attachment: file, className: 'icon-button file-download', label: false }));
}

/** The open chat's files, newest first, a page at a time. */
export function FilesPanel() {
  const state = useSlice(client.files.slice, value => value);
  const heading = useRef(null);
  useEffect(() => {
    if (state.open) heading.current?.focus();
  }, [state.open, state.chatId]);
  if (!state.open) {
    return null;
  }
  return h('aside', { class: 'files-panel', 'aria-label': 'Files in this chat',
    onKeyDown: event => event.key === 'Escape' && (event.stopPropagation(), client.files.hide()) },
  h('header', { class: 'thread-header' },
    h('h2', { ref: heading, tabindex: -1 }, 'Files'),
    h('button', { class: 'icon-button', 'aria-label': 'Close files', onClick: client.files.hide }, h(Icon, { name: 'close' }))),
  h('ul', { class: 'files-list' }, state.files.map(file => h(FileRow, { key: file.id, file }))),
  !state.loading && !state.error && state.files.length === 0
    && h('p', { class: 'search-empty' }, 'No files have been shared here yet.'),
  state.error && h('p', { class: 'search-error', role: 'alert' }, state.error),
  state.loading ? h('p', { class: 'search-status', role: 'status' }, 'Loading…')
    : state.nextCursor && h('button', { class: 'search-more', onClick: client.files.loadMore }, 'Load more'));
}
