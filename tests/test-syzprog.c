/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "kr-test.h"
#include "scenario.h"
#include "syzprog.h"
#include "util.h"

#define SYZBOT_HEADER                                                                       \
	"# https://syzkaller.appspot.com/bug?id=0000000000000000000000000000000000000000\n" \
	"# See https://goo.gl/kgGztJ for information about syzkaller reproducers.\n"

#define JSON_LINE                                                                            \
	"#{\"threaded\":true,\"repeat\":true,\"procs\":6,\"slowdown\":1,\"sandbox\":\"none\"," \
	"\"sandbox_arg\":0,\"tun\":true,\"netdev\":true,\"resetnet\":true,\"cgroups\":true,"   \
	"\"binfmt_misc\":true,\"close_fds\":true,\"usb\":true,\"vhci\":true,\"wifi\":true,"    \
	"\"ieee802154\":true,\"sysctl\":true,\"swap\":true,\"tmpdir\":true,\"segv\":true}\n"

#define CALLS                                                                     \
	"r0 = openat$vhost_vsock(0xffffffffffffff9c, &(0x7f0000000000), 0x2, 0x0)\n" \
	"ioctl$VHOST_SET_OWNER(r0, 0xaf01, 0x0)\n"

/* Loads a scenario that runs repro.syz with the given execprog object (JSON
 * text, "" for none) and prepares the program. Returns the error code;
 * *p or *err are set. */
static int prepare(const char *program, const char *execprog, struct kr_syzprog **p, char **err)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "repro.syz", program));
	_cleanup_free_ char *text = kr_asprintf(
		"{ \"kradar\": 1, \"name\": \"t\", \"kernel\": { \"image\": \"bzImage\" },\n"
		"  \"repro\": { \"syz\": \"repro.syz\" }%s%s }\n",
		*execprog ? ", \"execprog\": " : "", execprog);
	free(kr_test_write(dir, "bzImage", ""));
	_cleanup_free_ char *file = kr_test_write(dir, "s.json", text);
	struct kr_diags diags = { 0 };
	struct kr_scenario *s = NULL;
	int r = kr_scenario_load(file, &s, &diags);
	if (r < 0)
		kr_diags_print(&diags, stderr);
	ck_assert_int_eq(r, 0);
	kr_diags_clear(&diags);
	r = kr_syzprog_prepare(s, p, err);
	kr_scenario_free(s);
	return r;
}

static char *flags_str(const struct kr_syzprog *p)
{
	struct kr_buf b = KR_BUF_INIT(1 << 20);
	for (size_t i = 0; p->flags[i]; i++)
		kr_buf_printf(&b, "%s%s", i ? " " : "", p->flags[i]);
	return kr_buf_steal(&b);
}

