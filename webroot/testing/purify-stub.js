// Stands in for DOMPurify in Node, which has no DOM for it to parse HTML with (the real one, without a DOM, hands
// its input back untouched, which would make a test of it a lie). It records what the renderer asks of it; the
// sanitizing itself is tested in Chromium (WebClientTest, "hostile markdown renders inert").

export const calls = [];
export const hooks = {};

export default {
  addHook(name, hook) {
    hooks[name] = hook;
  },
  sanitize(html, config) {
    calls.push({ html, config });
    return html;
  },
};
