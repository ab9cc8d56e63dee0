/* SPDX-License-Identifier: MIT */
/* The QMP client against a stand-in for QEMU: a thread that connects to
 * the client's socket and plays a script of what QEMU would say. */
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "kr-test.h"
#include "qmp.h"
#include "util.h"

#define GREETING "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\r\n"
#define RETURN "{\"return\": {}}\r\n"

/* One exchange: wait for a command holding expect (NULL: none), then
 * send reply (NULL: close the connection). */
struct step {
	const char *expect;
	const char *reply;
};

struct fake {
	const char *path;
	const struct step *steps;
	size_t n;
	bool got_fd;    /* a command came with an fd */
	bool fd_is_file; /* ... that is a regular file */
	char failure[256];
};

static void *fake_qemu(void *arg)
{
	struct fake *f = arg;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strcpy(a.sun_path, f->path);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		snprintf(f->failure, sizeof(f->failure), "connect: %s", strerror(errno));
		return NULL;
	}
	if (write(s, GREETING, strlen(GREETING)) < 0)
		goto out;
	for (size_t i = 0; i < f->n; i++) {
		if (f->steps[i].expect) {
			char buf[4096] = { 0 };
			union {
				char c[CMSG_SPACE(sizeof(int))];
				struct cmsghdr align;
			} u;
			struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
			struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.c,
					     .msg_controllen = sizeof(u.c) };
			ssize_t n = recvmsg(s, &mh, MSG_CMSG_CLOEXEC);
			if (n <= 0 || !strstr(buf, f->steps[i].expect)) {
				snprintf(f->failure, sizeof(f->failure), "step %zu: got '%s'", i,
					 n > 0 ? buf : "nothing");
				goto out;
			}
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
			if (c && c->cmsg_type == SCM_RIGHTS) {
				int fd;
				memcpy(&fd, CMSG_DATA(c), sizeof(fd));
				struct stat st;
				f->got_fd = true;
				f->fd_is_file = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
				close(fd);
			}
		}
		if (!f->steps[i].reply)
			goto out;
		if (write(s, f->steps[i].reply, strlen(f->steps[i].reply)) < 0)
			goto out;
	}
	/* keep the connection until the client is done */
	char c;
	while (read(s, &c, 1) > 0) {
	}
out:
	close(s);
	return NULL;
}

struct session {
	pthread_t thread;
	struct fake fake;
	int listen_fd;
	char *path;
};

static void start(struct session *ss, const struct step *steps, size_t n)
{
	ss->path = kr_path_join(kr_test_tmpdir(), "qmp.sock");
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_qmp_listen(ss->path, &ss->listen_fd, &err), 0);
	ss->fake = (struct fake){ .path = ss->path, .steps = steps, .n = n };
	ck_assert_int_eq(pthread_create(&ss->thread, NULL, fake_qemu, &ss->fake), 0);
}

static void finish(struct session *ss, struct kr_qmp *q)
{
	kr_qmp_free(q); /* the fake reads to the end */
	pthread_join(ss->thread, NULL);
	close(ss->listen_fd);
	ck_assert_msg(!ss->fake.failure[0], "%s", ss->fake.failure);
	free(ss->path);
	kr_test_tmpdir_cleanup();
}

