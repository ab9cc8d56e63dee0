/* SPDX-License-Identifier: MIT */
#include "initramfs.h"

#include <string.h>
#include <sys/stat.h>

#include "cpio.h"
#include "detectors.h"
#include "qemu.h"

char *kr_shell_quote(const char *text)
{
	struct kr_buf b = KR_BUF_INIT((size_t)-1 / 2);
	kr_buf_addc(&b, '\'');
	for (const char *p = text; *p; p++) {
		if (*p == '\'')
			kr_buf_adds(&b, "'\\''");
		else
			kr_buf_addc(&b, *p);
	}
	kr_buf_addc(&b, '\'');
	return kr_buf_steal(&b);
}

/* "kernel.hung_task_timeout_secs" -> "kernel/hung_task_timeout_secs";
 * names that already use slashes are kept. */
static char *sysctl_path(const char *key)
{
	char *p = kr_strdup(key[0] == '/' ? key + 1 : key);
	if (!strchr(p, '/'))
		for (char *c = p; *c; c++)
			if (*c == '.')
				*c = '/';
	return p;
}

/* A guest path as the script names it: in image mode the files are in the
 * script's own directory ("$d", see kr_initramfs_ssh_script()). */
static char *guest_path(const char *path, bool ssh)
{
	return ssh ? kr_asprintf("\"$d\"/%s", strrchr(path, '/') + 1) : kr_strdup(path);
}

/* ssh: image mode, where the script's stdout is the SSH session's. */
static void repro_command(const struct kr_initramfs *ir, struct kr_buf *b, bool ssh)
{
	_cleanup_free_ char *sh = guest_path(KR_GUEST_REPRO_SH, ssh);
	_cleanup_free_ char *bin = guest_path(KR_GUEST_REPRO_BIN, ssh);
	_cleanup_free_ char *syz = guest_path(KR_GUEST_REPRO_SYZ, ssh);
	_cleanup_free_ char *execprog = guest_path(KR_GUEST_EXECPROG, ssh);
	_cleanup_free_ char *executor = guest_path(KR_GUEST_EXECUTOR, ssh);
	switch (ir->s->repro.kind) {
	case KR_REPRO_SH:
		kr_buf_printf(b, "sh %s </dev/null\n", sh);
		break;
	case KR_REPRO_C:
		kr_buf_printf(b, "%s </dev/null\n", bin);
		break;
	case KR_REPRO_SYZ:
		kr_buf_printf(b, "%s -executor=%s", execprog, executor);
		for (size_t i = 0; ir->execprog_flags && ir->execprog_flags[i]; i++) {
			_cleanup_free_ char *q = kr_shell_quote(ir->execprog_flags[i]);
			kr_buf_printf(b, " %s", q);
		}
		if (ssh)
			kr_buf_printf(b, " %s </dev/null\n", syz);
		else
			kr_buf_printf(b, " %s </dev/null >%s 2>&1\n", syz, KR_GUEST_AUX_TTY);
		break;
	}
}

/* The detectors, the sysctls and kmemleak's file: what is set before the
 * reproducer (and, with a warm start, before the snapshot). */
static void settings_part(const struct kr_initramfs *ir, struct kr_buf *b, bool ssh)
{
	kr_buf_adds(b, "kr_sysctl() {\n"
		       "\techo \"$2\" >\"/proc/sys/$1\" || echo \"kradar: cannot set sysctl $1\"\n"
		       "}\n"
		       "kr_set() {\n"
		       "\t[ ! -e \"$1\" ] || echo \"$2\" >\"$1\" || echo \"kradar: cannot set $1\"\n"
		       "}\n"
		       "# kradar's detector settings where the scenario sets none (detectors.txt)\n");
	struct kr_detector d[KR_DETECTORS];
	kr_detectors_get(ir->s, d);
	for (size_t i = 0; i < KR_DETECTORS; i++)
		if (!d[i].from_scenario)
			kr_buf_printf(b, "kr_set %s %ld\n", d[i].guest_path, d[i].value);
	for (size_t i = 0; i < ir->s->n_sysctl; i++) {
		_cleanup_free_ char *path = sysctl_path(ir->s->sysctl[i].key);
		_cleanup_free_ char *qp = kr_shell_quote(path);
		_cleanup_free_ char *qv = kr_shell_quote(ir->s->sysctl[i].s);
		kr_buf_printf(b, "kr_sysctl %s %s\n", qp, qv);
	}
	/* kmemleak, when the kernel has it: what boot left is not the
	 * reproducer's. In image mode its report goes to the console (where
	 * the crash scanner reads) when the script may write there. */
	kr_buf_printf(b, "km=%s\n", KR_GUEST_KMEMLEAK);
	if (ssh)
		kr_buf_adds(b, "[ -e $km ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n"
			       "con=/dev/console\n"
			       "[ -w $con ] || con=/dev/stdout\n");
	else
		kr_buf_adds(b, "con=/dev/console\n");
}

