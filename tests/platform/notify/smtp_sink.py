#!/usr/bin/python3
"""SMTP sink for the notify delivery tests.

Usage: smtp_sink.py OUT_DIR

Listens on a free loopback port, prints the port on its first line of output once it accepts
connections, and writes each message it receives to OUT_DIR/NNNN.json:
{"mail_from", "rcpt_tos", "subject" (decoded), "body" (decoded), "headers" [[name, raw value]],
"raw"}. The file is complete before the server answers the DATA command, so a client that got
its 250 can read it at once. Needs aiosmtpd (Debian: python3-aiosmtpd).
"""

import asyncio
import json
import os
import socket
import sys
import threading
from email import message_from_bytes, policy

from aiosmtpd.smtp import SMTP


class Recorder:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        msg = message_from_bytes(raw, policy=policy.default)
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "body": msg.get_content(),
            "headers": [[name, value] for name, value in msg.raw_items()],
            "raw": raw.decode("utf-8", "replace"),
        }
        path = os.path.join(self.out_dir, "%04d.json" % self.count)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 OK"



def exit_with_parent():
    """Ends this peer when the test that started it ends, even if it crashed: the test holds
    the write end of our stdin, and the kernel closes it with the test."""

    def watch():
        sys.stdin.buffer.read()
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


async def main():
    exit_with_parent()
    out_dir = sys.argv[1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    handler = Recorder(out_dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="sink.test"), sock=sock)
    print(sock.getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
