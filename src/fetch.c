/*
 * Stage: fetch. A queue of requests driven through one libcurl multi handle, with our own
 * scheduling: at most max_parallel transfers at once and at most max_per_host to one
 * host, picking the first queued request whose host has room so that a slow host only
 * delays its own requests. Local paths and file:// URLs are read here without libcurl.
 * This file owns every CURL handle, the per-request header parsing (validators,
 * redirect statuses, Retry-After, Link, Content-Type) and the mapping of libcurl's
 * failures to messages.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "outcry/fetch.h"

#define DEFAULT_USER_AGENT "outcry/" PACKAGE_VERSION " (+" PACKAGE_URL ")"
#define DEFAULT_LOW_SPEED_BYTES 10
#define DEFAULT_LOW_SPEED_SECONDS 10
/* Link headers beyond this many bytes (all lines together) are ignored. */
#define MAX_LINK_HEADER 65536
/* A Retry-After further away than this (one week) is clamped to it. */
#define MAX_RETRY_AFTER_SECONDS (7 * 24 * 3600)
/* How long one curl_multi_poll may sleep when nothing happens. */
#define POLL_MS 1000

/* A host we have sent requests to, with the number of its transfers in flight. */
struct host {
	char *name;
	int active;
};

/* The fields of the latest response's headers; reset at each new status line. */
struct response_headers {
	char *etag;
	char *last_modified;
	char *content_type;
	char *retry_after;
	struct oc_buf link;
};

struct job {
	struct job *next; /* in the queue while waiting, in the active list while running */
	struct oc_fetcher *fetcher;

	/* the request, copied */
	char *url;
	char *etag;
	char *last_modified;
	char *authorization;
	void *user;
	int is_file; /* a local path or file:// URL: read directly */
	size_t host; /* index into fetcher->hosts (http jobs only) */

	/* the transfer */
	CURL *easy;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	struct oc_buf body;
	int over_cap;      /* the write callback refused a body larger than max_body */
	int last_status;   /* status of the latest final (non-1xx) response seen */
	int permanent;     /* a 301 or 308 response was followed by another response */
	struct response_headers resp;
};

struct oc_fetcher {
	CURLM *multi;
	int max_parallel;
	int max_per_host;
	long connect_timeout_ms;
	long total_timeout_ms;
	long low_speed_bytes;
	long low_speed_seconds;
	size_t max_body;
	char *user_agent;

	struct job *queue_head, *queue_tail; /* waiting to start */
	struct job *active_list;             /* transfers in flight */
	int active;                          /* their number */
	struct host *hosts;
	size_t nhosts, hosts_cap;
	int running;                         /* inside oc_fetcher_run */
};

static int curl_ready;

/* Overwrites a secret before freeing it, so it does not linger in freed memory. */
static void free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static void response_headers_init(struct response_headers *r)
{
	memset(r, 0, sizeof(*r));
	oc_buf_init(&r->link);
}

static void response_headers_reset(struct response_headers *r)
{
	free(r->etag);
	free(r->last_modified);
	free(r->content_type);
	free(r->retry_after);
	r->etag = r->last_modified = r->content_type = r->retry_after = NULL;
	oc_buf_reset(&r->link);
}

static void response_headers_release(struct response_headers *r)
{
	response_headers_reset(r);
	oc_buf_release(&r->link);
}

static void job_free(struct job *j)
{
	struct curl_slist *h;

	if (j == NULL)
		return;
	if (j->easy != NULL)
		curl_easy_cleanup(j->easy);
	/* the header list may hold the Authorization value */
	for (h = j->headers; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(j->headers);
	response_headers_release(&j->resp);
	oc_buf_release(&j->body);
	free_secret(j->authorization);
	free(j->last_modified);
	free(j->etag);
	free(j->url);
	free(j);
}

/* Returns 1 when url starts with an RFC 3986 scheme ("name:"), storing its length. */
static int url_scheme(const char *url, size_t *len)
{
	size_t i;

	if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
		return 0;
	for (i = 1; url[i] != '\0'; i++) {
		char c = url[i];

		if (c == ':') {
			*len = i;
			return 1;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '-' || c == '.'))
			return 0;
	}
	return 0;
}

