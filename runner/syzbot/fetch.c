/* SPDX-License-Identifier: MIT */
#include "fetch.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "stale.h"
#include "util.h"
#include "xz.h"

#ifndef KRADAR_VERSION
#define KRADAR_VERSION "unknown"
#endif

/* A partial download unused this long is removed when its lock is free. */
#define PART_MAX_AGE_S (7 * 24 * 3600.0)

/* What an error page may contribute to a message. */
#define ERROR_BODY_MAX 512

struct kr_fetcher {
	struct kr_fetch_config cfg;
	char *cache_dir;
	char *rate_host;
	uint64_t last_rate_request_ns; /* 0: none yet */
	CURL *curl;
};

/* ----- libcurl, opened on first use ----- */

/* libcurl is opened when a URL is first parsed or a fetcher made, not
 * linked: loading it and the thirty libraries it pulls in (TLS, LDAP,
 * Kerberos, SSH, IDN, ...) took every kradar process about 10 ms at start
 * (perf stat: 12.8 ms for an empty program linked with -lcurl, 2.5 ms
 * without), a tenth of `kradar classify` on a 200 MB log, for commands
 * that never download. */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *c);
	void (*easy_reset)(CURL *c);
	CURLcode (*easy_setopt)(CURL *c, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *content, unsigned flags);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart part, char **content, unsigned flags);
	void (*url_cleanup)(CURLU *u);
	void (*free)(void *p);
} curl_api;

static pthread_once_t curl_api_once = PTHREAD_ONCE_INIT;
static int curl_api_status = -EAGAIN; /* 0 once opened and initialised */
static char *curl_api_error;          /* why not, for the user */

static const char curl_soname[] = "libcurl.so.4";

static void curl_api_open(void)
{
	void *h = dlopen(curl_soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		curl_api_error = kr_asprintf("cannot load %s (Debian: libcurl4): %s", curl_soname,
					     dlerror());
		curl_api_status = -ELIBACC;
		return;
	}
	struct {
		void **slot;
		const char *name;
	} syms[] = {
#define CURL_SYM(field) { (void **)&curl_api.field, "curl_" #field }
		CURL_SYM(global_init), CURL_SYM(easy_init),    CURL_SYM(easy_cleanup),
		CURL_SYM(easy_reset),  CURL_SYM(easy_setopt),  CURL_SYM(easy_perform),
		CURL_SYM(easy_getinfo), CURL_SYM(easy_strerror), CURL_SYM(url),
		CURL_SYM(url_set),     CURL_SYM(url_get),      CURL_SYM(url_cleanup),
		CURL_SYM(free),
#undef CURL_SYM
	};
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (!*syms[i].slot) {
			curl_api_error = kr_asprintf("%s has no %s (libcurl 7.62 or later is needed)",
						     curl_soname, syms[i].name);
			curl_api_status = -ELIBBAD;
			return;
		}
	}
	if (curl_api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		curl_api_error = kr_strdup("cannot initialise libcurl");
		curl_api_status = -ENOMEM;
		return;
	}
	curl_api_status = 0;
}

int kr_fetch_library_load(char **err)
{
	pthread_once(&curl_api_once, curl_api_open);
	if (curl_api_status < 0 && err)
		*err = kr_strdup(curl_api_error);
	return curl_api_status;
}

/* ----- URLs ----- */

static CURLU *url_parse(const char *url)
{
	/* a library that cannot be loaded parses nothing: commands that take
	 * URLs call kr_fetch_library_load() first and say why */
	if (kr_fetch_library_load(NULL) < 0)
		return NULL;
	CURLU *u = curl_api.url();
	if (!u)
		abort();
	if (curl_api.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		curl_api.url_cleanup(u);
		return NULL;
	}
	char *scheme = NULL;
	bool ok = curl_api.url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		  (!strcmp(scheme, "http") || !strcmp(scheme, "https"));
	curl_api.free(scheme);
	if (!ok) {
		curl_api.url_cleanup(u);
		return NULL;
	}
	return u;
}

