/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kr-test.h"
#include "stale.h"
#include "util.h"

/* The owner record of a process that has exited (and been reaped). */
static struct kr_owner dead_owner(void)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct kr_owner o;
		if (kr_owner_self(&o) < 0)
			_exit(1);
		if (write(p[1], &o, sizeof(o)) != sizeof(o))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	struct kr_owner o;
	ck_assert_int_eq(read(p[0], &o, sizeof(o)), sizeof(o));
	close(p[0]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(o.pid, pid);
	return o;
}

static bool exists(const char *dir, const char *name)
{
	_cleanup_free_ char *p = kr_path_join(dir, name);
	return access(p, F_OK) == 0;
}

START_TEST(owner_self_and_tag)
{
	struct kr_owner o, back;
	ck_assert_int_eq(kr_owner_self(&o), 0);
	ck_assert_int_eq(o.pid, getpid());
	ck_assert_uint_gt(o.start, 0);
	ck_assert_uint_gt(o.pidns, 0);
	ck_assert(kr_owner_alive(&o));
	_cleanup_free_ char *tag = kr_owner_tag(&o);
	ck_assert(kr_owner_parse_tag(tag, &back, NULL));
	ck_assert_int_eq(back.pid, o.pid);
	ck_assert_uint_eq(back.start, o.start);
	ck_assert_uint_eq(back.pidns, o.pidns);
	const char *end;
	_cleanup_free_ char *name = kr_asprintf("%s-abcdef", tag);
	ck_assert(kr_owner_parse_tag(name, &back, &end));
	ck_assert_str_eq(end, "abcdef");
	ck_assert(!kr_owner_parse_tag(name, &back, NULL));
	ck_assert(!kr_owner_parse_tag("0-1-2", &back, NULL));
	ck_assert(!kr_owner_parse_tag("1-2", &back, NULL));
	ck_assert(!kr_owner_parse_tag("x-1-2", &back, NULL));
	ck_assert(!kr_owner_parse_tag("1-2-3x", &back, NULL));
	ck_assert(!kr_owner_parse_tag("99999999999-2-3", &back, NULL));
	ck_assert(!kr_owner_parse_tag("1-99999999999999999999999-3", &back, NULL));
}
END_TEST

START_TEST(owner_alive_checks_start_time)
{
	struct kr_owner dead = dead_owner();
	ck_assert(!kr_owner_alive(&dead));
	/* this PID, but another start: a reused PID is not the owner */
	struct kr_owner me;
	ck_assert_int_eq(kr_owner_self(&me), 0);
	me.start++;
	ck_assert(!kr_owner_alive(&me));
	/* another PID namespace: cannot tell, so alive */
	dead.pidns++;
	ck_assert(kr_owner_alive(&dead));
}
END_TEST

