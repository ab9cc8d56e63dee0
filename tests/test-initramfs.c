/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "initramfs.h"
#include "kr-test.h"
#include "qemu.h"
#include "scenario.h"

static struct kr_scenario *load(const char *json)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "bzImage", "x"));
	free(kr_test_write(dir, "data/a.txt", "payload"));
	free(kr_test_write(dir, "repro.syz", "r0 = openat(0x0, 0x0, 0x0, 0x0)\n"));
	return kr_test_scenario(json);
}

START_TEST(sh_guest)
{
	_cleanup_scenario_free_ struct kr_scenario *s = load(
		"{\"kradar\":1,\"name\":\"t\",\"kernel\":{\"image\":\"bzImage\"},"
		"\"repro\":{\"sh\":[\"echo it's\",\"true\"],\"files\":{\"data\":\"/opt/data\"}},"
		"\"sysctl\":{\"kernel.hung_task_timeout_secs\":10,\"kernel/panic_on_warn\":true}}");
	struct kr_initramfs ir = { .s = s, .busybox = "/bin/busybox", .token = "tok" };
	_cleanup_free_ char *init = kr_initramfs_init_script(&ir);
	const char *want[] = {
		"#!/bin/busybox sh\n",
		"mount -t proc proc /proc\n",
		"kr_sysctl 'kernel/hung_task_timeout_secs' '10'\n",
		"kr_sysctl 'kernel/panic_on_warn' 'true'\n",
		"echo 'KRADAR-START tok'\nsh /kradar/repro.sh </dev/null\nrc=$?\n",
		"echo \"KRADAR-END tok rc=$rc\"\n",
		/* kradar's detectors where the scenario sets none */
		"kr_set /proc/sys/kernel/hung_task_check_interval_secs 5\n",
		"kr_set /sys/module/rcupdate/parameters/rcu_cpu_stall_timeout 21\n",
		/* kmemleak: boot's leaks forgotten, a scan after the reproducer,
		 * its report on the console, then the end marker */
		"if [ -w $km ]; then echo scan >$km; echo clear >$km; fi\ncd /tmp\n",
		"rc=$?\n# kmemleak reports",
		"\tsleep 5\n\techo scan >$km\n\techo scan >$km\n\tleaks=$(cat $km)\n"
		"\t[ -z \"$leaks\" ] || printf 'BUG: memory leak\\n%s\\n' \"$leaks\" >$con\nfi\n"
		"echo \"KRADAR-END tok rc=$rc\"\n",
		/* the guest idles after the end marker: kradar ends the settle period */
		"echo \"KRADAR-END tok rc=$rc\"\nsync\n",
		"while :; do sleep 1000; done\n",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(want); i++)
		ck_assert_msg(strstr(init, want[i]), "no '%s' in\n%s", want[i], init);
	/* the scenario's hung_task_timeout_secs, not kradar's */
	ck_assert_ptr_null(strstr(init, "kr_set /proc/sys/kernel/hung_task_timeout_secs"));
	ck_assert_ptr_null(strstr(init, "poweroff"));
	ck_assert_ptr_null(strstr(init, "con=/dev/stdout")); /* image mode only */

	_cleanup_free_ char *path = kr_path_join(kr_test_tmpdir(), "initrd.cpio");
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_initramfs_write(&ir, path, &err), 0);
	_cleanup_free_ char *cmd = kr_asprintf("cpio -itv --quiet < '%s'", path);
	char *argv[] = { "sh", "-c", cmd, NULL };
	_cleanup_free_ char *list = NULL;
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, &list, NULL, 60), 0);
	const char *entries[] = { " init\n", " bin/busybox\n", " kradar/repro.sh\n",
				  " opt/data/a.txt\n", " dev/console\n", " usr/sbin\n" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(entries); i++)
		ck_assert_msg(strstr(list, entries[i]), "no '%s' in\n%s", entries[i], list);
	ck_assert_ptr_nonnull(strstr(list, "-rwxr-xr-x"));

	/* a repro.files source that vanished is an error naming it */
	ir.busybox = "/nonexistent/busybox";
	ck_assert_int_lt(kr_initramfs_write(&ir, path, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/busybox"));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(syz_guest_and_quoting)
{
	_cleanup_scenario_free_ struct kr_scenario *s = load(
		"{\"kradar\":1,\"name\":\"t\",\"kernel\":{\"image\":\"bzImage\"},"
		"\"repro\":{\"syz\":\"repro.syz\"}}");
	char *flags[] = { "-procs=6", "-enable=tun,net_dev", NULL };
	const char prog[] = "r0 = openat(0x0)\n";
	struct kr_initramfs ir = { .s = s, .busybox = "/bin/busybox", .token = "tok",
				   .syz_program = prog, .syz_program_len = sizeof(prog) - 1,
				   .execprog_flags = flags, .execprog_dir = "/nonexistent" };
	_cleanup_free_ char *init = kr_initramfs_init_script(&ir);
	ck_assert_msg(strstr(init, "/kradar/syz-execprog -executor=/kradar/syz-executor "
				   "'-procs=6' '-enable=tun,net_dev' /kradar/repro.syz </dev/null "
				   ">/dev/ttyS1 2>&1\n"),
		      "%s", init);
	_cleanup_free_ char *q = kr_shell_quote("it's");
	ck_assert_str_eq(q, "'it'\\''s'");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(qemu_command_line)
{
	_cleanup_scenario_free_ struct kr_scenario *s = load(
		"{\"kradar\":1,\"name\":\"t\",\"kernel\":{\"image\":\"bzImage\"},"
		"\"repro\":{\"sh\":\"true\"},\"vm\":{\"smp\":3,\"mem_mb\":777,"
		"\"cmdline\":[\"a=1\",\"b\"],\"args\":[\"-cpu\",\"max\"],\"qemu\":\"/opt/q\"}}");
	struct kr_qemu_guest g = { .s = s, .kernel = "/k/bzImage", .initrd = "/t/i.cpio",
				   .accel = KR_ACCEL_TCG, .aux_serial = "/r/execprog.log" };
	_cleanup_strv_free_ char **argv = kr_qemu_argv(&g);
	_cleanup_free_ char *line = kr_qemu_format_argv(argv);
	ck_assert_str_eq(argv[0], "/opt/q");
	const char *want[] = {
		" -no-reboot ", " -display none ", " -accel tcg ", " -smp 3 ", " -m 777 ",
		" -kernel /k/bzImage ", " -initrd /t/i.cpio ", " -serial file:/r/execprog.log ",
		" -serial chardev:console ", "console=ttyS0 ", " panic=-1 ", " no_timer_check ", " a=1 b'",
		" -cpu max\n",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(want); i++)
		ck_assert_msg(strstr(line, want[i]), "no '%s' in %s", want[i], line);
	/* the console (first -serial) comes before the execprog port */
	ck_assert(strstr(line, "chardev:console") < strstr(line, "file:/r/"));
	g.accel = KR_ACCEL_KVM;
	g.aux_serial = NULL;
	_cleanup_strv_free_ char **kvm = kr_qemu_argv(&g);
	_cleanup_free_ char *kline = kr_qemu_format_argv(kvm);
	ck_assert_ptr_nonnull(strstr(kline, " -accel kvm "));
	ck_assert_ptr_null(strstr(kline, "file:"));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A warm start's init: set up, stop at the ready point on the channel,
 * then the run with the token from it; the same text whatever the token. */
START_TEST(warm_guest)
{
	_cleanup_scenario_free_ struct kr_scenario *s = load(
		"{\"kradar\":1,\"name\":\"t\",\"kernel\":{\"image\":\"bzImage\"},"
		"\"repro\":{\"sh\":\"true\"},\"vm\":{\"warm_start\":true},"
		"\"sysctl\":{\"kernel.hung_task_timeout_secs\":10}}");
	ck_assert(s->vm.warm_start);
	struct kr_initramfs ir = { .s = s, .busybox = "/bin/busybox", .token = "t0k3n", .warm = true };
	_cleanup_free_ char *init = kr_initramfs_init_script(&ir);
	ck_assert_ptr_null(strstr(init, "t0k3n"));
	const char *order[] = {
		"kr_sysctl 'kernel/hung_task_timeout_secs' '10'\n",
		"stty -F /dev/ttyS2 raw -echo\nexec 3</dev/ttyS2\n",
		"echo 'KRADAR-START warm-ready'\n",
		"[ \"$l\" = '#kradar-run-end' ] && break\n",
		". /kradar/run.env\n",
		"echo scan >$km; echo clear >$km",
		"echo \"KRADAR-START $kradar_token\"\nsh /kradar/repro.sh",
		"echo \"KRADAR-END $kradar_token rc=$rc\"\n",
	};
	const char *at = init;
	for (size_t i = 0; i < KR_ARRAY_SIZE(order); i++) {
		const char *p = strstr(at, order[i]);
		ck_assert_msg(p, "no '%s' after the previous part in\n%s", order[i], init);
		at = p;
	}
	ir.token = "other";
	_cleanup_free_ char *again = kr_initramfs_init_script(&ir);
	ck_assert_str_eq(again, init);
	_cleanup_free_ char *run = kr_initramfs_warm_run_script("abc", "0123", 1700000000);
	ck_assert_str_eq(run, "kradar_token=abc\necho 0123 >/dev/urandom\n"
			      "date -s @1700000000 >/dev/null 2>&1\n#kradar-run-end\n");

	/* the warm devices, in the same order booted and restored */
	struct kr_qemu_guest g = { .s = s, .kernel = "/k", .initrd = "/i", .warm = true,
				   .qmp_socket = "/t/q,s", .vmgenid = "G" };
	_cleanup_strv_free_ char **argv = kr_qemu_argv(&g);
	_cleanup_free_ char *line = kr_qemu_format_argv(argv);
	const char *devices[] = { "-serial chardev:console", "-serial null",
				  "-serial chardev:kradar-chan",
				  "-chardev socket,id=kradar-qmp,path=/t/q,,s",
				  "-device vmgenid,guid=G" };
	at = line;
	for (size_t i = 0; i < KR_ARRAY_SIZE(devices); i++) {
		const char *p = strstr(at, devices[i]);
		ck_assert_msg(p, "no '%s' in order in %s", devices[i], line);
		at = p;
	}
	ck_assert_ptr_null(strstr(line, "-incoming"));
	g.incoming = true;
	g.aux_serial = "/r/x.log";
	_cleanup_strv_free_ char **restore = kr_qemu_argv(&g);
	_cleanup_free_ char *rline = kr_qemu_format_argv(restore);
	KR_ASSERT_HAS(rline, " -incoming defer");
	KR_ASSERT_HAS(rline, "-serial file:/r/x.log -chardev null,id=kradar-chan");
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("initramfs");
	TCase *tc = tcase_create("initramfs");
	tcase_add_test(tc, sh_guest);
	tcase_add_test(tc, syz_guest_and_quoting);
	tcase_add_test(tc, qemu_command_line);
	tcase_add_test(tc, warm_guest);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
