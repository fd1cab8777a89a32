// Entry point: renders the app and starts the signed-in client.
import { h, options, render } from 'preact';
import { App } from './components/App.js';
import { USER_INPUT_EVENTS, createFrameScheduler } from './frames.js';
import { client } from './store.js';
import { startDesktop } from './desktop.js';
import { applyTheme } from './theme.js';
import { inviteCodeOf } from './store/status.js';

// Components that must render again do so together, at the next animation frame (js/frames.js says why); what
// waits is rendered before the page handles the user's next key or click.
const renderAtNextFrame = createFrameScheduler({
  requestFrame: callback => requestAnimationFrame(callback),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
});
options.debounceRendering = renderAtNextFrame;
USER_INPUT_EVENTS.forEach(type => window.addEventListener(type, renderAtNextFrame.flush, { capture: true }));
applyTheme();
const root = document.getElementById('app');
root.textContent = '';
root.classList.remove('app-loading');
root.removeAttribute('aria-busy');
// An invite link (/invite/<code>): remembered, joined once the visitor is signed in; the address becomes the app's.
const inviteCode = inviteCodeOf(location.pathname);
if (inviteCode) {
  client.rememberInvite(inviteCode);
  history.replaceState(history.state, '', `/${location.search}${location.hash}`);
}
render(h(App), root);
client.start();
startDesktop();
