/* SPDX-License-Identifier: MIT */
#include "snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "initramfs.h"
#include "json-writer.h"
#include "qmp.h"
#include "sha256.h"

#define KEY_VERSION "kradar-warm 1"
#define QMP_TIMEOUT_S 60.0   /* a QMP answer, QEMU's connection */
#define SAVE_TIMEOUT_S 600.0 /* the migration into the file */
/* The snapshot boot has nothing to run: it ends at the ready point. */
#define SAVE_RUN_TIMEOUT_S 600.0

static unsigned long socket_counter;

/* A name for a socket or file of this process in dir. */
static char *work_path(const char *dir, const char *what)
{
	unsigned long n = __atomic_add_fetch(&socket_counter, 1, __ATOMIC_RELAXED);
	return kr_asprintf("%s/warm-%d-%lu.%s", dir, (int)getpid(), n, what);
}

static void random_hex(size_t bytes, char *out)
{
	unsigned char buf[64] = { 0 };
	if (getrandom(buf, bytes, 0) != (ssize_t)bytes) {
		/* no entropy to be had: still distinct per run */
		uint64_t t = kr_now_ns();
		memcpy(buf, &t, sizeof(t));
	}
	for (size_t i = 0; i < bytes; i++)
		sprintf(out + 2 * i, "%02x", buf[i]);
}

