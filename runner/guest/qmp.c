/* SPDX-License-Identifier: MIT */
#include "qmp.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "json-query.h"

#define MESSAGE_MAX (1u << 20) /* QMP's answers here are a few hundred bytes */

struct kr_qmp {
	int fd;
	struct kr_buf in; /* received, not yet a whole line */
	char **events;    /* event lines not yet taken */
	char **answers;   /* return and error lines not yet taken */
};

int kr_qmp_listen(const char *path, int *fd, char **err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path)) {
		*err = kr_asprintf("socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, path);
	_cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || (unlink(path) < 0 && errno != ENOENT) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0) {
		int e = errno;
		*err = kr_asprintf("cannot listen on %s: %s", path, strerror(e));
		return -e;
	}
	*fd = KR_TAKE_FD(s);
	return 0;
}

int kr_qmp_fd(const struct kr_qmp *q)
{
	return q->fd;
}

/* Waits until fd is readable or the deadline (kr_now_ns()) passes. */
static int wait_readable(int fd, uint64_t deadline)
{
	for (;;) {
		uint64_t now = kr_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = (int)((deadline - now + 999999) / 1000000);
		int n = poll(&p, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n > 0)
			return 0;
	}
}

/* Splits what was received into lines: answers and events. */
static int split_lines(struct kr_qmp *q)
{
	char *nl;
	while (q->in.len && (nl = memchr(q->in.data, '\n', q->in.len))) {
		size_t n = (size_t)(nl - q->in.data) + 1;
		_cleanup_free_ char *line = kr_strndup(q->in.data, n);
		memmove(q->in.data, q->in.data + n, q->in.len - n);
		q->in.len -= n;
		_cleanup_json_msg_free_ struct kr_json_msg *m = NULL;
		if (kr_json_msg_parse(line, strlen(line), &m, NULL) < 0)
			return -EPROTO;
		if (kr_json_msg_has(m, "event"))
			kr_strv_push(&q->events, KR_TAKE_PTR(line));
		else if (kr_json_msg_has(m, "return") || kr_json_msg_has(m, "error") ||
			 kr_json_msg_has(m, "QMP"))
			kr_strv_push(&q->answers, KR_TAKE_PTR(line));
		/* anything else is no message of QMP's: passed over */
	}
	return 0;
}

int kr_qmp_read(struct kr_qmp *q)
{
	char buf[4096];
	for (;;) {
		ssize_t n = recv(q->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return split_lines(q);
		if (n < 0)
			return -errno;
		if (n == 0) {
			int r = split_lines(q);
			return r < 0 ? r : -ECONNRESET;
		}
		if (kr_buf_add(&q->in, buf, (size_t)n) < 0)
			return -EPROTO;
	}
}

/* Removes and returns the first string of v. */
static char *shift(char **v)
{
	char *first = v[0];
	memmove(v, v + 1, kr_strv_len(v) * sizeof(char *));
	return first;
}

/* Waits for the next answer (a return, an error or the greeting). */
static int next_answer(struct kr_qmp *q, uint64_t deadline, char **line)
{
	while (!q->answers || !q->answers[0]) {
		int r = wait_readable(q->fd, deadline);
		if (r < 0 || (r = kr_qmp_read(q)) < 0) {
			if (r == -ECONNRESET && q->answers && q->answers[0])
				break;
			return r;
		}
	}
	*line = shift(q->answers);
	return 0;
}

static uint64_t deadline_after(double timeout_s)
{
	return kr_now_ns() + (uint64_t)(timeout_s * 1e9);
}

static const char *errstr(int r)
{
	return r == -ETIMEDOUT    ? "no answer in time" :
	       r == -ECONNRESET   ? "QEMU closed the connection" :
	       r == -EPROTO       ? "a message that is no JSON" :
				    strerror(-r);
}

int kr_qmp_accept(int listen_fd, double timeout_s, struct kr_qmp **out, char **err)
{
	*out = NULL;
	uint64_t deadline = deadline_after(timeout_s);
	int r = wait_readable(listen_fd, deadline);
	int fd = r < 0 ? -1 : accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		r = r < 0 ? r : -errno;
		*err = kr_asprintf("QEMU did not connect to its QMP socket: %s", errstr(r));
		return r;
	}
	_cleanup_(kr_qmp_freep) struct kr_qmp *q = kr_malloc(sizeof(*q));
	*q = (struct kr_qmp){ .fd = fd, .in = KR_BUF_INIT(MESSAGE_MAX) };
	_cleanup_free_ char *greeting = NULL;
	if ((r = next_answer(q, deadline, &greeting)) < 0) {
		*err = kr_asprintf("no QMP greeting: %s", errstr(r));
		return r;
	}
	if (!strstr(greeting, "\"QMP\"")) {
		*err = kr_strdup("QEMU's first QMP message is no greeting");
		return -EPROTO;
	}
	r = kr_qmp_execute(q, "{\"execute\":\"qmp_capabilities\"}", -1,
			   (double)(deadline - kr_now_ns()) / 1e9, err);
	if (r < 0)
		return r;
	*out = KR_TAKE_PTR(q);
	return 0;
}

