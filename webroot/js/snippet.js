// A search result's snippet (docs/protocol.md, "Search"): HTML the server escaped, with the matched words in
// <mark>. It is never given to innerHTML: it is read here into runs of text, each marked or not, which the page
// shows as text nodes and <mark> elements. Only the exact tags <mark> and </mark> mean anything; any other markup
// (there should be none) stays text, shown as written.

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Text with its character references (`&amp;`, `&#39;`, `&#x27;`) read. */
export function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** The snippet as runs: `[{text, mark}]`, in order, adjacent runs of the same kind joined. */
export function snippetRuns(html) {
  const runs = [];
  let marked = false;
  const push = (text, mark) => {
    if (!text) {
      return;
    }
    const last = runs[runs.length - 1];
    if (last && last.mark === mark) {
      last.text += text;
    } else {
      runs.push({ text, mark });
    }
  };
  for (const part of String(html ?? '').split(/(<\/?mark>)/i)) {
    const tag = part.toLowerCase();
    if (tag === '<mark>') {
      marked = true;
    } else if (tag === '</mark>') {
      marked = false;
    } else {
      push(decodeEntities(part), marked);
    }
  }
  return runs;
}