static char *url_part(CURLU *u, CURLUPart part)
{
	char *s = NULL;
	if (curl_api.url_get(u, part, &s, 0) != CURLUE_OK)
		return NULL;
	char *copy = kr_strdup(s);
	curl_api.free(s);
	return copy;
}

char *kr_url_resolve(const char *base, const char *ref)
{
	CURLU *u = url_parse(base);
	if (!u)
		return NULL;
	char *out = NULL;
	/* Setting a URL on a handle that has one resolves it as relative. */
	if (curl_api.url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK)
		out = url_part(u, CURLUPART_URL);
	curl_api.url_cleanup(u);
	if (out) {
		CURLU *check = url_parse(out);
		if (!check) {
			free(out);
			return NULL;
		}
		curl_api.url_cleanup(check);
	}
	return out;
}

char *kr_url_host(const char *url)
{
	CURLU *u = url_parse(url);
	if (!u)
		return NULL;
	char *host = url_part(u, CURLUPART_HOST);
	char *port = url_part(u, CURLUPART_PORT);
	curl_api.url_cleanup(u);
	if (host && port) {
		char *hp = kr_asprintf("%s:%s", host, port);
		free(host);
		host = hp;
	}
	free(port);
	return host;
}

char *kr_url_basename(const char *url)
{
	CURLU *u = url_parse(url);
	if (!u)
		return NULL;
	_cleanup_free_ char *path = url_part(u, CURLUPART_PATH);
	curl_api.url_cleanup(u);
	if (!path)
		return kr_strdup("");
	const char *slash = strrchr(path, '/');
	return kr_strdup(slash ? slash + 1 : path);
}

/* ----- the fetcher ----- */

