/* SPDX-License-Identifier: MIT */
/* A client of QEMU's machine protocol (QMP) over a unix socket: kradar
 * listens, QEMU connects (`-chardev socket,path=...` with `-mon
 * mode=control`), so that the connection exists before the guest runs and
 * nobody waits for QEMU's socket to appear. Messages are JSON lines
 * (json-query.h reads them); commands are answered in order, events come
 * in between and are kept until taken. Every wait is a poll() on the
 * socket with a deadline. */
#pragma once

#include <stdbool.h>

#include "util.h"

struct kr_qmp;

/* A listening socket at path (removed first when it is there). 0 with *fd,
 * or a negative errno with *err. */
int kr_qmp_listen(const char *path, int *fd, char **err);

/* Accepts QEMU's connection on listen_fd within timeout_s, reads its
 * greeting and leaves capabilities negotiation (so that events flow). */
int kr_qmp_accept(int listen_fd, double timeout_s, struct kr_qmp **out, char **err);

/* The connection's fd (non-blocking), for an event loop. */
int kr_qmp_fd(const struct kr_qmp *q);

/* Sends command (one JSON object, e.g. {"execute":"stop"}), with fd passed
 * along (SCM_RIGHTS, for "getfd") when fd >= 0, and waits within timeout_s
 * for its answer. 0; -EIO with QEMU's error (*err: "COMMAND: DESC");
 * -ETIMEDOUT; -ECONNRESET when QEMU went away; -EPROTO for a message that
 * is no JSON. */
int kr_qmp_execute(struct kr_qmp *q, const char *command, int fd, double timeout_s, char **err);

/* Reads what the socket holds now, keeping events: 0, -ECONNRESET at its
 * end, -EPROTO. */
int kr_qmp_read(struct kr_qmp *q);

/* Takes the first kept event called name: true, with its data.status in
 * *status (to be freed; NULL when it has none) when status is not NULL. */
bool kr_qmp_take_event(struct kr_qmp *q, const char *name, char **status);

/* Waits within timeout_s for the event name (kept ones count): 0, or the
 * errors of kr_qmp_execute(). */
int kr_qmp_wait_event(struct kr_qmp *q, const char *name, double timeout_s, char **status,
		      char **err);

void kr_qmp_free(struct kr_qmp *q);
KR_DEFINE_CLEANUP(struct kr_qmp, kr_qmp_free)
#define _cleanup_qmp_free_ _cleanup_(kr_qmp_freep)
