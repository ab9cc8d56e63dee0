/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kr-test.h"
#include "scenario.h"

static const char *dir;
static char *file; /* DIR/s/scenario.json */

static void setup(void)
{
	dir = kr_test_tmpdir();
	free(kr_test_write(dir, "s/bzImage", "kernel"));
	free(kr_test_write(dir, "s/repro.syz", "r0 = open(0)\n"));
	free(kr_test_write(dir, "s/repro.c", "int main(void){return 0;}\n"));
	free(kr_test_write(dir, "s/data/blob", "x"));
	free(kr_test_write(dir, "s/frag.config", "CONFIG_X=y\n"));
	free(kr_test_write(dir, "tree/Makefile", "all:\n"));
	file = kr_path_join(dir, "s/scenario.json");
}

static void teardown(void)
{
	free(file);
	kr_test_tmpdir_cleanup();
}

/* Loads text as DIR/s/scenario.json; returns the loader's status. */
static int load(const char *text, struct kr_scenario **s, struct kr_diags *d)
{
	free(kr_test_write(dir, "s/scenario.json", text));
	*s = NULL;
	return kr_scenario_load(file, s, d);
}

/* The n-th diagnostic without the file name: "LINE:COL: path: message". */
static char *diag(const struct kr_diags *d, size_t n)
{
	ck_assert_uint_gt(d->n, n);
	_cleanup_free_ char *full = kr_diag_format(&d->items[n]);
	ck_assert_msg(kr_str_startswith(full, file), "diagnostic names %s", full);
	return kr_strdup(full + strlen(file) + 1);
}

#define MINIMAL                                                                \
	"{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n" \
	" \"repro\": {\"syz\": \"repro.syz\"}"

