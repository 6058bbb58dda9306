#!/usr/bin/env python3
"""A real SMTP server on loopback for the email tests, built on aiosmtpd.

Usage: server.py OUT_DIR PORT

Every accepted message is written to OUT_DIR as a .eml file (atomically). A test steers the
server while it runs with files in OUT_DIR:
  tempfail  while it exists, every recipient is answered 451 (a transient failure)
  reject    one address per line, answered 550 (a permanent failure)
"""
import os
import signal
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

    async def handle_DATA(self, server, session, envelope):
        name = uuid.uuid4().hex
        tmp = os.path.join(self.out_dir, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.out_dir, name + ".eml"))
        return "250 Message accepted for delivery"


def main():
    out_dir, port = sys.argv[1], int(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    controller = Controller(Handler(out_dir), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
