/* SPDX-License-Identifier: MIT */
#include "kr-http.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#define REQUEST_MAX 16384
#define READ_TIMEOUT_MS 10000

struct kr_http {
	int lfd;
	int stop[2];
	pthread_t thread;
	struct kr_http_route *routes;
	unsigned misses;
	char url[64];
};

static void send_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the client went away: fine, it may have aborted */
		p += n;
		len -= (size_t)n;
	}
}

/* Reads the request head; NULL on timeout, close or overflow. */
static char *read_request(int fd)
{
	struct kr_buf b = KR_BUF_INIT(REQUEST_MAX);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, READ_TIMEOUT_MS) <= 0)
			break;
		char chunk[2048];
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0 || kr_buf_add(&b, chunk, (size_t)n) < 0)
			break;
		if (strstr(b.data, "\r\n\r\n"))
			return kr_buf_steal(&b);
	}
	kr_buf_free(&b);
	return NULL;
}

static long long range_from(const char *req)
{
	for (const char *line = strstr(req, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
		if (strncasecmp(line + 2, "Range:", 6) != 0)
			continue;
		const char *v = strstr(line + 2, "bytes=");
		return v ? atoll(v + 6) : -1;
	}
	return -1;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 404: return "Not Found";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static void respond(int fd, int status, const char *headers, const char *body, size_t len,
		    size_t send_len, bool with_length)
{
	_cleanup_free_ char *head = kr_asprintf("HTTP/1.1 %d %s\r\nConnection: close\r\n%s", status,
					       reason(status), headers ? headers : "");
	send_all(fd, head, strlen(head));
	if (with_length) {
		_cleanup_free_ char *cl = kr_asprintf("Content-Length: %zu\r\n", len);
		send_all(fd, cl, strlen(cl));
	}
	send_all(fd, "\r\n", 2);
	send_all(fd, body, send_len);
}

static void serve(struct kr_http *h, int fd)
{
	_cleanup_free_ char *req = read_request(fd);
	if (!req)
		return;
	char target[4096];
	if (sscanf(req, "GET %4095s HTTP/1.", target) != 1) {
		respond(fd, 400, NULL, "bad request\n", 12, 12, true);
		return;
	}
	struct kr_http_route *r = h->routes;
	while (r->target && strcmp(r->target, target) != 0)
		r++;
	if (!r->target) {
		__atomic_add_fetch(&h->misses, 1, __ATOMIC_SEQ_CST);
		respond(fd, 404, "Content-Type: text/plain\r\n", "not found\n", 10, 10, true);
		return;
	}
	unsigned hit = r->hits;
	long long from = range_from(req);
	if (hit < KR_HTTP_MAX_HITS) {
		r->hit_ns[hit] = kr_now_ns();
		r->range_from[hit] = from;
	}
	__atomic_add_fetch(&r->hits, 1, __ATOMIC_SEQ_CST);
	if (hit < r->fail_times) {
		_cleanup_free_ char *msg = kr_asprintf("failure %u of %u\n", hit + 1, r->fail_times);
		respond(fd, r->fail_status, r->fail_headers, msg, strlen(msg), strlen(msg), true);
		return;
	}
	unsigned success = hit - r->fail_times;
	const char *body = r->body ? r->body : "";
	size_t len = r->body_len ? r->body_len : strlen(body);
	int status = r->status ? r->status : 200;
	_cleanup_free_ char *headers = kr_asprintf("Content-Type: %s\r\n%s",
						   r->content_type ? r->content_type :
								     "application/octet-stream",
						   r->headers ? r->headers : "");
	if (status == 200 && from >= 0 && !r->ignore_range) {
		if ((size_t)from >= len) {
			_cleanup_free_ char *cr = kr_asprintf("Content-Range: bytes */%zu\r\n", len);
			respond(fd, 416, cr, "", 0, 0, true);
			return;
		}
		char *more = kr_asprintf("%sContent-Range: bytes %lld-%zu/%zu\r\n", headers, from,
					 len - 1, len);
		free(headers);
		headers = more;
		status = 206;
		body += from;
		len -= (size_t)from;
	}
	size_t send_len = len;
	if (success < r->cut_times && r->cut_at < len)
		send_len = r->cut_at;
	respond(fd, status, headers, body, len, send_len, !r->no_length);
}

static void *server_main(void *arg)
{
	struct kr_http *h = arg;
	for (;;) {
		struct pollfd p[2] = { { h->lfd, POLLIN, 0 }, { h->stop[0], POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		int fd = accept4(h->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve(h, fd);
		shutdown(fd, SHUT_WR);
		close(fd);
	}
	return NULL;
}

struct kr_http *kr_http_start(struct kr_http_route *routes)
{
	struct kr_http *h = kr_calloc(1, sizeof(*h));
	h->routes = routes;
	h->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(h->lfd, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Port 0: the kernel picks a free one, so parallel tests never clash. */
	ck_assert_int_eq(bind(h->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(h->lfd, 16), 0);
	socklen_t alen = sizeof(a);
	ck_assert_int_eq(getsockname(h->lfd, (struct sockaddr *)&a, &alen), 0);
	snprintf(h->url, sizeof(h->url), "http://127.0.0.1:%u", ntohs(a.sin_port));
	ck_assert_int_eq(pipe2(h->stop, O_CLOEXEC), 0);
	ck_assert_int_eq(pthread_create(&h->thread, NULL, server_main, h), 0);
	return h;
}

const char *kr_http_url(const struct kr_http *h)
{
	return h->url;
}

unsigned kr_http_misses(const struct kr_http *h)
{
	return __atomic_load_n(&h->misses, __ATOMIC_SEQ_CST);
}

void kr_http_stop(struct kr_http *h)
{
	if (!h)
		return;
	ck_assert_int_eq(write(h->stop[1], "x", 1), 1);
	pthread_join(h->thread, NULL);
	close(h->stop[0]);
	close(h->stop[1]);
	close(h->lfd);
	free(h);
}
