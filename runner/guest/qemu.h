/* SPDX-License-Identifier: MIT */
/* The QEMU command line, built from a scenario as an argv array (never a
 * shell string). The serial console is QEMU's stdout (a pipe that kradar
 * reads); there is no display, no network and no reboot. */
#pragma once

#include "scenario.h"

enum kr_accel {
	KR_ACCEL_TCG,
	KR_ACCEL_KVM,
};
const char *kr_accel_to_string(enum kr_accel a); /* "tcg", "kvm" */

struct kr_qemu_guest {
	const struct kr_scenario *s; /* vm.*, the extra kernel command line */
	const char *kernel;          /* bzImage */
	const char *initrd;          /* initramfs; NULL: none */
	enum kr_accel accel;
	const char *aux_serial;      /* file for the guest's ttyS1; NULL: none */
	/* Image mode (disk not NULL): the disk is the first IDE disk
	 * (/dev/sda), opened with -snapshot so that it never changes, and an
	 * e1000 NIC on QEMU's user networking (restricted: the guest reaches
	 * nothing outside) forwards 127.0.0.1:ssh_port to the guest's port 22. */
	const char *disk;            /* local path (downloads resolved) */
	int ssh_port;
	/* Warm start (snapshot.h): the same devices whether the guest boots
	 * to be saved or is restored: ttyS1 (aux_serial, or nothing behind
	 * it), ttyS2 the per-run channel (chardev KR_QEMU_CHANNEL: no input
	 * until kradar points it at a file over QMP), a VM generation ID
	 * device (a new GUID per run makes the guest's kernel reseed its RNG)
	 * and QMP on kradar's socket. Initramfs mode only. */
	bool warm;
	const char *qmp_socket;      /* kradar listens, QEMU connects */
	const char *vmgenid;         /* the GUID */
	bool incoming;               /* -incoming defer: the state comes over QMP */
};

#define KR_QEMU_CHANNEL "kradar-chan"
#define KR_GUEST_CHANNEL_TTY "/dev/ttyS2"

/* value with each comma written twice (QEMU's option syntax; to be freed). */
char *kr_qemu_opt_escape(const char *value);

/* "qcow2" when path starts with the qcow2 magic, else "raw". */
const char *kr_qemu_disk_format(const char *path);

/* The kernel command line: console on ttyS0, crash settings (oops and
 * WARNING panic, panic reboots at once, which ends QEMU because of
 * -no-reboot), in image mode root=disk.root and rw, then the scenario's
 * vm.cmdline (which may override them: the kernel takes the last). */
char *kr_qemu_kernel_cmdline(const struct kr_scenario *s);

/* The start of every QEMU argv kradar builds (to be freed with
 * kr_strv_free): qemu with no defaults, no user config, no display, no
 * reboot, and ttyS0 (the console) on QEMU's stdout. */
char **kr_qemu_base_argv(const char *qemu);

/* The full argv (to be freed with kr_strv_free). */
char **kr_qemu_argv(const struct kr_qemu_guest *g);

/* The first line of `qemu --version` ("QEMU emulator version 7.2.15
 * (Debian ...)"), or NULL when it cannot be run. Each binary is asked once
 * per process. */
char *kr_qemu_version(const char *qemu);

/* argv as one line of shell words (for qemu.cmdline; to be freed). */
char *kr_qemu_format_argv(char *const *argv);
