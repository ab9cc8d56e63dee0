/* SPDX-License-Identifier: MIT */
#include "qemu.h"

#include <fcntl.h>
#include <string.h>

#include "initramfs.h"
#include "process.h"

const char *kr_accel_to_string(enum kr_accel a)
{
	return a == KR_ACCEL_KVM ? "kvm" : "tcg";
}

char *kr_qemu_kernel_cmdline(const struct kr_scenario *s)
{
	/* Crash settings as syzbot uses them: every oops and WARNING panics,
	 * and a panic reboots at once, which ends QEMU (-no-reboot), so the
	 * report is the last thing on the console. no_timer_check: on a busy
	 * host an emulated vCPU can miss the IO-APIC timer check at boot and
	 * the kernel panics ("IO-APIC + timer doesn't work!"), a host
	 * artifact that would read as an infra error. */
	_cleanup_free_ char *root = s->disk.image ? kr_asprintf(" root=%s rw", s->disk.root) : NULL;
	return kr_asprintf("console=ttyS0 earlyprintk=serial printk.time=1 oops=panic "
			   "panic_on_warn=1 panic=-1 net.ifnames=0 no_timer_check%s%s%s",
			   root ? root : "", s->vm.cmdline && *s->vm.cmdline ? " " : "",
			   s->vm.cmdline ? s->vm.cmdline : "");
}

char **kr_qemu_base_argv(const char *qemu)
{
	char **argv = kr_calloc(1, sizeof(char *));
	kr_strv_push(&argv, kr_strdup(qemu));
	static const char *const fixed[] = {
		"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		/* ttyS0: the console, on QEMU's stdout */
		"-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(fixed); i++)
		kr_strv_push(&argv, kr_strdup(fixed[i]));
	return argv;
}

char *kr_qemu_opt_escape(const char *value)
{
	struct kr_buf b = KR_BUF_INIT((size_t)1 << 20);
	for (const char *p = value; *p; p++) {
		if (*p == ',')
			kr_buf_addc(&b, ',');
		kr_buf_addc(&b, *p);
	}
	return kr_buf_steal(&b);
}

char **kr_qemu_argv(const struct kr_qemu_guest *g)
{
	const struct kr_scenario *s = g->s;
	char **argv = kr_qemu_base_argv(s->vm.qemu);
	if (g->aux_serial) {
		kr_strv_push(&argv, kr_strdup("-serial"));
		kr_strv_pushf(&argv, "file:%s", g->aux_serial);
	} else if (g->warm) { /* ttyS1 is there all the same: ttyS2 is the channel */
		kr_strv_push(&argv, kr_strdup("-serial"));
		kr_strv_push(&argv, kr_strdup("null"));
	}
	if (g->warm) {
		_cleanup_free_ char *qmp = kr_qemu_opt_escape(g->qmp_socket);
		const char *const warm[] = {
			"-chardev", "null,id=" KR_QEMU_CHANNEL, "-serial", "chardev:" KR_QEMU_CHANNEL,
			"-mon", "chardev=kradar-qmp,mode=control",
		};
		for (size_t i = 0; i < KR_ARRAY_SIZE(warm); i++)
			kr_strv_push(&argv, kr_strdup(warm[i]));
		kr_strv_push(&argv, kr_strdup("-chardev"));
		kr_strv_pushf(&argv, "socket,id=kradar-qmp,path=%s", qmp);
		kr_strv_push(&argv, kr_strdup("-device"));
		kr_strv_pushf(&argv, "vmgenid,guid=%s", g->vmgenid);
		if (g->incoming) {
			kr_strv_push(&argv, kr_strdup("-incoming"));
			kr_strv_push(&argv, kr_strdup("defer"));
		}
	}
	kr_strv_push(&argv, kr_strdup("-accel"));
	kr_strv_push(&argv, kr_strdup(kr_accel_to_string(g->accel)));
	kr_strv_push(&argv, kr_strdup("-smp"));
	kr_strv_pushf(&argv, "%d", s->vm.smp);
	kr_strv_push(&argv, kr_strdup("-m"));
	kr_strv_pushf(&argv, "%d", s->vm.mem_mb);
	kr_strv_push(&argv, kr_strdup("-kernel"));
	kr_strv_push(&argv, kr_strdup(g->kernel));
	if (g->initrd) {
		kr_strv_push(&argv, kr_strdup("-initrd"));
		kr_strv_push(&argv, kr_strdup(g->initrd));
	}
	kr_strv_push(&argv, kr_strdup("-append"));
	kr_strv_push(&argv, kr_qemu_kernel_cmdline(s));
	if (g->disk) {
		_cleanup_free_ char *file = kr_qemu_opt_escape(g->disk);
		kr_strv_push(&argv, kr_strdup("-drive"));
		kr_strv_pushf(&argv, "file=%s,format=%s,if=ide,index=0,media=disk", file,
			      kr_qemu_disk_format(g->disk));
		kr_strv_push(&argv, kr_strdup("-snapshot"));
		kr_strv_push(&argv, kr_strdup("-device"));
		kr_strv_push(&argv, kr_strdup("e1000,netdev=net0"));
		kr_strv_push(&argv, kr_strdup("-netdev"));
		kr_strv_pushf(&argv, "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:%d-:22",
			      g->ssh_port);
	}
	for (size_t i = 0; s->vm.args && s->vm.args[i]; i++)
		kr_strv_push(&argv, kr_strdup(s->vm.args[i]));
	return argv;
}

const char *kr_qemu_disk_format(const char *path)
{
	unsigned char magic[4] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, magic, sizeof(magic)) != (ssize_t)sizeof(magic))
			magic[0] = 0;
		close(fd);
	}
	return memcmp(magic, "QFI\xfb", 4) == 0 ? "qcow2" : "raw";
}

static bool shell_safe(const char *w)
{
	if (!*w)
		return false;
	for (const char *p = w; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "-_./:,=+@%",
			    *p))
			return false;
	return true;
}

char *kr_qemu_format_argv(char *const *argv)
{
	struct kr_buf b = KR_BUF_INIT((size_t)16 << 20);
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			kr_buf_addc(&b, ' ');
		if (shell_safe(argv[i])) {
			kr_buf_adds(&b, argv[i]);
		} else {
			_cleanup_free_ char *q = kr_shell_quote(argv[i]);
			kr_buf_adds(&b, q);
		}
	}
	kr_buf_addc(&b, '\n');
	return kr_buf_steal(&b);
}

/* What kr_qemu_version() found, per binary, for this process. */
static struct {
	char *qemu;
	char *version;
} versions[8];

char *kr_qemu_version(const char *qemu)
{
	size_t i = 0;
	for (; i < KR_ARRAY_SIZE(versions) && versions[i].qemu; i++)
		if (!strcmp(versions[i].qemu, qemu))
			return kr_strdup(versions[i].version);
	char *argv[] = { (char *)qemu, "--version", NULL };
	_cleanup_free_ char *out = NULL;
	int status = -1;
	char *version = NULL;
	if (kr_process_run_capture(argv, NULL, -1, 64 << 10, 30, &out, &status) == 0 &&
	    status == 0 && out && *out)
		version = kr_strndup(out, strcspn(out, "\n"));
	if (i < KR_ARRAY_SIZE(versions)) {
		versions[i].qemu = kr_strdup(qemu);
		versions[i].version = kr_strdup(version);
	}
	return version;
}
