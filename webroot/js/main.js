// Entry point: renders the app and starts the signed-in client.
import { h, options, render } from 'preact';
import { App } from './components/App.js';
import { createFrameScheduler } from './frames.js';
import { client } from './store.js';
import { applyTheme } from './theme.js';

// Components that must render again do so together, at the next animation frame (js/frames.js says why).
options.debounceRendering = createFrameScheduler({
  requestFrame: callback => requestAnimationFrame(callback),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
});
applyTheme();
const root = document.getElementById('app');
root.textContent = '';
root.classList.remove('app-loading');
root.removeAttribute('aria-busy');
render(h(App), root);
client.start();
