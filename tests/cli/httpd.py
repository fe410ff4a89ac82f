#!/usr/bin/env python3
"""A small scripted HTTP/1.1 server for outcry's fetch tests (standard library only).

Listens on 127.0.0.1 on a free port and prints that port as the first line of stdout.
The second line is the port of a TLS listener with a throwaway self-signed certificate
(made with the openssl command when it is installed), or 0 when there is none; a client
that verifies certificates must refuse it. The server exits by itself after 300 s, on
SIGTERM, or when the process that started it goes away.

Routes:
  /ok            200 with ETag "v1" and Last-Modified; 304 when If-None-Match matches
                 or If-Modified-Since equals the Last-Modified value
  /gzip          a compressible text body, gzip-encoded when Accept-Encoding allows
  /r301 /r302 /r308   redirect to /ok with that status
  /loop1 /loop2  redirect to each other, forever
  /rfile         redirect to file:///etc/passwd (a client must refuse to follow)
  /404 /410      those statuses with a short body
  /429           Retry-After: 120
  /503date       503 with Retry-After as an HTTP date 600 s from now
  /slow          sleeps 5 s before answering
  /big           a 3 MiB body
  /malformed     200 with a garbage body (binary, NUL bytes) and a bogus Content-Type
  /garbage       no HTTP at all: raw bytes, then close
  /reset         headers and half the body promised by Content-Length, then close
  /rst           the same, but the close is a TCP reset
  /page1 /page2  Link headers: page1 has rel="next" to /page2
  /delay50       answers after 50 ms
  /delay?ms=N    answers after N ms (at most 5000)
  /echo-headers  the request headers as the body
  A proxy-style request line (GET http://host:port/path) is served as /path with the
  header "X-Proxied: 1" added to the response, so tests can check proxy settings work.
"""

import email.utils
import gzip
import os
import shutil
import signal
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

