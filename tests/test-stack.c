/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "kr-test.h"
#include "signature.h"
#include "stack.h"

static int parse(const char *line, struct kr_frame *f)
{
	return kr_stack_parse_line(line, strlen(line), f);
}

START_TEST(parse_x86_lines)
{
	struct kr_frame f;
	ck_assert_int_eq(parse(" radar_check_state+0x1c/0x40 [kradar_test]", &f), 1);
	ck_assert_str_eq(f.func, "radar_check_state");
	ck_assert_uint_eq(f.off, 0x1c);
	ck_assert_uint_eq(f.size, 0x40);
	ck_assert_str_eq(f.module, "kradar_test");
	ck_assert(!f.uncertain && !f.is_inline);
	ck_assert_uint_eq(f.line_start, 0);
	ck_assert_uint_eq(f.line_end, strlen(" radar_check_state+0x1c/0x40 [kradar_test]"));
	kr_frame_clear(&f);

	ck_assert_int_eq(parse(" ? do_user_addr_fault+0x1b0/0x570\r", &f), 1);
	ck_assert_str_eq(f.func, "do_user_addr_fault");
	ck_assert(f.uncertain);
	ck_assert_ptr_null(f.module);
	kr_frame_clear(&f);

	/* compiler suffixes are kept; the base name drops them */
	ck_assert_int_eq(parse("  kradar_test_write.cold+0x1c/0x3e [kradar_test]", &f), 1);
	ck_assert_str_eq(f.func, "kradar_test_write.cold");
	_cleanup_free_ char *base = kr_frame_base_name(f.func);
	ck_assert_str_eq(base, "kradar_test_write");
	kr_frame_clear(&f);
	_cleanup_free_ char *isra = kr_frame_base_name("ext4_foo.isra.0");
	ck_assert_str_eq(isra, "ext4_foo");

	ck_assert_int_eq(parse("RIP: 0010:kradar_test_bug+0x16/0x20 [kradar_test]", &f), 1);
	ck_assert_str_eq(f.func, "kradar_test_bug");
	ck_assert_uint_eq(f.off, 0x16);
	ck_assert(!f.uncertain);
	kr_frame_clear(&f);
	/* user space's program counter is an address, not a frame */
	ck_assert_int_eq(parse("RIP: 0033:0x47b7a0", &f), 0);
	ck_assert_ptr_null(f.func);

	/* older kernels: addresses first, and the IRQ marker on the line */
	ck_assert_int_eq(parse(" [<ffffffff8105a7f9>] ? warn_slowpath_common+0x79/0xc0", &f), 1);
	ck_assert_str_eq(f.func, "warn_slowpath_common");
	ck_assert(f.uncertain);
	kr_frame_clear(&f);
	ck_assert_int_eq(parse(" <IRQ>  [<ffffffff81234567>] handle_irq+0x10/0x20", &f), 1);
	ck_assert_str_eq(f.func, "handle_irq");
	kr_frame_clear(&f);

	/* a module's build id */
	ck_assert_int_eq(parse(" mod_fn+0x5/0x10 [mymod 0123456789abcdef]", &f), 1);
	ck_assert_str_eq(f.module, "mymod");
	kr_frame_clear(&f);
	/* an offset without a size */
	ck_assert_int_eq(parse("pc : arm_fn+0x24", &f), 1);
	ck_assert_str_eq(f.func, "arm_fn");
	ck_assert_uint_eq(f.off, 0x24);
	ck_assert_uint_eq(f.size, 0);
	kr_frame_clear(&f);
}
END_TEST