/* The kmemleak scan, the start marker, the reproducer and the end marker.
 * A warm start's guest learns its token from the channel
 * ($kradar_token). */
static void run_part(const struct kr_initramfs *ir, struct kr_buf *b, bool ssh)
{
	kr_buf_adds(b, "if [ -w $km ]; then echo scan >$km; echo clear >$km; fi\n");
	/* In image mode the reproducer runs where its files are, on the
	 * disk's filesystem, as syzbot runs it: /tmp may be a tmpfs, where
	 * syz-executor's swap file (fallocate FALLOC_FL_ZERO_RANGE) fails and
	 * syz-execprog stops before the first program. */
	const char *dir = ssh ? "\"$d\"" : "/tmp";
	if (ir->warm)
		kr_buf_printf(b, "cd %s\necho \"%s $kradar_token\"\n", dir, KR_MARKER_START);
	else
		kr_buf_printf(b, "cd %s\necho '%s %s'\n", dir, KR_MARKER_START, ir->token);
	repro_command(ir, b, ssh);
	kr_buf_adds(b, "rc=$?\n"
		       "# kmemleak reports an object at least 5 s old whose contents did not\n"
		       "# change between two scans (mm/kmemleak.c)\n"
		       "if [ -w $km ]; then\n"
		       "\tsleep 5\n"
		       "\techo scan >$km\n"
		       "\techo scan >$km\n"
		       "\tleaks=$(cat $km)\n"
		       "\t[ -z \"$leaks\" ] || printf 'BUG: memory leak\\n%s\\n' \"$leaks\" >$con\n"
		       "fi\n");
	kr_buf_printf(b, "echo \"%s %s rc=$rc\"\n", KR_MARKER_END,
		      ir->warm ? "$kradar_token" : ir->token);
}

/* The ready point of a warm start: everything set, the channel in raw
 * mode and open, the ready marker printed; kradar saves the guest here
 * while it waits for the channel's first line. After a restore the
 * channel brings the run's settings (kr_initramfs_warm_run_script()). */
static void warm_part(struct kr_buf *b)
{
	kr_buf_printf(b,
		      "stty -F %s raw -echo\n"
		      "exec 3<%s\n"
		      "echo '%s %s'\n"
		      "while IFS= read -r l <&3; do\n"
		      "\t[ \"$l\" = '%s' ] && break\n"
		      "\tprintf '%%s\\n' \"$l\"\n"
		      "done >/kradar/run.env\n"
		      "exec 3<&-\n"
		      ". /kradar/run.env\n",
		      KR_GUEST_CHANNEL_TTY, KR_GUEST_CHANNEL_TTY, KR_MARKER_START,
		      KR_WARM_READY_TOKEN, KR_WARM_RUN_END);
}

char *kr_initramfs_warm_run_script(const char *token, const char *seed_hex, long long epoch)
{
	return kr_asprintf("kradar_token=%s\n"
			   "echo %s >/dev/urandom\n"
			   "date -s @%lld >/dev/null 2>&1\n"
			   "%s\n",
			   token, seed_hex, epoch, KR_WARM_RUN_END);
}

char *kr_initramfs_ssh_script(const struct kr_initramfs *ir)
{
	struct kr_buf b = KR_BUF_INIT((size_t)64 << 20);
	kr_buf_adds(&b,
		    "#!/bin/sh\n"
		    "# kradar's reproducer script (image mode), run over SSH: set the\n"
		    "# detectors, run the reproducer; all output on the session's stdout.\n"
		    "export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
		    "exec 2>&1\n"
		    "# the reproducer's files are next to this script\n"
		    "d=$(cd \"$(dirname \"$0\")\" && pwd)\n");
	settings_part(ir, &b, true);
	run_part(ir, &b, true);
	return kr_buf_steal(&b);
}

