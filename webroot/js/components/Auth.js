import { h } from 'preact';
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import { client } from '../store.js';

function Field({ label, name, type = 'text', value, onInput, autocomplete, hint }) {
  const id = `auth-${name}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('input', {
      id, name, type, value, required: true, autocomplete,
      'aria-describedby': hint ? `${id}-hint` : undefined,
      onInput: event => onInput(event.currentTarget.value),
    }),
    hint && h('small', { id: `${id}-hint`, class: 'hint' }, hint));
}

/** Sign in, or create an account. */
export function AuthScreen() {
  // An invite link's visitor most likely has no account yet: sign-up first (sign-in one click away).
  const invited = !!client.pendingInvite();
  const [mode, setMode] = useState(invited ? 'register' : 'login');
  const [fields, setFields] = useState({ login: '', password: '', email: '', username: '', displayName: '' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = name => value => setFields({ ...fields, [name]: value });

  const submit = async event => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'login') {
        await api.login(fields.login.trim(), fields.password);
      } else {
        await api.register({
          email: fields.email.trim(), username: fields.username.trim(),
          displayName: fields.displayName.trim() || fields.username.trim(), password: fields.password,
        });
      }
    } catch (failure) {
      setError(failure.code === 'unauthorized' ? 'Wrong username, email or password.'
        : failure.code === 'rate_limited' ? `Too many attempts. Try again in ${failure.problem.retryAfter || 60} s.`
          : failure.message);
    } finally {
      setBusy(false);
    }
  };

  const login = mode === 'login';
  return h('main', { class: 'auth' },
    h('form', { class: 'auth-card', onSubmit: submit, 'aria-labelledby': 'auth-title' },
      h('div', { class: 'brand' }, h('img', { src: '/favicon.svg', alt: '', width: 40, height: 40 }), 'OComms'),
      h('h1', { id: 'auth-title' }, login ? 'Sign in' : 'Create your account'),
      invited && h('p', { class: 'invite-note', 'data-invite': 'pending' },
        'You have been invited to a workspace. ', login ? 'Sign in' : 'Create an account', ' to join it.'),
      login
        ? [
          h(Field, { label: 'Email or username', name: 'login', value: fields.login, onInput: set('login'),
            autocomplete: 'username' }),
          h(Field, { label: 'Password', name: 'password', type: 'password', value: fields.password,
            onInput: set('password'), autocomplete: 'current-password' }),
        ]
        : [
          h(Field, { label: 'Email', name: 'email', type: 'email', value: fields.email, onInput: set('email'),
            autocomplete: 'email' }),
          h(Field, { label: 'Username', name: 'username', value: fields.username, onInput: set('username'),
            autocomplete: 'username', hint: '3–32 letters, digits, ".", "_" or "-"' }),
          h(Field, { label: 'Display name', name: 'displayName', value: fields.displayName,
            onInput: set('displayName'), autocomplete: 'name' }),
          h(Field, { label: 'Password', name: 'password', type: 'password', value: fields.password,
            onInput: set('password'), autocomplete: 'new-password',
            hint: 'At least 10 characters, not containing your username' }),
        ],
      error && h('p', { class: 'form-error', role: 'alert' }, error),
      h('button', { type: 'submit', class: 'primary', disabled: busy }, login ? 'Sign in' : 'Create account'),
      h('p', { class: 'switch-mode' }, login ? 'New here? ' : 'Have an account? ',
        h('button', { type: 'button', class: 'link', onClick: () => { setMode(login ? 'register' : 'login'); setError(null); } },
          login ? 'Create an account' : 'Sign in'))));
}