/* A random (version 4) UUID for the VM generation ID device. */
static void random_guid(char out[37])
{
	char h[33];
	random_hex(16, h);
	h[12] = '4';
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

/* One QMP command: {"execute": name, "arguments": args} (takes args). */
static char *command(const char *name, struct kr_json *args)
{
	_cleanup_json_free_ struct kr_json *o = kr_json_object();
	kr_json_set(o, "execute", kr_json_string(name));
	if (args)
		kr_json_set(o, "arguments", args);
	return kr_json_dump(o, false);
}

static struct kr_json *arg1(const char *key, const char *value)
{
	struct kr_json *a = kr_json_object();
	kr_json_set(a, key, kr_json_string(value));
	return a;
}

static char *snapshot_key(const struct kr_snapshot_config *c, char kernel[KR_SHA256_HEX_SIZE],
			  char **err)
{
	const struct kr_qemu_guest *g = c->qg;
	char initrd[KR_SHA256_HEX_SIZE];
	int r;
	if ((r = kr_sha256_file(g->kernel, kernel)) < 0 ||
	    (r = kr_sha256_file(g->initrd, initrd)) < 0) {
		*err = kr_asprintf("cannot read %s: %s", r < 0 ? g->kernel : g->initrd,
				   strerror(-r));
		return NULL;
	}
	_cleanup_free_ char *version = kr_qemu_version(g->s->vm.qemu);
	if (!version) {
		*err = kr_asprintf("cannot run %s --version", g->s->vm.qemu);
		return NULL;
	}
	/* The command line with the per-file and per-run parts named. */
	struct kr_qemu_guest canon = *g;
	canon.kernel = "KERNEL";
	canon.initrd = "INITRD";
	canon.aux_serial = NULL;
	canon.warm = true;
	canon.qmp_socket = "QMP";
	canon.vmgenid = "GUID";
	canon.incoming = false;
	_cleanup_strv_free_ char **argv = kr_qemu_argv(&canon);
	_cleanup_free_ char *line = kr_qemu_format_argv(argv);
	_cleanup_free_ char *text = kr_asprintf("%s\n%s\nkernel %s\ninitramfs %s\n%s", KEY_VERSION,
						version, kernel, initrd, line);
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex(text, strlen(text), hex);
	return kr_strdup(hex);
}

/* ----- making a snapshot ----- */

struct saver {
	const struct kr_snapshot_config *c;
	int listen_fd;
	struct kr_qmp *qmp;
	struct kr_guest_ctl *ctl;
	const char *tmp_path;
	bool saved;
	double ready_s;
	double save_s;
	char *error;
};

static void fail(struct saver *sv, char *message)
{
	if (!sv->error)
		sv->error = kr_strdup(message);
	kr_guest_ctl_fail(sv->ctl, message);
}

static void saver_begin(void *userdata, struct kr_guest_ctl *ctl)
{
	struct saver *sv = userdata;
	sv->ctl = ctl;
	char *err = NULL;
	if (kr_qmp_accept(sv->listen_fd, QMP_TIMEOUT_S, &sv->qmp, &err) < 0)
		fail(sv, err);
}

static void unused_ready(void *userdata, struct kr_guest_ctl *ctl, int fd)
{
	(void)userdata;
	kr_guest_ctl_unwatch(ctl, fd);
}

static void unused_alarm(void *userdata, struct kr_guest_ctl *ctl)
{
	(void)userdata;
	(void)ctl;
}

static void nothing_to_end(void *userdata)
{
	(void)userdata;
}

/* Migrates the guest into the file; true when it was saved. */
static bool save(struct saver *sv, char **err)
{
	_cleanup_close_ int fd = open(sv->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		*err = kr_asprintf("cannot create %s: %s", sv->tmp_path, strerror(errno));
		return false;
	}
	struct kr_json *caps = kr_json_array();
	struct kr_json *events = kr_json_object();
	kr_json_set(events, "capability", kr_json_string("events"));
	kr_json_set(events, "state", kr_json_bool(true));
	kr_json_append(caps, events);
	struct kr_json *args = kr_json_object();
	kr_json_set(args, "capabilities", caps);
	_cleanup_free_ char *set_caps = command("migrate-set-capabilities", args);
	_cleanup_free_ char *getfd = command("getfd", arg1("fdname", "kradar-snapshot"));
	_cleanup_free_ char *migrate = command("migrate", arg1("uri", "fd:kradar-snapshot"));
	uint64_t t0 = kr_now_ns();
	/* The guest runs on while it is copied (a stopped source would stay
	 * stopped when restored); it only waits on its channel now. */
	if (kr_qmp_execute(sv->qmp, set_caps, -1, QMP_TIMEOUT_S, err) < 0 ||
	    kr_qmp_execute(sv->qmp, getfd, fd, QMP_TIMEOUT_S, err) < 0 ||
	    kr_qmp_execute(sv->qmp, migrate, -1, QMP_TIMEOUT_S, err) < 0)
		return false;
	for (;;) {
		_cleanup_free_ char *status = NULL;
		if (kr_qmp_wait_event(sv->qmp, "MIGRATION", SAVE_TIMEOUT_S, &status, err) < 0)
			return false;
		if (status && !strcmp(status, "completed"))
			break;
		if (status && (!strcmp(status, "failed") || !strcmp(status, "cancelled"))) {
			*err = kr_asprintf("the migration into %s %s", sv->tmp_path, status);
			return false;
		}
	}
	sv->save_s = (double)(kr_now_ns() - t0) / 1e9;
	if (fsync(fd) < 0) {
		*err = kr_asprintf("cannot write %s: %s", sv->tmp_path, strerror(errno));
		return false;
	}
	return true;
}

/* The ready marker: save, then have QEMU quit (which ends the loop). */
static void saver_phase(void *userdata, enum kr_guest_phase phase)
{
	struct saver *sv = userdata;
	if (phase != KR_GUEST_PHASE_RUN || !sv->qmp || sv->error)
		return;
	sv->ready_s = kr_guest_ctl_elapsed(sv->ctl);
	char *err = NULL;
	if (!save(sv, &err)) {
		fail(sv, err);
		return;
	}
	sv->saved = true;
	_cleanup_free_ char *quit = command("quit", NULL);
	_cleanup_free_ char *ignored = NULL;
	kr_qmp_execute(sv->qmp, quit, -1, QMP_TIMEOUT_S, &ignored);
}

static int make(const struct kr_snapshot_config *c, const char *path, const char *log_base,
		struct kr_snapshot *snap, char **err)
{
	_cleanup_free_ char *sock = work_path(c->work_dir, "sock");
	_cleanup_close_ int listen_fd = -1;
	int r = kr_qmp_listen(sock, &listen_fd, err);
	if (r < 0)
		return r;
	char guid[37];
	random_guid(guid);
	struct kr_qemu_guest qg = *c->qg;
	qg.warm = true;
	qg.qmp_socket = sock;
	qg.vmgenid = guid;
	qg.incoming = false;
	_cleanup_strv_free_ char **argv = kr_qemu_argv(&qg);
	/* under the lock: a leftover of a killed kradar is overwritten */
	_cleanup_free_ char *tmp = kr_asprintf("%s.part", path);
	_cleanup_free_ char *console = kr_asprintf("%s.console", log_base);
	_cleanup_free_ char *qerr = kr_asprintf("%s.stderr", log_base);
	struct saver sv = { .c = c, .listen_fd = listen_fd, .tmp_path = tmp };
	struct kr_guest_session hooks = {
		.begin = saver_begin, .ready = unused_ready, .alarm = unused_alarm,
		.end = nothing_to_end, .userdata = &sv,
	};
	struct kr_guest_config gc = {
		.argv = argv, .console_path = console, .stderr_path = qerr,
		.token = KR_WARM_READY_TOKEN, .boot_timeout = c->boot_timeout,
		.run_timeout = SAVE_RUN_TIMEOUT_S, .no_output_timeout = SAVE_RUN_TIMEOUT_S,
		.interrupt_fd = c->interrupt_fd, .phase = saver_phase, .phase_userdata = &sv,
		.session = &hooks,
	};
	struct kr_guest_result g;
	r = kr_guest_run(&gc, &g);
	kr_qmp_free(sv.qmp);
	unlink(sock);
	if (r == 0 && g.end == KR_GUEST_END_INTERRUPTED) {
		r = -EINTR;
		*err = kr_strdup(g.message);
		if (c->interrupted_by)
			*c->interrupted_by = g.signal;
	} else if (r == 0 && !sv.saved) {
		r = -EIO;
		*err = kr_asprintf("cannot save the guest at its ready point: %s (console: %s)",
				   sv.error ? sv.error : g.message ? g.message : "no snapshot",
				   console);
	} else if (r == 0 && rename(tmp, path) < 0) {
		r = -errno;
		*err = kr_asprintf("cannot rename %s: %s", tmp, strerror(errno));
	} else if (r < 0) {
		*err = kr_strdup(g.message);
	}
	if (r < 0)
		unlink(tmp);
	free(sv.error);
	snap->boot_s = sv.ready_s;
	snap->save_s = sv.save_s;
	kr_guest_result_clear(&g);
	return r;
}

/* The snapshots made with a kernel that is gone (a kernel cache entry
 * removed) or has changed (another kernel at the same path) go with it:
 * KEY.meta says which kernel ("SHA256\nPATH\n"). One that another kradar
 * holds the lock of stays. */
static void sweep(const char *dir, const char *own_key, const char *kernel_hex,
		  const char *kernel_path)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".meta"))
			continue;
		_cleanup_free_ char *key = kr_strndup(e->d_name, len - 5);
		_cleanup_free_ char *base = kr_path_join(dir, key);
		_cleanup_free_ char *meta = kr_asprintf("%s.meta", base);
		_cleanup_free_ char *text = NULL;
		if (!strcmp(key, own_key) || kr_read_file(meta, 1 << 16, &text, NULL) < 0)
			continue;
		char *path = strchr(text, '\n');
		if (!path)
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		bool changed = !strcmp(path, kernel_path) && strcmp(text, kernel_hex);
		if (!changed && access(path, F_OK) == 0)
			continue;
		_cleanup_free_ char *lock = kr_asprintf("%s.lock", base);
		_cleanup_close_ int fd = open(lock, O_RDWR | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;
		static const char *const parts[] = { ".vmstate", ".vmstate.part", ".console",
						     ".stderr", ".meta" };
		for (size_t i = 0; i < KR_ARRAY_SIZE(parts); i++) {
			_cleanup_free_ char *p = kr_asprintf("%s%s", base, parts[i]);
			unlink(p);
		}
	}
	if (d)
		closedir(d);
}