/* Returns the index of host name in f->hosts, adding it when new. */
static size_t host_index(struct oc_fetcher *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nhosts; i++)
		if (strcmp(f->hosts[i].name, name) == 0)
			return i;
	if (f->nhosts == f->hosts_cap) {
		f->hosts_cap = f->hosts_cap ? f->hosts_cap * 2 : 8;
		f->hosts = oc_xrealloc(f->hosts, f->hosts_cap * sizeof(*f->hosts));
	}
	f->hosts[f->nhosts].name = oc_xstrdup(name);
	f->hosts[f->nhosts].active = 0;
	return f->nhosts++;
}

/* The lowercased host part of url, or "" when it has none we can parse; caller frees. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *out, *p;

	if (u == NULL)
		return oc_xstrdup("");
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
		curl_url_get(u, CURLUPART_HOST, &host, 0);
	out = oc_xstrdup(host != NULL ? host : "");
	curl_free(host);
	curl_url_cleanup(u);
	for (p = out; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

struct oc_fetcher *oc_fetcher_new(const struct oc_fetch_opts *opts, struct oc_error *err)
{
	static const struct oc_fetch_opts defaults;
	struct oc_fetcher *f;
	CURLcode rc;

	if (opts == NULL)
		opts = &defaults;
	if (!curl_ready) {
		rc = curl_global_init(CURL_GLOBAL_DEFAULT);
		if (rc != CURLE_OK) {
			oc_error_set(err, OC_ERR_IO, "cannot initialise libcurl: %s",
				     curl_easy_strerror(rc));
			return NULL;
		}
		curl_ready = 1;
	}
	f = oc_xcalloc(1, sizeof(*f));
	f->multi = curl_multi_init();
	if (f->multi == NULL) {
		free(f);
		oc_error_set(err, OC_ERR_IO, "cannot initialise libcurl: no multi handle");
		return NULL;
	}
	f->max_parallel = opts->max_parallel > 0 ? opts->max_parallel : OC_FETCH_DEFAULT_PARALLEL;
	f->max_per_host = opts->max_per_host > 0 ? opts->max_per_host : OC_FETCH_DEFAULT_PER_HOST;
	f->connect_timeout_ms =
		opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : OC_FETCH_DEFAULT_CONNECT_MS;
	f->total_timeout_ms =
		opts->total_timeout_ms > 0 ? opts->total_timeout_ms : OC_FETCH_DEFAULT_TOTAL_MS;
	f->low_speed_bytes = opts->low_speed_bytes > 0 ? opts->low_speed_bytes : DEFAULT_LOW_SPEED_BYTES;
	f->low_speed_seconds =
		opts->low_speed_seconds > 0 ? opts->low_speed_seconds : DEFAULT_LOW_SPEED_SECONDS;
	f->max_body = opts->max_body > 0 ? opts->max_body : OC_FETCH_DEFAULT_MAX_BODY;
	f->user_agent = oc_xstrdup(opts->user_agent != NULL ? opts->user_agent : DEFAULT_USER_AGENT);
	/*
	 * Our scheduler already keeps to max_per_host per request host; this also holds
	 * libcurl to it for connections (a redirect to another host, connection reuse).
	 */
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)f->max_per_host);
	curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	return f;
}

