/* SPDX-License-Identifier: MIT */
/* Warm start (guest/snapshot.h) against real guests: Debian's kernel under
 * TCG, as in test-run.c. Every run restores the snapshot of the guest at
 * its ready point: nothing one run wrote is seen by the next, a crash is
 * classified as in a booted guest, and a snapshot that cannot be restored
 * gives one line and booted runs. The qemu suite. */
#include <dirent.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "kr-test.h"
#include "util.h"

static char *kernel;
static char *module;

static void prepare(void)
{
	kr_test_prepare_debian_kernel();
	kernel = kr_strdup(getenv("KRADAR_DEBIAN_KERNEL"));
	module = kr_strdup(getenv("KRADAR_TEST_MODULE"));
}

#define VM_TCG(warm) "\"vm\":{\"kvm\":\"off\",\"smp\":1,\"mem_mb\":512,\"warm_start\":" warm "}"
#define TIMEOUTS \
	"\"timeouts\":{\"boot\":300,\"run\":120,\"no_output\":120,\"grace\":2,\"settle\":0," \
	"\"tcg_factor\":1}"

static void scenario(const char *dir, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *body = kr_vasprintf(fmt, ap);
	va_end(ap);
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\":1,\"name\":\"%s\",\"kernel\":{\"image\":\"%s\"},%s}", name, kernel,
		body);
	_cleanup_free_ char *file = kr_asprintf("%s.json", name);
	free(kr_test_write(dir, file, text));
}

static int kradar_run(const char *scenarios, const char *out_dir, const char *cache, char **out,
		      char **err)
{
	char *argv[] = { (char *)kr_test_kradar(), "run", "--cache", (char *)cache, "--out",
			 (char *)out_dir, (char *)scenarios, NULL };
	return kr_test_spawn(argv, NULL, 0, out, err, 1500);
}