int kr_snapshot_get(const struct kr_snapshot_config *c, struct kr_snapshot **out, char **err)
{
	*out = NULL;
	_cleanup_free_ char *root = c->cache_dir ? kr_strdup(c->cache_dir) : kr_cache_dir();
	_cleanup_free_ char *dir = kr_path_join(root, "warm");
	int r = kr_mkdir_p(dir, 0755);
	if (r < 0) {
		*err = kr_asprintf("cannot create %s: %s", dir, strerror(-r));
		return r;
	}
	char kernel[KR_SHA256_HEX_SIZE];
	_cleanup_free_ char *key = snapshot_key(c, kernel, err);
	if (!key)
		return -EIO;
	_cleanup_free_ char *base = kr_path_join(dir, key);
	_cleanup_free_ char *lock = kr_asprintf("%s.lock", base);
	_cleanup_close_ int lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock_fd < 0) {
		*err = kr_asprintf("cannot open %s: %s", lock, strerror(errno));
		return -errno;
	}
	/* Another kradar making the same snapshot holds it until it is there. */
	while (flock(lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			*err = kr_asprintf("cannot lock %s: %s", lock, strerror(errno));
			return -errno;
		}
	}
	struct kr_snapshot *snap = kr_malloc(sizeof(*snap));
	*snap = (struct kr_snapshot){ .path = kr_asprintf("%s.vmstate", base),
				      .key = KR_TAKE_PTR(key), .boot_s = -1, .save_s = -1 };
	struct stat st;
	if (stat(snap->path, &st) < 0 || st.st_size == 0) {
		if ((r = make(c, snap->path, base, snap, err)) < 0) {
			kr_snapshot_free(snap);
			return r;
		}
		snap->made = true;
		_cleanup_free_ char *meta = kr_asprintf("%s.meta", base);
		_cleanup_free_ char *text = kr_asprintf("%s\n%s\n", kernel, c->qg->kernel);
		kr_write_file_atomic(meta, text, strlen(text), 0644);
		sweep(dir, snap->key, kernel, c->qg->kernel);
	}
	*out = snap;
	return 0;
}

