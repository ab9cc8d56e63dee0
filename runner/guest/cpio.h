/* SPDX-License-Identifier: MIT */
/* A writer for cpio archives in the "newc" format (the one the Linux kernel
 * unpacks as an initramfs). Written here, not by the cpio tool, so that
 * building a guest needs no child process. Entries get uid/gid 0 and
 * mtime 0, so the same input gives the same archive. Missing parent
 * directories are added (mode 0755) before an entry. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

struct kr_cpio;

/* Creates (truncates) path. */
int kr_cpio_open(const char *path, struct kr_cpio **out);

/* Names are archive paths; a leading '/' is dropped. mode holds the
 * permission bits only (the file type comes from the function). */
int kr_cpio_add_dir(struct kr_cpio *c, const char *name, mode_t mode);
int kr_cpio_add_file(struct kr_cpio *c, const char *name, mode_t mode, const void *data,
		     size_t len);
int kr_cpio_add_symlink(struct kr_cpio *c, const char *name, const char *target);
/* type is S_IFCHR or S_IFBLK. */
int kr_cpio_add_node(struct kr_cpio *c, const char *name, mode_t type, mode_t mode,
		     unsigned major, unsigned minor);
/* Copies a host file, directory (recursively) or symlink to name, keeping
 * permission bits. Other file types give -EINVAL. */
int kr_cpio_add_host(struct kr_cpio *c, const char *name, const char *host_path);

/* Writes the trailer and closes the file; returns the first write error
 * seen by any call, if there was one. Frees c. */
int kr_cpio_finish(struct kr_cpio *c);
/* Frees c without finishing (the file stays incomplete). NULL is a no-op. */
void kr_cpio_free(struct kr_cpio *c);
KR_DEFINE_CLEANUP(struct kr_cpio, kr_cpio_free)
#define _cleanup_cpio_free_ _cleanup_(kr_cpio_freep)
