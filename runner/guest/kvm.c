/* SPDX-License-Identifier: MIT */
#include "kvm.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

#include "process.h"

const char *kr_kvm_device(void)
{
	const char *d = getenv("KRADAR_KVM_DEVICE");
	return d && *d ? d : "/dev/kvm";
}

double kr_kvm_probe_timeout(void)
{
	const char *t = getenv("KRADAR_KVM_PROBE_TIMEOUT");
	double v = t ? strtod(t, NULL) : 0;
	return v > 0 ? v : 5;
}

int kr_kvm_check_device(const char *device, char **reason)
{
	_cleanup_close_ int fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;
		*reason = kr_asprintf("cannot open %s read-write: %s", device, strerror(errno));
		return r;
	}
	int v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v < 0) {
		int r = -errno;
		*reason = kr_asprintf("%s does not answer KVM_GET_API_VERSION: %s", device,
				      strerror(errno));
		return r;
	}
	if (v != KVM_API_VERSION) {
		*reason = kr_asprintf("%s has KVM API version %d, not %d", device, v,
				      KVM_API_VERSION);
		return -ENOTSUP;
	}
	return 0;
}

int kr_kvm_check_boot(const char *qemu, const char *kernel, double timeout_s, int interrupt_fd,
		      char **reason)
{
	_cleanup_strv_free_ char **argv = kr_qemu_base_argv(qemu);
	const char *const probe[] = { "-accel", "kvm", "-smp", "1", "-m", "256", "-kernel", kernel,
				      "-append", "console=ttyS0 earlyprintk=serial panic=-1" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(probe); i++)
		kr_strv_push(&argv, kr_strdup(probe[i]));
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	_cleanup_close_ int rd = fds[0];
	_cleanup_close_ int wr = fds[1];
	_cleanup_process_free_ struct kr_process *p = kr_process_new(argv);
	kr_process_set_stdout(p, wr);
	kr_process_set_stderr(p, wr);
	int r = kr_process_start(p);
	if (r < 0) {
		*reason = kr_asprintf("cannot run %s: %s", qemu, strerror(-r));
		return r;
	}
	close(KR_TAKE_FD(wr));

	/* Only the tail matters: "Linux version" may straddle two reads. */
	struct kr_buf out = KR_BUF_INIT(1 << 16);
	uint64_t deadline = kr_now_ns() + (uint64_t)(timeout_s * 1e9);
	r = -ETIME;
	for (;;) {
		uint64_t now = kr_now_ns();
		if (now >= deadline)
			break;
		struct pollfd pfd[2] = {
			{ .fd = rd, .events = POLLIN },
			{ .fd = interrupt_fd, .events = POLLIN },
		};
		int n = poll(pfd, interrupt_fd >= 0 ? 2 : 1,
			     (int)((deadline - now + 999999) / 1000000));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n > 0 && interrupt_fd >= 0 && (pfd[1].revents & POLLIN)) {
			r = -EINTR;
			break;
		}
		if (n == 0 || !(pfd[0].revents & (POLLIN | POLLHUP)))
			continue;
		char chunk[4096];
		ssize_t got = read(rd, chunk, sizeof(chunk));
		if (got <= 0) {
			r = -EPIPE; /* QEMU is gone */
			break;
		}
		if (kr_buf_add(&out, chunk, (size_t)got) < 0) {
			memmove(out.data, out.data + out.len - 64, 64);
			out.len = 64;
			kr_buf_add(&out, chunk, (size_t)got);
		}
		if (memmem(out.data, out.len, "Linux version", 13)) {
			r = 0;
			break;
		}
	}
	kr_process_stop(p, 1);
	if (r == -ETIME)
		*reason = kr_asprintf("a KVM guest printed no kernel line within %.0f s", timeout_s);
	else if (r == -EPIPE) {
		/* QEMU's own complaint is the best reason: its last line. */
		char *end = out.data ? out.data + out.len : NULL;
		while (end && end > out.data && (end[-1] == '\n' || end[-1] == '\r'))
			end--;
		char *start = end;
		while (start && start > out.data && start[-1] != '\n')
			start--;
		*reason = start && end > start ?
				  kr_asprintf("QEMU exited under KVM: %.*s", (int)(end - start), start) :
				  kr_strdup("QEMU exited under KVM without printing anything");
		r = -ENODEV;
	} else if (r < 0 && r != -EINTR) {
		*reason = kr_asprintf("KVM boot check failed: %s", strerror(-r));
	}
	kr_buf_free(&out);
	return r;
}

/* The auto decision, made once per process. */
static struct {
	bool done;
	bool usable;
	bool said; /* the fallback to TCG was reported */
	char *reason;
} probe;

static int check(const char *qemu, const char *kernel, int interrupt_fd, char **reason)
{
	int r = kr_kvm_check_device(kr_kvm_device(), reason);
	if (r < 0)
		return r;
	return kr_kvm_check_boot(qemu, kernel, kr_kvm_probe_timeout(), interrupt_fd, reason);
}

int kr_kvm_choose(enum kr_kvm_mode mode, const char *qemu, const char *kernel, int interrupt_fd,
		  enum kr_accel *accel, char **reason, char **fallback)
{
	if (fallback)
		*fallback = NULL;
	if (mode == KR_KVM_OFF) {
		*accel = KR_ACCEL_TCG;
		return 0;
	}
	if (!probe.done) {
		_cleanup_free_ char *why = NULL;
		int r = check(qemu, kernel, interrupt_fd, &why);
		if (r == -EINTR)
			return r;
		probe.done = true;
		probe.usable = r == 0;
		probe.reason = KR_TAKE_PTR(why);
	}
	if (!probe.usable && mode == KR_KVM_AUTO && !probe.said && fallback) {
		probe.said = true;
		*fallback = kr_asprintf("KVM is not usable (%s): using TCG", probe.reason);
	}
	if (probe.usable) {
		*accel = KR_ACCEL_KVM;
		return 0;
	}
	if (mode == KR_KVM_ON) {
		*reason = kr_asprintf("vm.kvm is on but KVM is not usable: %s", probe.reason);
		return -ENODEV;
	}
	*accel = KR_ACCEL_TCG;
	return 0;
}
