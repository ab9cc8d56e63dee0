/* SPDX-License-Identifier: MIT */
/* Warm start: the guest booted once to its ready point (initramfs.h's warm
 * init: userspace up, detectors and sysctls set, the reproducer not yet
 * started), saved by QEMU (QMP "migrate" into a file kradar hands over),
 * and every run started by restoring it ("-incoming defer", then
 * "migrate-incoming" from the file). Each restore starts from the same
 * saved state, so nothing one run writes is seen by the next.
 *
 * A restored guest waits on its channel (ttyS2, chardev KR_QEMU_CHANNEL,
 * which had no input when it was saved); once QEMU says the guest runs
 * again (the RESUME event) kradar points the chardev at a file holding the
 * run's settings (the marker token, an RNG seed, the time), and gives the
 * VM generation ID device a new GUID, on which the guest's kernel reseeds
 * its RNG.
 *
 * Snapshots are cached in CACHE/warm/<key>.vmstate (CACHE: the kernel
 * cache, kr_cache_dir()), keyed by the sha256 of everything that shaped
 * them: QEMU's version, the kernel's and the initramfs's content (the
 * guest's init and the reproducer with it) and the QEMU command line (VM
 * shape, accelerator, kernel command line, vm.args). Made under
 * CACHE/warm/<key>.lock; a new kernel is a new key, and making a snapshot
 * removes those of kernels that are gone or changed (<key>.meta names the
 * kernel). */
#pragma once

#include <stdbool.h>

#include "guest.h"
#include "qemu.h"

struct kr_snapshot_config {
	const struct kr_qemu_guest *qg; /* kernel, initrd (the warm initramfs),
					 * accel, s; the warm fields are set here */
	const char *cache_dir;          /* NULL: kr_cache_dir() */
	const char *work_dir;           /* for the QMP socket */
	double boot_timeout;            /* seconds, scaled */
	int interrupt_fd;               /* a signalfd, or -1 */
	int *interrupted_by;            /* set to the signal when it fired */
};

struct kr_snapshot {
	char *path;    /* the saved state */
	char *key;
	bool made;     /* this call booted the guest to make it */
	double boot_s; /* when made: QEMU start to the ready point */
	double save_s; /* when made: the migration */
	int broken;    /* a restore failed (kr_snapshot_mark_broken()) */
};

/* The scenario's snapshot, made (booting the guest) when the cache has
 * none. 0, -EINTR when the interrupt fd fired, or another negative errno
 * with *err. */
int kr_snapshot_get(const struct kr_snapshot_config *c, struct kr_snapshot **out, char **err);

/* A restore failed: the file is removed (the next kradar makes it anew).
 * True only for the first call, so that the fallback is told once;
 * thread-safe. */
bool kr_snapshot_mark_broken(struct kr_snapshot *snap);
bool kr_snapshot_is_broken(struct kr_snapshot *snap);

void kr_snapshot_free(struct kr_snapshot *snap);
KR_DEFINE_CLEANUP(struct kr_snapshot, kr_snapshot_free)

/* One restored run: the session (guest.h) that restores the guest and
 * feeds its channel, in the run's guest loop. */
struct kr_snapshot_restore;

/* Makes a run's restore: a QMP socket and the channel's file in work_dir,
 * the run's settings (token) in it. */
int kr_snapshot_restore_new(const struct kr_snapshot *snap, const char *work_dir,
			    const char *token, struct kr_snapshot_restore **out, char **err);
/* Sets qg's warm fields for this run's QEMU (qg must outlive r's use). */
void kr_snapshot_restore_guest(const struct kr_snapshot_restore *r, struct kr_qemu_guest *qg);
const struct kr_guest_session *kr_snapshot_restore_hooks(struct kr_snapshot_restore *r);
/* Seconds from QEMU's start to the restored guest running; < 0: it never
 * did. */
double kr_snapshot_restore_s(const struct kr_snapshot_restore *r);
/* Why the restore failed (NULL: it did not, or QEMU exited on its own). */
const char *kr_snapshot_restore_error(const struct kr_snapshot_restore *r);
void kr_snapshot_restore_free(struct kr_snapshot_restore *r);
KR_DEFINE_CLEANUP(struct kr_snapshot_restore, kr_snapshot_restore_free)
