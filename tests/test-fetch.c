/* SPDX-License-Identifier: MIT */
/* The downloader against a local server (tests/kr-http.c) on 127.0.0.1. */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fetch.h"
#include "kr-http.h"
#include "kr-test.h"
#include "util.h"

static unsigned notices;
static void count_notice(void *userdata, const char *msg)
{
	(void)userdata;
	(void)msg;
	notices++;
}

/* A fetcher on a fresh cache with short backoff, so retries stay quick. */
static struct kr_fetcher *fetcher(bool offline)
{
	_cleanup_free_ char *cache = kr_path_join(kr_test_tmpdir(), "cache");
	struct kr_fetch_config cfg = {
		.cache_dir = cache,
		.offline = offline,
		.max_attempts = 4,
		.backoff_initial_s = 0.05,
		.backoff_max_s = 5,
		.notice = count_notice,
	};
	struct kr_fetcher *f = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_fetcher_new(&cfg, &f, &err), 0);
	notices = 0;
	return f;
}

static char *url(struct kr_http *h, const char *target)
{
	return kr_asprintf("%s%s", kr_http_url(h), target);
}

static char *content(const char *path)
{
	char *data = NULL;
	size_t len;
	ck_assert_int_eq(kr_read_file(path, 64u << 20, &data, &len), 0);
	return data;
}

/* Files in the cache directory other than locks (no .part left behind). */
static unsigned cache_files(const char *suffix)
{
	_cleanup_free_ char *cache = kr_path_join(kr_test_tmpdir(), "cache");
	DIR *d = opendir(cache);
	ck_assert_ptr_nonnull(d);
	unsigned n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += kr_str_endswith(e->d_name, suffix);
	closedir(d);
	return n;
}

START_TEST(success_then_cache_hit)
{
	struct kr_http_route routes[] = {
		{ .target = "/assets/bzImage-abc.xz", .body = "kernel bytes" },
		{ 0 },
	};
	struct kr_http *h = kr_http_start(routes);
	struct kr_fetcher *f = fetcher(false);
	_cleanup_free_ char *u = url(h, "/assets/bzImage-abc.xz");
	struct kr_fetch_result res;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_fetch(f, u, 1 << 20, 0, &res, &err), 0);
	ck_assert(!res.from_cache);
	ck_assert_int_eq(res.http_status, 200);
	ck_assert_uint_eq(res.size, 12);
	ck_assert(kr_str_endswith(res.path, "-bzImage-abc.xz"));
	_cleanup_free_ char *got = content(res.path);
	ck_assert_str_eq(got, "kernel bytes");
	char want[KR_SHA256_HEX_SIZE];
	kr_sha256_hex("kernel bytes", 12, want);
	ck_assert_str_eq(res.sha256, want);
	kr_fetch_result_clear(&res);

	/* Second time: from the cache, no request. */
	ck_assert_int_eq(kr_fetch(f, u, 1 << 20, 0, &res, &err), 0);
	ck_assert(res.from_cache);
	ck_assert_str_eq(res.sha256, want);
	kr_fetch_result_clear(&res);
	kr_http_stop(h);
	ck_assert_uint_eq(routes[0].hits, 1);
	ck_assert_uint_eq(cache_files(".part"), 0);
	kr_fetcher_free(f);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(not_found_is_final)
{
	struct kr_http_route routes[] = { { 0 } };
	struct kr_http *h = kr_http_start(routes);
	struct kr_fetcher *f = fetcher(false);
	_cleanup_free_ char *u = url(h, "/text?tag=ReproSyz&x=1");
	struct kr_fetch_result res;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_fetch(f, u, 1 << 20, 0, &res, &err), -ENOENT);
	ck_assert_int_eq(res.http_status, 404);
	ck_assert_msg(strstr(err, u) && strstr(err, "HTTP 404 (not found)"), "%s", kr_test_tail(err));
	kr_fetch_result_clear(&res);
	ck_assert_uint_eq(kr_http_misses(h), 1); /* never retried */
	ck_assert_uint_eq(notices, 0);
	kr_http_stop(h);
	ck_assert_uint_eq(cache_files(".part"), 0);
	kr_fetcher_free(f);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(server_errors_then_success)
{
	struct kr_http_route routes[] = {
		{ .target = "/f", .body = "finally", .fail_times = 2, .fail_status = 500 },
		{ .target = "/g", .body = "x", .fail_times = 10, .fail_status = 503 },
		{ .target = "/h", .body = "x", .fail_times = 1, .fail_status = 403 },
		{ 0 },
	};
	struct kr_http *h = kr_http_start(routes);
	struct kr_fetcher *f = fetcher(false);
	struct kr_fetch_result res;
	_cleanup_free_ char *u = url(h, "/f");
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_fetch(f, u, 1 << 20, 0, &res, &err), 0);
	ck_assert_uint_eq(res.attempts, 3);
	_cleanup_free_ char *got = content(res.path);
	ck_assert_str_eq(got, "finally"); /* the error pages are not in the file */
	ck_assert_uint_eq(notices, 2);
	kr_fetch_result_clear(&res);

	/* Always 503: gives up after max_attempts. */
	_cleanup_free_ char *g = url(h, "/g");
	_cleanup_free_ char *err2 = NULL;
	ck_assert_int_eq(kr_fetch(f, g, 1 << 20, 0, &res, &err2), -EREMOTEIO);
	ck_assert_msg(strstr(err2, "HTTP 503") && strstr(err2, "gave up after 4 attempts"), "%s",
		      kr_test_tail(err2));
	kr_fetch_result_clear(&res);

	/* 403 is final at once. */
	_cleanup_free_ char *hh = url(h, "/h");
	_cleanup_free_ char *err3 = NULL;
	ck_assert_int_eq(kr_fetch(f, hh, 1 << 20, 0, &res, &err3), -EREMOTEIO);
	ck_assert_int_eq(res.http_status, 403);
	kr_fetch_result_clear(&res);
	kr_http_stop(h);
	ck_assert_uint_eq(routes[0].hits, 3);
	ck_assert_uint_eq(routes[1].hits, 4);
	ck_assert_uint_eq(routes[2].hits, 1);
	kr_fetcher_free(f);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* 429 with Retry-After: the wait follows the server (a lower bound only:
 * a loaded machine makes it longer, never shorter). */
