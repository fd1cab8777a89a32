// Messages are rendered to HTML (markdown, then sanitizing) once per version: a message that renders again because
// something around it changed, or that scrolls back into view, takes its HTML from here.

/** How many rendered messages are kept (the least recently used go first). */
export const HTML_CACHE_ENTRIES = 3000;

/**
 * `html(key, version, content, context)` gives `render(content, context)`, rendered once for each key and version:
 * the same key with the same version (and content) is not rendered again. A message's key is its id; its version,
 * its edit time and the user it is shown to (the context: their mentions are marked).
 */
export function createHtmlCache(render, { limit = HTML_CACHE_ENTRIES } = {}) {
  const entries = new Map(); // key -> {version, content, html}, least recently used first
  return {
    html(key, version, content, context) {
      const hit = entries.get(key);
      entries.delete(key);
      if (hit && hit.version === version && hit.content === content) {
        entries.set(key, hit);
        return hit.html;
      }
      const html = render(content, context);
      entries.set(key, { version, content, html });
      if (entries.size > limit) {
        entries.delete(entries.keys().next().value);
      }
      return html;
    },
    get size() {
      return entries.size;
    },
  };
}