void oc_fetcher_free(struct oc_fetcher *f)
{
	struct job *j, *next;
	size_t i;

	if (f == NULL)
		return;
	for (j = f->active_list; j != NULL; j = next) {
		next = j->next;
		curl_multi_remove_handle(f->multi, j->easy);
		job_free(j);
	}
	for (j = f->queue_head; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
	curl_multi_cleanup(f->multi);
	for (i = 0; i < f->nhosts; i++)
		free(f->hosts[i].name);
	free(f->hosts);
	free(f->user_agent);
	free(f);
}

void oc_fetcher_add(struct oc_fetcher *f, const struct oc_fetch_request *req)
{
	struct job *j = oc_xcalloc(1, sizeof(*j));
	size_t scheme_len = 0;

	j->fetcher = f;
	j->url = oc_xstrdup(req->url != NULL ? req->url : "");
	j->etag = req->etag != NULL ? oc_xstrdup(req->etag) : NULL;
	j->last_modified = req->last_modified != NULL ? oc_xstrdup(req->last_modified) : NULL;
	j->authorization = req->authorization != NULL ? oc_xstrdup(req->authorization) : NULL;
	j->user = req->user;
	oc_buf_init(&j->body);
	response_headers_init(&j->resp);
	if (!url_scheme(j->url, &scheme_len) ||
	    (scheme_len == 4 && strncasecmp(j->url, "file", 4) == 0)) {
		j->is_file = 1;
	} else {
		char *host = url_host(j->url);

		j->host = host_index(f, host);
		free(host);
	}
	if (f->queue_tail != NULL)
		f->queue_tail->next = j;
	else
		f->queue_head = j;
	f->queue_tail = j;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The filesystem path a file job names; NULL with a message in why when it has none. */
static char *file_path(const char *url, char *why, size_t why_size)
{
	size_t scheme_len;
	CURLU *u;
	CURLUcode uc;
	char *path = NULL, *out = NULL;

	if (!url_scheme(url, &scheme_len))
		return oc_xstrdup(url);
	u = curl_url();
	if (u == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE);
	if (uc != CURLUE_OK)
		snprintf(why, why_size, "bad file URL (%s)", curl_url_strerror(uc));
	else
		out = oc_xstrdup(path);
	curl_free(path);
	curl_url_cleanup(u);
	return out;
}

/*
 * Reads a local file into j->body under the body cap. Returns NULL on success, or the
 * error message written into msg.
 */
static const char *read_file(struct job *j, char *msg, size_t msg_size)
{
	size_t max_body = j->fetcher->max_body;
	char why[256];
	char *path;
	struct stat st;
	const char *result = NULL;
	int fd = -1;

	path = file_path(j->url, why, sizeof(why));
	if (path == NULL) {
		snprintf(msg, msg_size, "cannot read '%s': %s", j->url, why);
		return msg;
	}
	if (path[0] == '\0') {
		snprintf(msg, msg_size, "cannot read '': empty path");
		result = msg;
		goto out;
	}
	/* O_NONBLOCK: a FIFO must not hang the run; only regular files are read */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(msg, msg_size, "cannot read '%s': %s", path, strerror(errno));
		result = msg;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(msg, msg_size, "cannot read '%s': %s", path, strerror(EISDIR));
		result = msg;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(msg, msg_size, "cannot read '%s': not a regular file", path);
		result = msg;
		goto out;
	}
	for (;;) {
		ssize_t n;

		oc_buf_grow(&j->body, 65536);
		n = read(fd, j->body.data + j->body.len, j->body.cap - j->body.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(msg, msg_size, "cannot read '%s': %s", path, strerror(errno));
			result = msg;
			goto out;
		}
		if (n == 0)
			break;
		j->body.len += (size_t)n;
		j->body.data[j->body.len] = '\0';
		if (j->body.len > max_body) {
			snprintf(msg, msg_size, "body larger than %zu bytes", max_body);
			result = msg;
			goto out;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return result;
}

/* Reads a file job and hands its result to done. */
static void run_file_job(struct job *j, oc_fetch_done_fn done, void *ctx)
{
	struct oc_fetch_result res;
	char msg[1024];
	long start = now_ms();

	memset(&res, 0, sizeof(res));
	res.url = j->url;
	res.user = j->user;
	res.final_url = j->url;
	res.error = read_file(j, msg, sizeof(msg));
	if (res.error == NULL) {
		res.status = 200;
		res.body = j->body.data;
		res.body_len = j->body.len;
	}
	res.bytes = j->body.len;
	res.elapsed_ms = now_ms() - start;
	if (done != NULL)
		done(ctx, j->fetcher, &res);
}

/* Copies a header value: leading blanks and the line end are dropped, nothing else. */
static char *header_value(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == '\r' || end[-1] == '\n'))
		end--;
	return oc_xstrndup(p, (size_t)(end - p));
}

/* Returns the value part of line when it is the header name (case-insensitive), or NULL. */
static const char *header_is(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len > n && line[n] == ':' && strncasecmp(line, name, n) == 0)
		return line + n + 1;
	return NULL;
}

