import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPeople } from '../js/store/people.js';

const PERSON = { id: 'u-ann', username: 'ann', displayName: 'Ann', kind: 'user' };
const BOT = { id: 'u-echo', username: 'echo', displayName: 'Echo', kind: 'bot' };

describe('bots among the people', () => {
  test('a profile of kind bot is a bot (a BOT tag beside its name); a person and an unknown user are not', () => {
    const people = createPeople({ api: {} });
    people.learn([PERSON, BOT]);

    assert.equal(people.isBot(BOT.id), true);
    assert.equal(people.isBot(PERSON.id), false);
    assert.equal(people.isBot('u-nobody'), false);
  });

  test('a profile learnt again with another kind replaces the one known', () => {
    const people = createPeople({ api: {} });
    people.learn([{ ...BOT, kind: 'user' }]);
    people.learn([BOT]);

    assert.equal(people.isBot(BOT.id), true);
  });
});