START_TEST(parse_symbolized_lines)
{
	struct kr_frame f;
	ck_assert_int_eq(parse(" ext4_fill_super+0x1c/0x40 fs/ext4/super.c:42", &f), 1);
	ck_assert_str_eq(f.func, "ext4_fill_super");
	ck_assert(!f.is_inline);
	kr_frame_clear(&f);
	ck_assert_int_eq(parse(" __dump_stack lib/dump_stack.c:88 [inline]", &f), 1);
	ck_assert_str_eq(f.func, "__dump_stack");
	ck_assert(f.is_inline);
	ck_assert_uint_eq(f.off, 0);
	ck_assert_uint_eq(f.size, 0);
	kr_frame_clear(&f);
	ck_assert_int_eq(parse(" radar_inner [inline]", &f), 1);
	ck_assert(f.is_inline);
	kr_frame_clear(&f);
	ck_assert_int_eq(parse(" radar_outer+0x10/0x80 inline", &f), 1);
	ck_assert(f.is_inline);
	kr_frame_clear(&f);
	ck_assert_int_eq(parse(" drv_probe+0x10/0x80 [drv] drivers/x/drv.c:10:3", &f), 1);
	ck_assert_str_eq(f.module, "drv");
	kr_frame_clear(&f);
}
END_TEST

START_TEST(parse_non_frames)
{
	static const char *const lines[] = {
		"Call Trace:",
		" <TASK>",
		" </IRQ>",
		"",
		"CPU: 0 PID: 93 Comm: sh Tainted: G           OE      6.1.0-56-amd64 #1",
		"Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)",
		"RSP: 0018:ffffcb56c03abce0 EFLAGS: 00000202",
		"Code: c0 75 07 31 c0 c3 cc cc",
		"task:kworker/0:1   state:D stack:0     pid:12    ppid:2      flags:0x00004000",
		"Allocated by task 5000:",
		"The buggy address belongs to the object at ffff888012345678",
		"radar_check_state", /* no offset, no source */
		" plain words here",
		" func+0xzz/0x40",
		" func+0x10/0x40 trailing junk",
		"powerpc_fn+0x10/0x20 (unreliable)",
		"(lock){+.+.}-{3:3}, at: foo+0x1/0x2",
		"ffffffffdeadbeef",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(lines); i++) {
		struct kr_frame f;
		ck_assert_msg(parse(lines[i], &f) == 0, "%s", lines[i]);
		ck_assert_ptr_null(f.func);
		ck_assert_ptr_null(f.module);
	}
}
END_TEST

static struct kr_stack *stack_of(const char *text)
{
	return kr_stack_of_report(text, strlen(text));
}

/* The functions of st's frames, "?" before a guessed one, space-separated. */
static char *names(const struct kr_stack *st)
{
	struct kr_buf b = KR_BUF_INIT(1 << 20);
	for (size_t i = 0; i < kr_stack_n_frames(st); i++) {
		const struct kr_frame *f = kr_stack_frame(st, i);
		kr_buf_printf(&b, "%s%s%s", i ? " " : "", f->uncertain ? "?" : "", f->func);
	}
	return kr_buf_steal(&b);
}

START_TEST(warning_with_rip_and_irq)
{
	const char *text =
		"------------[ cut here ]------------\n"
		"WARNING: CPU: 1 PID: 7 at drivers/radar/state.c:120 radar_check_state+0x1c/0x40 [radar]\n"
		"Modules linked in: radar(OE)\n"
		"CPU: 1 PID: 7 Comm: kworker/1:0 Not tainted 6.1.0 #1\n"
		"RIP: 0010:radar_check_state+0x1c/0x40 [radar]\n"
		"Code: 0f 0b c3 <0f> 0b\n"
		"RSP: 0018:ffffc90000003e48 EFLAGS: 00010246\n"
		"Call Trace:\n"
		" <IRQ>\n"
		" radar_tick+0x30/0x60 [radar]\n"
		" ? radar_unused+0x1/0x2\n"
		" call_timer_fn+0x27/0x130\n"
		" </IRQ>\n"
		" <TASK>\n"
		"RIP: 0010:default_idle+0xb/0x10\n"
		"Code: 00 00 00\n"
		"RSP: 0018:ffffffff82603e50 EFLAGS: 00000206\n"
		" default_idle_call+0x2e/0xe0\n"
		" do_idle+0x1f0/0x260\n"
		" </TASK>\n"
		"irq event stamp: 1234\n"
		" later_frame+0x1/0x2\n"
		"---[ end trace 0000000000000000 ]---\n";
	_cleanup_(kr_stack_freep) struct kr_stack *st = stack_of(text);
	_cleanup_free_ char *got = names(st);
	ck_assert_str_eq(got, "radar_check_state radar_tick ?radar_unused call_timer_fn "
			      "default_idle default_idle_call do_idle");
	const struct kr_frame *top = kr_stack_frame(st, 0);
	ck_assert_str_eq(top->module, "radar");
	/* the offsets name the frame's line in the text */
	const char *rip = strstr(text, "RIP: 0010:radar");
	ck_assert_uint_eq(top->line_start, (size_t)(rip - text));
	ck_assert_uint_eq(top->line_end, (size_t)(strchr(rip, '\n') - text));
	const struct kr_frame *last = kr_stack_frame(st, 6);
	ck_assert_uint_eq(last->line_start, (size_t)(strstr(text, " do_idle") - text));
	ck_assert_ptr_null(kr_stack_frame(st, 7));
}
END_TEST

