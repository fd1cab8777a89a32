// Entry point: renders the app and starts the signed-in client.
import { h, render } from 'preact';
import { App } from './components/App.js';
import { client } from './store.js';
import { applyTheme } from './theme.js';

applyTheme();
const root = document.getElementById('app');
root.textContent = '';
root.classList.remove('app-loading');
root.removeAttribute('aria-busy');
render(h(App), root);
client.start();
