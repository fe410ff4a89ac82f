/*
 * Unit tests: the fetcher against our own scripted server (tests/cli/httpd.py, started
 * here on 127.0.0.1): statuses, validators and 304, compression, redirects, loops,
 * Retry-After, timeouts, the body cap, broken connections, Link pagination, per-host
 * and global caps, file reads, request headers, proxies from the environment, TLS
 * verification. Nothing leaves the loopback interface.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "outcry/fetch.h"
#include "outcry/util.h"
#include "tap.h"

/* One finished request, copied out of the callback. */
struct got {
	char *url;
	int status;
	char *error;
	char *body;
	size_t body_len;
	int body_null;
	int body_terminated;
	char *content_type;
	char *charset;
	char *etag;
	char *last_modified;
	char *final_url;
	int permanent_redirect;
	int64_t retry_after;
	char *link_next;
	long elapsed_ms;
	size_t bytes;
	void *user;
};

struct collected {
	struct got items[32];
	int n;
	int paginate;   /* add link_next from the callback */
	int nested_rc;  /* what a nested oc_fetcher_run returned, when tried */
	int try_nested;
};

static pid_t server_pid = -1;
static int port, tls_port;
static char base[64];

static char *dup_or_null(const char *s)
{
	return s != NULL ? oc_xstrdup(s) : NULL;
}

static void collect(void *ctx, struct oc_fetcher *f, const struct oc_fetch_result *res)
{
	struct collected *c = ctx;
	struct got *g;

	if (c->n >= (int)(sizeof(c->items) / sizeof(c->items[0])))
		return;
	g = &c->items[c->n++];
	g->url = dup_or_null(res->url);
	g->status = res->status;
	g->error = dup_or_null(res->error);
	g->body_null = res->body == NULL;
	g->body_terminated = res->body != NULL && res->body[res->body_len] == '\0';
	g->body = res->body != NULL ? oc_xstrndup(res->body, res->body_len) : NULL;
	g->body_len = res->body_len;
	g->content_type = dup_or_null(res->content_type);
	g->charset = dup_or_null(res->charset);
	g->etag = dup_or_null(res->etag);
	g->last_modified = dup_or_null(res->last_modified);
	g->final_url = dup_or_null(res->final_url);
	g->permanent_redirect = res->permanent_redirect;
	g->retry_after = res->retry_after;
	g->link_next = dup_or_null(res->link_next);
	g->elapsed_ms = res->elapsed_ms;
	g->bytes = res->bytes;
	g->user = res->user;
	if (c->paginate && res->link_next != NULL) {
		struct oc_fetch_request next = { .url = res->link_next, .user = res->user };

		oc_fetcher_add(f, &next);
	}
	if (c->try_nested) {
		struct oc_error err;

		c->nested_rc = oc_fetcher_run(f, collect, c, &err);
		c->try_nested = 0;
	}
}

