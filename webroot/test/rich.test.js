// A webhook post's attachments: the color bar's color (Slack's named colors, checked hex, nothing else).

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { useWebJars } from '../testing/webjars.js';

let rich;

before(async () => {
  useWebJars({ replace: { dompurify: new URL('../testing/purify-stub.js', import.meta.url).href } });
  rich = await import('../js/components/Rich.js');
});

describe('rich attachments', () => {
  test("Slack's named colors are shown as Slack shows them", () => {
    assert.equal(rich.barColor('good'), '#2eb67d');
    assert.equal(rich.barColor('warning'), '#ecb22e');
    assert.equal(rich.barColor('danger'), '#e01e5a');
  });

  test('a hex color is kept; anything else gives no color', () => {
    assert.equal(rich.barColor('#D63232'), '#D63232');
    assert.equal(rich.barColor('red; background: url(x)'), null);
    assert.equal(rich.barColor(undefined), null);
  });
});