int kr_fetcher_new(const struct kr_fetch_config *cfg, struct kr_fetcher **out, char **err)
{
	*out = NULL;
	*err = NULL;
	int r = kr_fetch_library_load(err);
	if (r < 0)
		return r;
	_cleanup_free_ char *dir = NULL;
	if (cfg->cache_dir) {
		dir = kr_strdup(cfg->cache_dir);
	} else {
		_cleanup_free_ char *root = kr_cache_dir();
		dir = kr_path_join(root, "downloads");
	}
	r = kr_mkdir_p(dir, 0755);
	if (r < 0) {
		*err = kr_asprintf("%s: cannot create the download cache: %s", dir, strerror(-r));
		return r;
	}
	struct kr_fetcher *f = kr_calloc(1, sizeof(*f));
	f->cfg = *cfg;
	f->cache_dir = KR_TAKE_PTR(dir);
	f->rate_host = kr_strdup(cfg->rate_host);
	if (!f->cfg.max_attempts)
		f->cfg.max_attempts = 5;
	if (f->cfg.backoff_initial_s <= 0)
		f->cfg.backoff_initial_s = 1;
	if (f->cfg.backoff_max_s <= 0)
		f->cfg.backoff_max_s = 30;
	if (f->cfg.connect_timeout_s <= 0)
		f->cfg.connect_timeout_s = 30;
	if (f->cfg.stall_timeout_s <= 0)
		f->cfg.stall_timeout_s = 60;
	if (f->cfg.total_timeout_s <= 0)
		f->cfg.total_timeout_s = 3600;
	/* parts nobody resumed for a week go (stale.h) */
	kr_stale_sweep_parts(f->cache_dir, PART_MAX_AGE_S);
	kr_stale_sweep_tmp(f->cache_dir, 0);
	f->curl = curl_api.easy_init();
	if (!f->curl) {
		kr_fetcher_free(f);
		*err = kr_strdup("cannot initialise libcurl");
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

void kr_fetcher_free(struct kr_fetcher *f)
{
	if (!f)
		return;
	if (f->curl)
		curl_api.easy_cleanup(f->curl);
	free(f->cache_dir);
	free(f->rate_host);
	free(f);
}

void kr_fetch_result_clear(struct kr_fetch_result *res)
{
	free(res->path);
	*res = (struct kr_fetch_result){ 0 };
}

static void notice(struct kr_fetcher *f, const char *fmt, ...) KR_PRINTF(2, 3);
static void notice(struct kr_fetcher *f, const char *fmt, ...)
{
	if (!f->cfg.notice)
		return;
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	f->cfg.notice(f->cfg.userdata, msg);
}

static void sleep_s(double s)
{
	if (s <= 0)
		return;
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ----- cache entries ----- */

/* KEY-NAME: the URL's digest and a readable, safe form of its last path
 * segment. */
static char *entry_name(const char *url)
{
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(url, strlen(url), hex);
	_cleanup_free_ char *base = kr_url_basename(url);
	char safe[65];
	size_t n = 0;
	for (const char *p = base ? base : ""; *p && n < sizeof(safe) - 1; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == '-';
		safe[n++] = ok ? c : '_';
	}
	safe[n] = '\0';
	if (n == 0 || safe[0] == '.')
		return kr_asprintf("%.32s-file%s", hex, safe);
	return kr_asprintf("%.32s-%s", hex, safe);
}

/* A complete entry: its sidecar must name its size and digest. */
static bool entry_valid(const char *path, struct kr_fetch_result *res)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	_cleanup_free_ char *side = kr_asprintf("%s.sha256", path);
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (kr_read_file(side, 256, &text, &len) < 0)
		return false;
	char hex[KR_SHA256_HEX_SIZE];
	unsigned long long size;
	if (sscanf(text, "%64[0-9a-f] %llu", hex, &size) != 2 || strlen(hex) != 64 ||
	    size != (unsigned long long)st.st_size)
		return false;
	memcpy(res->sha256, hex, sizeof(hex));
	res->size = size;
	return true;
}

/* ----- one transfer ----- */

struct transfer {
	struct kr_fetcher *f;
	const char *name; /* for progress */
	int fd;           /* the .part file, positioned at its end */
	uint64_t offset;  /* bytes present before this attempt */
	uint64_t written; /* bytes written by this attempt */
	uint64_t max_size;
	long status;            /* of the last status line */
	bool status_ok;         /* 2xx: the body is the file */
	bool restarted;         /* a 200 to a Range request: start over */
	int64_t content_length; /* -1: unknown */
	int64_t range_start, range_total; /* from Content-Range, -1: none */
	bool too_big;
	int io_error; /* negative errno from writing the part */
	struct kr_buf error_body;
	uint64_t last_progress_ns;
};

/* The whole file's size as the server announced it, -1 when it did not. */
static int64_t expected_size(const struct transfer *t)
{
	if (t->range_total >= 0)
		return t->range_total;
	if (t->content_length < 0)
		return -1;
	return t->status == 206 ? (int64_t)t->offset + t->content_length : t->content_length;
}

static bool header_is(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);
	return len > n && strncasecmp(line, name, n) == 0 && line[n] == ':';
}

static int64_t parse_u64(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	return v > INT64_MAX ? -1 : (int64_t)v;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t len = size * nmemb;
	_cleanup_free_ char *line = kr_strndup(data, len);
	if (kr_str_startswith(line, "HTTP/")) {
		/* A new response (after a redirect, or a 100 Continue). */
		const char *sp = strchr(line, ' ');
		t->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		t->status_ok = t->status >= 200 && t->status < 300;
		t->content_length = -1;
		t->range_start = t->range_total = -1;
		return len;
	}
	if (header_is(line, len, "Content-Length")) {
		t->content_length = parse_u64(line + strlen("Content-Length:"));
		uint64_t start = t->status == 206 ? t->offset : 0;
		if (t->status_ok && t->content_length >= 0 &&
		    start + (uint64_t)t->content_length > t->max_size) {
			t->too_big = true;
			return 0; /* abort the transfer */
		}
	} else if (header_is(line, len, "Content-Range")) {
		/* bytes START-END/TOTAL, or bytes * /TOTAL on a 416 */
		const char *v = line + strlen("Content-Range:");
		while (*v == ' ')
			v++;
		if (kr_str_startswith(v, "bytes "))
			v += 6;
		t->range_start = *v == '*' ? -1 : parse_u64(v);
		const char *slash = strchr(v, '/');
		t->range_total = slash && slash[1] != '*' ? parse_u64(slash + 1) : -1;
		if (t->status_ok && t->range_total > 0 && (uint64_t)t->range_total > t->max_size) {
			t->too_big = true;
			return 0;
		}
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t len = size * nmemb;
	if (!t->status_ok) {
		/* An error page: keep the start of it for the message. */
		size_t room = ERROR_BODY_MAX - t->error_body.len;
		kr_buf_add(&t->error_body, data, len < room ? len : room);
		return len;
	}
	if (t->written == 0 && t->offset > 0 && t->status == 200) {
		/* The server ignored the Range: the body is the whole file. */
		if (ftruncate(t->fd, 0) < 0 || lseek(t->fd, 0, SEEK_SET) < 0) {
			t->io_error = -errno;
			return 0;
		}
		t->offset = 0;
		t->restarted = true;
	}
	if (t->offset + t->written + len > t->max_size) {
		t->too_big = true;
		return 0;
	}
	for (size_t done = 0; done < len;) {
		ssize_t w = write(t->fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			t->io_error = -errno;
			return 0;
		}
		done += (size_t)w;
	}
	t->written += len;
	return len;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct transfer *t = userdata;
	struct kr_fetcher *f = t->f;
	if (!f->cfg.progress || !t->status_ok)
		return 0;
	uint64_t now = kr_now_ns();
	if (now - t->last_progress_ns < 100000000ull)
		return 0; /* ten updates a second are plenty */
	t->last_progress_ns = now;
	uint64_t base = t->status == 206 ? t->offset : 0;
	int64_t total = expected_size(t);
	f->cfg.progress(f->cfg.userdata, t->name, base + (uint64_t)dlnow,
			total > 0 ? (uint64_t)total : dltotal > 0 ? base + (uint64_t)dltotal : 0, false);
	return 0;
}

static void rate_wait(struct kr_fetcher *f, const char *url)
{
	if (!f->rate_host || f->cfg.rate_interval_s <= 0)
		return;
	_cleanup_free_ char *host = kr_url_host(url);
	if (!host || strcasecmp(host, f->rate_host) != 0)
		return;
	if (f->last_rate_request_ns) {
		double since = (double)(kr_now_ns() - f->last_rate_request_ns) / 1e9;
		sleep_s(f->cfg.rate_interval_s - since);
	}
	f->last_rate_request_ns = kr_now_ns();
}

static bool transient_curl(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static bool transient_status(long s)
{
	return s == 408 || s == 429 || (s >= 500 && s <= 599);
}

static int curl_errno(CURLcode c)
{
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: return -EHOSTUNREACH;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL: return -EINVAL;
	default: return -EIO;
	}
}

static void setup(struct kr_fetcher *f, struct transfer *t, const char *url, char *errbuf,
		  double left_s)
{
	CURL *c = f->curl;
	curl_api.easy_reset(c);
	curl_api.easy_setopt(c, CURLOPT_URL, url);
	curl_api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_api.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_api.easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_api.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_api.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_api.easy_setopt(c, CURLOPT_USERAGENT, "kradar/" KRADAR_VERSION);
	curl_api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(f->cfg.connect_timeout_s * 1000));
	/* what is left of the download's total time (at least 1 ms: 0 is none) */
	curl_api.easy_setopt(c, CURLOPT_TIMEOUT_MS, left_s > 0.001 ? (long)(left_s * 1000) : 1L);
	/* A stalled transfer: under 1 byte/s for stall_timeout_s. */
	curl_api.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_api.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)ceil(f->cfg.stall_timeout_s));
	curl_api.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_api.easy_setopt(c, CURLOPT_HEADERDATA, t);
	curl_api.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_api.easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_api.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_api.easy_setopt(c, CURLOPT_XFERINFODATA, t);
	curl_api.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_api.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (t->offset > 0) {
		char range[48];
		snprintf(range, sizeof(range), "%" PRIu64 "-", t->offset);
		curl_api.easy_setopt(c, CURLOPT_RANGE, range);
	}
}

