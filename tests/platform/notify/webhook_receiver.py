#!/usr/bin/python3
"""Webhook receiver for the notify delivery tests.

Usage: webhook_receiver.py OUT_DIR

Listens on a free loopback port and prints the port on its first line of output once it accepts
connections. Each request is written to OUT_DIR/NNNN.json ({"method", "path", "headers"
[[name, value]], "body"}) before it is answered, with the status the path asks for:
/status/<code> answers <code>; a 3xx carries "Location: /redirected". /large answers 200 with a
200 KB body. Any other path answers 200.
"""

import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    count = 0

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        Handler.count += 1
        record = {
            "method": self.command,
            "path": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("utf-8", "replace"),
        }
        path = os.path.join(self.server.out_dir, "%04d.json" % Handler.count)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)

        match = re.fullmatch(r"/status/(\d{3})", self.path)
        status = int(match.group(1)) if match else 200
        answer = b'{"ok":true}' if status < 300 else b'{"ok":false}'
        if self.path == "/large":
            answer = b'"' + b"x" * 200000 + b'"'
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "/redirected")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = handle_any
    do_POST = handle_any

    def log_message(self, format, *args):  # keep the test output quiet
        pass



def exit_with_parent():
    """Ends this peer when the test that started it ends, even if it crashed: the test holds
    the write end of our stdin, and the kernel closes it with the test."""

    def watch():
        sys.stdin.buffer.read()
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main():
    exit_with_parent()
    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.out_dir = sys.argv[1]
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