START_TEST(defaults)
{
	struct kr_scenario *s;
	struct kr_diags d = { 0 };
	ck_assert_int_eq(load(MINIMAL "}", &s, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(s->version, 1);
	ck_assert_str_eq(s->name, "t");
	ck_assert_ptr_null(s->extid);
	ck_assert_str_eq(s->description, "");
	ck_assert_int_eq(s->kernel.kind, KR_KERNEL_IMAGE);
	ck_assert_ptr_null(s->kernel.vmlinux);
	ck_assert_ptr_null(s->kernel.modules[0]);
	ck_assert_ptr_null(s->disk.image);
	ck_assert_str_eq(s->disk.root, "/dev/sda1");
	ck_assert_str_eq(s->disk.ssh_user, "root");
	ck_assert_int_eq(s->repro.kind, KR_REPRO_SYZ);
	ck_assert_uint_eq(s->repro.n_files, 0);
	ck_assert_int_eq(s->execprog.procs, -1);
	ck_assert_int_eq(s->execprog.threaded, -1);
	ck_assert_int_eq(s->execprog.repeat, -1);
	ck_assert_ptr_null(s->execprog.sandbox);
	ck_assert_ptr_null(s->execprog.enable[0]);
	ck_assert_ptr_null(s->execprog.disable[0]);
	ck_assert_ptr_null(s->execprog.bin);
	ck_assert_uint_eq(s->execprog.n_options, 0);
	ck_assert_int_eq(s->vm.kvm, KR_KVM_AUTO);
	ck_assert_int_eq(s->vm.smp, 2);
	ck_assert_int_eq(s->vm.mem_mb, 1024);
	ck_assert_str_eq(s->vm.cmdline, "");
	ck_assert_str_eq(s->vm.qemu, "qemu-system-x86_64");
	ck_assert_ptr_null(s->vm.args[0]);
	ck_assert_uint_eq(s->n_sysctl, 0);
	ck_assert_double_eq(s->timeouts.boot, 120);
	ck_assert_double_eq(s->timeouts.run, 600);
	ck_assert_double_eq(s->timeouts.no_output, 300);
	ck_assert_double_eq(s->timeouts.tcg_factor, 3);
	ck_assert_double_eq(s->timeouts.settle, -1); /* the detectors' need */
	ck_assert_int_eq(s->expect.verdict, KR_EXPECT_REPRODUCED);
	ck_assert_ptr_null(s->expect.titles[0]);
	ck_assert_ptr_null(s->expect.title_regex);
	ck_assert_int_eq(s->expect.match, KR_EXPECT_MATCH_FRAME);
	ck_assert_ptr_null(s->watch[0]);
	ck_assert_int_eq(s->runs, 1);
	ck_assert(s->stop_on_hit);
	kr_scenario_free(s);
}
END_TEST

START_TEST(source_defaults)
{
	struct kr_scenario *s;
	struct kr_diags d = { 0 };
	ck_assert_int_eq(load("{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"source\": \"../tree\"},"
			      " \"repro\": {\"sh\": \"true\"}}",
			      &s, &d),
			 0);
	ck_assert_int_eq(s->kernel.kind, KR_KERNEL_SOURCE);
	ck_assert_str_eq(s->kernel.config_target, "defconfig");
	ck_assert_ptr_null(s->kernel.config_file);
	ck_assert_ptr_null(s->kernel.commit);
	ck_assert_ptr_null(s->kernel.fragment[0]);
	ck_assert(!s->kernel.strict_fragment);
	_cleanup_free_ char *tree = kr_path_join(dir, "tree");
	ck_assert_str_eq(s->kernel.source, tree);
	kr_scenario_free(s);
}
END_TEST

START_TEST(all_fields)
{
	struct kr_scenario *s;
	struct kr_diags d = { 0 };
	const char *text =
		"{\"kradar\": 1, \"name\": \"all.fields-1\", \"extid\": \"0123456789abcdef0123\",\n"
		" \"description\": \"d\",\n"
		" \"kernel\": {\"source\": \"../tree\", \"commit\": \"v6.1\", \"config\": \"tinyconfig\",\n"
		"   \"fragment\": [\"CONFIG_A=y\", \"# CONFIG_B is not set\", \"CONFIG_C=\\\"s\\\"\"],\n"
		"   \"strict_fragment\": true, \"make\": [\"CC=gcc\"], \"label\": \"v6.1\"},\n"
		" \"disk\": {\"image\": \"data/blob\", \"root\": \"/dev/vda\"},\n"
		" \"repro\": {\"syz\": \"repro.syz\", \"files\": {\"data/blob\": \"/tmp/blob\"}},\n"
		" \"execprog\": {\"procs\": 6, \"threaded\": false, \"repeat\": 0, \"sandbox\": \"namespace\",\n"
		"   \"enable\": [\"tun\"], \"disable\": [\"wifi\"], \"bin\": \"data\",\n"
		"   \"options\": {\"wifi\": false, \"procs\": 2, \"sandbox\": \"none\"}},\n"
		" \"vm\": {\"kvm\": \"off\", \"smp\": 4, \"mem_mb\": 512, \"cmdline\": [\"a=1\", \"b\"],\n"
		"   \"qemu\": \"/usr/bin/qemu\", \"args\": [\"-cpu\", \"max\"]},\n"
		" \"sysctl\": {\"kernel.hung_task_timeout_secs\": 20},\n"
		" \"timeouts\": {\"boot\": 10, \"run\": 20.5, \"no_output\": 30, \"settle\": 0, \"tcg_factor\": 2},\n"
		" \"expect\": {\"verdict\": \"fixed\", \"title\": \"A\", \"titles\": [\"B\"], \"title_regex\": \"^C\",\n"
		"  \"match\": \"exact\"},\n"
		" \"watch\": [\"foo\"], \"runs\": 5, \"stop_on_hit\": false}\n";
	ck_assert_int_eq(load(text, &s, &d), 0);
	ck_assert_str_eq(s->extid, "0123456789abcdef0123");
	ck_assert_str_eq(s->kernel.commit, "v6.1");
	ck_assert_str_eq(s->kernel.config_target, "tinyconfig");
	ck_assert_str_eq(s->kernel.fragment[2], "CONFIG_C=\"s\"");
	ck_assert(s->kernel.strict_fragment);
	ck_assert_str_eq(s->kernel.make_vars[0], "CC=gcc");
	ck_assert_str_eq(s->disk.root, "/dev/vda");
	ck_assert_uint_eq(s->repro.n_files, 1);
	ck_assert_str_eq(s->repro.files[0].guest, "/tmp/blob");
	ck_assert_int_eq(s->execprog.procs, 6);
	ck_assert_int_eq(s->execprog.threaded, 0);
	ck_assert_int_eq(s->execprog.repeat, 0);
	ck_assert_str_eq(s->execprog.sandbox, "namespace");
	ck_assert_str_eq(s->execprog.disable[0], "wifi");
	ck_assert_uint_eq(s->execprog.n_options, 3);
	ck_assert_int_eq(s->execprog.options[0].type, KR_VALUE_BOOL);
	ck_assert_int_eq(s->execprog.options[1].i, 2);
	ck_assert_str_eq(s->execprog.options[2].s, "none");
	ck_assert_int_eq(s->vm.kvm, KR_KVM_OFF);
	ck_assert_str_eq(s->vm.cmdline, "a=1 b");
	ck_assert_str_eq(s->vm.args[1], "max");
	ck_assert_str_eq(s->sysctl[0].key, "kernel.hung_task_timeout_secs");
	ck_assert_str_eq(s->sysctl[0].s, "20");
	ck_assert_double_eq(s->timeouts.run, 20.5);
	ck_assert_double_eq(s->timeouts.settle, 0);
	ck_assert_int_eq(s->expect.verdict, KR_EXPECT_FIXED);
	ck_assert_str_eq(s->expect.titles[0], "A");
	ck_assert_str_eq(s->expect.titles[1], "B");
	ck_assert_str_eq(s->expect.title_regex, "^C");
	ck_assert_int_eq(s->expect.match, KR_EXPECT_MATCH_EXACT);
	ck_assert_int_eq(s->runs, 5);
	ck_assert(!s->stop_on_hit);
	kr_scenario_free(s);
}
END_TEST

/* One case per kind of error: the scenario text and the exact first
 * diagnostic ("LINE:COL: path: message"). */
static const struct {
	const char *text;
	const char *want;
} error_cases[] = {
	{ MINIMAL ",\n \"nmae\": \"t\"}", "3:2: nmae: unknown field (did you mean \"name\"?)" },
	{ MINIMAL ", \"vm\": {\"smp\": \"2\"}}", "2:47: vm.smp: expected an integer, got a string" },
	{ MINIMAL ", \"vm\": {\"smp\": 0}}", "2:47: vm.smp: 0 is out of range [1, 256]" },
	{ MINIMAL ", \"vm\": {\"kvm\": \"yes\"}}", "2:47: vm.kvm: \"yes\" is not one of auto, on, off" },
	{ MINIMAL ", \"runs\": true}", "2:41: runs: expected an integer, got a boolean" },
	{ "{\"kradar\": 2, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"syz\": \"repro.syz\"}}",
	  "1:12: kradar: unsupported format version 2 (this kradar reads version 1)" },
	{ "{\"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"syz\": \"repro.syz\"}}",
	  "1:1: kradar: missing required field" },
	{ "{\"kradar\": 1, \"name\": \"a b\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:23: name: \"a b\" must match [A-Za-z0-9._-]+ (not . or ..)" },
	{ "{\"kradar\": 1, \"name\": \"..\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:23: name: \"..\" must match [A-Za-z0-9._-]+ (not . or ..)" },
	{ "{\"kradar\": 1, \"name\": \".\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:23: name: \".\" must match [A-Za-z0-9._-]+ (not . or ..)" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"extid\": \"XYZ\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:37: extid: \"XYZ\" is not a syzbot extid (20 lowercase hex digits)" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"nope\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:48: kernel.image: DIR/s/nope: No such file or directory" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\", \"modules\": [\"bzImage\", \"m.ko\"]},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:82: kernel.modules[1]: DIR/s/m.ko: No such file or directory" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\", \"modules\": \"m.ko\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:70: kernel.modules: expected an array of strings, got a string" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"data\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:48: kernel.image: DIR/s/data: is a directory, expected a file" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\", \"source\": \"../tree\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:59: kernel.source: kernel.image and kernel.source are mutually exclusive" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:38: kernel: needs kernel.image or kernel.source" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"syz\": \"repro.syz\", \"c\": \"repro.c\"}}",
	  "2:32: repro.c: repro.syz and repro.c are mutually exclusive: give one" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {}}",
	  "2:11: repro: needs one of repro.syz, repro.c, repro.sh" },
	{ MINIMAL ", \"expect\": {\"title_regex\": \"(\"}}",
	  "2:59: expect.title_regex: invalid regular expression: missing closing parenthesis at offset 1" },
	{ MINIMAL ", \"watch\": [\"ok\", \"[\"]}",
	  "2:49: watch[1]: invalid regular expression: missing terminating ] for character class at offset 1" },
	{ MINIMAL ", \"description\": \"${KRADAR_TEST_UNSET_VAR}\"}",
	  "2:48: description: environment variable KRADAR_TEST_UNSET_VAR is not set" },
	{ MINIMAL ", \"description\": \"${OOPS\"}", "2:48: description: unterminated ${ in \"${OOPS\"" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\", \"commit\": \"x\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:59: kernel.commit: applies to kernel.source only" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"source\": \"../tree\", \"fragment\": [\"JUMP_LABEL=n\"]},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:73: kernel.fragment[0]: expected CONFIG_X=y|m|n|value or \"# CONFIG_X is not set\", got \"JUMP_LABEL=n\"" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\"}, \"execprog\": {\"procs\": 2}}",
	  "2:24: execprog: applies to repro.syz only" },
	{ MINIMAL ", \"execprog\": {\"sandbox\": \"chroot\"}}",
	  "2:57: execprog.sandbox: \"chroot\" is not one of none, setuid, namespace, android" },
	{ MINIMAL ", \"execprog\": {\"options\": {\"wifi\": [1]}}}",
	  "2:66: execprog.options.wifi: expected a boolean, an integer or a string, got an array" },
	{ MINIMAL ", \"execprog\": {\"options\": {\"procs\": true}}}",
	  "2:67: execprog.options.procs: expected an integer" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\", \"files\": {\"data/blob\": \"tmp/b\"}}}",
	  "2:46: repro.files[\"data/blob\"]: guest path \"tmp/b\" must be absolute, without \".\", \"..\" or empty parts" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\", \"files\": {\"data/blob\": \"/tmp/../../b\"}}}",
	  "2:46: repro.files[\"data/blob\"]: guest path \"/tmp/../../b\" must be absolute, without \".\", \"..\" or empty parts" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\", \"files\": {\"data/blob\": \"/\"}}}",
	  "2:46: repro.files[\"data/blob\"]: guest path \"/\" must be absolute, without \".\", \"..\" or empty parts" },
	{ MINIMAL ", \"timeouts\": {\"run\": -1}}", "2:53: timeouts.run: -1 is out of range [1, 604800]" },
	{ MINIMAL ", \"timeouts\": {\"settle\": -1}}",
	  "2:56: timeouts.settle: -1 is out of range [0, 604800]" },
	{ MINIMAL ", \"timeouts\": {\"settle\": \"10\"}}",
	  "2:56: timeouts.settle: expected a number, got a string" },
	{ MINIMAL ", \"expect\": {\"verdict\": \"crashed\"}}",
	  "2:55: expect.verdict: \"crashed\" is not one of reproduced, clean, fixed" },
	{ MINIMAL ", \"expect\": {\"match\": \"fuzzy\"}}",
	  "2:53: expect.match: \"fuzzy\" is not one of frame, exact" },
	{ MINIMAL ", \"expect\": {\"match\": true}}",
	  "2:53: expect.match: expected a string, got a boolean" },
	{ MINIMAL ", \"sysctl\": {\"../etc\": 1}}",
	  "2:44: sysctl[\"../etc\"]: invalid name: a /proc/sys name such as kernel.hung_task_timeout_secs" },
	/* Every kind of problem the loader names, each once. */
	{ MINIMAL ", \"zzzzzz\": 3}", "2:33: zzzzzz: unknown field" },
	{ MINIMAL ", \"description\": 7}", "2:48: description: expected a string, got an integer" },
	{ MINIMAL ", \"stop_on_hit\": \"yes\"}", "2:48: stop_on_hit: expected a boolean, got a string" },
	{ MINIMAL ", \"timeouts\": {\"boot\": \"2m\"}}", "2:54: timeouts.boot: expected a number, got a string" },
	{ MINIMAL ", \"watch\": \"oops\"}", "2:42: watch: expected an array of strings, got a string" },
	{ MINIMAL ", \"watch\": [\"ok\", 3]}", "2:49: watch[1]: expected a string, got an integer" },
	{ MINIMAL ", \"vm\": {\"cmdline\": 3}}",
	  "2:51: vm.cmdline: expected a string or an array of strings, got an integer" },
	{ MINIMAL ", \"vm\": []}", "2:39: vm: expected an object, got an array" },
	{ MINIMAL ", \"sysctl\": [1]}", "2:43: sysctl: expected an object (name -> value), got an array" },
	{ MINIMAL ", \"sysctl\": {\"kernel.x\": \"${KRADAR_TEST_UNSET_VAR}\"}}",
	  "2:56: sysctl[\"kernel.x\"]: environment variable KRADAR_TEST_UNSET_VAR is not set" },
	{ MINIMAL ", \"disk\": 3}", "2:41: disk: expected a string or an object, got an integer" },
	{ MINIMAL ", \"disk\": {\"root\": \"/dev/vda\"}}", "2:41: disk.image: missing required field" },
	{ MINIMAL ", \"disk\": \"\"}", "2:41: disk: empty path" },
	{ MINIMAL ", \"execprog\": {\"bin\": \"bzImage\"}}",
	  "2:53: execprog.bin: DIR/s/bzImage: not a directory" },
	{ MINIMAL ", \"execprog\": {\"enable\": [\"tun\", \"net-dev\"]}}",
	  "2:64: execprog.enable[1]: \"net-dev\" is not a feature name" },
	{ MINIMAL ", \"execprog\": {\"options\": [1]}}",
	  "2:57: execprog.options: expected an object, got an array" },
	{ MINIMAL ", \"expect\": {\"title\": \"\"}}", "2:53: expect.title: empty title" },
	{ "{\"kradar\": 1, \"kernel\": {\"image\": \"bzImage\"}, \"repro\": {\"sh\": \"x\"}}",
	  "1:1: name: missing required field" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"repro\": {\"sh\": \"x\"}}", "1:1: kernel: missing required field" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"}}",
	  "1:1: repro: missing required field" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\", \"files\": [\"a\"]}}",
	  "2:32: repro.files: expected an object (host file -> guest path), got an array" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\", \"files\": {\"nope\": \"/x\"}}}",
	  "2:41: repro.files.nope: DIR/s/nope: No such file or directory" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"source\": \"../tree\", \"commit\": \"a b\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:70: kernel.commit: \"a b\" is not a git revision" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"source\": \"../tree\", \"make\": [\"CC\"]},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:69: kernel.make[0]: expected VAR=value, got \"CC\"" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"source\": \"../tree\", \"vmlinux\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:60: kernel.vmlinux: applies to kernel.image only (a source build makes its own)" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\", \"label\": \"a b\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:68: kernel.label: \"a b\" must match [A-Za-z0-9._-]+ (not . or ..)" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"data\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:48: kernel.image: DIR/s/data: is a directory, expected a file" },
	{ "{\"kradar\": 2, \"name\": \"t\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:12: kradar: unsupported format version 2 (this kradar reads version 1)" },
	{ "{\"kradar\": 1, \"name\": \"t\", \"extid\": \"ABC\", \"kernel\": {\"image\": \"bzImage\"},\n \"repro\": {\"sh\": \"x\"}}",
	  "1:37: extid: \"ABC\" is not a syzbot extid (20 lowercase hex digits)" },
	{ "[1, 2]", "1:1: a scenario is a JSON object, got an array" },
	{ "{\"kradar\": 1,\n  \"name\": \"t\",\n}", "3:1: invalid JSON: string or '}' expected near '}'" },
	{ "{\"kradar\": 1, \"kradar\": 1}", "1:22: invalid JSON: duplicate object key near '\"kradar\"'" },
};

START_TEST(error_messages)
{
	struct kr_scenario *s;
	struct kr_diags d = { 0 };
	int r = load(error_cases[_i].text, &s, &d);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_null(s);
	_cleanup_free_ char *got = diag(&d, 0);
	/* DIR stands for the test's temporary directory */
	_cleanup_free_ char *want = NULL;
	const char *w = error_cases[_i].want;
	const char *at = strstr(w, "DIR");
	if (at)
		want = kr_asprintf("%.*s%s%s", (int)(at - w), w, dir, at + 3);
	else
		want = kr_strdup(w);
	ck_assert_str_eq(got, want);
	kr_diags_clear(&d);
}
END_TEST

START_TEST(all_problems_reported_in_order)
{
	struct kr_scenario *s;
	struct kr_diags d = { 0 };
	const char *text = "{\n"
			   "  \"kradar\": 1,\n"
			   "  \"name\": \"t\",\n"
			   "  \"kernel\": { \"imgae\": \"bzImage\", \"image\": \"missing.bz\" },\n"
			   "  \"repro\": { \"syz\": \"repro.syz\", \"c\": \"repro.c\" },\n"
			   "  \"vm\": { \"mem_mb\": \"lots\" }\n"
			   "}\n";
	ck_assert_int_eq(load(text, &s, &d), -EINVAL);
	ck_assert_uint_eq(d.n, 4);
	const char *want[] = {
		"4:15: kernel.imgae: unknown field (did you mean \"image\"?)",
		NULL, /* the missing file, with the directory in it */
		"5:34: repro.c: repro.syz and repro.c are mutually exclusive: give one",
		"6:21: vm.mem_mb: expected an integer, got a string",
	};
	for (size_t i = 0; i < 4; i++) {
		_cleanup_free_ char *got = diag(&d, i);
		if (want[i]) {
			ck_assert_str_eq(got, want[i]);
		} else {
			_cleanup_free_ char *w = kr_asprintf(
				"4:44: kernel.image: %s/s/missing.bz: No such file or directory", dir);
			ck_assert_str_eq(got, w);
		}
	}
	kr_diags_clear(&d);
}
END_TEST

START_TEST(env_expansion)
{
	setenv("KRADAR_TEST_KERNEL", "bzImage", 1);
	setenv("KRADAR_TEST_EMPTY", "", 1);
	unsetenv("KRADAR_TEST_UNSET");
	struct kr_scenario *s;
	struct kr_diags d = { 0 };
	ck_assert_int_eq(load("{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\": \"${KRADAR_TEST_KERNEL}\"},"
			      " \"description\": \"$${HOME} ${KRADAR_TEST_UNSET:-dflt} ${KRADAR_TEST_EMPTY:-e} $5\","
			      " \"repro\": {\"sh\": \"x\"}}",
			      &s, &d),
			 0);
	_cleanup_free_ char *img = kr_path_join(dir, "s/bzImage");
	ck_assert_str_eq(s->kernel.image, img);
	ck_assert_str_eq(s->description, "${HOME} dflt e $5");
	kr_scenario_free(s);

	_cleanup_free_ char *out = NULL, *missing_var = NULL;
	ck_assert_int_eq(kr_expand_env("a${KRADAR_TEST_UNSET}b", &out, &missing_var), -ENOENT);
	ck_assert_str_eq(missing_var, "KRADAR_TEST_UNSET");
}
END_TEST

START_TEST(relative_paths_resolve_against_scenario_dir)
{
	struct kr_scenario *s;
	struct kr_diags d = { 0 };
	ck_assert_int_eq(load("{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"source\": \"../tree\","
			      " \"config\": \"frag.config\", \"fragment\": \"./frag.config\"},"
			      " \"repro\": {\"c\": \"./data/../repro.c\", \"files\": {\"data\": \"/d\"}}}",
			      &s, &d),
			 0);
	_cleanup_free_ char *cfg = kr_path_join(dir, "s/frag.config");
	_cleanup_free_ char *c = kr_path_join(dir, "s/repro.c");
	_cleanup_free_ char *data = kr_path_join(dir, "s/data");
	ck_assert_str_eq(s->kernel.config_file, cfg);
	ck_assert_ptr_null(s->kernel.config_target);
	ck_assert_str_eq(s->kernel.fragment_file, cfg);
	ck_assert_str_eq(s->repro.file, c);
	ck_assert_str_eq(s->repro.files[0].host, data);
	kr_scenario_free(s);

	/* A URL is kept as it is and not checked on disk. */
	ck_assert_int_eq(load("{\"kradar\": 1, \"name\": \"t\", \"kernel\": {\"image\":"
			      " \"https://example.org/bzImage.xz\"}, \"repro\": {\"sh\": \"x\"}}",
			      &s, &d),
			 0);
	ck_assert_str_eq(s->kernel.image, "https://example.org/bzImage.xz");
	kr_scenario_free(s);
}
END_TEST

START_TEST(unreadable_and_oversized_files)
{
	struct kr_scenario *s = NULL;
	struct kr_diags d = { 0 };
	_cleanup_free_ char *missing_file = kr_path_join(dir, "s/none.json");
	ck_assert_int_eq(kr_scenario_load(missing_file, &s, &d), -ENOENT);
	_cleanup_free_ char *got = kr_diag_format(&d.items[0]);
	_cleanup_free_ char *want = kr_asprintf("%s:1:1: cannot read: No such file or directory",
						missing_file);
	ck_assert_str_eq(got, want);
	kr_diags_clear(&d);

	/* Larger than KR_INPUT_MAX_BYTES: refused before parsing. */
	char *big = kr_malloc(KR_INPUT_MAX_BYTES + 2);
	memset(big, ' ', KR_INPUT_MAX_BYTES + 1);
	big[KR_INPUT_MAX_BYTES + 1] = '\0';
	_cleanup_free_ char *big_file = kr_test_write(dir, "s/big.json", big);
	free(big);
	ck_assert_int_eq(kr_scenario_load(big_file, &s, &d), -EFBIG);
	ck_assert_str_eq(d.items[0].message, "cannot read: larger than 4 MiB");
	kr_diags_clear(&d);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(x_keys_are_ignored)
{
	struct kr_scenario *s;
	struct kr_diags d = { 0 };
	ck_assert_int_eq(load(MINIMAL ", \"x-owner\": \"me\", \"vm\": {\"x-note\": [1, 2]}}", &s, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	kr_scenario_free(s);
}
END_TEST

START_TEST(find_scenarios_recursively_sorted)
{
	free(kr_test_write(dir, "set/b.json", "{}"));
	free(kr_test_write(dir, "set/a.json", "{}"));
	free(kr_test_write(dir, "set/sub/c.json", "{}"));
	free(kr_test_write(dir, "set/notes.txt", "x"));
	_cleanup_free_ char *set = kr_path_join(dir, "set");
	_cleanup_free_ char *missing_path = kr_path_join(dir, "nope");
	char *args[] = { set, missing_path, NULL };
	struct kr_diags d = { 0 };
	_cleanup_strv_free_ char **files = NULL;
	ck_assert_int_eq(kr_scenario_find(args, &files, &d), -ENOENT);
	ck_assert_uint_eq(kr_strv_len(files), 3);
	ck_assert(kr_str_endswith(files[0], "set/a.json"));
	ck_assert(kr_str_endswith(files[1], "set/b.json"));
	ck_assert(kr_str_endswith(files[2], "set/sub/c.json"));
	ck_assert_uint_eq(d.n, 1);
	kr_diags_clear(&d);
}
END_TEST

/* A symlinked directory is not walked (a loop, or a link to "/", would
 * be); a symlinked scenario file counts. */
START_TEST(find_skips_symlinked_directories)
{
	free(kr_test_write(dir, "set/a.json", "{}"));
	free(kr_test_write(dir, "elsewhere/b.json", "{}"));
	_cleanup_free_ char *set = kr_path_join(dir, "set");
	_cleanup_free_ char *loop = kr_path_join(dir, "set/loop");
	_cleanup_free_ char *other = kr_path_join(dir, "set/other");
	_cleanup_free_ char *file_link = kr_path_join(dir, "set/c.json");
	ck_assert_int_eq(symlink(set, loop), 0);
	ck_assert_int_eq(symlink("../elsewhere", other), 0);
	ck_assert_int_eq(symlink("../elsewhere/b.json", file_link), 0);
	char *args[] = { set, NULL };
	struct kr_diags d = { 0 };
	_cleanup_strv_free_ char **files = NULL;
	ck_assert_int_eq(kr_scenario_find(args, &files, &d), 0);
	ck_assert_uint_eq(kr_strv_len(files), 2);
	ck_assert(kr_str_endswith(files[0], "set/a.json"));
	ck_assert(kr_str_endswith(files[1], "set/c.json"));
	ck_assert_uint_eq(d.n, 0);
}
END_TEST

/* A directory far larger than any set of scenarios ("/", a home) is
 * refused with a message instead of being walked to the end. */
START_TEST(find_gives_up_on_huge_trees)
{
	for (int i = 0; i < 11; i++) {
		_cleanup_free_ char *name = kr_asprintf("big/%d/x.json", i);
		free(kr_test_write(dir, name, "{}"));
	}
	_cleanup_free_ char *big = kr_path_join(dir, "big");
	char *args[] = { big, NULL };
	struct kr_diags d = { 0 };
	_cleanup_strv_free_ char **files = NULL;
	/* 11 directories with 3 entries each (".", "..", x.json) */
	ck_assert_int_eq(kr_scenario_find_capped(args, 35, &files, &d), -E2BIG);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.items[0].message, "more than 35 files below: not a directory of scenarios");
	kr_diags_clear(&d);
	kr_strv_free(files);
	files = NULL;
	ck_assert_int_eq(kr_scenario_find_capped(args, 60, &files, &d), 0);
	ck_assert_uint_eq(kr_strv_len(files), 11);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, source_defaults);
	tcase_add_test(tc, all_fields);
	tcase_add_loop_test(tc, error_messages, 0, (int)KR_ARRAY_SIZE(error_cases));
	tcase_add_test(tc, all_problems_reported_in_order);
	tcase_add_test(tc, env_expansion);
	tcase_add_test(tc, relative_paths_resolve_against_scenario_dir);
	tcase_add_test(tc, unreadable_and_oversized_files);
	tcase_add_test(tc, x_keys_are_ignored);
	tcase_add_test(tc, find_scenarios_recursively_sorted);
	tcase_add_test(tc, find_skips_symlinked_directories);
	tcase_add_test(tc, find_gives_up_on_huge_trees);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
