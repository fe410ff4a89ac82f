#!/usr/bin/env python3
"""A feed server for outcry's end-to-end run tests (python3 standard library only).

Usage: feedd.py ROOT  -- serves the files under ROOT on 127.0.0.1 (a free port, printed
as the first line of stdout). Files are served with an ETag (a hash of the content) and
Last-Modified (the file's mtime), and a conditional request that matches gets 304, so a
test changes what a feed says by rewriting its file. Special paths:

  /status/CODE/NAME   answers CODE (429 and 503 with Retry-After: 120)
  /slow/NAME          NAME after 5 s
  /moved/NAME         301 to /NAME
  /found/NAME         302 to /NAME
  /gzip/NAME          NAME gzip-encoded when the client accepts it
  /reset/NAME         half of NAME, then the connection closes
  /delay/MS/NAME      NAME after MS milliseconds (at most 2000)
  /pages/N            a JSON Feed page N of 3 with next_url to page N+1

Every request is appended to ROOT/../requests.log as "METHOD PATH STATUS". The server
exits after 300 s or on SIGTERM. It listens only on 127.0.0.1.
"""

import email.utils
import gzip
import hashlib
import json
import os
import signal
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

ROOT = os.path.abspath(sys.argv[1])
LOG = os.path.join(os.path.dirname(ROOT), "requests.log")
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        with LOCK, open(LOG, "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path, status))

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.record(status)

    def file(self, name):
        path = os.path.normpath(os.path.join(ROOT, name))
        if not path.startswith(ROOT + os.sep) or not os.path.isfile(path):
            return None, None, None
        with open(path, "rb") as f:
            data = f.read()
        etag = '"%s"' % hashlib.sha1(data).hexdigest()[:16]
        lm = email.utils.formatdate(int(os.path.getmtime(path)), usegmt=True)
        return data, etag, lm

    def serve_file(self, name, gz=False, half=False):
        data, etag, lm = self.file(name)
        if data is None:
            return self.reply(404, b"not found")
        if self.headers.get("If-None-Match") == etag or (
                self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == lm):
            return self.reply(304, b"", {"ETag": etag, "Last-Modified": lm})
        ctype = "application/json" if name.endswith(".json") else "application/xml; charset=utf-8"
        headers = {"ETag": etag, "Last-Modified": lm, "Content-Type": ctype}
        if gz and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        if half:
            self.send_response(200)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.record(200)
            self.close_connection = True
            return None
        return self.reply(200, data, headers)

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        try:
            if parts[0] == "status" and len(parts) >= 3:
                code = int(parts[1])
                headers = {"Retry-After": "120"} if code in (429, 503) else {}
                return self.reply(code, b"status %d" % code, headers)
            if parts[0] == "slow":
                time.sleep(5)
                return self.serve_file("/".join(parts[1:]))
            if parts[0] == "delay":
                time.sleep(min(int(parts[1]), 2000) / 1000.0)
                return self.serve_file("/".join(parts[2:]))
            if parts[0] in ("moved", "found"):
                code = 301 if parts[0] == "moved" else 302
                return self.reply(code, b"", {"Location": "/" + "/".join(parts[1:])})
            if parts[0] == "gzip":
                return self.serve_file("/".join(parts[1:]), gz=True)
            if parts[0] == "reset":
                return self.serve_file("/".join(parts[1:]), half=True)
            if parts[0] == "pages":
                n = int(parts[1])
                host = self.headers.get("Host")
                feed = {"version": "https://jsonfeed.org/version/1.1", "title": "paged",
                        "items": [{"id": "p%d-%d" % (n, i), "content_text": "page %d item %d" % (n, i),
                                   "date_published": "2026-03-08T14:%02d:00Z" % (n * 10 + i)} for i in range(5)]}
                if n < 3:
                    feed["next_url"] = "http://%s/pages/%d" % (host, n + 1)
                return self.reply(200, json.dumps(feed).encode(), {"Content-Type": "application/feed+json"})
            return self.serve_file("/".join(parts))
        except (BrokenPipeError, ConnectionResetError):
            return None


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64  # more connections at once than the default 5 would queue


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    threading.Timer(300, lambda: os._exit(0)).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
