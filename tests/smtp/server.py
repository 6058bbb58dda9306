#!/usr/bin/env python3
"""A real SMTP server on loopback for the email tests, built on aiosmtpd.

Usage: server.py OUT_DIR PORT

PORT 0 picks a free port. Once listening it prints "ready PORT". Every accepted message is written
to OUT_DIR as a .eml file (atomically). A test steers the server while it runs with files in
OUT_DIR:
  tempfail     while it exists, every recipient is answered 451 (a transient failure)
  reject       one address per line, answered 550 (a permanent failure)
  stall_after  a number N: once N messages are stored, the server takes no more; their DATA
               waits unanswered (a server hanging mid-delivery)
"""
import asyncio
import os
import signal
import socket
import sys
import time
import uuid

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, out_dir):
        self.out_dir = out_dir

    def _rejected(self):
        try:
            with open(os.path.join(self.out_dir, "reject"), encoding="utf-8") as f:
                return {line.strip().lower() for line in f if line.strip()}
        except FileNotFoundError:
            return set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if os.path.exists(os.path.join(self.out_dir, "tempfail")):
            return "451 4.3.0 Try again later"
        if address.lower() in self._rejected():
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def _stalled(self):
        try:
            with open(os.path.join(self.out_dir, "stall_after"), encoding="utf-8") as f:
                limit = int(f.read().strip())
        except FileNotFoundError:
            return False
        stored = sum(1 for n in os.listdir(self.out_dir) if n.endswith(".eml"))
        return stored >= limit

    async def handle_DATA(self, server, session, envelope):
        while self._stalled():
            await asyncio.sleep(0.05)
        name = uuid.uuid4().hex
        tmp = os.path.join(self.out_dir, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.out_dir, name + ".eml"))
        return "250 Message accepted for delivery"


def listen(handler, port):
    """Starts the server on `port`, or on a free one when it is 0: a port found free may be taken
    before the server binds it, so that case tries again with another."""
    for _ in range(20):
        chosen = port or free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=chosen)
        try:
            controller.start()
            return controller
        except OSError:
            if port:
                raise
    raise SystemExit("no free port")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    out_dir, port = sys.argv[1], int(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    controller = listen(Handler(out_dir), port)
    print("ready", controller.port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