LIFETIME = 300
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
ETAG = '"v1"'
GZIP_TEXT = b"outcry gzip test line: the service is down again\n" * 200
BIG_SIZE = 3 * 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "outcry-httpd/1"
    timeout = 10  # an idle keep-alive connection ends after this many seconds

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        # headers and body go out in separate writes: without this, Nagle's algorithm and
        # the client's delayed ACK add about 40 ms to each response
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):
        if os.environ.get("HTTPD_VERBOSE"):
            sys.stderr.write("httpd: " + (format % args) + "\n")

    def reply(self, status, body=b"", headers=(), content_type="text/plain; charset=utf-8"):
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        if self.proxied:
            self.send_header("X-Proxied", "1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def redirect(self, status, location):
        self.reply(status, b"moved\n", [("Location", location)])

    def half_body_then_close(self, reset):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"x" * 50000)
        self.wfile.flush()
        if reset:
            # SO_LINGER with a zero timeout turns close() into a TCP RST
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.connection.close()

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.proxied = False
        target = self.path
        if target.startswith("http://") or target.startswith("https://"):
            self.proxied = True
            parts = urlsplit(target)
            target = parts.path + ("?" + parts.query if parts.query else "")
        parts = urlsplit(target)
        path = parts.path
        query = parse_qs(parts.query)
        try:
            self.route(path, query)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def route(self, path, query):
        if path == "/ok":
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            validators = [("ETag", ETAG), ("Last-Modified", LAST_MODIFIED)]
            if (inm is not None and (inm.strip() == "*" or ETAG in inm)) or \
               (inm is None and ims == LAST_MODIFIED):
                self.reply(304, b"", validators, content_type=None)
            else:
                self.reply(200, b"<rss version=\"2.0\"><channel><title>ok</title></channel></rss>\n",
                           validators, content_type='application/rss+xml; charset="UTF-8"')
        elif path == "/gzip":
            accept = self.headers.get("Accept-Encoding", "")
            codings = [c.split(";")[0].strip().lower() for c in accept.split(",")]
            if "gzip" in codings:
                self.reply(200, gzip.compress(GZIP_TEXT), [("Content-Encoding", "gzip"),
                                                           ("Vary", "Accept-Encoding")])
            else:
                self.reply(200, GZIP_TEXT, [("Vary", "Accept-Encoding")])
        elif path in ("/r301", "/r302", "/r308"):
            self.redirect(int(path[2:]), "/ok")
        elif path == "/loop1":
            self.redirect(302, "/loop2")
        elif path == "/loop2":
            self.redirect(302, "/loop1")
        elif path == "/rfile":
            self.redirect(302, "file:///etc/passwd")
        elif path in ("/404", "/410"):
            self.reply(int(path[1:]), b"gone or never here\n")
        elif path == "/429":
            self.reply(429, b"slow down\n", [("Retry-After", "120")])
        elif path == "/503date":
            when = email.utils.formatdate(time.time() + 600, usegmt=True)
            self.reply(503, b"maintenance\n", [("Retry-After", when)])
        elif path == "/slow":
            time.sleep(5)
            self.reply(200, b"too late\n")
        elif path == "/big":
            self.reply(200, b"b" * BIG_SIZE)
        elif path == "/malformed":
            self.reply(200, b"\x00\xff\xfe<<<not a feed\x00>>>\x80\x81 {\"broken\": [\n",
                       content_type="garbage/;;;charset=")
        elif path == "/garbage":
            self.close_connection = True
            self.wfile.write(b"\x00\x01 this is not HTTP at all \xff\xfe\r\n\r\n")
        elif path == "/reset":
            self.half_body_then_close(False)
        elif path == "/rst":
            self.half_body_then_close(True)
        elif path == "/page1":
            self.reply(200, b"page 1\n",
                       [("Link", '<https://example.invalid/feed>; rel="self", '
                                 '</page2>; title="more, later"; rel="next"')])
        elif path == "/page2":
            self.reply(200, b"page 2\n", [("Link", '</page1>; rel="prev"')])
        elif path == "/delay50":
            time.sleep(0.05)
            self.reply(200, b"done\n")
        elif path == "/delay":
            try:
                ms = int(query.get("ms", ["0"])[0])
            except ValueError:
                ms = 0
            time.sleep(max(0, min(ms, 5000)) / 1000.0)
            self.reply(200, b"done\n")
        elif path == "/echo-headers":
            self.reply(200, str(self.headers).encode("latin-1", "replace"))
        else:
            self.reply(404, b"no such route\n")


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    parent = os.getppid()

    def service_actions(self):
        # called from the serve loop about every half second: leave with our parent
        if os.getppid() != self.parent:
            os._exit(0)

    def handle_error(self, request, client_address):
        if os.environ.get("HTTPD_VERBOSE"):
            HTTPServer.handle_error(self, request, client_address)


class TLSServer(Server):
    context = None

    def get_request(self):
        sock, addr = HTTPServer.get_request(self)
        sock.settimeout(5)
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr


def tls_server():
    """Returns a TLS server with a fresh self-signed certificate, or None."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    tmp = tempfile.mkdtemp(prefix="outcry-httpd-")
    try:
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=127.0.0.1"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30, check=True)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    except (OSError, subprocess.SubprocessError, ssl.SSLError):
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    server = TLSServer(("127.0.0.1", 0), Handler)
    server.context = context
    return server


def main():
    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(0))
    signal.signal(signal.SIGALRM, lambda signum, frame: os._exit(0))
    signal.alarm(LIFETIME)
    server = Server(("127.0.0.1", 0), Handler)
    tls = tls_server()
    sys.stdout.write("%d\n%d\n" % (server.server_address[1],
                                   tls.server_address[1] if tls else 0))
    sys.stdout.flush()
    if tls is not None:
        threading.Thread(target=tls.serve_forever, args=(0.5,), daemon=True).start()
    server.serve_forever(0.5)


if __name__ == "__main__":
    main()