START_TEST(sweep_removes_only_dead_owners)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *mine = NULL;
	ck_assert_int_eq(kr_stale_mkdtemp(dir, "kradar-", &mine), 0);
	struct stat st;
	ck_assert_int_eq(stat(mine, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	struct kr_owner dead = dead_owner();
	_cleanup_free_ char *tag = kr_owner_tag(&dead);
	_cleanup_free_ char *gone = kr_asprintf("kradar-%s-Ab12Cd", tag);
	_cleanup_free_ char *gone_file = kr_asprintf("%s/sub/f", gone);
	_cleanup_free_ char *gone_plain = kr_asprintf("kradar-%s-Ab12Ce", tag);
	_cleanup_free_ char *other_prefix = kr_asprintf("other-%s-Ab12Cd", tag);
	free(kr_test_write(dir, gone_file, "x"));
	free(kr_test_write(dir, gone_plain, "a regular file is not swept"));
	free(kr_test_write(dir, "kradar-cache/x", "unparsable names stay"));
	_cleanup_free_ char *other = kr_path_join(dir, other_prefix);
	ck_assert_int_eq(mkdir(other, 0700), 0);
	/* a symlink named like a dead owner's directory is not followed */
	_cleanup_free_ char *link_name = kr_asprintf("%s/kradar-%s-Ab12Cf", dir, tag);
	_cleanup_free_ char *target = kr_path_join(dir, "target");
	free(kr_test_write(dir, "target/keep", "x"));
	ck_assert_int_eq(symlink(target, link_name), 0);

	ck_assert_int_eq(kr_stale_sweep(dir, "kradar-"), 1);
	ck_assert(!exists(dir, gone));
	ck_assert(access(mine, F_OK) == 0);
	ck_assert(exists(dir, gone_plain));
	ck_assert(exists(dir, "kradar-cache/x"));
	ck_assert(exists(dir, other_prefix));
	ck_assert(exists(dir, "target/keep"));
	ck_assert_int_eq(kr_stale_sweep(dir, "kradar-"), 0);
	ck_assert_int_eq(kr_stale_sweep("/nonexistent-kradar", "kradar-"), 0);
}
END_TEST

/* Temporary files of atomic writes (kr_write_file_atomic) that a killed
 * process left: removed at any depth up to the limit, never those of a
 * live process, never through a symlink. */
START_TEST(sweep_tmp_removes_dead_writers_files)
{
	const char *dir = kr_test_tmpdir();
	struct kr_owner dead = dead_owner();
	_cleanup_free_ char *tag = kr_owner_tag(&dead);
	_cleanup_free_ char *gone = kr_asprintf("results.json.tmp-%s-Ab12Cd", tag);
	_cleanup_free_ char *gone_deep = kr_asprintf("s/run-1/console.log.tmp-%s-Ab12Cd", tag);
	_cleanup_free_ char *too_deep = kr_asprintf("a/b/c/d/x.tmp-%s-Ab12Cd", tag);
	_cleanup_free_ char *bad_suffix = kr_asprintf("x.tmp-%s-Ab12", tag);
	free(kr_test_write(dir, gone, "{"));
	free(kr_test_write(dir, gone_deep, "half"));
	free(kr_test_write(dir, too_deep, "x"));
	free(kr_test_write(dir, bad_suffix, "x"));
	free(kr_test_write(dir, "plain.tmp-XXXXXX", "no owner: kept"));
	/* a live writer's file (this process's template) */
	_cleanup_free_ char *live_path = kr_path_join(dir, "live.json");
	_cleanup_free_ char *live = kr_stale_tmp_template(live_path);
	ck_assert_ptr_nonnull(live);
	ck_assert(kr_str_endswith(live, "-XXXXXX"));
	int fd = mkostemp(live, O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	close(fd);
	/* a symlinked directory is not entered */
	_cleanup_free_ char *outside = kr_asprintf("%s/../outside-%d", dir, (int)getpid());
	_cleanup_free_ char *outside_file = kr_asprintf("%s/y.tmp-%s-Ab12Cd", outside, tag);
	ck_assert_int_eq(kr_mkdir_p(outside, 0755), 0);
	ck_assert_int_eq(kr_write_file_atomic(outside_file, "x", 1, 0644), 0);
	_cleanup_free_ char *link = kr_path_join(dir, "link");
	ck_assert_int_eq(symlink(outside, link), 0);

	ck_assert_int_eq(kr_stale_sweep_tmp(dir, 3), 2);
	ck_assert(!exists(dir, gone));
	ck_assert(!exists(dir, gone_deep));
	ck_assert(exists(dir, too_deep));
	ck_assert(exists(dir, bad_suffix));
	ck_assert(exists(dir, "plain.tmp-XXXXXX"));
	ck_assert(access(live, F_OK) == 0);
	ck_assert(access(outside_file, F_OK) == 0);
	ck_assert_int_eq(kr_rm_rf(outside), 0);

	/* an atomic write leaves no temporary file and names its temporary
	 * after this process */
	ck_assert_int_eq(kr_write_file_atomic(live_path, "{}", 2, 0644), 0);
	ck_assert(exists(dir, "live.json"));
}
END_TEST

START_TEST(owner_lock_names_the_holder)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *path = kr_path_join(dir, "x.lock");
	int ready[2], done[2];
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(done), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(done[1]);
		int fd = kr_owner_lock(path, NULL);
		char c = fd >= 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	char c;
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(c, 'y');
	struct kr_owner holder;
	ck_assert_int_eq(kr_owner_lock(path, &holder), -EWOULDBLOCK);
	ck_assert_int_eq(holder.pid, pid);
	ck_assert(kr_owner_alive(&holder));
	close(done[1]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	int fd = kr_owner_lock(path, &holder);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_read_file(path, 256, &text, NULL), 0);
	_cleanup_free_ char *want = kr_asprintf("%d ", (int)getpid());
	ck_assert(kr_str_startswith(text, want));
	close(fd);
	/* a symlink is not followed */
	_cleanup_free_ char *link = kr_path_join(dir, "l.lock");
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(kr_owner_lock(link, NULL), -ELOOP);
}
END_TEST

static void age(const char *dir, const char *name, double days)
{
	_cleanup_free_ char *p = kr_path_join(dir, name);
	struct timespec ts[2] = { { .tv_sec = (time_t)(kr_wall_s() - days * 86400) },
				  { .tv_sec = (time_t)(kr_wall_s() - days * 86400) } };
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
}

START_TEST(sweep_parts_keeps_resumable_and_locked)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "old.part", "x"));
	free(kr_test_write(dir, "fresh.part", "x"));
	free(kr_test_write(dir, "held.part", "x"));
	free(kr_test_write(dir, "whole", "x"));
	age(dir, "old.part", 8);
	age(dir, "held.part", 8);
	age(dir, "whole", 30);
	_cleanup_free_ char *held = kr_path_join(dir, "held.lock");
	_cleanup_close_ int fd = open(held, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	/* flock locks belong to the open file: a child must not share it */
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fd);
		_exit(kr_stale_sweep_parts(dir, 7 * 86400.0));
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	ck_assert(!exists(dir, "old.part"));
	ck_assert(exists(dir, "fresh.part"));
	ck_assert(exists(dir, "held.part"));
	ck_assert(exists(dir, "whole"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stale");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, owner_self_and_tag);
	tcase_add_test(tc, owner_alive_checks_start_time);
	tcase_add_test(tc, sweep_removes_only_dead_owners);
	tcase_add_test(tc, sweep_tmp_removes_dead_writers_files);
	tcase_add_test(tc, owner_lock_names_the_holder);
	tcase_add_test(tc, sweep_parts_keeps_resumable_and_locked);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