/* -errno, with *err naming file (for a failed call on it). */
static int file_error(const char *file, char **err)
{
	int r = -errno;
	*err = kr_asprintf("%s: %s", file, strerror(-r));
	return r;
}

/* Publishes a finished .part: fsync, digest, sidecar, rename. */
static int finish(const char *part, const char *path, int fd, struct kr_fetch_result *res, char **err)
{
	struct stat st;
	if (fsync(fd) < 0 || fstat(fd, &st) < 0)
		return file_error(part, err);
	int r = kr_sha256_file(part, res->sha256);
	if (r < 0) {
		*err = kr_asprintf("%s: %s", part, strerror(-r));
		return r;
	}
	res->size = (uint64_t)st.st_size;
	_cleanup_free_ char *side = kr_asprintf("%s.sha256", path);
	_cleanup_free_ char *text = kr_asprintf("%s %llu\n", res->sha256, (unsigned long long)res->size);
	/* Sidecar first: a crash between the two leaves an entry that
	 * entry_valid() rejects, never one that passes unchecked. */
	unlink(path);
	if ((r = kr_write_file_atomic(side, text, strlen(text), 0644)) < 0 ||
	    (rename(part, path) < 0 && (r = -errno))) {
		*err = kr_asprintf("%s: %s", path, strerror(-r));
		return r;
	}
	return 0;
}