static void set_field(char **field, const char *value, const char *end)
{
	free(*field);
	*field = header_value(value, end);
}

/*
 * libcurl hands over every header line of every response, redirects included, so a
 * status line starts a new response: the redirect it follows is recorded and the
 * fields seen so far (which belonged to the redirect) are dropped.
 */
static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata)
{
	struct job *j = userdata;
	size_t len = size * nmemb;
	const char *end = line + len;
	const char *v;

	if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
		const char *p = line + 5;
		int status = 0, digits = 0;

		while (p < end && *p != ' ')
			p++;
		while (p < end && *p == ' ')
			p++;
		while (p < end && digits < 3 && *p >= '0' && *p <= '9') {
			status = status * 10 + (*p++ - '0');
			digits++;
		}
		if (digits != 3 || status < 200)
			return len; /* 1xx: an interim response, the real one follows */
		if (j->last_status == 301 || j->last_status == 308)
			j->permanent = 1;
		j->last_status = status;
		response_headers_reset(&j->resp);
	} else if ((v = header_is(line, len, "etag")) != NULL) {
		set_field(&j->resp.etag, v, end);
	} else if ((v = header_is(line, len, "last-modified")) != NULL) {
		set_field(&j->resp.last_modified, v, end);
	} else if ((v = header_is(line, len, "content-type")) != NULL) {
		set_field(&j->resp.content_type, v, end);
	} else if ((v = header_is(line, len, "retry-after")) != NULL) {
		set_field(&j->resp.retry_after, v, end);
	} else if ((v = header_is(line, len, "link")) != NULL) {
		char *value = header_value(v, end);
		size_t vlen = strlen(value);

		/* several Link lines are one comma-separated list */
		if (j->resp.link.len + vlen + 2 <= MAX_LINK_HEADER) {
			if (j->resp.link.len > 0)
				oc_buf_addstr(&j->resp.link, ", ");
			oc_buf_add(&j->resp.link, value, vlen);
		}
		free(value);
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct job *j = userdata;
	size_t len = size * nmemb;

	if (j->body.len + len > j->fetcher->max_body) {
		j->over_cap = 1;
		return 0; /* anything but len aborts the transfer with CURLE_WRITE_ERROR */
	}
	oc_buf_add(&j->body, data, len);
	return len;
}

/* Adds "Name: value" to the request headers; refuses a value that would split the line. */
static int add_header(struct curl_slist **list, const char *name, const char *value)
{
	struct oc_buf line;
	struct curl_slist *grown;

	if (strpbrk(value, "\r\n") != NULL)
		return -1;
	oc_buf_init(&line);
	oc_buf_printf(&line, "%s: %s", name, value);
	grown = curl_slist_append(*list, line.data);
	explicit_bzero(line.data, line.len);
	oc_buf_release(&line);
	if (grown == NULL)
		return -1;
	*list = grown;
	return 0;
}