bool kr_snapshot_mark_broken(struct kr_snapshot *snap)
{
	if (__atomic_exchange_n(&snap->broken, 1, __ATOMIC_SEQ_CST))
		return false;
	unlink(snap->path);
	return true;
}

bool kr_snapshot_is_broken(struct kr_snapshot *snap)
{
	return __atomic_load_n(&snap->broken, __ATOMIC_SEQ_CST) != 0;
}

void kr_snapshot_free(struct kr_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->path);
	free(snap->key);
	free(snap);
}

/* ----- restoring it ----- */

struct kr_snapshot_restore {
	char *snapshot;  /* the saved state's path */
	char *sock;
	char *channel;   /* the run's settings for the guest */
	char guid[37];
	int listen_fd;
	struct kr_qmp *qmp;
	struct kr_guest_ctl *ctl;
	double restore_s;
	char *error;
	struct kr_guest_session hooks;
};

static void restore_fail(struct kr_snapshot_restore *r, char *message)
{
	if (!r->error)
		r->error = kr_strdup(message);
	kr_guest_ctl_fail(r->ctl, message);
}

/* Once the guest runs again (QEMU's RESUME event, which may have come
 * with an answer already read), its channel gets the run's file. */
static void feed_channel_once_resumed(struct kr_snapshot_restore *r, struct kr_guest_ctl *ctl)
{
	if (r->restore_s >= 0 || !kr_qmp_take_event(r->qmp, "RESUME", NULL))
		return;
	r->restore_s = kr_guest_ctl_elapsed(ctl);
	kr_guest_ctl_unwatch(ctl, kr_qmp_fd(r->qmp));
	struct kr_json *file = kr_json_object();
	kr_json_set(file, "in", kr_json_string(r->channel));
	kr_json_set(file, "out", kr_json_string("/dev/null"));
	struct kr_json *backend = kr_json_object();
	kr_json_set(backend, "type", kr_json_string("file"));
	kr_json_set(backend, "data", file);
	struct kr_json *args = arg1("id", KR_QEMU_CHANNEL);
	kr_json_set(args, "backend", backend);
	_cleanup_free_ char *change = command("chardev-change", args);
	char *err = NULL;
	if (kr_qmp_execute(r->qmp, change, -1, QMP_TIMEOUT_S, &err) < 0)
		restore_fail(r, err);
}

