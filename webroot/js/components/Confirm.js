import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Modal } from './Dialogs.js';

// In-app confirmations in place of the browser's confirm(): one at a time, answered by a promise.
let show = null;

/** Asks `{title, text, confirm, danger}`; resolves true when confirmed, false when cancelled or closed. */
export function askConfirm(question) {
  return new Promise(resolve => (show ? show({ ...question, resolve }) : resolve(false)));
}

/** Where the confirmations are shown (one per page, in the workspace). */
export function ConfirmHost() {
  const [question, setQuestion] = useState(null);
  useEffect(() => {
    show = next => setQuestion(current => {
      current?.resolve(false);
      return next;
    });
    return () => { show = null; };
  }, []);
  if (!question) {
    return null;
  }
  const answer = value => {
    question.resolve(value);
    setQuestion(null);
  };
  return h(Modal, { title: question.title, onClose: () => answer(false) },
    h('div', { class: 'confirm-dialog', 'data-dialog': 'confirm',
      onKeyDown: event => event.key === 'Escape' && (event.stopPropagation(), answer(false)) },
    question.text && h('p', null, question.text),
    h('div', { class: 'dialog-actions' },
      h('button', { class: 'secondary', 'data-action': 'cancel', onClick: () => answer(false) }, 'Cancel'),
      h('button', { class: `primary${question.danger ? ' danger' : ''}`, 'data-action': 'confirm',
        onClick: () => answer(true) }, question.confirm || 'OK'))));
}