static char *describe_status(struct transfer *t)
{
	/* The first line of an error page often says why (a JSON error or
	 * "Bug not found"); keep it short and printable. */
	char first[121] = "";
	size_t n = 0;
	for (size_t i = 0; t->error_body.data && i < t->error_body.len && n < sizeof(first) - 1; i++) {
		char c = t->error_body.data[i];
		if (c == '\n' || c == '\r')
			break;
		first[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	first[n] = '\0';
	if (first[0] == '<')
		n = 0; /* markup says nothing useful on one line */
	return n ? kr_asprintf("HTTP %ld (%s)", t->status, first) : kr_asprintf("HTTP %ld", t->status);
}

int kr_fetch(struct kr_fetcher *f, const char *url, uint64_t max_size, unsigned flags,
	     struct kr_fetch_result *res, char **err)
{
	*res = (struct kr_fetch_result){ 0 };
	*err = NULL;
	_cleanup_free_ char *base = kr_url_basename(url);
	if (!base) {
		*err = kr_asprintf("%s: not an http(s) URL", url);
		return -EINVAL;
	}
	_cleanup_free_ char *name = entry_name(url);
	_cleanup_free_ char *path = kr_path_join(f->cache_dir, name);
	_cleanup_free_ char *part = kr_asprintf("%s.part", path);
	_cleanup_free_ char *lock = kr_asprintf("%s.lock", path);
	res->path = kr_strdup(path);

	/* One process per entry at a time; the others wait, then find it done. */
	_cleanup_close_ int lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX) < 0) {
		int r = -errno;
		*err = kr_asprintf("%s: cannot lock the cache entry: %s", lock, strerror(errno));
		return r;
	}
	bool cached = entry_valid(path, res);
	if (cached && (!(flags & KR_FETCH_REFRESH) || f->cfg.offline)) {
		if (res->size > max_size) {
			*err = kr_asprintf("%s: larger than %" PRIu64 " bytes (%" PRIu64 " in the cache)",
					   url, max_size, res->size);
			return -EFBIG;
		}
		res->from_cache = true;
		return 0;
	}
	if (f->cfg.offline) {
		*err = kr_asprintf("%s: not in the download cache (%s) and --offline is set", url,
				   f->cache_dir);
		return -ENOENT;
	}

	_cleanup_close_ int fd = open(part, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return file_error(part, err);
	const char *display = *base ? base : url;
	double deadline = kr_now_s() + f->cfg.total_timeout_s;
	for (unsigned attempt = 1;; attempt++) {
		res->attempts = attempt;
		struct stat st;
		if (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_END) < 0)
			return file_error(part, err);
		struct transfer t = {
			.f = f, .name = display, .fd = fd, .offset = (uint64_t)st.st_size,
			.max_size = max_size, .content_length = -1, .range_start = -1,
			.range_total = -1, .error_body = KR_BUF_INIT(ERROR_BODY_MAX),
		};
		if (t.offset > max_size) {
			/* A part from an earlier, larger limit. */
			if (ftruncate(fd, 0) < 0)
				return file_error(part, err);
			t.offset = 0;
		}
		char errbuf[CURL_ERROR_SIZE] = "";
		setup(f, &t, url, errbuf, deadline - kr_now_s());
		rate_wait(f, url);
		CURLcode cr = curl_api.easy_perform(f->curl);
		res->http_status = (int)t.status;
		if (f->cfg.progress && t.status_ok) {
			int64_t total = expected_size(&t);
			f->cfg.progress(f->cfg.userdata, display, t.offset + t.written,
					total > 0 ? (uint64_t)total : 0, true);
		}
		_cleanup_free_ char *why = NULL;
		int fail = 0;
		bool retry = false;
		if (t.io_error) {
			*err = kr_asprintf("%s: %s", part, strerror(-t.io_error));
			kr_buf_free(&t.error_body);
			return t.io_error;
		}
		if (t.too_big) {
			kr_buf_free(&t.error_body);
			unlink(part); /* nothing worth resuming */
			*err = kr_asprintf("%s: larger than the limit of %" PRIu64 " bytes", url, max_size);
			return -EFBIG;
		}
		if (cr == CURLE_OK && t.status == 416 && t.offset > 0) {
			/* Nothing left to send: the part may already be whole. */
			if (t.range_total >= 0 && (uint64_t)t.range_total == t.offset) {
				kr_buf_free(&t.error_body);
				return finish(part, path, fd, res, err);
			}
			why = kr_strdup("HTTP 416 for a partial download: starting over");
			if (ftruncate(fd, 0) < 0)
				return file_error(part, err);
			retry = true;
			fail = -EBADMSG;
		} else if (cr == CURLE_OK && t.status_ok) {
			/* The sizes must add up: what the server announced is
			 * what the file now holds. */
			uint64_t have = t.offset + t.written;
			int64_t want = expected_size(&t);
			bool start_ok = t.status != 206 || t.range_start == (int64_t)t.offset;
			if (!start_ok || (want >= 0 && (uint64_t)want != have)) {
				why = kr_asprintf("size mismatch: have %" PRIu64 " bytes, the server said %" PRId64
						  "; starting over",
						  have, want);
				if (ftruncate(fd, 0) < 0)
					return file_error(part, err);
				retry = true;
				fail = -EBADMSG;
			} else {
				kr_buf_free(&t.error_body);
				return finish(part, path, fd, res, err);
			}
		} else if (cr == CURLE_OK) {
			why = describe_status(&t);
			retry = transient_status(t.status);
			fail = t.status == 404 || t.status == 410 ? -ENOENT : -EREMOTEIO;
		} else {
			why = kr_strdup(errbuf[0] ? errbuf : curl_api.easy_strerror(cr));
			retry = transient_curl(cr);
			fail = curl_errno(cr);
		}
		kr_buf_free(&t.error_body);
		if (retry && kr_now_s() >= deadline) {
			free(why);
			why = kr_asprintf("no complete answer within %.0f s", f->cfg.total_timeout_s);
			retry = false;
			fail = -ETIMEDOUT;
		}
		if (!retry || attempt >= f->cfg.max_attempts) {
			if (attempt > 1)
				*err = kr_asprintf("%s: %s (gave up after %u attempts)", url, why, attempt);
			else
				*err = kr_asprintf("%s: %s", url, why);
			if (fail != -EBADMSG && t.offset + t.written == 0)
				unlink(part);
			return fail;
		}
		double delay = f->cfg.backoff_initial_s * pow(2, attempt - 1);
		curl_off_t retry_after = 0;
		if (t.status == 429 &&
		    curl_api.easy_getinfo(f->curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
		    retry_after > 0)
			delay = (double)retry_after;
		if (delay > f->cfg.backoff_max_s)
			delay = f->cfg.backoff_max_s;
		if (delay > deadline - kr_now_s())
			delay = fmax(0, deadline - kr_now_s());
		notice(f, "%s: %s; retrying in %.0f s (attempt %u of %u)", url, why, ceil(delay),
		       attempt + 1, f->cfg.max_attempts);
		sleep_s(delay);
	}
}

/* ----- .xz downloads ----- */

/* "HEX SIZE XZHEX" beside a decompressed download: valid while it matches
 * the file and the .xz it came from. */
static bool unxz_valid(const char *path, const char *xz_sha256, char hex[KR_SHA256_HEX_SIZE],
		       uint64_t *size)
{
	_cleanup_free_ char *side = kr_asprintf("%s.sha256", path);
	_cleanup_free_ char *text = NULL;
	size_t len;
	struct stat st;
	if (kr_read_file(side, 512, &text, &len) < 0 || stat(path, &st) < 0)
		return false;
	char h[65], src[65];
	unsigned long long n;
	if (sscanf(text, "%64s %llu %64s", h, &n, src) != 3 || strcmp(src, xz_sha256) != 0 ||
	    n != (unsigned long long)st.st_size)
		return false;
	memcpy(hex, h, KR_SHA256_HEX_SIZE);
	*size = n;
	return true;
}

int kr_fetch_plain(struct kr_fetcher *f, const struct kr_fetch_result *res, uint64_t max_out,
		   struct kr_fetch_plain *out, char **err)
{
	*out = (struct kr_fetch_plain){ 0 };
	char head[8] = { 0 };
	int fd = open(res->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, head, sizeof(head)) < 0)
			head[0] = 0;
		close(fd);
	}
	if (!kr_xz_magic(head, sizeof(head))) {
		out->path = kr_strdup(res->path);
		memcpy(out->sha256, res->sha256, KR_SHA256_HEX_SIZE);
		out->size = res->size;
		return 0;
	}
	_cleanup_free_ char *unxz = kr_asprintf("%s.unxz", res->path);
	if (!unxz_valid(unxz, res->sha256, out->sha256, &out->size)) {
		const char *base = strrchr(res->path, '/');
		notice(f, "decompressing %s", base ? base + 1 : res->path);
		int r = kr_xz_decompress_file(res->path, unxz, max_out, out->sha256, err);
		if (r < 0)
			return r;
		struct stat st;
		out->size = stat(unxz, &st) == 0 ? (uint64_t)st.st_size : 0;
		_cleanup_free_ char *side = kr_asprintf("%s.sha256", unxz);
		_cleanup_free_ char *text = kr_asprintf("%s %llu %s\n", out->sha256,
							(unsigned long long)out->size, res->sha256);
		kr_write_file_atomic(side, text, strlen(text), 0644);
	}
	out->path = KR_TAKE_PTR(unxz);
	out->decompressed = true;
	return 0;
}