/* Sets up j's easy handle. Returns 0, or -1 with a message in msg. */
static int job_setup(struct job *j, char *msg, size_t msg_size)
{
	struct oc_fetcher *f = j->fetcher;
	CURL *e;
	int rc = -1;

	e = j->easy = curl_easy_init();
	if (e == NULL) {
		snprintf(msg, msg_size, "cannot start a transfer: libcurl has no easy handle");
		goto out;
	}
	if (j->etag != NULL && j->etag[0] != '\0' &&
	    add_header(&j->headers, "If-None-Match", j->etag) < 0) {
		snprintf(msg, msg_size, "cannot send the ETag validator: it is not one header line");
		goto out;
	}
	if (j->last_modified != NULL && j->last_modified[0] != '\0' &&
	    add_header(&j->headers, "If-Modified-Since", j->last_modified) < 0) {
		snprintf(msg, msg_size,
			 "cannot send the Last-Modified validator: it is not one header line");
		goto out;
	}
	if (j->authorization != NULL && j->authorization[0] != '\0' &&
	    add_header(&j->headers, "Authorization", j->authorization) < 0) {
		snprintf(msg, msg_size, "cannot send the Authorization header: it is not one header line");
		goto out;
	}
	j->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)j);
	curl_easy_setopt(e, CURLOPT_URL, j->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)OC_FETCH_MAX_REDIRECTS);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/*
	 * Over https, wait for the first connection's ALPN answer and multiplex on it when
	 * the server speaks HTTP/2, rather than open more connections. Plain http is never
	 * multiplexed here, and waiting would serialise it until the first response.
	 */
	if (strncasecmp(j->url, "https:", 6) == 0)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, f->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, f->total_timeout_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, f->low_speed_bytes);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, f->low_speed_seconds);
	curl_easy_setopt(e, CURLOPT_USERAGENT, f->user_agent);
	/* a proxy's CONNECT response is not the server's response */
	curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, (void *)j);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)j);
	if (j->headers != NULL)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers);
	if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
		snprintf(msg, msg_size, "cannot start a transfer: libcurl refused it");
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* Describes a failed transfer: what went wrong in our words, then libcurl's details. */
static void describe_failure(const struct job *j, CURLcode code, char *msg, size_t msg_size)
{
	const char *what;
	const char *detail = j->errbuf[0] != '\0' ? j->errbuf : curl_easy_strerror(code);

	if (j->over_cap) {
		snprintf(msg, msg_size, "body larger than %zu bytes", j->fetcher->max_body);
		return;
	}
	switch (code) {
	case CURLE_OPERATION_TIMEDOUT:
		what = "timed out";
		break;
	case CURLE_COULDNT_CONNECT:
		what = "cannot connect";
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		what = "cannot resolve host";
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		what = "cannot resolve proxy";
		break;
	case CURLE_PARTIAL_FILE:
		what = "connection closed before the whole body arrived (partial file)";
		break;
	case CURLE_RECV_ERROR:
		what = "connection broken while receiving";
		break;
	case CURLE_SEND_ERROR:
		what = "connection broken while sending";
		break;
	case CURLE_GOT_NOTHING:
		what = "server closed the connection without a response";
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		what = "too many redirects or a redirect loop";
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		what = "unsupported protocol";
		break;
	case CURLE_URL_MALFORMAT:
		what = "malformed URL";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		what = "TLS certificate verification failed";
		break;
	case CURLE_SSL_CONNECT_ERROR:
		what = "TLS handshake failed";
		break;
	case CURLE_SSL_CACERT_BADFILE:
		what = "cannot load the CA certificates";
		break;
	case CURLE_BAD_CONTENT_ENCODING:
		what = "cannot decode the compressed body";
		break;
	case CURLE_WEIRD_SERVER_REPLY:
		what = "malformed response";
		break;
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		what = "HTTP/2 error";
		break;
	case CURLE_FILESIZE_EXCEEDED:
		snprintf(msg, msg_size, "body larger than %zu bytes", j->fetcher->max_body);
		return;
	default:
		what = "transfer failed";
		break;
	}
	snprintf(msg, msg_size, "%s: %s", what, detail);
}

