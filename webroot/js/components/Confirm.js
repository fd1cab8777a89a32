import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Modal } from './Dialogs.js';

// The app's one confirmation dialog, in place of the browser's confirm(): one at a time, answered by a promise.
let show = null;

/**
 * Asks `{title, text, confirm, danger, run}`: `confirm` is the action's label ("OK" when none), `danger` shows it in
 * red (it takes something away). Resolves true when confirmed, false when cancelled or closed. With `run` (an async
 * action), confirming runs it while the dialog shows it busy: a failure is shown in the dialog, which stays open to
 * try again or cancel; it resolves true once the action succeeded.
 */
export function askConfirm(question) {
  return new Promise(resolve => (show ? show({ ...question, resolve }) : resolve(false)));
}

/** Where the confirmations are shown (one per page, in the workspace). */
export function ConfirmHost() {
  const [question, setQuestion] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    show = next => {
      setBusy(false);
      setError(null);
      setQuestion(current => {
        current?.resolve(false);
        return next;
      });
    };
    return () => { show = null; };
  }, []);
  if (!question) {
    return null;
  }
  const answer = value => {
    question.resolve(value);
    setQuestion(null);
    setBusy(false);
    setError(null);
  };
  const confirm = async () => {
    if (!question.run) {
      answer(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await question.run();
      answer(true);
    } catch (failure) {
      setError(failure?.message || 'That did not work');
      setBusy(false);
    }
  };
  const cancel = () => !busy && answer(false);
  // Escape closes this dialog and nothing else (App hears a prevented Escape as handled).
  return h('div', { class: 'confirm-dialog', 'data-dialog': 'confirm',
    onKeyDown: event => event.key === 'Escape' && (event.preventDefault(), event.stopPropagation(), cancel()) },
  h(Modal, { title: question.title, onClose: cancel },
    question.text && h('p', null, question.text),
    error && h('p', { class: 'form-error', role: 'alert' }, error),
    h('div', { class: 'dialog-actions' },
      h('button', { class: 'secondary', type: 'button', 'data-action': 'cancel', onClick: cancel }, 'Cancel'),
      h('button', { class: `primary${question.danger ? ' danger' : ''}`, type: 'button', 'data-action': 'confirm',
        disabled: busy, onClick: confirm }, question.confirm || 'OK'))));
}
