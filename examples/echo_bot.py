#!/usr/bin/env python3
"""An OComms echo bot in Python (standard library only), over the event bus's TCP bridge.

Each frame is a 4-byte big-endian length, then that many bytes of JSON (docs/protocol.md, "The event bus over TCP").
The bot learns who it is, registers on its chats, and answers every message that mentions it, in that message's
thread. Environment: OCOMMS_BOT_TOKEN (ocb_...), OCOMMS_HOST (127.0.0.1), OCOMMS_BOT_BRIDGE_PORT (7000).
"""
import json
import os
import socket
import struct
import threading
import uuid

HEADERS = {"Authorization": "Bearer " + os.environ["OCOMMS_BOT_TOKEN"]}
sock = socket.create_connection((os.environ.get("OCOMMS_HOST", "127.0.0.1"),
                                 int(os.environ.get("OCOMMS_BOT_BRIDGE_PORT", "7000"))))
lock = threading.Lock()
waiting = {}  # replyAddress -> what to do with the answer
me = None


def send(frame):
    data = json.dumps(dict(frame, headers=HEADERS)).encode()
    with lock:
        sock.sendall(struct.pack(">I", len(data)) + data)


def request(address, body, then=lambda body: None):
    reply = "reply." + str(uuid.uuid4())
    waiting[reply] = then
    send({"type": "send", "address": address, "body": body, "replyAddress": reply})


def register(address):
    reply = "reply." + str(uuid.uuid4())
    waiting[reply] = lambda body: print("registered", body["registered"], flush=True)
    send({"type": "register", "address": address, "replyAddress": reply})


def read(n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise SystemExit("the server closed the connection")
        data += chunk
    return data


def keep_alive():  # the server closes connections silent for a minute
    while not stop.wait(20):
        send({"type": "ping"})


def on_event(event):
    if event.get("type") == "chat.added":  # added to another chat: listen there too
        register("chat." + event["chat"]["id"])
    elif event.get("type") == "message.new":
        message = event["message"]
        if me in message["mentions"]["users"] and message["senderId"] != me:
            request("chat.message.send", {"chatId": message["chatId"], "clientId": str(uuid.uuid4()),
                                          "replyTo": message["id"], "content": "echo: " + message["content"]})


def started(user):
    global me
    me = user["user"]["id"]
    register("user." + me)
    request("chat.list", {}, lambda body: [register("chat." + chat["id"]) for chat in body["chats"]])


stop = threading.Event()
threading.Thread(target=keep_alive, daemon=True).start()
request("users.me", {}, started)
while True:
    frame = json.loads(read(struct.unpack(">I", read(4))[0]))
    if frame["type"] == "err":
        print("error:", frame.get("address"), frame["message"], flush=True)
        if frame.get("address") is None and frame["failureCode"] == 401:
            raise SystemExit("the token was refused")
    elif frame.get("address") in waiting:
        waiting.pop(frame["address"])(frame["body"])
    else:
        on_event(frame["body"])