static int send_all(struct kr_qmp *q, const char *text, int fd, uint64_t deadline)
{
	size_t len = strlen(text), done = 0;
	while (done < len) {
		struct iovec iov = { .iov_base = (char *)text + done, .iov_len = len - done };
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (fd >= 0 && done == 0) {
			memset(&u, 0, sizeof(u));
			mh.msg_control = u.buf;
			mh.msg_controllen = sizeof(u.buf);
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
		}
		ssize_t n = sendmsg(q->fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = q->fd, .events = POLLOUT };
			uint64_t now = kr_now_ns();
			if (now >= deadline)
				return -ETIMEDOUT;
			if (poll(&p, 1, (int)((deadline - now) / 1000000) + 1) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		if (n < 0)
			return errno == EPIPE ? -ECONNRESET : -errno;
		done += (size_t)n;
	}
	return 0;
}

/* "execute"'s value in command, for messages. */
static char *command_name(const char *command)
{
	_cleanup_json_msg_free_ struct kr_json_msg *m = NULL;
	const char *name = NULL;
	if (kr_json_msg_parse(command, strlen(command), &m, NULL) == 0)
		name = kr_json_msg_string(m, "execute");
	return kr_strdup(name ? name : "QMP command");
}

int kr_qmp_execute(struct kr_qmp *q, const char *command, int fd, double timeout_s, char **err)
{
	uint64_t deadline = deadline_after(timeout_s);
	_cleanup_free_ char *name = command_name(command);
	int r = send_all(q, command, fd, deadline);
	_cleanup_free_ char *line = NULL;
	if (r == 0)
		r = next_answer(q, deadline, &line);
	if (r < 0) {
		*err = kr_asprintf("%s: %s", name, errstr(r));
		return r;
	}
	_cleanup_json_msg_free_ struct kr_json_msg *m = NULL;
	if (kr_json_msg_parse(line, strlen(line), &m, NULL) < 0 || !kr_json_msg_has(m, "return")) {
		const char *desc = m ? kr_json_msg_string(m, "error.desc") : NULL;
		*err = kr_asprintf("%s: %s", name, desc ? desc : "an unexpected answer");
		return -EIO;
	}
	return 0;
}

bool kr_qmp_take_event(struct kr_qmp *q, const char *name, char **status)
{
	for (size_t i = 0; q->events && q->events[i]; i++) {
		_cleanup_json_msg_free_ struct kr_json_msg *m = NULL;
		if (kr_json_msg_parse(q->events[i], strlen(q->events[i]), &m, NULL) < 0)
			continue;
		const char *event = kr_json_msg_string(m, "event");
		if (!event || strcmp(event, name))
			continue;
		if (status) {
			const char *s = kr_json_msg_string(m, "data.status");
			*status = s ? kr_strdup(s) : NULL;
		}
		free(shift(q->events + i));
		return true;
	}
	return false;
}

int kr_qmp_wait_event(struct kr_qmp *q, const char *name, double timeout_s, char **status,
		      char **err)
{
	uint64_t deadline = deadline_after(timeout_s);
	while (!kr_qmp_take_event(q, name, status)) {
		int r = wait_readable(q->fd, deadline);
		if (r == 0)
			r = kr_qmp_read(q);
		if (r < 0 && !(r == -ECONNRESET && kr_qmp_take_event(q, name, status))) {
			*err = kr_asprintf("waiting for the %s event: %s", name, errstr(r));
			return r;
		}
		if (r < 0)
			break;
	}
	return 0;
}

void kr_qmp_free(struct kr_qmp *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	kr_buf_free(&q->in);
	kr_strv_free(q->events);
	kr_strv_free(q->answers);
	free(q);
}