/* Splits Content-Type into a lowercased media type and its charset parameter. */
static void parse_content_type(const char *value, char **type, char **charset)
{
	const char *p = value, *start;
	char *t;
	size_t n;

	*type = *charset = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	start = p;
	while (*p != '\0' && *p != ';')
		p++;
	n = (size_t)(p - start);
	while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t'))
		n--;
	if (n > 0) {
		*type = oc_xstrndup(start, n);
		for (t = *type; *t != '\0'; t++)
			if (*t >= 'A' && *t <= 'Z')
				*t = (char)(*t - 'A' + 'a');
	}
	while (*p == ';') {
		const char *name, *val;
		size_t name_len, val_len;

		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		name = p;
		while (*p != '\0' && *p != '=' && *p != ';')
			p++;
		name_len = (size_t)(p - name);
		while (name_len > 0 && (name[name_len - 1] == ' ' || name[name_len - 1] == '\t'))
			name_len--;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			val = ++p;
			while (*p != '\0' && *p != '"')
				p++;
			val_len = (size_t)(p - val);
			if (*p == '"')
				p++;
			while (*p != '\0' && *p != ';')
				p++;
		} else {
			val = p;
			while (*p != '\0' && *p != ';')
				p++;
			val_len = (size_t)(p - val);
			while (val_len > 0 && (val[val_len - 1] == ' ' || val[val_len - 1] == '\t'))
				val_len--;
		}
		if (*charset == NULL && val_len > 0 && name_len == 7 &&
		    strncasecmp(name, "charset", 7) == 0)
			*charset = oc_xstrndup(val, val_len);
	}
}

/* Turns a Retry-After value (seconds or an HTTP date) into an epoch time, or 0. */
static int64_t parse_retry_after(const char *value, time_t now)
{
	const char *p = value;
	int64_t seconds = 0;
	time_t when;

	if (*p >= '0' && *p <= '9') {
		while (*p >= '0' && *p <= '9') {
			if (seconds < MAX_RETRY_AFTER_SECONDS)
				seconds = seconds * 10 + (*p - '0');
			p++;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0')
			return 0;
		if (seconds > MAX_RETRY_AFTER_SECONDS)
			seconds = MAX_RETRY_AFTER_SECONDS;
		return (int64_t)now + seconds;
	}
	when = curl_getdate(value, NULL);
	if (when == (time_t)-1)
		return 0;
	if (when < now)
		return (int64_t)now;
	if (when - now > MAX_RETRY_AFTER_SECONDS)
		return (int64_t)now + MAX_RETRY_AFTER_SECONDS;
	return (int64_t)when;
}

/* Returns 1 when a rel parameter's value (a space-separated list) contains "next". */
static int rel_has_next(const char *v, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && (v[i] == ' ' || v[i] == '\t'))
			i++;
		start = i;
		while (i < len && v[i] != ' ' && v[i] != '\t')
			i++;
		if (i - start == 4 && strncasecmp(v + start, "next", 4) == 0)
			return 1;
	}
	return 0;
}

/*
 * Finds the rel="next" target in a Link header value (RFC 8288):
 * `<url>; param=value; rel="next", <url>; ...`. Returns a newly allocated target as
 * written, or NULL.
 */