char *kr_initramfs_init_script(const struct kr_initramfs *ir)
{
	struct kr_buf b = KR_BUF_INIT((size_t)64 << 20);
	kr_buf_adds(&b,
		    "#!/bin/busybox sh\n"
		    "# kradar's guest init: mount, set the detectors, run the reproducer.\n"
		    "/bin/busybox --install -s\n"
		    "export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root\n"
		    "mount -t proc proc /proc\n"
		    "mount -t sysfs sysfs /sys\n"
		    "mount -t devtmpfs devtmpfs /dev\n"
		    "mkdir -p /dev/pts /dev/shm\n"
		    "mount -t devpts devpts /dev/pts\n"
		    "mount -t tmpfs tmpfs /dev/shm\n"
		    "mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n"
		    "ln -sf /proc/self/fd /dev/fd\n");
	settings_part(ir, &b, false);
	if (ir->warm)
		warm_part(&b);
	run_part(ir, &b, false);
	kr_buf_adds(&b, "sync\n"
			"# kradar stops the guest after the settle period: the kernel's\n"
			"# detectors may still report until then. init must not exit (the\n"
			"# kernel would panic).\n"
			"while :; do sleep 1000; done\n");
	return kr_buf_steal(&b);
}

static int add(int r, const char *what, char **err)
{
	if (r < 0 && err && !*err)
		*err = kr_asprintf("cannot add %s to the initramfs: %s", what, strerror(-r));
	return r;
}

int kr_initramfs_write(const struct kr_initramfs *ir, const char *path, char **err)
{
	_cleanup_cpio_free_ struct kr_cpio *c = NULL;
	int r = kr_cpio_open(path, &c);
	if (r < 0)
		return add(r, path, err);
	static const char *const dirs[] = { "bin", "sbin", "usr/bin", "usr/sbin", "proc",
					    "sys", "dev", "tmp", "root", "kradar", "etc" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(dirs); i++)
		if ((r = kr_cpio_add_dir(c, dirs[i], strcmp(dirs[i], "tmp") ? 0755 : 01777)) < 0)
			return add(r, dirs[i], err);
	/* The kernel opens /dev/console for init before devtmpfs exists. */
	if ((r = kr_cpio_add_node(c, "dev/console", S_IFCHR, 0600, 5, 1)) < 0)
		return add(r, "/dev/console", err);
	if ((r = kr_cpio_add_host(c, "bin/busybox", ir->busybox)) < 0)
		return add(r, ir->busybox, err);
	_cleanup_free_ char *init = kr_initramfs_init_script(ir);
	if ((r = kr_cpio_add_file(c, "init", 0755, init, strlen(init))) < 0)
		return add(r, "/init", err);

	const struct kr_scenario *s = ir->s;
	switch (s->repro.kind) {
	case KR_REPRO_SH:
		r = kr_cpio_add_file(c, KR_GUEST_REPRO_SH, 0755, s->repro.sh, strlen(s->repro.sh));
		if (r < 0)
			return add(r, "the reproducer", err);
		break;
	case KR_REPRO_C:
		if ((r = kr_cpio_add_host(c, KR_GUEST_REPRO_BIN, ir->repro_binary)) < 0)
			return add(r, ir->repro_binary, err);
		break;
	case KR_REPRO_SYZ: {
		r = kr_cpio_add_file(c, KR_GUEST_REPRO_SYZ, 0644, ir->syz_program,
				     ir->syz_program_len);
		if (r < 0)
			return add(r, "the reproducer", err);
		_cleanup_free_ char *execprog = kr_path_join(ir->execprog_dir, "syz-execprog");
		_cleanup_free_ char *executor = kr_path_join(ir->execprog_dir, "syz-executor");
		if ((r = kr_cpio_add_host(c, KR_GUEST_EXECPROG, execprog)) < 0)
			return add(r, execprog, err);
		if ((r = kr_cpio_add_host(c, KR_GUEST_EXECUTOR, executor)) < 0)
			return add(r, executor, err);
		break;
	}
	}
	for (size_t i = 0; i < s->repro.n_files; i++)
		if ((r = kr_cpio_add_host(c, s->repro.files[i].guest, s->repro.files[i].host)) < 0)
			return add(r, s->repro.files[i].host, err);
	r = kr_cpio_finish(KR_TAKE_PTR(c));
	return add(r, path, err);
}