static char *read_out(const char *dir, const char *name)
{
	_cleanup_free_ char *path = kr_path_join(dir, name);
	char *text = NULL;
	ck_assert_msg(kr_read_file(path, 16 << 20, &text, NULL) == 0, "no %s", path);
	return text;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The one snapshot in CACHE/warm (owned by the caller). */
static char *snapshot_file(const char *cache)
{
	_cleanup_free_ char *dir = kr_path_join(cache, "warm");
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	char *found = NULL;
	struct dirent *e;
	while ((e = readdir(d)))
		if (kr_str_endswith(e->d_name, ".vmstate")) {
			ck_assert_msg(!found, "two snapshots in %s", dir);
			found = kr_path_join(dir, e->d_name);
		}
	closedir(d);
	ck_assert_msg(found, "no snapshot in %s", dir);
	return found;
}

START_TEST(each_run_is_a_fresh_guest_and_a_broken_snapshot_boots)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *cache = kr_path_join(tmp, "cache");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	_cleanup_free_ char *out2 = kr_path_join(tmp, "out2");
	scenario(dir, "fresh",
		 VM_TCG("true") ",\"runs\":2,\"expect\":{\"verdict\":\"clean\"}," TIMEOUTS
				",\"repro\":{\"sh\":[\"if [ -e /root/mark ]; then echo MARK-SEEN; "
				"else echo MARK-ABSENT; fi\",\"echo run >/root/mark\"]}");
	/* a snapshot of a kernel that is gone, and one of this kernel's path
	 * when it was another file: making the new one removes both */
	_cleanup_free_ char *gone = kr_asprintf("0\n%s/bzImage-gone\n", tmp);
	_cleanup_free_ char *changed = kr_asprintf("0\n%s\n", kernel);
	_cleanup_free_ char *warm_dir = kr_path_join(cache, "warm");
	free(kr_test_write(warm_dir, "gone.meta", gone));
	free(kr_test_write(warm_dir, "gone.vmstate", "x"));
	free(kr_test_write(warm_dir, "gone.lock", ""));
	free(kr_test_write(warm_dir, "changed.meta", changed));
	free(kr_test_write(warm_dir, "changed.vmstate", "x"));
	free(kr_test_write(warm_dir, "changed.lock", ""));
	_cleanup_free_ char *o = NULL, *e = NULL;
	int status = kradar_run(dir, out, cache, &o, &e);
	ck_assert_msg(status == 0, "status %d:\n%s\n%s", status, o, e);
	_cleanup_free_ char *gone_state = kr_path_join(warm_dir, "gone.vmstate");
	_cleanup_free_ char *changed_state = kr_path_join(warm_dir, "changed.vmstate");
	ck_assert_int_ne(access(gone_state, F_OK), 0);
	ck_assert_int_ne(access(changed_state, F_OK), 0);
	_cleanup_free_ char *json = read_out(out, "results.json");
	ck_assert_uint_eq(count(json, "\"start\": \"restored\""), 2);
	ck_assert_uint_eq(count(json, "\"start\": \"booted\""), 0);
	for (int i = 1; i <= 2; i++) {
		_cleanup_free_ char *name = kr_asprintf("fresh/run-%d/console.log", i);
		_cleanup_free_ char *console = read_out(out, name);
		KR_ASSERT_HAS(console, "MARK-ABSENT");
		ck_assert_msg(!strstr(console, "MARK-SEEN"), "run %d saw run 1's file:\n%s", i,
			      console);
	}

	/* A snapshot that is no QEMU state: one line, and the runs boot. */
	_cleanup_free_ char *snap = snapshot_file(cache);
	ck_assert_int_eq(kr_write_file_atomic(snap, "not a snapshot\n", 15, 0644), 0);
	free(o);
	free(e);
	o = e = NULL;
	status = kradar_run(dir, out2, cache, &o, &e);
	ck_assert_msg(status == 0, "status %d:\n%s\n%s", status, o, e);
	ck_assert_msg(count(e, "warm start: cannot restore") == 1, "not one fallback line:\n%s", e);
	KR_ASSERT_HAS(e, "booting instead");
	_cleanup_free_ char *json2 = read_out(out2, "results.json");
	ck_assert_uint_eq(count(json2, "\"start\": \"booted\""), 2);
	_cleanup_free_ char *console = read_out(out2, "fresh/run-2/console.log");
	KR_ASSERT_HAS(console, "MARK-ABSENT");
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The title, type and verdict of a run's crash, from results.json. */
static char *crash_of(const char *json, const char *name)
{
	_cleanup_free_ char *sc = kr_test_results_scenario(json, name);
	const char *run = strstr(sc, "\"run\": 1");
	ck_assert_ptr_nonnull(run);
	const char *keys[] = { "\"verdict\": ", "\"title\": ", "\"crash_type\": " };
	struct kr_buf b = KR_BUF_INIT(1 << 20);
	for (size_t i = 0; i < KR_ARRAY_SIZE(keys); i++) {
		const char *v = strstr(run, keys[i]);
		ck_assert_ptr_nonnull(v);
		kr_buf_add(&b, v, strcspn(v, "\n"));
		kr_buf_addc(&b, '\n');
	}
	return kr_buf_steal(&b);
}

START_TEST(a_crash_reads_the_same_restored_and_booted)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *cache = kr_path_join(tmp, "cache");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	const char *repro = "\"repro\":{\"sh\":[\"insmod /kradar_test.ko\",\"echo %s > "
			    "/proc/kradar_test\"],\"files\":{\"%s\":\"/kradar_test.ko\"}}";
	/* the module's WARNING, and its NULL dereference (a BUG: an oops) */
	const char *actions[] = { "warn", "null" };
	const char *titles[] = { "WARNING in kradar_test_warn",
				 "BUG: unable to handle kernel NULL pointer dereference in "
				 "kradar_test_null_deref" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(actions); i++) {
		_cleanup_free_ char *r = kr_asprintf(repro, actions[i], module);
		_cleanup_free_ char *cold = kr_asprintf("cold-%s", actions[i]);
		_cleanup_free_ char *warm = kr_asprintf("warm-%s", actions[i]);
		scenario(dir, cold, VM_TCG("false") ",%s," TIMEOUTS, r);
		scenario(dir, warm, VM_TCG("true") ",%s," TIMEOUTS, r);
	}
	_cleanup_free_ char *o = NULL, *e = NULL;
	int status = kradar_run(dir, out, cache, &o, &e);
	ck_assert_msg(status == 0, "status %d:\n%s\n%s", status, o, e);
	_cleanup_free_ char *json = read_out(out, "results.json");
	for (size_t i = 0; i < KR_ARRAY_SIZE(actions); i++) {
		_cleanup_free_ char *cold_name = kr_asprintf("cold-%s", actions[i]);
		_cleanup_free_ char *warm_name = kr_asprintf("warm-%s", actions[i]);
		_cleanup_free_ char *cold = crash_of(json, cold_name);
		_cleanup_free_ char *warm = crash_of(json, warm_name);
		_cleanup_free_ char *title = kr_asprintf("\"title\": \"%s\"", titles[i]);
		KR_ASSERT_HAS(cold, title);
		KR_ASSERT_HAS(cold, "\"verdict\": \"reproduced\"");
		ck_assert_str_eq(warm, cold);
		_cleanup_free_ char *w = kr_test_results_scenario(json, warm_name);
		KR_ASSERT_HAS(w, "\"start\": \"restored\"");
		_cleanup_free_ char *c = kr_test_results_scenario(json, cold_name);
		ck_assert_msg(!strstr(c, "\"start\""), "a cold run tells its start:\n%s", c);
	}
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A C reproducer (the compiled binary in the snapshot's initramfs) and a
 * syz one (syz-execprog's output on ttyS1: a file per run, behind a port
 * that had nothing behind it when the guest was saved). */
START_TEST(c_and_syz_reproducers_restored)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *dir = kr_path_join(tmp, "scenarios");
	_cleanup_free_ char *cache = kr_path_join(tmp, "cache");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	free(kr_test_write(dir, "hello.c",
			   "#include <stdio.h>\nint main(void) { puts(\"hello from C\"); return 0; }\n"));
	_cleanup_free_ char *bin = kr_path_join(tmp, "syzbin");
	_cleanup_free_ char *execprog = kr_test_write(bin, "syz-execprog",
						      "#!/bin/sh\necho \"execprog $*\"\n");
	_cleanup_free_ char *executor = kr_test_write(bin, "syz-executor", "#!/bin/sh\n");
	ck_assert_int_eq(chmod(execprog, 0755), 0);
	ck_assert_int_eq(chmod(executor, 0755), 0);
	free(kr_test_write(dir, "repro.syz", "# {\"procs\":2}\nr0 = getpid()\n"));
	scenario(dir, "c",
		 VM_TCG("true") ",\"repro\":{\"c\":\"hello.c\"},\"watch\":[\"^hello from C\"],"
				"\"expect\":{\"title\":\"hello from C\"}," TIMEOUTS);
	scenario(dir, "syz",
		 VM_TCG("true") ",\"runs\":2,\"repro\":{\"syz\":\"repro.syz\"},"
				"\"execprog\":{\"bin\":\"%s\"},\"expect\":{\"verdict\":\"clean\"},"
				TIMEOUTS,
		 bin);
	_cleanup_free_ char *o = NULL, *e = NULL;
	int status = kradar_run(dir, out, cache, &o, &e);
	ck_assert_msg(status == 0, "status %d:\n%s\n%s", status, o, e);
	_cleanup_free_ char *json = read_out(out, "results.json");
	ck_assert_uint_eq(count(json, "\"start\": \"restored\""), 3);
	_cleanup_free_ char *c = kr_test_results_scenario(json, "c");
	KR_ASSERT_HAS(c, "\"verdict\": \"reproduced\"");
	for (int i = 1; i <= 2; i++) {
		_cleanup_free_ char *name = kr_asprintf("syz/run-%d/execprog.log", i);
		_cleanup_free_ char *log = read_out(out, name);
		KR_ASSERT_HAS(log, "execprog -executor=/kradar/syz-executor");
		KR_ASSERT_HAS(log, "-procs=2");
	}
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("warm");
	TCase *tc = tcase_create("warm");
	tcase_add_unchecked_fixture(tc, prepare, NULL);
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, each_run_is_a_fresh_guest_and_a_broken_snapshot_boots);
	tcase_add_test(tc, a_crash_reads_the_same_restored_and_booted);
	tcase_add_test(tc, c_and_syz_reproducers_restored);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