static void collected_release(struct collected *c)
{
	int i;

	for (i = 0; i < c->n; i++) {
		struct got *g = &c->items[i];

		free(g->url);
		free(g->error);
		free(g->body);
		free(g->content_type);
		free(g->charset);
		free(g->etag);
		free(g->last_modified);
		free(g->final_url);
		free(g->link_next);
	}
	memset(c, 0, sizeof(*c));
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The server URL of path, in a static buffer: valid for the next few calls only. */
static const char *at(const char *path)
{
	static char bufs[4][256];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(bufs[slot], sizeof(bufs[slot]), "%s%s", base, path);
	return bufs[slot];
}

/* The server URL of path in buf, for URLs kept across other calls. */
static const char *url_in(char *buf, size_t size, const char *path)
{
	snprintf(buf, size, "%s%s", base, path);
	return buf;
}

/* Fetches one request with opts (NULL: defaults) into c, which must be empty. */
static int fetch(const struct oc_fetch_opts *opts, const struct oc_fetch_request *req,
		 struct collected *c)
{
	struct oc_error err;
	struct oc_fetcher *f = oc_fetcher_new(opts, &err);
	int rc;

	if (f == NULL)
		return -1;
	oc_fetcher_add(f, req);
	rc = oc_fetcher_run(f, collect, c, &err);
	oc_fetcher_free(f);
	return rc;
}

/* Fetches url with default options; the result is c->items[0]. */
static struct got *get(const char *url, struct collected *c)
{
	static struct got none;
	struct oc_fetch_request req = { .url = url };

	collected_release(c);
	if (fetch(NULL, &req, c) < 0 || c->n != 1)
		return &none;
	return &c->items[0];
}

static int contains(const char *haystack, const char *needle)
{
	return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* Reads one line of the server's stdout, waiting at most 30 s. Returns its number or -1. */
static int read_number_line(int fd)
{
	char line[32];
	size_t n = 0;
	long deadline = now_ms() + 30000;

	while (n + 1 < sizeof(line)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		char ch;
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		r = read(fd, &ch, 1);
		if (r <= 0)
			return -1;
		if (ch == '\n')
			break;
		line[n++] = ch;
	}
	line[n] = '\0';
	return n > 0 ? atoi(line) : -1;
}

/* Starts httpd.py and reads its ports. Returns 0, or -1 when it could not be started. */
static int start_server(void)
{
	const char *top = getenv("TOP_SRCDIR");
	char script[4096];
	int fds[2];

	snprintf(script, sizeof(script), "%s/tests/cli/httpd.py", top != NULL ? top : ".");
	if (access(script, R_OK) < 0 || pipe(fds) < 0)
		return -1;
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("python3", "python3", script, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	port = read_number_line(fds[0]);
	tls_port = read_number_line(fds[0]);
	close(fds[0]);
	if (port <= 0)
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	return 0;
}

static void stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
}

/* A loopback port nobody listens on (bound, then released). */
static int closed_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), p = 0;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		p = ntohs(a.sin_port);
	if (s >= 0)
		close(s);
	return p;
}