static char *link_next_target(const char *value)
{
	const char *p = value;

	for (;;) {
		const char *target, *target_end;
		int is_next = 0;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p != '<')
			return NULL;
		target = ++p;
		while (*p != '\0' && *p != '>')
			p++;
		if (*p != '>')
			return NULL;
		target_end = p++;
		/* parameters up to the next comma outside quotes */
		while (*p != '\0' && *p != ',') {
			const char *name, *val;
			size_t name_len, val_len;

			while (*p == ' ' || *p == '\t' || *p == ';')
				p++;
			name = p;
			while (*p != '\0' && *p != '=' && *p != ';' && *p != ',' && *p != ' ' &&
			       *p != '\t')
				p++;
			name_len = (size_t)(p - name);
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != '=')
				continue;
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '"') {
				val = ++p;
				while (*p != '\0' && *p != '"') {
					if (*p == '\\' && p[1] != '\0')
						p++;
					p++;
				}
				val_len = (size_t)(p - val);
				if (*p == '"')
					p++;
			} else {
				val = p;
				while (*p != '\0' && *p != ';' && *p != ',' && *p != ' ' && *p != '\t')
					p++;
				val_len = (size_t)(p - val);
			}
			if (name_len == 3 && strncasecmp(name, "rel", 3) == 0 && rel_has_next(val, val_len))
				is_next = 1;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		if (is_next && target_end > target)
			return oc_xstrndup(target, (size_t)(target_end - target));
	}
}

/* Resolves a possibly relative reference against base; returns a new string or NULL. */
static char *resolve_url(const char *base, const char *ref)
{
	CURLU *u = curl_url();
	char *resolved = NULL, *out = NULL;

	if (u == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &resolved, 0) == CURLUE_OK)
		out = oc_xstrdup(resolved);
	curl_free(resolved);
	curl_url_cleanup(u);
	return out;
}

/* Takes a running job's transfer out of the multi handle and the active list. */
static void stop_transfer(struct job *j)
{
	struct oc_fetcher *f = j->fetcher;
	struct job **pp;

	curl_multi_remove_handle(f->multi, j->easy);
	for (pp = &f->active_list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	}
	j->next = NULL;
	f->active--;
	f->hosts[j->host].active--;
}

/* Builds the result of a finished transfer, hands it to done and frees the job. */
static void finish_job(struct job *j, CURLcode code, oc_fetch_done_fn done, void *ctx)
{
	struct oc_fetcher *f = j->fetcher;
	struct oc_fetch_result res;
	char msg[CURL_ERROR_SIZE + 256];
	char *type = NULL, *charset = NULL, *next = NULL, *next_abs = NULL;
	char *effective = NULL;
	long status = 0;
	curl_off_t total_us = 0, downloaded = 0;

	stop_transfer(j);
	memset(&res, 0, sizeof(res));
	res.url = j->url;
	res.user = j->user;
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(j->easy, CURLINFO_EFFECTIVE_URL, &effective);
	curl_easy_getinfo(j->easy, CURLINFO_TOTAL_TIME_T, &total_us);
	curl_easy_getinfo(j->easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded);
	res.status = (int)status;
	res.final_url = effective != NULL ? effective : j->url;
	res.permanent_redirect = j->permanent;
	res.elapsed_ms = (long)(total_us / 1000);
	res.bytes = downloaded > 0 ? (size_t)downloaded : 0;
	if (code != CURLE_OK) {
		describe_failure(j, code, msg, sizeof(msg));
		res.error = msg;
	} else {
		res.body = j->body.data;
		res.body_len = j->body.len;
	}
	res.etag = j->resp.etag;
	res.last_modified = j->resp.last_modified;
	if (j->resp.content_type != NULL) {
		parse_content_type(j->resp.content_type, &type, &charset);
		res.content_type = type;
		res.charset = charset;
	}
	if (j->resp.retry_after != NULL && (status == 429 || status == 503))
		res.retry_after = parse_retry_after(j->resp.retry_after, time(NULL));
	if (j->resp.link.len > 0 && (next = link_next_target(j->resp.link.data)) != NULL) {
		/* RFC 8288: a relative target is relative to the response's own URL */
		next_abs = resolve_url(res.final_url, next);
		res.link_next = next_abs;
	}
	if (done != NULL)
		done(ctx, f, &res);
	free(next_abs);
	free(next);
	free(charset);
	free(type);
	job_free(j);
}

