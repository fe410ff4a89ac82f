#!/usr/bin/env python3
"""The feed server of tests/hardening/load.sh (python3 standard library only).

Usage: loadd.py SOURCES  -- listens on 127.0.0.1 (a free port, printed as the first line
of stdout) and serves /feed/N for N in 1..SOURCES: a small feed of its own (RSS 2.0,
Atom 1.0, JSON Feed or Mastodon by N % 4) with three posts that no other source has.
Every 20th source (N % 20 == 0, 5% of them) fails, in one of six ways by (N / 20) % 6:

  0  404 Not Found               3  no answer for 5 s (longer than outcry --timeout 3)
  1  500 Internal Server Error   4  the connection reset (RST) without an answer
  2  503 with Retry-After: 120   5  200 with a body that is no feed

`loadd.py --failing SOURCES` prints the failing N, one a line, and exits. The server
exits after 600 s or on SIGTERM. Unlike tests/cli/feedd.py it keeps no log and no
files, and takes a deep listen queue, so 64 transfers at once are never refused.
"""

import json
import os
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn

KINDS = ("404", "500", "503", "timeout", "reset", "junk")


def failing(n):
    return KINDS[(n // 20) % 6] if n % 20 == 0 else None


def body(n):
    posts = [("s%d-p%d" % (n, i), "2026-03-08T14:%02d:00Z" % (i * 7 + n % 7),
              "source %d post %d: spotify is down again, cannot log in" % (n, i)) for i in range(3)]
    fmt = n % 4
    if fmt == 0:
        items = "".join("<item><guid isPermaLink=\"false\">%s</guid><title>post</title><description>%s</description>"
                        "<pubDate>Sun, 08 Mar 2026 14:%s:00 GMT</pubDate></item>" % (i, t, d[14:16])
                        for i, d, t in posts)
        return ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>feed %d</title>"
                "<link>http://example.com/%d</link>%s</channel></rss>" % (n, n, items)).encode(), "application/rss+xml"
    if fmt == 1:
        entries = "".join("<entry><id>%s</id><title>post</title><updated>%s</updated><content>%s</content></entry>"
                          % (i, d, t) for i, d, t in posts)
        return ("<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>feed %d</title>"
                "<id>urn:feed:%d</id><updated>2026-03-08T15:00:00Z</updated>%s</feed>" % (n, n, entries)).encode(), \
            "application/atom+xml"
    if fmt == 2:
        return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "feed %d" % n,
                           "items": [{"id": i, "content_text": t, "date_published": d} for i, d, t in posts]}).encode(), \
            "application/feed+json"
    return json.dumps([{"id": i, "uri": "https://m.example/%s" % i, "url": "https://m.example/%s" % i,
                        "created_at": d, "content": "<p>%s</p>" % t, "language": "en",
                        "account": {"acct": "user%d" % n, "display_name": "User %d" % n},
                        "reblog": None, "spoiler_text": "", "sensitive": False} for i, d, t in posts]).encode(), \
        "application/json"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, data, headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        try:
            parts = self.path.split("?")[0].strip("/").split("/")
            n = int(parts[1]) if len(parts) == 2 and parts[0] == "feed" else 0
            if not 1 <= n <= SOURCES:
                return self.reply(404, b"no such feed")
            kind = failing(n)
            if kind == "404":
                return self.reply(404, b"not found")
            if kind == "500":
                return self.reply(500, b"internal error")
            if kind == "503":
                return self.reply(503, b"maintenance", {"Retry-After": "120"})
            if kind == "timeout":
                time.sleep(5)
                self.close_connection = True
                return None
            if kind == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return None
            if kind == "junk":
                return self.reply(200, b"this is not a feed at all, just words\n", {"Content-Type": "text/plain"})
            data, ctype = body(n)
            return self.reply(200, data, {"Content-Type": ctype})
        except (BrokenPipeError, ConnectionResetError):
            return None


class Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


def main():
    global SOURCES
    if sys.argv[1] == "--failing":
        for n in range(1, int(sys.argv[2]) + 1):
            if failing(n):
                print(n)
        return
    SOURCES = int(sys.argv[1])
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    threading.Timer(600, lambda: os._exit(0)).start()
    server.serve_forever()


SOURCES = 0

if __name__ == "__main__":
    main()
