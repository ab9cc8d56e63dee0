/* SPDX-License-Identifier: MIT */
/* Is KVM usable? A device check (the KVM device opens read-write and
 * answers KVM_GET_API_VERSION) and a boot check (a guest under KVM prints
 * the kernel's first line, "Linux version", within a bounded time: on some
 * hosts /dev/kvm answers but guests hang after the firmware). The choice
 * for vm.kvm = auto is made once per kradar process. */
#pragma once

#include <stdbool.h>

#include "qemu.h"
#include "scenario.h"

/* The device: $KRADAR_KVM_DEVICE when set (tests point it at a missing
 * file or at /dev/null to simulate a host without a working KVM), else
 * /dev/kvm. */
const char *kr_kvm_device(void);

/* Seconds the boot check waits for the kernel's first line:
 * $KRADAR_KVM_PROBE_TIMEOUT, else 5. */
double kr_kvm_probe_timeout(void);

/* 0 when the device opens read-write and answers API version 12;
 * otherwise -errno and *reason ("cannot open /dev/kvm: No such file or
 * directory"). */
int kr_kvm_check_device(const char *device, char **reason);

/* Boots kernel with qemu under KVM (no initramfs) and waits up to
 * timeout_s for "Linux version" on the console. 0 when it came; -ETIME or
 * another -errno with *reason otherwise; -EINTR when interrupt_fd became
 * readable. The QEMU it started is gone when this returns. */
int kr_kvm_check_boot(const char *qemu, const char *kernel, double timeout_s, int interrupt_fd,
		      char **reason);

/* Chooses the accelerator for mode. off: TCG. on: KVM if both checks pass,
 * else -ENODEV with *reason (an infra error for the run). auto: KVM if both
 * checks pass, else TCG; the checks run once per process and their result
 * is reused. *fallback (may be NULL) is set to the reason for falling back
 * the first time auto falls back, so that the caller says it once; NULL
 * otherwise. -EINTR when interrupted during a check. */
int kr_kvm_choose(enum kr_kvm_mode mode, const char *qemu, const char *kernel, int interrupt_fd,
		  enum kr_accel *accel, char **reason, char **fallback);
