#!/usr/bin/env python3
"""Alert latency probe for bench/crisis.sh.

Holds a clinician's live event stream (GET /api/v1/events) open and, one client at a time,
submits a PHQ-9 with item 9 above 0 for a client of theirs, then waits for the `crisis.alert`
event that names that client. The latency is from just before the request is written to the
moment the event's last line is read: what the clinician's open browser tab would see.

    crisis_probe.py BASE TOKEN CLIENTS_FILE INTERVAL_S OUT_JSON

CLIENTS_FILE holds one client id per line, each with no open alert (every probe opens a new
alert; a second signal for the same client would join the first and not raise a new one).
Writes {"latencies_ms": [...], "post_ms": [...], "missed": [...], "alerts": {client: alert}}.
Standard library only.
"""

import http.client
import json
import random
import socket
import sys
import threading
import time
import urllib.parse


def phq9(item9):
    answers = [{"linkId": f"q{q}", "value": random.randint(0, 3)} for q in range(1, 9)]
    answers.append({"linkId": "q9", "value": item9})
    return json.dumps({"instrument": "phq-9", "answers": answers})


class Stream(threading.Thread):
    """Reads server-sent events; records when each crisis.alert for a client arrives."""

    def __init__(self, base, token):
        super().__init__(daemon=True)
        u = urllib.parse.urlsplit(base)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=None)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        req = (
            f"GET /api/v1/events HTTP/1.1\r\nHost: {u.netloc}\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
        )
        self.sock.sendall(req.encode())
        self.file = self.sock.makefile("rb")
        status = self.file.readline()
        if b" 200 " not in status:
            raise SystemExit(f"event stream refused: {status!r}")
        while self.file.readline() not in (b"\r\n", b"\n", b""):
            pass  # headers
        self.lock = threading.Lock()
        self.arrived = {}  # client id -> (monotonic time, alert id)
        self.cond = threading.Condition(self.lock)

    def run(self):
        event, data = None, []
        for raw in self.file:
            line = raw.rstrip(b"\r\n").decode()
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "":
                if event == "crisis.alert" and data:
                    now = time.monotonic()
                    try:
                        body = json.loads("\n".join(data))
                    except ValueError:
                        body = {}
                    client = body.get("client_id")
                    with self.cond:
                        if client and client not in self.arrived:
                            self.arrived[client] = (now, body.get("alert_id"))
                            self.cond.notify_all()
                event, data = None, []

    def wait_for(self, client, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while client not in self.arrived:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.arrived[client]


def main():
    base, token, clients_file, interval, out = sys.argv[1:6]
    interval = float(interval)
    clients = [c.strip() for c in open(clients_file) if c.strip()]
    stream = Stream(base, token)
    stream.start()
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    result = {"latencies_ms": [], "post_ms": [], "missed": [], "alerts": {}}
    for client in clients:
        body = phq9(random.randint(1, 3))
        t0 = time.monotonic()
        conn.request("POST", f"/api/v1/clients/{client}/assessments", body, headers)
        resp = conn.getresponse()
        resp.read()
        t_post = time.monotonic()
        if resp.status != 201:
            raise SystemExit(f"submission for {client} answered {resp.status}")
        got = stream.wait_for(client, 10.0)
        if got is None:
            result["missed"].append(client)
        else:
            result["latencies_ms"].append(round((got[0] - t0) * 1000, 2))
            result["alerts"][client] = got[1]
        result["post_ms"].append(round((t_post - t0) * 1000, 2))
        # Exponential gaps, so probes do not fall into step with the load's commits.
        time.sleep(random.expovariate(1 / interval))
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
