/* SPDX-License-Identifier: MIT */
/* A small HTTP/1.1 server for the download tests: listens on 127.0.0.1 on
 * a free port, serves a table of routes from a thread, one connection at a
 * time, "Connection: close" on every answer, and can misbehave on purpose
 * (errors before success, cut-short bodies, no Content-Length, Range
 * requests honoured or ignored). Every wait is bounded. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KR_HTTP_MAX_HITS 64

struct kr_http_route {
	const char *target;       /* request target to match exactly: "/bug?extid=x&json=1" */
	int status;               /* 0: 200 */
	const char *body;         /* NULL: "" */
	size_t body_len;          /* 0: strlen(body) */
	const char *content_type; /* NULL: application/octet-stream */
	const char *headers;      /* extra header lines, each ending in "\r\n" */
	/* The first fail_times requests get fail_status (e.g. 500 or 429)
	 * with fail_headers (e.g. "Retry-After: 1\r\n"). */
	unsigned fail_times;
	int fail_status;
	const char *fail_headers;
	/* The first cut_times successful answers announce the full
	 * Content-Length but send only cut_at bytes, then close. */
	unsigned cut_times;
	size_t cut_at;
	bool no_length;     /* close-delimited body without Content-Length */
	bool ignore_range;  /* answer Range requests with the whole body (200) */

	/* Filled in by the server. */
	unsigned hits;
	uint64_t hit_ns[KR_HTTP_MAX_HITS];       /* monotonic time of each request */
	long long range_from[KR_HTTP_MAX_HITS];  /* Range: bytes=N- of each, -1: none */
};

struct kr_http;

/* Starts serving routes (the array ends with a route whose target is NULL;
 * the server updates hits in place). Aborts the test on failure. */
struct kr_http *kr_http_start(struct kr_http_route *routes);
/* "http://127.0.0.1:PORT" */
const char *kr_http_url(const struct kr_http *h);
/* Requests for targets not in the table (answered 404). */
unsigned kr_http_misses(const struct kr_http *h);
void kr_http_stop(struct kr_http *h);
