/* SPDX-License-Identifier: MIT */
/* Downloads into a shared cache (the only libcurl user).
 *
 * Every download lands in one cache directory, keyed by URL, so each file
 * is fetched once however many scenarios use it:
 *
 *   ${XDG_CACHE_HOME:-$HOME/.cache}/kradar/downloads/
 *     KEY-NAME           a complete download (KEY: 32 hex digits of sha256(URL))
 *     KEY-NAME.sha256    "SHA256 SIZE\n" of it, checked on every cache hit
 *     KEY-NAME.part      a partial download, resumed with a Range request
 *     KEY-NAME.lock      flock()ed while a process works on the entry
 *
 * A .part is kept for resuming; one whose lock is free and that nobody has
 * written for 7 days is removed when a fetcher is made (stale.h).
 *
 * A download is written to the .part file and renamed into place only when
 * complete and its size checked (Content-Length / Content-Range). Transient
 * failures (timeouts, refused or reset connections, transfers cut short,
 * HTTP 408, 429 and 5xx) are retried with exponential backoff, capped, and
 * for 429 after the server's Retry-After (capped too); other HTTP errors
 * (404 and the rest of 4xx) are final at once. HTTPS certificates are
 * verified; only http and https URLs (and redirects to them) are followed.
 * Requests to one configured host (the dashboard) can be spaced out. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sha256.h"
#include "util.h"

struct kr_fetch_config {
	const char *cache_dir;     /* NULL: ${XDG_CACHE_HOME:-$HOME/.cache}/kradar/downloads */
	bool offline;              /* use only the cache: a miss is an error, no request */
	unsigned max_attempts;     /* per download; 0: 5 */
	double backoff_initial_s;  /* first retry delay, doubled each time; 0: 1 */
	double backoff_max_s;      /* cap for the delay and for Retry-After; 0: 30 */
	double connect_timeout_s;  /* 0: 30 */
	double stall_timeout_s;    /* abort a transfer that receives nothing this long; 0: 60 */
	double total_timeout_s;    /* a download's whole time, retries included; 0: 3600 */
	const char *rate_host;     /* "host" or "host:port" whose requests are spaced ... */
	double rate_interval_s;    /* ... at least this far apart (0: not at all) */
	/* Called (when set) with a one-line notice: a retry and its reason. */
	void (*notice)(void *userdata, const char *message);
	/* Called (when set) as bytes arrive: the file's name, bytes present
	 * (including a resumed part) and the total (0 while unknown); done is
	 * true once, at the end of each transfer attempt. */
	void (*progress)(void *userdata, const char *name, uint64_t now, uint64_t total,
			 bool done);
	void *userdata;
};

struct kr_fetcher;

/* Opens libcurl, which is not linked but loaded on first use (fetch.c
 * says why); every function of this module does it when needed. A command
 * that takes URLs calls it first, so that a missing library is its error
 * and not "not a URL". 0, or -errno with *err (when err is not NULL). */
int kr_fetch_library_load(char **err);

/* Opens libcurl and creates the cache directory. -errno with *err on
 * failure. */
int kr_fetcher_new(const struct kr_fetch_config *cfg, struct kr_fetcher **out, char **err);
void kr_fetcher_free(struct kr_fetcher *f);
KR_DEFINE_CLEANUP(struct kr_fetcher, kr_fetcher_free)
#define _cleanup_fetcher_free_ _cleanup_(kr_fetcher_freep)

enum {
	/* Download again even when the cache has the URL (for answers that
	 * change, such as a bug's JSON); offline, the cached copy is used. */
	KR_FETCH_REFRESH = 1 << 0,
};

struct kr_fetch_result {
	char *path;      /* the cache file (owned) */
	uint64_t size;
	char sha256[KR_SHA256_HEX_SIZE];
	bool from_cache; /* served from the cache without a request */
	int http_status; /* last HTTP status seen, 0 when none (also on failure) */
	unsigned attempts;
};

/* Downloads url (at most max_size bytes) into the cache, or finds it
 * there. On failure *err names the URL and the reason, and:
 *   -ENOENT     HTTP 404 or 410, or (offline) not in the cache
 *   -EREMOTEIO  another HTTP error status (any 4xx; 5xx after the retries)
 *   -EFBIG      the file is larger than max_size
 *   -EBADMSG    the server's sizes do not add up
 *   -ETIMEDOUT, -ECONNREFUSED, -EIO  the transfer failed, after the retries
 *   -errno      the cache could not be written */
int kr_fetch(struct kr_fetcher *f, const char *url, uint64_t max_size, unsigned flags,
	     struct kr_fetch_result *res, char **err);
void kr_fetch_result_clear(struct kr_fetch_result *res);

/* A download as it is to be used: a download that is .xz (by its content)
 * is decompressed once, next to it in the cache (KEY-NAME.unxz, with
 * KEY-NAME.unxz.sha256 holding "SHA256 SIZE XZSHA256", checked on every
 * use, so a new download is decompressed again); any other download is
 * used as it is. The fetcher's notice callback hears "decompressing NAME"
 * when the work is done. */
struct kr_fetch_plain {
	char *path;          /* the file to use (owned) */
	bool decompressed;   /* path is the decompressed copy */
	char sha256[KR_SHA256_HEX_SIZE]; /* of the decompressed copy */
	uint64_t size;       /* of the decompressed copy */
};
/* res: a kr_fetch() result. Errors as kr_xz_decompress_file()'s (with
 * *err naming the URL's file): -EFBIG beyond max_out bytes, -EBADMSG for
 * a corrupt .xz, -errno for I/O. */
int kr_fetch_plain(struct kr_fetcher *f, const struct kr_fetch_result *res, uint64_t max_out,
		   struct kr_fetch_plain *out, char **err);

/* ref resolved against base (RFC 3986; ref may be absolute). NULL when
 * either is not a valid http(s) URL. */
char *kr_url_resolve(const char *base, const char *ref);
/* "host" or "host:port" (port only when the URL names one); NULL when url
 * is not a valid URL. */
char *kr_url_host(const char *url);
/* The last segment of the URL's path ("bzImage-abc.xz"), "" when none;
 * NULL when url is not a valid URL. */
char *kr_url_basename(const char *url);