static void restore_ready(void *userdata, struct kr_guest_ctl *ctl, int fd)
{
	struct kr_snapshot_restore *r = userdata;
	int e = kr_qmp_read(r->qmp);
	feed_channel_once_resumed(r, ctl);
	if (e < 0 && r->restore_s < 0) /* QEMU went away: its exit tells the rest */
		kr_guest_ctl_unwatch(ctl, fd);
}

static void restore_begin(void *userdata, struct kr_guest_ctl *ctl)
{
	struct kr_snapshot_restore *r = userdata;
	r->ctl = ctl;
	char *err = NULL;
	if (kr_qmp_accept(r->listen_fd, QMP_TIMEOUT_S, &r->qmp, &err) < 0) {
		restore_fail(r, err);
		return;
	}
	_cleanup_close_ int fd = open(r->snapshot, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		restore_fail(r, kr_asprintf("cannot open %s: %s", r->snapshot, strerror(errno)));
		return;
	}
	_cleanup_free_ char *getfd = command("getfd", arg1("fdname", "kradar-snapshot"));
	_cleanup_free_ char *incoming =
		command("migrate-incoming", arg1("uri", "fd:kradar-snapshot"));
	if (kr_qmp_execute(r->qmp, getfd, fd, QMP_TIMEOUT_S, &err) < 0 ||
	    kr_qmp_execute(r->qmp, incoming, -1, QMP_TIMEOUT_S, &err) < 0) {
		restore_fail(r, err);
		return;
	}
	int e = kr_guest_ctl_watch(ctl, kr_qmp_fd(r->qmp));
	if (e < 0)
		restore_fail(r, kr_asprintf("cannot watch QMP: %s", strerror(-e)));
	else
		feed_channel_once_resumed(r, ctl);
}

int kr_snapshot_restore_new(const struct kr_snapshot *snap, const char *work_dir,
			    const char *token, struct kr_snapshot_restore **out, char **err)
{
	*out = NULL;
	_cleanup_(kr_snapshot_restore_freep) struct kr_snapshot_restore *r = kr_malloc(sizeof(*r));
	*r = (struct kr_snapshot_restore){
		.snapshot = kr_strdup(snap->path), .sock = work_path(work_dir, "sock"),
		.channel = work_path(work_dir, "channel"), .listen_fd = -1, .restore_s = -1,
	};
	r->hooks = (struct kr_guest_session){
		.begin = restore_begin, .ready = restore_ready, .alarm = unused_alarm,
		.end = nothing_to_end, .userdata = r,
	};
	random_guid(r->guid);
	char seed[65];
	random_hex(32, seed);
	_cleanup_free_ char *script =
		kr_initramfs_warm_run_script(token, seed, (long long)time(NULL));
	int e = kr_write_file_atomic(r->channel, script, strlen(script), 0600);
	if (e < 0) {
		*err = kr_asprintf("cannot write %s: %s", r->channel, strerror(-e));
		return e;
	}
	if ((e = kr_qmp_listen(r->sock, &r->listen_fd, err)) < 0)
		return e;
	*out = KR_TAKE_PTR(r);
	return 0;
}

void kr_snapshot_restore_guest(const struct kr_snapshot_restore *r, struct kr_qemu_guest *qg)
{
	qg->warm = true;
	qg->qmp_socket = r->sock;
	qg->vmgenid = r->guid;
	qg->incoming = true;
}

const struct kr_guest_session *kr_snapshot_restore_hooks(struct kr_snapshot_restore *r)
{
	return &r->hooks;
}

double kr_snapshot_restore_s(const struct kr_snapshot_restore *r)
{
	return r->restore_s;
}

const char *kr_snapshot_restore_error(const struct kr_snapshot_restore *r)
{
	return r->error;
}

void kr_snapshot_restore_free(struct kr_snapshot_restore *r)
{
	if (!r)
		return;
	kr_qmp_free(r->qmp);
	if (r->listen_fd >= 0)
		close(r->listen_fd);
	if (r->sock)
		unlink(r->sock);
	if (r->channel)
		unlink(r->channel);
	free(r->snapshot);
	free(r->sock);
	free(r->channel);
	free(r->error);
	free(r);
}