START_TEST(json_line_maps_to_flags)
{
	struct kr_syzprog *p = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(prepare(SYZBOT_HEADER JSON_LINE CALLS, "", &p, &err), 0);
	ck_assert(p->has_options);
	ck_assert(!p->edited);
	ck_assert_str_eq(p->program, SYZBOT_HEADER JSON_LINE CALLS);
	ck_assert_int_eq(p->procs, 6);
	ck_assert(p->threaded);
	ck_assert_int_eq(p->repeat, 0);
	ck_assert_str_eq(p->sandbox, "none");
	_cleanup_free_ char *f = flags_str(p);
	ck_assert_str_eq(f, "-procs=6 -threaded=true -repeat=0 -sandbox=none "
			    "-enable=tun,net_dev,net_reset,cgroups,binfmt_misc,close_fds,usb,vhci,"
			    "wifi,ieee802154,sysctl,swap");
	kr_syzprog_free(p);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The edit users make by hand: wifi and ieee802154 off. Only the options
 * line changes, and those features leave the -enable list. */
START_TEST(overrides_edit_the_line)
{
	struct kr_syzprog *p = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(prepare(SYZBOT_HEADER JSON_LINE CALLS,
				 "{ \"options\": { \"wifi\": false, \"ieee802154\": false } }", &p,
				 &err),
			 0);
	ck_assert(p->edited);
	ck_assert_uint_eq(strlen(p->program), p->program_len);
	ck_assert_str_eq(
		p->program,
		SYZBOT_HEADER
		"#{\"threaded\":true,\"repeat\":true,\"procs\":6,\"slowdown\":1,\"sandbox\":\"none\","
		"\"sandbox_arg\":0,\"tun\":true,\"netdev\":true,\"resetnet\":true,\"cgroups\":true,"
		"\"binfmt_misc\":true,\"close_fds\":true,\"usb\":true,\"vhci\":true,\"wifi\":false,"
		"\"ieee802154\":false,\"sysctl\":true,\"swap\":true,\"tmpdir\":true,\"segv\":true}\n" CALLS);
	_cleanup_free_ char *f = flags_str(p);
	ck_assert_str_eq(f, "-procs=6 -threaded=true -repeat=0 -sandbox=none "
			    "-enable=tun,net_dev,net_reset,cgroups,binfmt_misc,close_fds,usb,vhci,"
			    "sysctl,swap");
	kr_syzprog_free(p);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(override_to_same_value_is_no_edit)
{
	struct kr_syzprog *p = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(prepare(SYZBOT_HEADER JSON_LINE CALLS,
				 "{ \"options\": { \"wifi\": true, \"procs\": 6 } }", &p, &err),
			 0);
	ck_assert(!p->edited);
	ck_assert_str_eq(p->program, SYZBOT_HEADER JSON_LINE CALLS);
	kr_syzprog_free(p);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Explicit execprog fields win over the options line and its overrides;
 * enable/disable adjust the feature list. */
START_TEST(explicit_fields_win)
{
	struct kr_syzprog *p = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(
		prepare(SYZBOT_HEADER JSON_LINE CALLS,
			"{ \"procs\": 2, \"threaded\": false, \"repeat\": 5, \"sandbox\": \"setuid\","
			"  \"disable\": [\"tun\", \"net_dev\", \"net_reset\", \"usb\", \"swap\"],"
			"  \"enable\": [\"devlink_pci\"], \"options\": { \"procs\": 3 } }",
			&p, &err),
		0);
	ck_assert(p->edited); /* procs 3 in the line */
	ck_assert_ptr_nonnull(strstr(p->program, "\"procs\":3"));
	_cleanup_free_ char *f = flags_str(p);
	ck_assert_str_eq(f, "-procs=2 -threaded=false -repeat=5 -sandbox=setuid "
			    "-enable=cgroups,binfmt_misc,close_fds,devlink_pci,vhci,wifi,"
			    "ieee802154,sysctl");
	kr_syzprog_free(p);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A line that leaves features out has them off; close_fds is on unless it
 * says otherwise (as in syzkaller). Less common flags appear only when the
 * line asks for them. */
START_TEST(sparse_line_and_optional_flags)
{
	struct kr_syzprog *p = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(
		prepare("#{\"repeat\":true,\"repeat_times\":3,\"procs\":1,\"slowdown\":10,"
			"\"sandbox\":\"\",\"sandbox_arg\":2,\"proc_restart_freq\":50,\"fault\":true,"
			"\"fault_call\":1,\"fault_nth\":7,\"collide\":false}\n" CALLS,
			"", &p, &err),
		0);
	_cleanup_free_ char *f = flags_str(p);
	ck_assert_str_eq(f, "-procs=1 -threaded=false -repeat=3 -sandbox=none -collide=false "
			    "-slowdown=10 -sandbox_arg=2 -restart_freq=50 -fault_call=1 -fault_nth=7 "
			    "-enable=close_fds");
	kr_syzprog_free(p);

	ck_assert_int_eq(prepare("#{\"procs\":1,\"sandbox\":\"\",\"close_fds\":false}\n" CALLS,
				 "", &p, &err),
			 0);
	_cleanup_free_ char *g = flags_str(p);
	ck_assert_str_eq(g, "-procs=1 -threaded=false -repeat=1 -sandbox=none -enable=");
	kr_syzprog_free(p);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(legacy_line)
{
	struct kr_syzprog *p = NULL;
	_cleanup_free_ char *err = NULL;
	const char *legacy =
		"#{Threaded:true Collide:true Repeat:true Procs:8 Sandbox:namespace Fault:false "
		"FaultCall:-1 FaultNth:0 EnableTun:true UseTmpDir:true HandleSegv:true "
		"WaitRepeat:true Debug:false Repro:false}\n" CALLS;
	ck_assert_int_eq(prepare(legacy, "", &p, &err), 0);
	ck_assert(p->has_options);
	ck_assert(!p->edited);
	_cleanup_free_ char *f = flags_str(p);
	/* No feature flags: syz-execprog of that era has none. */
	ck_assert_str_eq(f, "-procs=8 -threaded=true -repeat=0 -sandbox=namespace -collide=true");
	kr_syzprog_free(p);

	/* "Sandbox:" with no value is the empty sandbox, run as none; an
	 * override rewrites the line in the JSON form. */
	const char *empty_sandbox = "#{Threaded:false Collide:false Repeat:false Procs:1 Sandbox: "
				    "Fault:false FaultCall:-1 FaultNth:0 EnableTun:false "
				    "UseTmpDir:false EnableCgroups:false HandleSegv:false "
				    "WaitRepeat:false Debug:false Repro:false}\n" CALLS;
	ck_assert_int_eq(prepare(empty_sandbox, "{ \"options\": { \"wifi\": false } }", &p, &err),
			 0);
	ck_assert_str_eq(p->sandbox, "none");
	ck_assert(p->edited);
	ck_assert_str_eq(p->program,
			 "#{\"threaded\":false,\"collide\":false,\"repeat\":false,\"procs\":1,"
			 "\"sandbox\":\"\",\"fault\":false,\"fault_call\":-1,\"fault_nth\":0,"
			 "\"tun\":false,\"tmpdir\":false,\"cgroups\":false,\"segv\":false,"
			 "\"wifi\":false}\n" CALLS);
	_cleanup_free_ char *g = flags_str(p);
	ck_assert_str_eq(g, "-procs=1 -threaded=false -repeat=1 -sandbox=none -collide=false "
			    "-disable=wifi");
	kr_syzprog_free(p);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Without an options line: the defaults, and an override adds a line after
 * the leading comments. */
START_TEST(no_options_line)
{
	struct kr_syzprog *p = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(prepare("# a comment\n" CALLS, "", &p, &err), 0);
	ck_assert(!p->has_options);
	ck_assert(!p->edited);
	_cleanup_free_ char *f = flags_str(p);
	ck_assert_str_eq(f, "-procs=1 -threaded=false -repeat=1 -sandbox=none");
	kr_syzprog_free(p);

	ck_assert_int_eq(prepare("# a comment\n" CALLS,
				 "{ \"disable\": [\"usb\"], \"options\": { \"wifi\": false } }", &p,
				 &err),
			 0);
	ck_assert(p->edited);
	ck_assert_str_eq(p->program, "# a comment\n#{\"wifi\":false}\n" CALLS);
	_cleanup_free_ char *g = flags_str(p);
	ck_assert_str_eq(g, "-procs=1 -threaded=false -repeat=1 -sandbox=none -disable=usb,wifi");
	kr_syzprog_free(p);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(errors_name_the_place)
{
	struct kr_syzprog *p = NULL;
	char *err = NULL;
	/* JSON syntax error on line 3. */
	ck_assert_int_eq(prepare(SYZBOT_HEADER "#{\"procs\":6,,}\n" CALLS, "", &p, &err), -EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, "repro.syz:3:") && strstr(err, "options line"), "%s", kr_test_tail(err));
	free(err);
	/* A known option of the wrong type in the line. */
	ck_assert_int_eq(prepare("#{\"procs\":\"6\"}\n" CALLS, "", &p, &err), -EINVAL);
	ck_assert_msg(strstr(err, "repro.syz:1:2: options line: procs: expected an integer"), "%s",
		      kr_test_tail(err));
	free(err);
	/* Legacy: an unknown key, with its column. */
	ck_assert_int_eq(prepare("#{Threaded:true Bogus:1}\n" CALLS, "", &p, &err), -EINVAL);
	ck_assert_msg(strstr(err, "repro.syz:1:17: options line: unknown option 'Bogus'"), "%s",
		      kr_test_tail(err));
	free(err);
	/* An override of the wrong type (kradar validate reports these too;
	 * here a scenario made in memory). */
	struct kr_setting opt = { .key = "wifi", .type = KR_VALUE_INT, .i = 1, .s = "1" };
	struct kr_scenario sc = { 0 };
	sc.execprog.procs = sc.execprog.threaded = -1;
	sc.execprog.repeat = -1;
	sc.execprog.options = &opt;
	sc.execprog.n_options = 1;
	const char *text = JSON_LINE CALLS;
	ck_assert_int_eq(kr_syzprog_prepare_text("r.syz", text, strlen(text), &sc, &p, &err),
			 -EINVAL);
	ck_assert_str_eq(err, "execprog.options.wifi: expected a boolean");
	free(err);
	opt = (struct kr_setting){ .key = "sandbox", .type = KR_VALUE_STRING, .s = "jail" };
	ck_assert_int_eq(kr_syzprog_prepare_text("r.syz", text, strlen(text), &sc, &p, &err),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "execprog.options.sandbox: expected one of"));
	free(err);
	opt = (struct kr_setting){ .key = "sandbox", .type = KR_VALUE_STRING, .s = "setuid" };
	ck_assert_int_eq(kr_syzprog_prepare_text("r.syz", text, strlen(text), &sc, &p, &err), 0);
	ck_assert_str_eq(p->sandbox, "setuid");
	kr_syzprog_free(p);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Unknown options (a newer syzkaller's) pass through the edit untouched. */
START_TEST(unknown_options_pass_through)
{
	struct kr_syzprog *p = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(prepare("#{\"procs\":2,\"future\":[1,2]}\n" CALLS,
				 "{ \"options\": { \"other\": \"x\" } }", &p, &err),
			 0);
	ck_assert_str_eq(p->program, "#{\"procs\":2,\"future\":[1,2],\"other\":\"x\"}\n" CALLS);
	kr_syzprog_free(p);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* syz-execprog's output as it reaches execprog.log: what went wrong, or
 * nothing. */
static char *problem(const char *log, int status)
{
	return kr_syzprog_output_problem(log, strlen(log), status);
}

START_TEST(execprog_output_problems)
{
	/* Ran, and ended normally (or its status is unknown). */
	const char *fine = "2026/12/05 08:56:34 parsed 1 programs\r\n"
			   "2026/12/05 08:56:35 executed programs: 0\r\n";
	ck_assert_ptr_null(problem(fine, 0));
	ck_assert_ptr_null(problem(fine, -1));
	ck_assert_ptr_null(problem("", 0));
	ck_assert_ptr_null(problem("2026/12/05 08:56:34 parsed 10 programs\n", 0));

	/* An unparsable program: status 0, yet an error. */
	_cleanup_free_ char *parse = problem("2026/12/05 08:44:00 parsed 0 programs\r\n", 0);
	ck_assert_ptr_nonnull(parse);
	KR_ASSERT_HAS(parse, "could not parse the program");
	KR_ASSERT_HAS(parse, "\"parsed 0 programs\"");
	/* without a line end, in an SSH session's output after other lines */
	_cleanup_free_ char *parse2 = problem("kradar: cannot set sysctl x\n"
					      "2026/12/05 08:44:00 parsed 0 programs", 0);
	ck_assert_ptr_nonnull(parse2);

	/* A fatal error names itself. */
	_cleanup_free_ char *fatal = problem(
		"2026/12/05 08:52:39 parsed 1 programs\r\n"
		"2026/12/05 08:52:53 swap file               : enabled\r\n"
		"2026/12/05 08:52:53 [FATAL] failed to run [\"/kradar/syz-executor\" \"setup\" "
		"\"swap\"]: exit status 1\r\n",
		1);
	ck_assert_str_eq(fatal, "syz-execprog failed: failed to run [\"/kradar/syz-executor\" "
				"\"setup\" \"swap\"]: exit status 1");

	/* Any other failure: the status and the last line. */
	_cleanup_free_ char *status = problem("sh: /kradar/syz-execprog: not found\r\n\r\n", 127);
	ck_assert_str_eq(status, "syz-execprog exited with status 127: sh: /kradar/syz-execprog: "
				 "not found");
	_cleanup_free_ char *silent = problem("", 2);
	ck_assert_str_eq(silent, "syz-execprog exited with status 2");
	/* "parsed 0 programs" only at a line's end */
	ck_assert_ptr_null(problem("parsed 0 programs and more\n", 0));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("syzprog");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, json_line_maps_to_flags);
	tcase_add_test(tc, overrides_edit_the_line);
	tcase_add_test(tc, override_to_same_value_is_no_edit);
	tcase_add_test(tc, explicit_fields_win);
	tcase_add_test(tc, sparse_line_and_optional_flags);
	tcase_add_test(tc, legacy_line);
	tcase_add_test(tc, no_options_line);
	tcase_add_test(tc, errors_name_the_place);
	tcase_add_test(tc, unknown_options_pass_through);
	tcase_add_test(tc, execprog_output_problems);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