START_TEST(kasan_sections_are_not_the_first_trace)
{
	const char *text =
		"==================================================================\n"
		"BUG: KASAN: use-after-free in radar_read+0x20/0x50 fs/radar/read.c:33\n"
		"Read of size 8 at addr ffff888012345678 by task syz-executor/5000\n"
		"\n"
		"CPU: 0 PID: 5000 Comm: syz-executor Not tainted 6.1.0-syzkaller #0\n"
		"Call Trace:\n"
		" <TASK>\n"
		" __dump_stack lib/dump_stack.c:88 [inline]\n"
		" dump_stack_lvl+0xd9/0x150 lib/dump_stack.c:106\n"
		" print_report+0xc1/0x5e0 mm/kasan/report.c:475\n"
		" kasan_report+0xc0/0xf0 mm/kasan/report.c:588\n"
		" radar_read+0x20/0x50 fs/radar/read.c:33\n"
		" vfs_read+0x1e1/0x4a0 fs/read_write.c:468\n"
		" </TASK>\n"
		"\n"
		"Allocated by task 4999:\n"
		" kasan_save_stack+0x22/0x40 mm/kasan/common.c:45\n"
		" radar_open+0x10/0x30 fs/radar/open.c:12\n"
		"\n"
		"Freed by task 4999:\n"
		" kasan_save_stack+0x22/0x40 mm/kasan/common.c:45\n"
		" radar_release+0x10/0x30 fs/radar/open.c:40\n";
	_cleanup_(kr_stack_freep) struct kr_stack *st = stack_of(text);
	_cleanup_free_ char *got = names(st);
	ck_assert_str_eq(got, "__dump_stack dump_stack_lvl print_report kasan_report radar_read "
			      "vfs_read");
	ck_assert(kr_stack_frame(st, 0)->is_inline);

	/* without a "Call Trace:" line: the first run of frames, never the
	 * allocation or free stacks */
	const char *bare =
		"BUG: KASAN: slab-out-of-bounds in radar_write+0x1/0x2\n"
		" radar_write+0x1/0x2\n"
		" ksys_write+0x3/0x4\n"
		"\n"
		" stray_frame+0x1/0x2\n"
		"Allocated by task 1:\n"
		" radar_alloc+0x1/0x2\n";
	_cleanup_(kr_stack_freep) struct kr_stack *st2 = stack_of(bare);
	_cleanup_free_ char *got2 = names(st2);
	ck_assert_str_eq(got2, "radar_write ksys_write");
	const char *only_alloc = "BUG: KASAN: double-free in radar_free\n"
				 "Allocated by task 1:\n"
				 " radar_alloc+0x1/0x2\n";
	_cleanup_(kr_stack_freep) struct kr_stack *st3 = stack_of(only_alloc);
	ck_assert_uint_eq(kr_stack_n_frames(st3), 0);
}
END_TEST