static void unset_proxies(void)
{
	static const char *const names[] = { "http_proxy", "HTTP_PROXY", "https_proxy",
					     "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
					     "no_proxy", "NO_PROXY" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unsetenv(names[i]);
}

static void test_ok_and_conditional(void)
{
	struct collected c = { 0 };
	struct oc_fetch_request req = { 0 };
	struct got *g = get(at("/ok"), &c);
	char *etag, *lm;

	is_int(g->status, 200, "/ok: status 200");
	ok(g->error == NULL, "/ok: no error");
	ok(contains(g->body, "<rss"), "/ok: body");
	ok(g->body_terminated, "/ok: body NUL-terminated");
	is_str(g->etag, "\"v1\"", "/ok: ETag exactly as sent, quotes kept");
	is_str(g->last_modified, "Wed, 21 Oct 2015 07:28:00 GMT", "/ok: Last-Modified as sent");
	is_str(g->content_type, "application/rss+xml", "/ok: media type without parameters");
	is_str(g->charset, "UTF-8", "/ok: charset with its quotes stripped");
	is_str(g->final_url, at("/ok"), "/ok: final_url is the URL when not redirected");
	is_int(g->permanent_redirect, 0, "/ok: no permanent redirect");
	is_int(g->retry_after, 0, "/ok: no Retry-After");
	ok(g->link_next == NULL, "/ok: no Link next");
	is_int(g->bytes, g->body_len, "/ok: bytes counted");
	ok(g->elapsed_ms >= 0 && g->elapsed_ms < 10000, "/ok: elapsed_ms is plausible");
	etag = oc_xstrdup(g->etag != NULL ? g->etag : "");
	lm = oc_xstrdup(g->last_modified != NULL ? g->last_modified : "");

	collected_release(&c);
	req.url = at("/ok");
	req.etag = etag;
	fetch(NULL, &req, &c);
	is_int(c.items[0].status, 304, "If-None-Match with the stored ETag: 304");
	ok(c.items[0].error == NULL && c.items[0].body_len == 0, "304: no error, no body");
	is_str(c.items[0].etag, "\"v1\"", "304: validators reported again");

	collected_release(&c);
	req.etag = NULL;
	req.last_modified = lm;
	fetch(NULL, &req, &c);
	is_int(c.items[0].status, 304, "If-Modified-Since with the stored date: 304");

	collected_release(&c);
	req.etag = "\"v0\"";
	req.last_modified = NULL;
	fetch(NULL, &req, &c);
	is_int(c.items[0].status, 200, "a stale ETag gets the full 200");
	collected_release(&c);
	free(lm);
	free(etag);
}

static void test_gzip_and_bodies(void)
{
	struct collected c = { 0 };
	struct got *g;
	struct oc_fetch_opts small = { .max_body = 1024 * 1024 };
	char big[128];
	struct oc_fetch_request req = { .url = url_in(big, sizeof(big), "/big") };
	static const char line[] = "outcry gzip test line: the service is down again\n";

	g = get(at("/gzip"), &c);
	is_int(g->status, 200, "/gzip: status 200");
	is_int(g->body_len, 200 * (sizeof(line) - 1), "/gzip: decoded length");
	ok(g->body != NULL && strncmp(g->body, line, sizeof(line) - 1) == 0, "/gzip: decoded text");
	ok(g->bytes > 0 && g->bytes < g->body_len / 4, "/gzip: compressed on the wire (%zu bytes)",
	   g->bytes);

	g = get(at("/big"), &c);
	is_int(g->status, 200, "/big under the default cap: 200");
	is_int(g->body_len, 3 * 1024 * 1024, "/big: the whole 3 MiB");

	collected_release(&c);
	fetch(&small, &req, &c);
	g = &c.items[0];
	is_str(g->error, "body larger than 1048576 bytes", "/big over a 1 MiB cap: error");
	ok(g->body_null, "/big over the cap: no body");
	is_int(g->status, 200, "/big over the cap: the status received stays");

	g = get(at("/malformed"), &c);
	is_int(g->status, 200, "/malformed: 200 (judging the body is the parser's job)");
	ok(g->error == NULL && g->body_len == 36 && g->body_terminated,
	   "/malformed: binary body kept whole with NUL bytes (%zu bytes)", g->body_len);
	is_str(g->content_type, "garbage/", "/malformed: content type as given");
	ok(g->charset == NULL, "/malformed: an empty charset is no charset");
	collected_release(&c);
}

static void test_statuses(void)
{
	struct collected c = { 0 };
	struct got *g;
	int64_t now;

	g = get(at("/404"), &c);
	ok(g->status == 404 && g->error == NULL && g->body != NULL, "/404: a response, not an error");
	g = get(at("/410"), &c);
	is_int(g->status, 410, "/410: status 410");

	now = (int64_t)time(NULL);
	g = get(at("/429"), &c);
	is_int(g->status, 429, "/429: status");
	is_near(g->retry_after, now + 120, 5, "/429: Retry-After 120 s is now+120");
	now = (int64_t)time(NULL);
	g = get(at("/503date"), &c);
	is_int(g->status, 503, "/503date: status");
	is_near(g->retry_after, now + 600, 5, "/503date: Retry-After HTTP date is now+600");
	collected_release(&c);
}

static void test_redirects(void)
{
	struct collected c = { 0 };
	struct got *g;

	g = get(at("/r301"), &c);
	is_int(g->status, 200, "/r301: followed to 200");
	is_str(g->final_url, at("/ok"), "/r301: final_url");
	is_int(g->permanent_redirect, 1, "/r301: permanent");
	is_str(g->etag, "\"v1\"", "/r301: validators from the final response");
	g = get(at("/r308"), &c);
	ok(g->status == 200 && g->permanent_redirect == 1, "/r308: followed, permanent");
	is_str(g->final_url, at("/ok"), "/r308: final_url");
	g = get(at("/r302"), &c);
	ok(g->status == 200 && g->permanent_redirect == 0, "/r302: followed, not permanent");
	is_str(g->final_url, at("/ok"), "/r302: final_url");

	g = get(at("/loop1"), &c);
	ok(contains(g->error, "redirect"), "/loop1: a loop is an error naming redirects: %s",
	   g->error ? g->error : "(null)");
	ok(g->body_null && g->status == 302, "/loop1: no body, the last status stays");
	g = get(at("/rfile"), &c);
	ok(contains(g->error, "unsupported protocol"), "/rfile: a redirect to file:// is refused: %s",
	   g->error ? g->error : "(null)");
	collected_release(&c);
}

static void test_failures(void)
{
	struct collected c = { 0 };
	struct oc_fetch_opts quick = { .total_timeout_ms = 1000 };
	char slow_url[128], url[128];
	struct oc_fetch_request req = { .url = url_in(slow_url, sizeof(slow_url), "/slow") };
	struct got *g;
	long t0;

	t0 = now_ms();
	fetch(&quick, &req, &c);
	g = &c.items[0];
	ok(contains(g->error, "timed out"), "/slow: timeout error: %s", g->error ? g->error : "(null)");
	ok(now_ms() - t0 < 2500, "/slow: given up near the 1000 ms total timeout (%ld ms)",
	   now_ms() - t0);
	ok(g->status == 0 && g->body_null, "/slow: no status, no body");

	g = get(at("/reset"), &c);
	ok(contains(g->error, "partial"), "/reset: partial body is an error: %s",
	   g->error ? g->error : "(null)");
	ok(g->status == 200 && g->body_null, "/reset: status received stays, no body");
	g = get(at("/rst"), &c);
	ok(g->error != NULL && g->body_null, "/rst: connection reset is an error: %s",
	   g->error ? g->error : "(null)");
	g = get(at("/garbage"), &c);
	ok(g->error != NULL && g->status == 0, "/garbage: not HTTP is an error: %s",
	   g->error ? g->error : "(null)");

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", closed_port());
	g = get(url, &c);
	ok(contains(g->error, "cannot connect"), "refused connection: %s",
	   g->error ? g->error : "(null)");
	g = get("ftp://127.0.0.1/feed.xml", &c);
	ok(contains(g->error, "unsupported protocol"), "ftp:// refused: %s",
	   g->error ? g->error : "(null)");
	g = get("", &c);
	ok(g->error != NULL, "empty URL: error");
	if (tls_port > 0) {
		snprintf(url, sizeof(url), "https://127.0.0.1:%d/ok", tls_port);
		g = get(url, &c);
		ok(contains(g->error, "certificate"), "self-signed TLS certificate refused: %s",
		   g->error ? g->error : "(null)");
	} else {
		ok(1, "# SKIP no openssl command to make a TLS test certificate");
	}
	collected_release(&c);
}

static void test_links(void)
{
	struct collected c = { 0 };
	char page1[128];
	struct oc_fetch_request req = { .url = url_in(page1, sizeof(page1), "/page1") };
	struct got *g;

	g = get(at("/page1"), &c);
	is_str(g->link_next, at("/page2"), "/page1: rel=\"next\" found among links, made absolute");
	g = get(at("/page2"), &c);
	ok(g->link_next == NULL, "/page2: rel=\"prev\" is not next");

	collected_release(&c);
	c.paginate = 1;
	fetch(NULL, &req, &c);
	is_int(c.n, 2, "pagination: the callback's oc_fetcher_add ran in the same run");
	if (c.n == 2) {
		is_str(c.items[1].url, at("/page2"), "pagination: second request is page 2");
		is_str(c.items[1].body, "page 2\n", "pagination: page 2 body");
	}
	collected_release(&c);
}

/* Runs n requests of path with opts; returns the wall time in ms. */
static long timed_run(const struct oc_fetch_opts *opts, const char *path, int n,
		      struct collected *c)
{
	struct oc_error err;
	struct oc_fetcher *f = oc_fetcher_new(opts, &err);
	struct oc_fetch_request req = { .url = at(path) };
	long t0;
	int i;

	for (i = 0; i < n; i++)
		oc_fetcher_add(f, &req);
	t0 = now_ms();
	oc_fetcher_run(f, collect, c, &err);
	t0 = now_ms() - t0;
	oc_fetcher_free(f);
	return t0;
}

static void test_caps(void)
{
	struct collected c = { 0 };
	struct oc_fetch_opts per_host = { .max_per_host = 2, .max_parallel = 16 };
	struct oc_fetch_opts global = { .max_per_host = 8, .max_parallel = 2 };
	struct oc_fetch_opts wide = { .max_per_host = 6 };
	struct oc_fetch_opts one = { .max_per_host = 1 };
	char slow_url[128], url[128];
	struct oc_fetch_request slow = { .url = url_in(slow_url, sizeof(slow_url), "/delay?ms=600"),
					 .user = (void *)"slow" };
	struct oc_fetch_request other;
	struct oc_error err;
	struct oc_fetcher *f;
	long ms;
	int i, all_ok = 1;

	ms = timed_run(&per_host, "/delay50", 6, &c);
	for (i = 0; i < c.n; i++)
		all_ok &= c.items[i].status == 200;
	ok(c.n == 6 && all_ok, "6 requests to /delay50 all done");
	ok(ms >= 150, "max_per_host 2: 6 x 50 ms take >= 150 ms (%ld ms)", ms);
	collected_release(&c);
	ms = timed_run(&global, "/delay50", 6, &c);
	ok(c.n == 6 && ms >= 150, "max_parallel 2: 6 x 50 ms take >= 150 ms (%ld ms)", ms);
	collected_release(&c);
	/* one at a time would take 300 ms or more */
	ms = timed_run(&wide, "/delay50", 6, &c);
	ok(c.n == 6 && ms < 280, "max_per_host 6: 6 x 50 ms run side by side (%ld ms)", ms);
	collected_release(&c);

	/* two slow requests to one host, then one to another: the other must not wait */
	snprintf(url, sizeof(url), "http://localhost:%d/ok", port);
	other.url = url;
	other.etag = other.last_modified = other.authorization = NULL;
	other.user = (void *)"other";
	f = oc_fetcher_new(&one, &err);
	oc_fetcher_add(f, &slow);
	oc_fetcher_add(f, &slow);
	oc_fetcher_add(f, &other);
	oc_fetcher_run(f, collect, &c, &err);
	oc_fetcher_free(f);
	ok(c.n == 3 && strcmp(c.items[0].user, "other") == 0 && c.items[0].status == 200,
	   "a slow host does not delay another host's request");
	collected_release(&c);
}

static void test_files(void)
{
	struct collected c = { 0 };
	struct oc_fetch_opts tiny = { .max_body = 10 };
	struct oc_fetch_request req = { 0 };
	char dir[] = "/tmp/outcry fetch XXXXXX";
	char path[256], url[512], missing[300];
	struct got *g;
	FILE *fp;
	const char *p;
	size_t n = 0;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/feed.xml", dir);
	fp = fopen(path, "w");
	if (fp != NULL) {
		fputs("<rss>recorded</rss>\n", fp);
		fclose(fp);
	}
	/* the file URL of path, with its space percent-encoded */
	n = (size_t)snprintf(url, sizeof(url), "file://");
	for (p = path; *p != '\0' && n + 4 < sizeof(url); p++)
		n += (size_t)(*p == ' ' ? snprintf(url + n, 4, "%%20") : snprintf(url + n, 2, "%c", *p));

	g = get(path, &c);
	ok(g->status == 200 && g->error == NULL, "plain path: status 200");
	is_str(g->body, "<rss>recorded</rss>\n", "plain path: body");
	ok(g->body_terminated, "plain path: body NUL-terminated");
	g = get(url, &c);
	is_int(g->status, 200, "file:// URL: status 200");
	is_str(g->body, "<rss>recorded</rss>\n", "file:// URL: percent-decoded path read");

	snprintf(missing, sizeof(missing), "%s/missing.xml", dir);
	g = get(missing, &c);
	ok(g->status == 0 && g->body_null, "missing file: no status, no body");
	ok(contains(g->error, "cannot read '") && contains(g->error, "No such file or directory"),
	   "missing file: %s", g->error ? g->error : "(null)");
	g = get(dir, &c);
	ok(contains(g->error, "cannot read '"), "directory: %s", g->error ? g->error : "(null)");
	g = get("file://example.invalid/etc/passwd", &c);
	ok(g->error != NULL && g->status == 0, "file:// with a remote host refused: %s",
	   g->error ? g->error : "(null)");

	collected_release(&c);
	req.url = path;
	fetch(&tiny, &req, &c);
	is_str(c.items[0].error, "body larger than 10 bytes", "file over the body cap: error");
	collected_release(&c);
	unlink(path);
	rmdir(dir);
}

static void test_request_headers(void)
{
	struct collected c = { 0 };
	struct oc_fetch_opts agent = { .user_agent = "feedreader-test/2" };
	char echo[128];
	struct oc_fetch_request req = { .url = url_in(echo, sizeof(echo), "/echo-headers"),
					.authorization = "Bearer s3cret" };
	struct got *g;

	fetch(NULL, &req, &c);
	g = &c.items[0];
	ok(contains(g->body, "User-Agent: outcry/" PACKAGE_VERSION " (+" PACKAGE_URL ")\n"),
	   "default User-Agent sent");
	ok(contains(g->body, "Authorization: Bearer s3cret\n"), "Authorization sent");
	ok(contains(g->body, "Accept-Encoding: "), "Accept-Encoding sent");
	collected_release(&c);

	req.authorization = NULL;
	fetch(&agent, &req, &c);
	ok(contains(c.items[0].body, "User-Agent: feedreader-test/2\n"), "custom User-Agent sent");
	ok(!contains(c.items[0].body, "Authorization"), "no Authorization unless given");
	collected_release(&c);

	req.authorization = "Bearer x\r\nX-Injected: 1";
	fetch(NULL, &req, &c);
	ok(c.items[0].error != NULL && c.items[0].status == 0,
	   "an Authorization value with a line break is refused, not sent");
	collected_release(&c);
}

static void test_proxy_env(void)
{
	struct collected c = { 0 };
	struct got *g;
	char proxy[64], url[128];

	/* the target port is closed: only going through the proxy (our server) can answer */
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/echo-headers", closed_port());
	setenv("http_proxy", proxy, 1);
	g = get(url, &c);
	unset_proxies();
	ok(g->status == 200 && contains(g->body, "Host: 127.0.0.1:"),
	   "http_proxy from the environment is used: %s", g->error ? g->error : "ok");
	collected_release(&c);
}

static void test_reuse_and_nesting(void)
{
	struct collected c = { 0 };
	struct oc_error err;
	struct oc_fetcher *f = oc_fetcher_new(NULL, &err);
	char okurl[128];
	struct oc_fetch_request req = { .url = url_in(okurl, sizeof(okurl), "/ok") };
	int rc1, rc2;

	oc_fetcher_add(f, &req);
	c.try_nested = 1;
	c.nested_rc = 0;
	rc1 = oc_fetcher_run(f, collect, &c, &err);
	is_int(c.nested_rc, -1, "oc_fetcher_run from its own callback is refused");
	oc_fetcher_add(f, &req);
	rc2 = oc_fetcher_run(f, collect, &c, &err);
	ok(rc1 == 0 && rc2 == 0 && c.n == 2 && c.items[1].status == 200,
	   "a fetcher runs again after finishing");
	oc_fetcher_free(f);
	collected_release(&c);

	f = oc_fetcher_new(NULL, &err);
	oc_fetcher_add(f, &req);
	oc_fetcher_free(f);
	ok(1, "a fetcher with queued requests frees cleanly");
}

int main(void)
{
	unset_proxies();
	signal(SIGPIPE, SIG_IGN);
	if (start_server() < 0) {
		printf("Bail out! cannot start tests/cli/httpd.py (is python3 installed, TOP_SRCDIR set?)\n");
		stop_server();
		return 1;
	}
	test_ok_and_conditional();
	test_gzip_and_bodies();
	test_statuses();
	test_redirects();
	test_failures();
	test_links();
	test_caps();
	test_files();
	test_request_headers();
	test_proxy_env();
	test_reuse_and_nesting();
	stop_server();
	return tap_done();
}