START_TEST(commands_events_and_errors)
{
	const struct step steps[] = {
		{ "qmp_capabilities", RETURN },
		{ "\"migrate\"",
		  "{\"timestamp\": {}, \"event\": \"MIGRATION\", \"data\": {\"status\": \"setup\"}}\r\n"
		  RETURN
		  "{\"timestamp\": {}, \"event\": \"MIGRATION\", \"data\": {\"status\": \"active\"}}"
		  "\r\n" },
		{ "query-status", "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no way\"}}\r\n" },
		{ NULL, "{\"timestamp\": {}, \"event\": \"RESUME\"}\r\n" },
	};
	struct session ss;
	start(&ss, steps, KR_ARRAY_SIZE(steps));
	struct kr_qmp *q = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_qmp_accept(ss.listen_fd, 30, &q, &err), 0);
	ck_assert_int_eq(kr_qmp_execute(q, "{\"execute\":\"migrate\"}", -1, 30, &err), 0);
	/* the answer came between two events: both kept, in order */
	_cleanup_free_ char *status = NULL;
	ck_assert_int_eq(kr_qmp_wait_event(q, "MIGRATION", 30, &status, &err), 0);
	ck_assert_str_eq(status, "setup");
	free(status);
	status = NULL;
	ck_assert(kr_qmp_take_event(q, "MIGRATION", &status));
	ck_assert_str_eq(status, "active");
	ck_assert(!kr_qmp_take_event(q, "MIGRATION", NULL));
	ck_assert_int_eq(kr_qmp_execute(q, "{\"execute\":\"query-status\"}", -1, 30, &err), -EIO);
	ck_assert_str_eq(err, "query-status: no way");
	free(status);
	status = NULL;
	ck_assert_int_eq(kr_qmp_wait_event(q, "RESUME", 30, &status, &err), 0);
	ck_assert_ptr_null(status);
	finish(&ss, q);
}
END_TEST

START_TEST(an_fd_goes_along)
{
	const struct step steps[] = {
		{ "qmp_capabilities", RETURN },
		{ "getfd", RETURN },
	};
	struct session ss;
	start(&ss, steps, KR_ARRAY_SIZE(steps));
	struct kr_qmp *q = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_qmp_accept(ss.listen_fd, 30, &q, &err), 0);
	_cleanup_free_ char *file = kr_test_write(kr_test_tmpdir(), "state", "x");
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(kr_qmp_execute(q, "{\"execute\":\"getfd\"}", fd, 30, &err), 0);
	finish(&ss, q);
	ck_assert(ss.fake.got_fd);
	ck_assert(ss.fake.fd_is_file);
}
END_TEST

START_TEST(qemu_going_away_and_garbage)
{
	const struct step gone[] = {
		{ "qmp_capabilities", RETURN },
		{ "stop", NULL },
	};
	struct session ss;
	start(&ss, gone, KR_ARRAY_SIZE(gone));
	struct kr_qmp *q = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_qmp_accept(ss.listen_fd, 30, &q, &err), 0);
	ck_assert_int_eq(kr_qmp_execute(q, "{\"execute\":\"stop\"}", -1, 30, &err), -ECONNRESET);
	ck_assert_str_eq(err, "stop: QEMU closed the connection");
	free(err);
	err = NULL;
	ck_assert_int_eq(kr_qmp_wait_event(q, "RESUME", 30, NULL, &err), -ECONNRESET);
	finish(&ss, q);

	const struct step garbage[] = {
		{ "qmp_capabilities", "{\"return\": \r\n" },
	};
	start(&ss, garbage, KR_ARRAY_SIZE(garbage));
	free(err);
	err = NULL;
	ck_assert_int_eq(kr_qmp_accept(ss.listen_fd, 30, &q, &err), -EPROTO);
	ck_assert_ptr_null(q);
	KR_ASSERT_HAS(err, "no JSON");
	finish(&ss, NULL);
}
END_TEST

START_TEST(nobody_connects)
{
	_cleanup_free_ char *path = kr_path_join(kr_test_tmpdir(), "qmp.sock");
	_cleanup_free_ char *err = NULL;
	_cleanup_close_ int fd = -1;
	ck_assert_int_eq(kr_qmp_listen(path, &fd, &err), 0);
	struct kr_qmp *q = NULL;
	ck_assert_int_eq(kr_qmp_accept(fd, 0.05, &q, &err), -ETIMEDOUT);
	KR_ASSERT_HAS(err, "QEMU did not connect");
	free(err);
	err = NULL;
	_cleanup_free_ char *longer = kr_asprintf("/%0200d", 0);
	ck_assert_int_eq(kr_qmp_listen(longer, &fd, &err), -ENAMETOOLONG);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qmp");
	TCase *tc = tcase_create("qmp");
	tcase_add_test(tc, commands_events_and_errors);
	tcase_add_test(tc, an_fd_goes_along);
	tcase_add_test(tc, qemu_going_away_and_garbage);
	tcase_add_test(tc, nobody_connects);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