START_TEST(first_trace_only)
{
	/* a hung task report: the first task's trace, not the lock dump's or
	 * another CPU's */
	const char *text =
		"INFO: task radar:77 blocked for more than 143 seconds.\n"
		"task:radar           state:D stack:0     pid:77    ppid:1      flags:0x00004000\n"
		"Call Trace:\n"
		" <TASK>\n"
		" __schedule+0x34d/0x9e0\n"
		" schedule+0x5a/0xd0\n"
		" radar_wait+0x10/0x20 [radar]\n"
		"Call Trace:\n"
		" other_task_fn+0x1/0x2\n";
	_cleanup_(kr_stack_freep) struct kr_stack *st = stack_of(text);
	_cleanup_free_ char *got = names(st);
	ck_assert_str_eq(got, "__schedule schedule radar_wait");
	/* a program counter before a blank line belongs to nothing here */
	const char *rip_apart = "RIP: 0010:stale_fn+0x1/0x2\n"
				"\n"
				"Call Trace:\n"
				" fresh_fn+0x1/0x2\n"
				"NMI backtrace for cpu 1\n"
				" cpu1_fn+0x1/0x2\n";
	_cleanup_(kr_stack_freep) struct kr_stack *st2 = stack_of(rip_apart);
	_cleanup_free_ char *got2 = names(st2);
	ck_assert_str_eq(got2, "fresh_fn");
	/* nothing, and NUL bytes */
	_cleanup_(kr_stack_freep) struct kr_stack *empty = kr_stack_of_report("", 0);
	ck_assert_uint_eq(kr_stack_n_frames(empty), 0);
	ck_assert_ptr_null(kr_stack_frame(empty, 0));
	static const char nul[] = "Call Trace:\n a_fn+0x1/0x2\n\0 junk\n b_fn+0x1/0x2\n";
	_cleanup_(kr_stack_freep) struct kr_stack *st3 = kr_stack_of_report(nul, sizeof(nul) - 1);
	_cleanup_free_ char *got3 = names(st3);
	ck_assert_str_eq(got3, "a_fn b_fn");
	kr_stack_free(NULL);
	ck_assert_uint_eq(kr_stack_n_frames(NULL), 0);
}
END_TEST

/* The real Debian 6.1 BUG(): the program counter, then its trace. */
START_TEST(real_debian_bug)
{
	_cleanup_free_ char *path = kr_path_join(kr_test_data(), "crash-logs/bug.log");
	_cleanup_free_ char *log = NULL;
	size_t len = 0;
	ck_assert_int_eq(kr_read_file(path, 1 << 24, &log, &len), 0);
	_cleanup_(kr_scanner_freep) struct kr_scanner *sc = kr_scanner_new();
	kr_scanner_feed(sc, log, len);
	kr_scanner_finish(sc);
	ck_assert_uint_ge(kr_scanner_n_crashes(sc), 1);
	const struct kr_crash *c = kr_scanner_crash(sc, 0);
	_cleanup_(kr_stack_freep) struct kr_stack *st = kr_stack_of_report(c->report, c->report_len);
	_cleanup_free_ char *got = names(st);
	ck_assert_str_eq(got, "kradar_test_bug kradar_test_write.cold proc_reg_write vfs_write "
			      "ksys_write do_syscall_64 ?handle_mm_fault ?do_user_addr_fault "
			      "?exit_to_user_mode_prepare entry_SYSCALL_64_after_hwframe");
	const struct kr_frame *f = kr_stack_frame(st, 1);
	ck_assert_uint_lt(f->line_end, c->report_len + 1);
	ck_assert(memcmp(c->report + f->line_start, " kradar_test_write.cold", 23) == 0 ||
		  memcmp(c->report + f->line_start, "  kradar_test_write.cold", 24) == 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack");
	TCase *tc = tcase_create("stack");
	tcase_add_test(tc, parse_x86_lines);
	tcase_add_test(tc, parse_symbolized_lines);
	tcase_add_test(tc, parse_non_frames);
	tcase_add_test(tc, warning_with_rip_and_irq);
	tcase_add_test(tc, kasan_sections_are_not_the_first_trace);
	tcase_add_test(tc, first_trace_only);
	tcase_add_test(tc, real_debian_bug);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