START_TEST(too_many_requests_honours_retry_after)
{
	struct kr_http_route routes[] = {
		{ .target = "/r", .body = "ok", .fail_times = 1, .fail_status = 429,
		  .fail_headers = "Retry-After: 1\r\n" },
		{ 0 },
	};
	struct kr_http *h = kr_http_start(routes);
	struct kr_fetcher *f = fetcher(false);
	struct kr_fetch_result res;
	_cleanup_free_ char *u = url(h, "/r");
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_fetch(f, u, 1 << 20, 0, &res, &err), 0);
	kr_fetch_result_clear(&res);
	kr_http_stop(h);
	ck_assert_uint_eq(routes[0].hits, 2);
	ck_assert_uint_ge(routes[0].hit_ns[1] - routes[0].hit_ns[0], 950000000ull);
	kr_fetcher_free(f);
	kr_test_tmpdir_cleanup();
}
END_TEST

static char *pattern(size_t len)
{
	char *p = kr_malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		p[i] = (char)('a' + (i * 7 + i / 251) % 26);
	p[len] = '\0';
	return p;
}

/* A transfer cut short is resumed with a Range request from where it
 * stopped; a server that ignores Range sends the whole file again. */
START_TEST(cut_short_then_resumed)
{
	_cleanup_free_ char *body = pattern(100000);
	struct kr_http_route routes[] = {
		{ .target = "/disk.raw.xz", .body = body, .cut_times = 2, .cut_at = 30000 },
		{ .target = "/vmlinux.xz", .body = body, .cut_times = 1, .cut_at = 30000,
		  .ignore_range = true },
		{ 0 },
	};
	struct kr_http *h = kr_http_start(routes);
	struct kr_fetcher *f = fetcher(false);
	struct kr_fetch_result res;
	_cleanup_free_ char *u = url(h, "/disk.raw.xz");
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_fetch(f, u, 1 << 20, 0, &res, &err), 0);
	_cleanup_free_ char *got = content(res.path);
	ck_assert_str_eq(got, body);
	ck_assert_uint_eq(res.attempts, 3);
	kr_fetch_result_clear(&res);

	_cleanup_free_ char *v = url(h, "/vmlinux.xz");
	ck_assert_int_eq(kr_fetch(f, v, 1 << 20, 0, &res, &err), 0);
	_cleanup_free_ char *got2 = content(res.path);
	ck_assert_str_eq(got2, body);
	kr_fetch_result_clear(&res);
	kr_http_stop(h);

	ck_assert_uint_eq(routes[0].hits, 3);
	ck_assert_int_eq(routes[0].range_from[0], -1);
	ck_assert_int_eq(routes[0].range_from[1], 30000);
	ck_assert_int_eq(routes[0].range_from[2], 60000);
	ck_assert_uint_eq(routes[1].hits, 2);
	ck_assert_int_eq(routes[1].range_from[1], 30000);
	ck_assert_uint_eq(cache_files(".part"), 0);
	kr_fetcher_free(f);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(oversized_answers)
{
	_cleanup_free_ char *body = pattern(50000);
	struct kr_http_route routes[] = {
		{ .target = "/big", .body = body },
		{ .target = "/big-unannounced", .body = body, .no_length = true },
		{ 0 },
	};
	struct kr_http *h = kr_http_start(routes);
	struct kr_fetcher *f = fetcher(false);
	struct kr_fetch_result res;
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *u = url(h, routes[i].target);
		_cleanup_free_ char *err = NULL;
		ck_assert_int_eq(kr_fetch(f, u, 10000, 0, &res, &err), -EFBIG);
		ck_assert_msg(strstr(err, "larger than the limit of 10000 bytes"), "%s", kr_test_tail(err));
		kr_fetch_result_clear(&res);
	}
	/* Under the limit, a body without Content-Length is fine. */
	_cleanup_free_ char *u = url(h, "/big-unannounced");
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_fetch(f, u, 1 << 20, 0, &res, &err), 0);
	ck_assert_uint_eq(res.size, 50000);
	kr_fetch_result_clear(&res);
	kr_http_stop(h);
	ck_assert_uint_eq(routes[0].hits, 1); /* never retried */
	ck_assert_uint_eq(cache_files(".part"), 0);
	kr_fetcher_free(f);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(offline_and_refresh)
{
	struct kr_http_route routes[] = { { .target = "/bug?extid=a&json=1", .body = "v1" }, { 0 } };
	struct kr_http *h = kr_http_start(routes);
	_cleanup_free_ char *u = url(h, "/bug?extid=a&json=1");
	struct kr_fetch_result res;
	_cleanup_free_ char *err = NULL;

	struct kr_fetcher *off = fetcher(true);
	ck_assert_int_eq(kr_fetch(off, u, 1 << 20, KR_FETCH_REFRESH, &res, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "--offline"));
	free(err);
	err = NULL;
	kr_fetch_result_clear(&res);
	ck_assert_uint_eq(routes[0].hits, 0);

	struct kr_fetcher *on = fetcher(false);
	ck_assert_int_eq(kr_fetch(on, u, 1 << 20, KR_FETCH_REFRESH, &res, &err), 0);
	kr_fetch_result_clear(&res);
	routes[0].body = "v2";
	/* Without REFRESH the cached answer stays; with it, a new request. */
	ck_assert_int_eq(kr_fetch(on, u, 1 << 20, 0, &res, &err), 0);
	_cleanup_free_ char *v1 = content(res.path);
	ck_assert_str_eq(v1, "v1");
	kr_fetch_result_clear(&res);
	ck_assert_int_eq(kr_fetch(on, u, 1 << 20, KR_FETCH_REFRESH, &res, &err), 0);
	_cleanup_free_ char *v2 = content(res.path);
	ck_assert_str_eq(v2, "v2");
	kr_fetch_result_clear(&res);

	/* Offline now finds it, even when asked to refresh. */
	ck_assert_int_eq(kr_fetch(off, u, 1 << 20, KR_FETCH_REFRESH, &res, &err), 0);
	ck_assert(res.from_cache);
	kr_fetch_result_clear(&res);
	kr_http_stop(h);
	ck_assert_uint_eq(routes[0].hits, 2);

	/* A damaged entry (size no longer matches its sidecar) is fetched
	 * again rather than used. */
	h = kr_http_start(routes);
	_cleanup_free_ char *u2 = url(h, "/bug?extid=a&json=1");
	ck_assert_int_eq(kr_fetch(on, u2, 1 << 20, 0, &res, &err), 0);
	ck_assert_int_eq(kr_write_file_atomic(res.path, "v2 and garbage", 14, 0644), 0);
	kr_fetch_result_clear(&res);
	ck_assert_int_eq(kr_fetch(on, u2, 1 << 20, 0, &res, &err), 0);
	ck_assert(!res.from_cache);
	_cleanup_free_ char *v3 = content(res.path);
	ck_assert_str_eq(v3, "v2");
	kr_fetch_result_clear(&res);
	kr_http_stop(h);
	kr_fetcher_free(on);
	kr_fetcher_free(off);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Requests to the rate-limited host are at least the interval apart
 * (lower bound only); other hosts are not held back. */
START_TEST(rate_limit_spaces_requests)
{
	struct kr_http_route routes[] = {
		{ .target = "/a", .body = "a" }, { .target = "/b", .body = "b" },
		{ .target = "/c", .body = "c" }, { 0 },
	};
	struct kr_http *h = kr_http_start(routes);
	_cleanup_free_ char *cache = kr_path_join(kr_test_tmpdir(), "cache");
	_cleanup_free_ char *host = kr_url_host(kr_http_url(h));
	struct kr_fetch_config cfg = { .cache_dir = cache, .rate_host = host, .rate_interval_s = 1 };
	struct kr_fetcher *f = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_fetcher_new(&cfg, &f, &err), 0);
	struct kr_fetch_result res;
	for (int i = 0; i < 3; i++) {
		_cleanup_free_ char *u = url(h, routes[i].target);
		ck_assert_int_eq(kr_fetch(f, u, 1 << 20, 0, &res, &err), 0);
		kr_fetch_result_clear(&res);
	}
	kr_http_stop(h);
	ck_assert_uint_ge(routes[1].hit_ns[0] - routes[0].hit_ns[0], 950000000ull);
	ck_assert_uint_ge(routes[2].hit_ns[0] - routes[1].hit_ns[0], 950000000ull);
	kr_fetcher_free(f);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(connection_refused)
{
	/* A port that nothing listens on: bind one, note it, close it. */
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t alen = sizeof(a);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	_cleanup_free_ char *u = kr_asprintf("http://127.0.0.1:%u/x", ntohs(a.sin_port));
	struct kr_fetcher *f = fetcher(false);
	struct kr_fetch_result res;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_fetch(f, u, 1 << 20, 0, &res, &err), -ECONNREFUSED);
	ck_assert_uint_eq(res.attempts, 4); /* transient: retried */
	ck_assert_ptr_nonnull(strstr(err, "gave up after 4 attempts"));
	kr_fetch_result_clear(&res);
	kr_fetcher_free(f);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(urls)
{
	_cleanup_free_ char *a = kr_url_resolve("https://syzkaller.appspot.com/bug?extid=x&json=1",
						"/text?tag=ReproSyz&x=123");
	ck_assert_str_eq(a, "https://syzkaller.appspot.com/text?tag=ReproSyz&x=123");
	_cleanup_free_ char *b = kr_url_resolve("http://127.0.0.1:8080/bug?x=1",
						"https://storage.example/a/disk-1.raw.xz");
	ck_assert_str_eq(b, "https://storage.example/a/disk-1.raw.xz");
	ck_assert_ptr_null(kr_url_resolve("ftp://host/x", "/y"));
	ck_assert_ptr_null(kr_url_resolve("http://host/x", "file:///etc/passwd"));
	_cleanup_free_ char *h1 = kr_url_host("http://127.0.0.1:8080/bug");
	ck_assert_str_eq(h1, "127.0.0.1:8080");
	_cleanup_free_ char *h2 = kr_url_host("https://syzkaller.appspot.com/bug");
	ck_assert_str_eq(h2, "syzkaller.appspot.com");
	_cleanup_free_ char *n = kr_url_basename("https://s.example/x/bzImage-1.xz?a=b");
	ck_assert_str_eq(n, "bzImage-1.xz");
	ck_assert_ptr_null(kr_url_basename("not a url"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, success_then_cache_hit);
	tcase_add_test(tc, not_found_is_final);
	tcase_add_test(tc, server_errors_then_success);
	tcase_add_test(tc, too_many_requests_honours_retry_after);
	tcase_add_test(tc, cut_short_then_resumed);
	tcase_add_test(tc, oversized_answers);
	tcase_add_test(tc, offline_and_refresh);
	tcase_add_test(tc, rate_limit_spaces_requests);
	tcase_add_test(tc, connection_refused);
	tcase_add_test(tc, urls);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