/* Hands done a result for a job that failed before its transfer could start. */
static void fail_job(struct job *j, const char *message, oc_fetch_done_fn done, void *ctx)
{
	struct oc_fetch_result res;

	memset(&res, 0, sizeof(res));
	res.url = j->url;
	res.user = j->user;
	res.final_url = j->url;
	res.error = message;
	if (done != NULL)
		done(ctx, j->fetcher, &res);
	job_free(j);
}

/* Unlinks and returns the first queued job that may start now, or NULL. */
static struct job *next_startable(struct oc_fetcher *f)
{
	struct job *j, *prev = NULL;

	if (f->active >= f->max_parallel)
		return NULL;
	for (j = f->queue_head; j != NULL; prev = j, j = j->next) {
		if (!j->is_file && f->hosts[j->host].active >= f->max_per_host)
			continue;
		if (prev != NULL)
			prev->next = j->next;
		else
			f->queue_head = j->next;
		if (f->queue_tail == j)
			f->queue_tail = prev;
		j->next = NULL;
		return j;
	}
	return NULL;
}

/* Starts every queued job that fits under the caps; file jobs finish right here. */
static void start_jobs(struct oc_fetcher *f, oc_fetch_done_fn done, void *ctx)
{
	struct job *j;
	char msg[512];

	while ((j = next_startable(f)) != NULL) {
		if (j->is_file) {
			run_file_job(j, done, ctx);
			job_free(j);
			continue;
		}
		if (j->url[0] == '\0') {
			fail_job(j, "empty URL", done, ctx);
			continue;
		}
		if (job_setup(j, msg, sizeof(msg)) < 0) {
			fail_job(j, msg, done, ctx);
			continue;
		}
		j->next = f->active_list;
		f->active_list = j;
		f->active++;
		f->hosts[j->host].active++;
	}
}

/* Collects finished transfers and reports each. Returns how many finished. */
static int collect_done(struct oc_fetcher *f, oc_fetch_done_fn done, void *ctx)
{
	CURLMsg *m;
	int left, finished = 0;

	while ((m = curl_multi_info_read(f->multi, &left)) != NULL) {
		struct job *j = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
		/* m is invalid once its handle is removed: the code is read before that */
		finish_job(j, m->data.result, done, ctx);
		finished++;
	}
	return finished;
}

/* After a multi handle failure: reports every job, in flight or queued, as failed. */
static void fail_everything(struct oc_fetcher *f, const char *message, oc_fetch_done_fn done,
			    void *ctx)
{
	struct job *j;

	while ((j = f->active_list) != NULL) {
		stop_transfer(j);
		fail_job(j, message, done, ctx);
	}
	while ((j = f->queue_head) != NULL) {
		f->queue_head = j->next;
		if (f->queue_head == NULL)
			f->queue_tail = NULL;
		j->next = NULL;
		fail_job(j, message, done, ctx);
	}
}

int oc_fetcher_run(struct oc_fetcher *f, oc_fetch_done_fn done, void *ctx, struct oc_error *err)
{
	int still_running = 0;
	CURLMcode mc;
	int rc = -1;

	if (f->running)
		return oc_error_set(err, OC_ERR_USAGE, "cannot run the fetcher: it is already running");
	f->running = 1;
	for (;;) {
		start_jobs(f, done, ctx);
		if (f->active == 0 && f->queue_head == NULL)
			break;
		mc = curl_multi_perform(f->multi, &still_running);
		/* a finished transfer frees a slot: fill it before waiting */
		if (mc == CURLM_OK && collect_done(f, done, ctx) > 0)
			continue;
		if (mc == CURLM_OK && f->active > 0)
			mc = curl_multi_poll(f->multi, NULL, 0, POLL_MS, NULL);
		if (mc != CURLM_OK) {
			char msg[256];

			snprintf(msg, sizeof(msg), "fetcher failed: %s", curl_multi_strerror(mc));
			oc_error_set(err, OC_ERR_IO, "%s", msg);
			fail_everything(f, msg, done, ctx);
			goto out;
		}
	}
	rc = 0;
out:
	f->running = 0;
	return rc;
}
