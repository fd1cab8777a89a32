#!/usr/bin/env node
// An OComms echo bot in Node (`net` only), over the event bus's TCP bridge.
//
// Each frame is a 4-byte big-endian length, then that many bytes of JSON (docs/protocol.md, "The event bus over
// TCP"). The bot learns who it is, registers on its chats, and answers every message that mentions it, in that
// message's thread. Environment: OCOMMS_BOT_TOKEN (ocb_...), OCOMMS_HOST (127.0.0.1), OCOMMS_BOT_BRIDGE_PORT (7000).
'use strict';
const net = require('net');

// A message's clientId is a UUID the client makes (a retry with the same one is stored once).
const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const randomUUID = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(Math.random() * 4)]}${hex(3)}-${hex(12)}`;

const headers = { Authorization: 'Bearer ' + process.env.OCOMMS_BOT_TOKEN };
const socket = net.connect(Number(process.env.OCOMMS_BOT_BRIDGE_PORT || 7000), process.env.OCOMMS_HOST || '127.0.0.1');
const waiting = new Map(); // replyAddress -> what to do with the answer
let me = null;

function send(frame) {
  const data = Buffer.from(JSON.stringify({ ...frame, headers }));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  socket.write(Buffer.concat([length, data]));
}

function request(address, body, then = () => {}) {
  const replyAddress = 'reply.' + randomUUID();
  waiting.set(replyAddress, then);
  send({ type: 'send', address, body, replyAddress });
}

function register(address) {
  const replyAddress = 'reply.' + randomUUID();
  waiting.set(replyAddress, (body) => console.log('registered', body.registered));
  send({ type: 'register', address, replyAddress });
}

function onEvent(event) {
  if (event.type === 'chat.added') { // added to another chat: listen there too
    register('chat.' + event.chat.id);
  } else if (event.type === 'message.new') {
    const message = event.message;
    if (message.mentions.users.includes(me) && message.senderId !== me) {
      request('chat.message.send', { chatId: message.chatId, clientId: randomUUID(), replyTo: message.id,
        content: 'echo: ' + message.content });
    }
  }
}

function onFrame(frame) {
  if (frame.type === 'err') {
    console.log('error:', frame.address, frame.message);
    if (!frame.address && frame.failureCode === 401) {
      console.error('the token was refused');
      process.exit(1);
    }
  } else if (waiting.has(frame.address)) {
    const then = waiting.get(frame.address);
    waiting.delete(frame.address);
    then(frame.body);
  } else {
    onEvent(frame.body);
  }
}

let pending = Buffer.alloc(0);
socket.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
    const length = pending.readUInt32BE(0);
    onFrame(JSON.parse(pending.subarray(4, 4 + length).toString('utf8')));
    pending = pending.subarray(4 + length);
  }
});
socket.on('close', () => { console.error('the server closed the connection'); process.exit(1); });
setInterval(() => send({ type: 'ping' }), 20_000); // the server closes connections silent for a minute

request('users.me', {}, (body) => {
  me = body.user.id;
  register('user.' + me);
  request('chat.list', {}, (answer) => answer.chats.forEach((chat) => register('chat.' + chat.id)));
});
