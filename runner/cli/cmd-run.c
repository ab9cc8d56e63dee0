/* SPDX-License-Identifier: MIT */
/* kradar run [--out DIR] SCENARIO|DIR|MATRIX...: every scenario (or matrix
 * cell), each run in a fresh QEMU guest, with a verdict per run and per
 * scenario; several guests at once within the host's budget. */
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "baseline.h"
#include "cli.h"
#include "cmd-run.h"
#include "detectors.h"
#include "evidence.h"
#include "fetch.h"
#include "guest.h"
#include "initramfs.h"
#include "kbuild.h"
#include "kvm.h"
#include "log.h"
#include "process.h"
#include "progress.h"
#include "qemu.h"
#include "reports.h"
#include "results.h"
#include "scenario.h"
#include "schedule.h"
#include "sha256.h"
#include "signature.h"
#include "snapshot.h"
#include "ssh.h"
#include "stale.h"
#include "symbolize.h"
#include "syzprog.h"
#include "table.h"
#include "verdict.h"

/* How long gcc may take for a reproducer. */
#define COMPILE_TIMEOUT_S 300.0
/* syz-execprog's -slowdown under TCG: syzkaller scales its own timeouts
 * (per-call and per-program) by this for emulated machines. */
#define TCG_EXECPROG_SLOWDOWN 10
/* execprog.log is read back, for syz-execprog's errors, up to this size. */
#define EXECPROG_LOG_MAX (64u << 20)
/* Size limits for kernel.image and disk URLs: the download, and the
 * decompressed file when it is .xz. */
#define MAX_DOWNLOAD (16ull << 30)
#define MAX_DECOMPRESSED (64ull << 30)
/* Image mode's SSH, in seconds before the TCG factor: the connection and
 * handshake, one connection attempt or copy, the pause between attempts,
 * and how long a dropped connection waits for the console to show why. */
#define SSH_CONNECT_TIMEOUT_S 5.0
#define SSH_STEP_TIMEOUT_S 60.0
#define SSH_RETRY_S 2.0
#define SSH_LOST_WAIT_S 10.0
#define SSH_KEEPALIVE_S 10.0
/* QEMU starts again with another port this often when the forwarded port
 * was taken between kradar's check and QEMU's bind. */
#define PORT_ATTEMPTS 3

struct ctx {
	const char *out;      /* absolute */
	char *tmp;            /* private temp dir, removed at exit */
	int sfd;              /* signalfd: SIGINT, SIGTERM */
	const char *busybox;
	char token[33];
	struct kr_results *results;
	bool quiet;
	const char *cache; /* kernel cache (--cache), NULL: the default */
	int jobs;          /* make -j for kernel.source (--jobs), 0: the CPUs */
	struct kr_progress *progress; /* the terminal or CI log (reporters/progress.h) */
	size_t total;      /* scenarios to run */
	struct kr_fetcher *fetcher; /* kernel and disk URLs; made when first needed */
	bool serial;       /* one guest at a time: progress is shown as it happens */
	struct kr_budget budget;
	int guest_jobs;    /* guests at once at most */
	int done_fd[2];    /* a guest's thread writes its finished job here */
	char **hashed;     /* path, sha256, path, sha256...: see file_sha256() */
	char *write_error; /* the first write into --out that failed: no run starts after it */
	bool warm_start;   /* --warm-start */
};

/* What a scenario's runs share: the kernel, the initramfs, the accelerator. */
struct prepared {
	char *infra;          /* non-NULL: every run would fail this way */
	char *skip;           /* non-NULL: the scenario cannot run on this host */
	enum kr_accel accel;
	char *kernel;
	char *initrd;
	char *init_script;
	struct kr_syzprog *syz;
	char *repro_binary;
	/* image mode */
	char *disk;  /* the disk image (a download resolved) */
	char *stage; /* the files for the guest's /kradar: run.sh, the
		      * reproducer, syz-execprog and syz-executor */
	char **staged; /* their paths */
	char *ssh_key; /* a private copy of disk.ssh_key, mode 0600 */
	/* Reports' frames to source lines: the files are opened at the first
	 * crash and kept for every run; guests' threads take sym_lock. NULL
	 * when there is no vmlinux and no .ko. */
	struct kr_symbolizer *symbolizer;
	pthread_mutex_t *sym_lock;
	/* warm start (issue 15): the snapshot runs restore; NULL: they boot */
	bool warm;
	char *warm_initrd;
	struct kr_snapshot *snapshot;
};

static void prepared_clear(struct prepared *p)
{
	free(p->infra);
	free(p->skip);
	free(p->kernel);
	free(p->initrd);
	free(p->init_script);
	kr_syzprog_free(p->syz);
	free(p->repro_binary);
	free(p->disk);
	free(p->stage);
	kr_strv_free(p->staged);
	free(p->ssh_key);
	kr_symbolizer_free(p->symbolizer);
	if (p->sym_lock)
		pthread_mutex_destroy(p->sym_lock);
	free(p->sym_lock);
	free(p->warm_initrd);
	kr_snapshot_free(p->snapshot);
	*p = (struct prepared){ 0 };
}

/* Was a SIGINT or SIGTERM queued? Consumes it and returns its number. */
static int pending_signal(struct ctx *c)
{
	struct signalfd_siginfo si;
	if (read(c->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		return (int)si.ssi_signo;
	return 0;
}

static void interrupted(struct ctx *c, int sig)
{
	if (!c->results->interrupted)
		kr_warning("interrupted by SIG%s: stopping the guest and writing the results",
			   sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
	c->results->interrupted = true;
	c->results->signal = sig;
}

static int write_text(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = kr_path_join(dir, name);
	return kr_write_file_atomic(path, text, strlen(text), 0644);
}

/* An artifact of a run written, or the first failure named in *write_error. */
static bool write_artifact(const char *dir, const char *name, const void *data, size_t len,
			   char **write_error)
{
	_cleanup_free_ char *path = kr_path_join(dir, name);
	int r = kr_write_file_atomic(path, data, len, 0644);
	if (r < 0 && !*write_error)
		*write_error = kr_asprintf("cannot write %s: %s", path, strerror(-r));
	return r == 0;
}

/* The first failed write into --out: logged once; no run starts after it,
 * and kradar exits 3 (4 when results.json cannot be written either). */
static void write_failed(struct ctx *c, char *message)
{
	if (c->write_error) {
		free(message);
		return;
	}
	kr_error("%s: no more runs start", message);
	c->write_error = message;
}

/* gcc -static -pthread, as syzbot builds C reproducers. The log is kept
 * next to the scenario's runs. Interruptible. */
static char *compile_repro(struct ctx *c, const struct kr_scenario *s, const char *scen_dir,
			   struct prepared *p, int *sig)
{
	p->repro_binary = kr_asprintf("%s/%s.repro", c->tmp, s->name);
	_cleanup_free_ char *log = kr_path_join(scen_dir, "compile.log");
	char *argv[] = { "gcc", "-O2", "-static", "-pthread", "-w", "-o", p->repro_binary,
			 s->repro.file, NULL };
	_cleanup_close_ int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return kr_asprintf("cannot write %s: %s", log, strerror(errno));
	_cleanup_process_free_ struct kr_process *gcc = kr_process_new(argv);
	kr_process_set_stdout(gcc, fd);
	kr_process_set_stderr(gcc, fd);
	int r = kr_process_start(gcc);
	if (r < 0)
		return kr_asprintf("cannot run gcc: %s", strerror(-r));
	struct pollfd pfd[2] = { { kr_process_pidfd(gcc), POLLIN, 0 }, { c->sfd, POLLIN, 0 } };
	r = poll(pfd, 2, (int)(COMPILE_TIMEOUT_S * 1000));
	if (r > 0 && (pfd[1].revents & POLLIN) && (*sig = pending_signal(c)))
		return kr_strdup("interrupted while compiling the reproducer");
	if (r == 0)
		return kr_asprintf("gcc took more than %.0f s", COMPILE_TIMEOUT_S);
	int status = -1;
	if (kr_process_wait(gcc, 0, &status) < 0) /* poll failed or woke for nothing */
		return kr_strdup("gcc did not finish");
	if (status == 0)
		return NULL;
	/* The first error line says most. */
	_cleanup_free_ char *text = NULL;
	kr_read_file(log, 1 << 20, &text, NULL);
	const char *e = text ? strstr(text, "error") : NULL;
	const char *bol = e;
	while (bol && bol > text && bol[-1] != '\n')
		bol--;
	return kr_asprintf("the C reproducer does not compile (gcc status %d)%s%.*s", status,
			   bol ? ": " : "", bol ? (int)strcspn(bol, "\n") : 0, bol ? bol : "");
}

static void fetch_notice(void *userdata, const char *message)
{
	const struct ctx *c = userdata;
	if (!c->quiet)
		kr_notice("%s", message);
}

/* kernel.image or disk as a URL: into the download cache (once), .xz
 * decompressed. Returns the reason when there is no file. */
static char *download(struct ctx *c, const char *url, char **path,
		      char sha256[KR_SHA256_HEX_SIZE])
{
	char *err = NULL;
	if (!c->fetcher) {
		_cleanup_free_ char *dir = c->cache ? kr_path_join(c->cache, "downloads") : NULL;
		struct kr_fetch_config cfg = { .cache_dir = dir, .notice = fetch_notice,
					       .userdata = c };
		if (kr_fetcher_new(&cfg, &c->fetcher, &err) < 0)
			return err;
	}
	struct kr_fetch_result res;
	if (kr_fetch(c->fetcher, url, MAX_DOWNLOAD, 0, &res, &err) < 0) {
		kr_fetch_result_clear(&res);
		return err;
	}
	struct kr_fetch_plain plain;
	int r = kr_fetch_plain(c->fetcher, &res, MAX_DECOMPRESSED, &plain, &err);
	kr_fetch_result_clear(&res);
	if (r < 0)
		return err;
	*path = KR_TAKE_PTR(plain.path);
	memcpy(sha256, plain.sha256, KR_SHA256_HEX_SIZE);
	return NULL;
}

/* The sha256 of a local file (NULL when it cannot be read), each file
 * hashed once per kradar run: the cells of a matrix share kernels and
 * disks, and a disk may be gigabytes. Main thread only. */
static char *file_sha256(struct ctx *c, const char *path)
{
	for (size_t i = 0; c->hashed && c->hashed[i]; i += 2)
		if (!strcmp(c->hashed[i], path))
			return kr_strdup(c->hashed[i + 1]);
	char hex[KR_SHA256_HEX_SIZE];
	if (kr_sha256_file(path, hex) < 0)
		return NULL;
	kr_strv_push(&c->hashed, kr_strdup(path));
	kr_strv_push(&c->hashed, kr_strdup(hex));
	return kr_strdup(hex);
}

static void kernel_identity(struct ctx *c, const struct kr_scenario *s,
			    struct kr_scenario_result *sr)
{
	sr->kernel.image = kr_strdup(s->kernel.kind == KR_KERNEL_IMAGE ? s->kernel.image : NULL);
	if (s->kernel.kind == KR_KERNEL_SOURCE)
		sr->kernel.source = kr_strdup(s->kernel.source);
	if (s->kernel.label) {
		sr->kernel.label = kr_strdup(s->kernel.label);
	} else if (sr->kernel.image) {
		const char *slash = strrchr(sr->kernel.image, '/');
		sr->kernel.label = kr_strdup(slash ? slash + 1 : sr->kernel.image);
	}
	if (sr->kernel.image && !kr_path_is_url(sr->kernel.image))
		sr->kernel.sha256 = file_sha256(c, sr->kernel.image);
	if (s->disk.image) {
		sr->disk = kr_strdup(s->disk.image);
		if (!kr_path_is_url(s->disk.image))
			sr->disk_sha256 = file_sha256(c, s->disk.image);
	}
}

static void show_progress(void *userdata, const char *message)
{
	const struct kr_scenario *s = userdata;
	kr_notice("%s: %s", s->name, message);
}

/* The files whose debug info symbolizes reports: the kernel's vmlinux
 * (kernel.vmlinux, or a source build's), kernel.modules and the .ko files
 * among repro.files. */
static void setup_symbolizer(const struct kr_scenario *s, struct prepared *p,
			     const char *vmlinux)
{
	struct kr_symbolizer *sym = kr_symbolizer_new();
	if (vmlinux && !kr_path_is_url(vmlinux))
		kr_symbolizer_set_vmlinux(sym, vmlinux);
	for (size_t i = 0; s->kernel.modules[i]; i++)
		kr_symbolizer_add_module(sym, s->kernel.modules[i]);
	for (size_t i = 0; i < s->repro.n_files; i++)
		if (kr_str_endswith(s->repro.files[i].host, ".ko"))
			kr_symbolizer_add_module(sym, s->repro.files[i].host);
	if (!kr_symbolizer_has_files(sym)) {
		kr_symbolizer_free(sym);
		return;
	}
	p->symbolizer = sym;
	p->sym_lock = kr_malloc(sizeof(*p->sym_lock));
	pthread_mutex_init(p->sym_lock, NULL);
}

/* kernel.source: the kernel builder's cache, or a build. Returns the reason
 * when there is no kernel. */
static char *build_kernel(struct ctx *c, const struct kr_scenario *s, const char *scen_dir,
			  struct prepared *p, struct kr_scenario_result *sr, int *sig)
{
	_cleanup_free_ char *log = kr_path_join(scen_dir, "build.log");
	struct kr_kbuild_options o = { .log_copy = log, .userdata = (void *)s,
				       .cache_dir = c->cache, .jobs = c->jobs, .cancel_fd = c->sfd };
	if (!c->quiet)
		o.progress = show_progress;
	_cleanup_kernel_free_ struct kr_kernel *k = NULL;
	char *err = NULL;
	int r = kr_kbuild_get(s, &o, &k, &err);
	if (r == -ECANCELED)
		*sig = pending_signal(c);
	if (r < 0)
		return err ? err : kr_asprintf("the kernel build failed: %s", strerror(-r));
	for (size_t i = 0; i < k->n_mismatches; i++) {
		kr_warning("%s: %s", s->name, k->mismatches[i].message);
		kr_strv_push(&sr->kernel.fragment_dropped, kr_strdup(k->mismatches[i].message));
	}
	sr->kernel.cache_key = kr_strdup(k->key);
	p->kernel = kr_strdup(k->bzimage);
	setup_symbolizer(s, p, k->vmlinux);
	free(sr->kernel.image);
	sr->kernel.image = kr_strdup(k->bzimage);
	free(sr->kernel.label);
	sr->kernel.label = kr_strdup(k->label);
	sr->kernel.tree = kr_strdup(k->tree);
	sr->kernel.commit = kr_strdup(k->commit);
	sr->kernel.config_sha256 = kr_strdup(k->config_hash);
	free(sr->kernel.sha256);
	sr->kernel.sha256 = file_sha256(c, k->bzimage);
	return NULL;
}

/* ssh refuses a private key that others may read, and keys often come
 * that way (a checkout, a download): kradar uses a copy only it can read. */
static char *copy_key(struct ctx *c, const struct kr_scenario *s, struct prepared *p)
{
	_cleanup_free_ char *key = NULL;
	size_t len = 0;
	int r = kr_read_file(s->disk.ssh_key, 1 << 20, &key, &len);
	if (r < 0)
		return kr_asprintf("disk.ssh_key %s: %s", s->disk.ssh_key, strerror(-r));
	p->ssh_key = kr_asprintf("%s/%s.ssh-key", c->tmp, s->name);
	if ((r = kr_write_file_atomic(p->ssh_key, key, len, 0600)) < 0)
		return kr_asprintf("cannot write %s: %s", p->ssh_key, strerror(-r));
	return NULL;
}

struct staged {
	const char *guest; /* the guest path; its name is the staged file's */
	const char *text;  /* written, or ... */
	size_t len;
	char *link;        /* ... linked to */
};

/* Image mode: the files for the guest's /kradar in one host directory,
 * named as in the guest (links to the binaries), so that one scp copies
 * them all. Returns the reason when they cannot be put there. */
static char *stage_guest_files(struct ctx *c, const struct kr_scenario *s, struct prepared *p)
{
	p->stage = kr_asprintf("%s/%s.stage", c->tmp, s->name);
	int r = kr_mkdir_p(p->stage, 0755);
	if (r < 0)
		return kr_asprintf("cannot create %s: %s", p->stage, strerror(-r));
	struct staged files[4] = {
		{ KR_GUEST_SSH_SCRIPT, p->init_script, strlen(p->init_script), NULL },
	};
	size_t n = 1;
	switch (s->repro.kind) {
	case KR_REPRO_SH:
		files[n++] = (struct staged){ KR_GUEST_REPRO_SH, s->repro.sh, strlen(s->repro.sh),
						     NULL };
		break;
	case KR_REPRO_C:
		files[n++] = (struct staged){ KR_GUEST_REPRO_BIN, NULL, 0,
						     kr_strdup(p->repro_binary) };
		break;
	case KR_REPRO_SYZ:
		files[n++] = (struct staged){ KR_GUEST_REPRO_SYZ, p->syz->program,
						     p->syz->program_len, NULL };
		files[n++] = (struct staged){ KR_GUEST_EXECPROG, NULL, 0,
						     kr_path_join(s->execprog.bin, "syz-execprog") };
		files[n++] = (struct staged){ KR_GUEST_EXECUTOR, NULL, 0,
						     kr_path_join(s->execprog.bin, "syz-executor") };
		break;
	}
	char *why = NULL;
	p->staged = kr_calloc(1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		char *path = kr_path_join(p->stage, strrchr(files[i].guest, '/') + 1);
		kr_strv_push(&p->staged, path);
		if (why) {
			/* only freeing what is left */
		} else if (files[i].link && access(files[i].link, R_OK) < 0) {
			why = kr_asprintf("%s: %s", files[i].link, strerror(errno));
		} else if (files[i].link && symlink(files[i].link, path) < 0) {
			why = kr_asprintf("cannot link %s: %s", path, strerror(errno));
		} else if (!files[i].link &&
			   (r = kr_write_file_atomic(path, files[i].text, files[i].len, 0755)) < 0) {
			why = kr_asprintf("cannot write %s: %s", path, strerror(-r));
		}
		free(files[i].link);
	}
	return why;
}

/* Warm start hook (issue 15): the warm initramfs and the snapshot of the
 * guest at its ready point (made, or found in the cache). Without one the
 * runs boot, as they would without vm.warm_start. */
static void warm_prepare(struct ctx *c, const struct kr_scenario *s, const char *scen_dir,
			 struct kr_initramfs ir, struct prepared *p, int *sig)
{
	p->warm = true;
	ir.warm = true;
	p->warm_initrd = kr_path_join(scen_dir, "initramfs-warm.cpio");
	_cleanup_free_ char *err = NULL;
	int r = kr_initramfs_write(&ir, p->warm_initrd, &err);
	double factor = p->accel == KR_ACCEL_TCG ? s->timeouts.tcg_factor : 1;
	struct kr_qemu_guest qg = { .s = s, .kernel = p->kernel, .initrd = p->warm_initrd,
				    .accel = p->accel };
	struct kr_snapshot_config sc = { .qg = &qg, .cache_dir = c->cache, .work_dir = c->tmp,
					 .boot_timeout = s->timeouts.boot * factor,
					 .interrupt_fd = c->sfd, .interrupted_by = sig };
	if (r == 0)
		r = kr_snapshot_get(&sc, &p->snapshot, &err);
	if (r == -EINTR)
		p->infra = kr_strdup("interrupted while making the warm start snapshot");
	else if (r < 0)
		kr_warning("%s: warm start: %s; the runs boot", s->name, err);
	else if (p->snapshot->made)
		kr_info("%s: warm start: booted to the ready point in %.1f s, saved in %.1f s (%s)",
			s->name, p->snapshot->boot_s, p->snapshot->save_s, p->snapshot->path);
}

/* Everything the runs of a scenario share. Sets p->infra when the runs
 * cannot be made, p->skip when this host cannot run them, *sig when
 * interrupted. */
static void prepare(struct ctx *c, const struct kr_scenario *s, const char *scen_dir,
		    struct kr_scenario_result *sr, struct prepared *p, int *sig)
{
	bool image = s->disk.image != NULL;
	char hex[KR_SHA256_HEX_SIZE];
	if (s->kernel.kind == KR_KERNEL_SOURCE) {
		p->infra = build_kernel(c, s, scen_dir, p, sr, sig);
		if (p->infra)
			return;
	} else if (kr_path_is_url(s->kernel.image)) {
		if ((p->infra = download(c, s->kernel.image, &p->kernel, hex)))
			return;
		free(sr->kernel.sha256);
		sr->kernel.sha256 = kr_strdup(hex);
	} else if (access(s->kernel.image, R_OK) < 0) {
		p->infra = kr_asprintf("kernel image %s: %s", s->kernel.image, strerror(errno));
		return;
	} else {
		p->kernel = kr_strdup(s->kernel.image);
	}
	if (s->kernel.kind == KR_KERNEL_IMAGE)
		setup_symbolizer(s, p, s->kernel.vmlinux);
	if (image) {
		if (kr_path_is_url(s->disk.image)) {
			if ((p->infra = download(c, s->disk.image, &p->disk, hex)))
				return;
			free(sr->disk_sha256);
			sr->disk_sha256 = kr_strdup(hex);
		} else if (access(s->disk.image, R_OK) < 0) {
			p->infra = kr_asprintf("disk image %s: %s", s->disk.image, strerror(errno));
			return;
		} else {
			p->disk = kr_strdup(s->disk.image);
		}
		if (s->disk.ssh_key && (p->infra = copy_key(c, s, p)))
			return;
	} else if (!c->busybox) {
		p->infra = kr_strdup("no static busybox for the guest (install busybox-static, or "
				     "set KRADAR_BUSYBOX)");
		return;
	}
	_cleanup_free_ char *why = NULL, *fallback = NULL;
	/* A host without KVM cannot run a scenario that requires it: not run
	 * (skipped), where a KVM that is there but fails is an infra error. */
	if (s->vm.kvm == KR_KVM_ON && access(kr_kvm_device(), F_OK) < 0) {
		p->skip = kr_asprintf("vm.kvm is \"on\" and this host has no %s", kr_kvm_device());
		return;
	}
	int r = kr_kvm_choose(s->vm.kvm, s->vm.qemu, p->kernel, c->sfd, &p->accel, &why,
			      &fallback);
	if (r == -EINTR) {
		*sig = pending_signal(c);
		p->infra = kr_strdup("interrupted while probing KVM");
		return;
	}
	if (r < 0) {
		p->infra = KR_TAKE_PTR(why);
		return;
	}
	if (fallback)
		kr_notice("%s", fallback);

	struct kr_initramfs ir = { .s = s, .busybox = c->busybox, .token = c->token };
	switch (s->repro.kind) {
	case KR_REPRO_C:
		p->infra = compile_repro(c, s, scen_dir, p, sig);
		if (p->infra)
			return;
		ir.repro_binary = p->repro_binary;
		break;
	case KR_REPRO_SYZ: {
		if (!s->execprog.bin) {
			p->infra = kr_strdup("execprog.bin is not set: a syz reproducer needs "
					     "syz-execprog and syz-executor");
			return;
		}
		_cleanup_free_ char *err = NULL;
		if (kr_syzprog_prepare(s, &p->syz, &err) < 0) {
			p->infra = KR_TAKE_PTR(err);
			return;
		}
		if (p->accel == KR_ACCEL_TCG) {
			/* Replace a smaller -slowdown from the options line. */
			char **f = p->syz->flags;
			size_t k = 0;
			bool have = false;
			for (size_t i = 0; f[i]; i++) {
				bool slowdown = kr_str_startswith(f[i], "-slowdown=");
				if (slowdown && atoi(f[i] + 10) < TCG_EXECPROG_SLOWDOWN) {
					free(f[i]);
				} else {
					have |= slowdown;
					f[k++] = f[i];
				}
			}
			f[k] = NULL;
			if (!have)
				kr_strv_pushf(&p->syz->flags, "-slowdown=%d", TCG_EXECPROG_SLOWDOWN);
		}
		ir.syz_program = p->syz->program;
		ir.syz_program_len = p->syz->program_len;
		ir.execprog_flags = p->syz->flags;
		ir.execprog_dir = s->execprog.bin;
		break;
	}
	case KR_REPRO_SH:
		break;
	}
	if (image) {
		p->init_script = kr_initramfs_ssh_script(&ir);
		p->infra = stage_guest_files(c, s, p);
		return;
	}
	p->init_script = kr_initramfs_init_script(&ir);
	/* Kept with the results, so that qemu.cmdline can be run by hand. */
	p->initrd = kr_path_join(scen_dir, "initramfs.cpio");
	_cleanup_free_ char *err = NULL;
	if (kr_initramfs_write(&ir, p->initrd, &err) < 0)
		p->infra = KR_TAKE_PTR(err);
	if (!p->infra && (s->vm.warm_start || c->warm_start)) /* warm start hook */
		warm_prepare(c, s, scen_dir, ir, p, sig);
}

/* The crash detector the guest loop calls. */
static int scanner_feed(void *ud, const char *data, size_t len)
{
	return kr_scanner_feed(ud, data, len);
}

static bool scanner_hit(void *ud)
{
	return kr_scanner_hit(ud);
}

/* A watch hit's title: the line without its printk timestamp. */
static char *watch_title(const char *line)
{
	return kr_strdup(line + kr_guest_printk_prefix(line, strlen(line)));
}

/* The reproducer as run, into the run directory. */
static void save_repro(const struct kr_scenario *s, const struct prepared *p, const char *dir,
		       struct kr_run_result *run, char **write_error)
{
	const char *name = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	switch (s->repro.kind) {
	case KR_REPRO_SH:
		name = "repro.sh";
		text = kr_strdup(s->repro.sh);
		len = strlen(text);
		break;
	case KR_REPRO_C:
		name = "repro.c";
		kr_read_file(s->repro.file, 64 << 20, &text, &len);
		break;
	case KR_REPRO_SYZ:
		name = "repro.syz";
		text = kr_strndup(p->syz->program, p->syz->program_len);
		len = p->syz->program_len;
		break;
	}
	if (text && write_artifact(dir, name, text, len, write_error))
		run->repro = kr_strdup(name);
	write_artifact(dir, p->disk ? "run.sh" : "init.sh", p->init_script, strlen(p->init_script),
		       write_error);
}

/* Renames dir/name.part to dir/name. */
static int publish(const char *dir, const char *name)
{
	_cleanup_free_ char *from = kr_asprintf("%s/%s.part", dir, name);
	_cleanup_free_ char *to = kr_path_join(dir, name);
	return rename(from, to) < 0 ? -errno : 0;
}

/* A syz reproducer's run without a crash: what execprog.log says went
 * wrong (syzprog.h), or NULL. */
static char *execprog_problem(const char *dir, int status)
{
	_cleanup_free_ char *path = kr_path_join(dir, "execprog.log");
	_cleanup_free_ char *log = NULL;
	size_t len = 0;
	if (kr_read_file(path, EXECPROG_LOG_MAX, &log, &len) < 0)
		return NULL;
	return kr_syzprog_output_problem(log, len, status);
}

/* report.txt: the title, then the report with its frames symbolized as
 * syzbot's are (when there is debug info); the guilty file is the line of
 * the frame the title names. */
static char *report_text(const struct prepared *p, const char *title, const char *report,
			 const char *frame, struct kr_run_result *run)
{
	_cleanup_free_ char *symbolized = NULL;
	if (p->symbolizer) {
		size_t len;
		pthread_mutex_lock(p->sym_lock);
		kr_symbolizer_text(p->symbolizer, report, strlen(report), frame, &symbolized, &len,
				   &run->guilty_file);
		pthread_mutex_unlock(p->sym_lock);
	}
	const char *body = symbolized ? symbolized : report;
	return title ? kr_asprintf("%s\n\n%s", title, body) : kr_strdup(body);
}

static void classify(const struct kr_scenario *s, const struct prepared *p,
		     struct kr_guest_result *g, struct kr_scanner *sc, const char *dir,
		     struct kr_run_result *run)
{
	_cleanup_free_ char *infra = NULL;
	const struct kr_crash *crash = NULL, *early = NULL;
	for (size_t i = 0; i < kr_scanner_n_crashes(sc); i++) {
		const struct kr_crash *k = kr_scanner_crash(sc, i);
		if (k->suppressed)
			continue;
		if (!g->started || k->start < g->start_offset) {
			if (!early)
				early = k;
		} else if (!crash) {
			crash = k;
		}
	}
	switch (g->end) {
	case KR_GUEST_END_ERROR:
	case KR_GUEST_END_INTERRUPTED:
	case KR_GUEST_END_BOOT_TIMEOUT:
		infra = kr_strdup(g->message);
		break;
	case KR_GUEST_END_EXITED:
		if (!crash && !early)
			infra = kr_strdup(g->message);
		break;
	default:
		break;
	}
	if (!infra && early)
		infra = kr_asprintf("the kernel crashed before the reproducer started: %s",
				    early->title);
	if (!infra && !g->started)
		infra = kr_strdup(g->message ? g->message : "the reproducer never started");
	if (!infra && !crash && !g->watch_line && s->repro.kind == KR_REPRO_SYZ)
		infra = execprog_problem(dir, g->repro_status);

	_cleanup_free_ char *wtitle = NULL;
	/* Image mode: the SSH connection dropped and the console showed no
	 * crash. syzkaller counts that as a crash of its own, and so does
	 * kradar; like a silent guest it may be an emulator's starvation. */
	bool lost = g->end == KR_GUEST_END_LOST && !crash && !infra;
	_cleanup_free_ char *how = g->end == KR_GUEST_END_RUN_TIMEOUT ?
					   kr_strdup(g->message) :
					   kr_asprintf("the reproducer finished (status %d)",
						       g->repro_status);
	/* "..., then 24 s of settling": the late detectors had their time */
	_cleanup_free_ char *ended = g->settle_s >= 0 ?
					     kr_asprintf("%s, then %.0f s of settling%s", how,
							 g->settle_s,
							 g->qemu_exited ? " (QEMU exited)" : "") :
					     KR_TAKE_PTR(how);
	struct kr_run_facts f = { .infra_reason = infra,
				  .silent = g->end == KR_GUEST_END_NO_OUTPUT,
				  .ended = ended };
	if (crash) {
		f.title = crash->title;
		f.alt_titles = crash->alt_titles;
		f.frame = crash->frame;
		f.report = crash->report;
		f.report_len = crash->report_len;
		f.is_stall = crash->is_stall;
	} else if (g->watch_line && g->hit_offset >= g->start_offset) {
		f.title = wtitle = watch_title(g->watch_line);
	} else if (lost) {
		f.title = KR_TITLE_LOST_CONNECTION;
		f.is_stall = true;
	}

	/* Starvation while the reproducer ran; boot-time clock messages (an
	 * unsynchronised TSC on every multi-CPU TCG guest) say nothing about
	 * the run. */
	kr_strv_free(run->evidence);
	run->evidence = kr_run_evidence(sc, g->lines, g->n_lines,
					g->started ? g->start_offset : SIZE_MAX, g->duration_s);
	f.n_evidence = kr_strv_len(run->evidence);

	kr_title_match_clear(&run->match);
	run->verdict = kr_verdict_run(s, &f, &run->reason, &run->match);
	if ((f.silent || lost) && !crash && g->message) {
		/* what went quiet, or how the connection ended */
		char *more = kr_asprintf("%s: %s", run->reason, g->message);
		free(run->reason);
		run->reason = more;
	}
	run->title = kr_strdup(f.title ? f.title : f.silent ? KR_TITLE_NO_OUTPUT : NULL);
	if (crash)
		run->crash_type = kr_strdup(crash->type);
	const struct kr_crash *shown = crash ? crash : early;
	_cleanup_free_ char *report = shown && shown->report ?
					      report_text(p, shown->title, shown->report, shown->frame,
							  run) :
				      f.title ? kr_asprintf("%s\n", g->watch_line ? g->watch_line : f.title) :
						NULL;
	if (report && write_text(dir, "report.txt", report) == 0)
		run->report = kr_strdup("report.txt");
}

static void guest_phase(void *userdata, enum kr_guest_phase phase)
{
	static const enum kr_phase phases[] = {
		[KR_GUEST_PHASE_RUN] = KR_PHASE_RUN,
		[KR_GUEST_PHASE_SETTLE] = KR_PHASE_SETTLE,
		[KR_GUEST_PHASE_GRACE] = KR_PHASE_GRACE,
		[KR_GUEST_PHASE_STOPPING] = KR_PHASE_STOPPING,
	};
	kr_progress_phase(userdata, phases[phase]);
}

/* QEMU could not forward the port: another process took it after
 * kr_ssh_free_port() found it free. */
static bool port_taken(const struct kr_guest_result *g, const char *qemu_stderr)
{
	if (g->end != KR_GUEST_END_EXITED || g->any_output)
		return false;
	_cleanup_free_ char *text = NULL;
	return kr_read_file(qemu_stderr, 1 << 20, &text, NULL) == 0 &&
	       strstr(text, "host forwarding rule");
}

/* Image mode: the guest with an SSH session next to its console (ssh.h),
 * on a free loopback port; QEMU again with another port when the port was
 * taken meanwhile. The SSH session's output goes to execprog.log (syz) or
 * repro.log, its own account to ssh.log. kr_guest_run()'s returns. */
static int run_image_guest(const struct kr_scenario *s, const struct prepared *p, const char *dir,
			   double factor, struct kr_qemu_guest *qg, struct kr_guest_config *gc,
			   struct kr_guest_result *g, struct kr_run_result *run)
{
	_cleanup_strv_free_ char **dirs = kr_calloc(1, sizeof(char *));
	kr_strv_push(&dirs, kr_strdup(KR_GUEST_SSH_DIR));
	struct kr_ssh_copy *copies = kr_calloc(s->repro.n_files + 1, sizeof(*copies));
	_cleanup_free_ char *(*sources)[2] = kr_calloc(s->repro.n_files + 1, sizeof(*sources));
	copies[0] = (struct kr_ssh_copy){ .sources = p->staged, .dest = KR_GUEST_SSH_DIR "/" };
	for (size_t i = 0; i < s->repro.n_files; i++) {
		const struct kr_file_copy *f = &s->repro.files[i];
		struct stat st;
		kr_strv_push(&dirs, kr_path_dirname(f->guest));
		sources[i][0] = f->host; /* NULL-terminated by calloc */
		copies[i + 1] = (struct kr_ssh_copy){
			.sources = sources[i], .dest = f->guest,
			.recursive = stat(f->host, &st) == 0 && S_ISDIR(st.st_mode),
		};
	}
	const char *output = s->repro.kind == KR_REPRO_SYZ ? "execprog.log" : "repro.log";
	_cleanup_free_ char *output_path = kr_path_join(dir, output);
	_cleanup_free_ char *log_path = kr_path_join(dir, "ssh.log");
	_cleanup_free_ char *command = kr_asprintf("sh %s", KR_GUEST_SSH_SCRIPT);
	struct kr_ssh_session_config sc = {
		.target = {
			.user = s->disk.ssh_user, .key = p->ssh_key,
			.connect_timeout = SSH_CONNECT_TIMEOUT_S * factor,
			.keepalive_s = SSH_KEEPALIVE_S,
			/* ssh gives up on a silent guest no sooner than no_output */
			.keepalive_max = (int)(gc->no_output_timeout / SSH_KEEPALIVE_S) + 2,
		},
		.dirs = dirs, .copies = copies, .n_copies = s->repro.n_files + 1,
		.command = command, .token = gc->token, .execprog = s->repro.kind == KR_REPRO_SYZ,
		.output_path = output_path, .log_path = log_path, .retry_s = SSH_RETRY_S,
		.step_timeout = SSH_STEP_TIMEOUT_S * factor, .lost_wait = SSH_LOST_WAIT_S * factor,
	};
	/* The console has no markers in image mode: the session says when the
	 * reproducer starts and ends. */
	gc->token = NULL;
	int r = 0;
	for (int attempt = 1;; attempt++) {
		_cleanup_free_ char *err = NULL;
		_cleanup_ssh_session_free_ struct kr_ssh_session *ssh = NULL;
		if ((r = kr_ssh_free_port(&sc.target.port)) < 0 ||
		    (r = kr_ssh_session_new(&sc, &ssh, &err)) < 0) {
			*g = (struct kr_guest_result){
				.end = KR_GUEST_END_ERROR, .boot_s = -1, .repro_status = -1,
				.qemu_status = -1,
				.message = err ? KR_TAKE_PTR(err) :
						 kr_asprintf("no free port on 127.0.0.1: %s", strerror(-r)),
			};
			r = 0;
			break;
		}
		qg->ssh_port = sc.target.port;
		_cleanup_strv_free_ char **argv = kr_qemu_argv(qg);
		_cleanup_free_ char *cmdline = kr_qemu_format_argv(argv);
		if (write_text(dir, "qemu.cmdline", cmdline) == 0 && !run->qemu_cmdline)
			run->qemu_cmdline = kr_strdup("qemu.cmdline");
		gc->argv = argv;
		gc->session = kr_ssh_session_hooks(ssh);
		r = kr_guest_run(gc, g);
		gc->argv = NULL;
		gc->session = NULL;
		struct kr_ssh_stats st;
		kr_ssh_session_stats(ssh, &st);
		kr_debug("%s run %d: SSH on port %d after %u attempt(s) at %.1f s, files copied at "
			 "%.1f s, executed programs %ld, ssh status %d",
			 s->name, run->index, sc.target.port, st.attempts, st.ready_s, st.copied_s,
			 st.programs, st.status);
		if (r < 0 || attempt == PORT_ATTEMPTS || !port_taken(g, gc->stderr_path))
			break;
		kr_notice("%s: port %d was taken before QEMU could forward it; trying another", s->name,
			  sc.target.port);
		kr_guest_result_clear(g);
	}
	free(copies);
	struct stat st;
	if (stat(output_path, &st) == 0 && st.st_size > 0) {
		if (s->repro.kind == KR_REPRO_SYZ)
			run->execprog_log = kr_strdup(output);
		else
			run->repro_log = kr_strdup(output);
	}
	if (stat(log_path, &st) == 0)
		run->ssh_log = kr_strdup("ssh.log");
	return r;
}

/* Warm start hook (issue 15): the run from the snapshot. True when the
 * guest was restored (*g is its result); false when it could not be (the
 * first failure says so and removes the snapshot): the run boots. */
static bool warm_run(const struct ctx *c, const struct kr_scenario *s, const struct prepared *p,
		     struct kr_qemu_guest qg, const struct kr_guest_config *gc,
		     struct kr_guest_result *g, struct kr_run_result *run)
{
	_cleanup_free_ char *err = NULL;
	_cleanup_(kr_snapshot_restore_freep) struct kr_snapshot_restore *rs = NULL;
	if (!p->snapshot || kr_snapshot_is_broken(p->snapshot))
		return false;
	if (kr_snapshot_restore_new(p->snapshot, c->tmp, c->token, &rs, &err) == 0) {
		qg.initrd = p->warm_initrd;
		kr_snapshot_restore_guest(rs, &qg);
		_cleanup_strv_free_ char **argv = kr_qemu_argv(&qg);
		struct kr_guest_config wc = *gc;
		wc.argv = argv;
		wc.session = kr_snapshot_restore_hooks(rs);
		kr_guest_run(&wc, g);
		if (g->started || g->hit || g->end == KR_GUEST_END_INTERRUPTED) {
			run->start = kr_strdup("restored");
			run->restore_s = kr_snapshot_restore_s(rs);
			return true;
		}
		const char *why = kr_snapshot_restore_error(rs);
		err = kr_strdup(why ? why : g->message ? g->message : "no start marker");
		kr_guest_result_clear(g);
	}
	if (kr_snapshot_mark_broken(p->snapshot))
		kr_warning("%s: warm start: cannot restore %s (%s); booting instead", s->name,
			   p->snapshot->path, err);
	return false;
}

/* One run. Called from a guest's own thread: touches nothing shared but
 * what it reads (c, s, p stay unchanged while guests run) and run. */
static void do_run(struct ctx *c, const struct kr_scenario *s, const struct prepared *p,
		   struct kr_run_result *run, int interrupt_fd, struct kr_progress *progress,
		   uint64_t *stop_from, int *sig, char **write_error)
{
	run->dir = kr_asprintf("%s/run-%d", s->name, run->index);
	_cleanup_free_ char *dir = kr_path_join(c->out, run->dir);
	kr_rm_rf(dir);
	int r = kr_mkdir_p(dir, 0755);
	if (r < 0) {
		run->reason = kr_asprintf("cannot create %s: %s", dir, strerror(-r));
		*write_error = kr_strdup(run->reason);
		return;
	}
	if (p->infra) {
		run->reason = kr_strdup(p->infra);
		return;
	}
	run->accel = kr_strdup(kr_accel_to_string(p->accel));
	/* Image mode's syz-execprog writes into the SSH session instead. */
	_cleanup_free_ char *aux = s->repro.kind == KR_REPRO_SYZ && !p->disk ?
					   kr_path_join(dir, "execprog.log") :
					   NULL;
	struct kr_qemu_guest qg = { .s = s, .kernel = p->kernel, .initrd = p->initrd,
				    .accel = p->accel, .aux_serial = aux, .disk = p->disk };
	/* Image mode's needs a port first (run_image_guest). */
	_cleanup_strv_free_ char **argv = p->disk ? NULL : kr_qemu_argv(&qg);
	_cleanup_free_ char *cmdline = argv ? kr_qemu_format_argv(argv) : NULL;
	if (cmdline && write_artifact(dir, "qemu.cmdline", cmdline, strlen(cmdline), write_error))
		run->qemu_cmdline = kr_strdup("qemu.cmdline");
	save_repro(s, p, dir, run, write_error);
	if (*write_error) {
		run->reason = kr_strdup(*write_error);
		return;
	}
	if (aux)
		run->execprog_log = kr_strdup("execprog.log");

	double factor = p->accel == KR_ACCEL_TCG ? s->timeouts.tcg_factor : 1;
	/* Not scaled under TCG: the detectors count guest time, which keeps
	 * pace with the host's there too. */
	double settle = s->timeouts.settle >= 0 ? s->timeouts.settle : kr_detectors_settle(s);
	run->settle_planned_s = settle;
	_cleanup_free_ char *detectors = kr_detectors_describe(s, settle);
	if (write_text(dir, "detectors.txt", detectors) == 0)
		run->detectors = kr_strdup("detectors.txt");
	_cleanup_free_ char *console = kr_path_join(dir, "console.log.part");
	_cleanup_free_ char *times = kr_path_join(dir, "console.times.part");
	_cleanup_free_ char *qerr = kr_path_join(dir, "qemu.stderr");
	_cleanup_(kr_scanner_freep) struct kr_scanner *sc = kr_scanner_new();
	struct kr_guest_config gc = {
		.argv = argv, .console_path = console, .times_path = times, .stderr_path = qerr,
		.token = c->token, .boot_timeout = s->timeouts.boot * factor,
		.run_timeout = s->timeouts.run * factor,
		.no_output_timeout = s->timeouts.no_output * factor, .grace = s->timeouts.grace,
		.settle = settle,
		.watch = s->watch, .feed = scanner_feed, .hit = scanner_hit, .userdata = sc,
		.interrupt_fd = interrupt_fd, .phase = progress ? guest_phase : NULL,
		.phase_userdata = progress,
	};
	struct kr_guest_result g;
	if (p->warm && !p->disk && warm_run(c, s, p, qg, &gc, &g, run)) /* warm start hook */
		r = 0;
	else
		r = p->disk ? run_image_guest(s, p, dir, factor, &qg, &gc, &g, run) :
			      kr_guest_run(&gc, &g);
	if (p->warm && !run->start)
		run->start = kr_strdup("booted");
	if (r < 0) {
		run->reason = kr_strdup(g.message);
		kr_guest_result_clear(&g);
		/* what the console got before the guest failed explains it */
		if (publish(dir, "console.log") == 0)
			run->console_log = kr_strdup("console.log");
		return;
	}
	kr_scanner_finish(sc);
	if (g.write_error)
		*write_error = kr_strdup(g.write_error);
	if (publish(dir, "console.log") == 0)
		run->console_log = kr_strdup("console.log");
	if (publish(dir, "console.times") == 0)
		run->console_times = kr_strdup("console.times");
	if (g.end == KR_GUEST_END_INTERRUPTED)
		*sig = g.signal;
	if (g.end == KR_GUEST_END_EXITED || g.end == KR_GUEST_END_ERROR) {
		/* QEMU's last words explain most infra errors. */
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		if (kr_read_file(qerr, 1 << 20, &text, &len) == 0 && len) {
			while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
				text[--len] = '\0';
			const char *last = memrchr(text, '\n', len);
			char *m = kr_asprintf("%s: %s", g.message, last ? last + 1 : text);
			free(g.message);
			g.message = m;
		}
	}
	struct stat st;
	if (stat(qerr, &st) == 0 && st.st_size == 0)
		unlink(qerr); /* QEMU had nothing to say */
	run->duration_s = g.duration_s;
	run->boot_s = g.boot_s;
	run->settle_s = g.settle_s;
	classify(s, p, &g, sc, dir, run);
	*stop_from = g.stop_from_ns;
	kr_guest_result_clear(&g);
}

/* results.json as it stands; the last one (final) says when it fails,
 * whatever failed before. */
static int write_results(struct ctx *c, bool final)
{
	c->results->duration_s = kr_wall_s() - c->results->started_at;
	int r = kr_results_write(c->results);
	if (r < 0 && final)
		kr_error("cannot write %s/results.json: %s", c->out, strerror(-r));
	else if (r < 0)
		write_failed(c, kr_asprintf("cannot write %s/results.json: %s", c->out, strerror(-r)));
	return r;
}

/* junit.xml and summary.md, in OUT unless --junit/--markdown say where. */
static int write_reports(struct ctx *c, const char *junit, const char *markdown)
{
	_cleanup_free_ char *err = NULL;
	int r = kr_report_files_write_default(c->results, junit, markdown, &err);
	if (r < 0)
		kr_error("%s", err);
	return r;
}

/* ----- cells and their runs, several guests at once ----- */

struct cell {
	const struct kr_cell *kc;
	struct kr_scenario_result *sr;
	size_t index;        /* in the results */
	char *scen_dir;
	struct prepared p;
	bool here;           /* run here (not by another shard) */
	bool prepared;
	bool queued;         /* a run waits in the scheduler */
	bool stopped;        /* no more runs: series done, preparation failed, interrupted */
	bool finished;       /* verdict given and shown */
	bool warned;         /* said that it is larger than the budget */
	int launched;        /* runs started */
	int in_flight;
	double t0;
};

struct job {
	struct ctx *c;
	struct cell *cell;
	struct kr_run_result *run;
	int irq[2];          /* the guest's interrupt pipe: a signalfd_siginfo */
	uint64_t stop_from;
	int sig;
	char *write_error; /* from the guest's thread: a write into --out failed */
	bool threaded;
	pthread_t thread;
};

struct exec {
	struct ctx *c;
	struct kr_sched *sched;
	struct job **running;
	size_t n_running;
	int sig;
};

#define INTERRUPTED "not run: kradar was interrupted"
#define NOT_WRITTEN "not run: the output could not be written"

/* The runs of a stop_on_hit series that expects `reproduced` go one after
 * the other: the next only when the last did not reproduce. Others may
 * overlap. */
static bool one_at_a_time(const struct kr_scenario *s)
{
	return s->stop_on_hit && s->expect.verdict == KR_EXPECT_REPRODUCED;
}

/* Queues the cell's next run, ordered by cell, then run: one guest at a
 * time runs the cells in order, and a cell's runs before the next cell's. */
static void queue_run(struct exec *x, struct cell *cell)
{
	const struct kr_scenario *s = cell->kc->s;
	if (cell->queued || cell->stopped || cell->launched >= s->runs)
		return;
	kr_sched_submit(x->sched, ((long long)cell->index << 20) + cell->launched, s->vm.smp,
			s->vm.mem_mb + KR_SCHED_QEMU_MB, cell);
	cell->queued = true;
}

/* The cell's verdict (or, with skip, why it was not run), shown. */
static void cell_done(struct exec *x, struct cell *cell, const char *skip)
{
	struct ctx *c = x->c;
	if (cell->finished)
		return;
	cell->finished = true;
	if (!skip)
		skip = cell->p.skip;
	if (skip)
		kr_scenario_result_skip(cell->sr, skip);
	else
		kr_verdict_scenario(cell->sr);
	if (c->serial)
		kr_progress_scenario_finished(c->progress);
	else
		kr_progress_scenario_replay(c->progress, c->results, cell->index, c->total);
	prepared_clear(&cell->p);
}

/* Every guest is told, nothing more starts. */
static void stop_everything(struct exec *x, int sig)
{
	if (!x->sig)
		x->sig = sig;
	interrupted(x->c, sig);
	struct signalfd_siginfo si = { .ssi_signo = (uint32_t)sig };
	for (size_t i = 0; i < x->n_running; i++)
		if (x->running[i]->irq[1] >= 0 && write(x->running[i]->irq[1], &si, sizeof(si)) < 0)
			kr_debug("cannot tell a guest to stop: %s", strerror(errno));
	kr_sched_drop_queue(x->sched);
}

static void *guest_thread(void *arg)
{
	struct job *job = arg;
	struct ctx *c = job->c;
	do_run(c, job->cell->kc->s, &job->cell->p, job->run, job->irq[0],
	       c->serial ? c->progress : NULL, &job->stop_from, &job->sig, &job->write_error);
	/* The main loop takes it from here; a pointer's write is atomic. */
	ssize_t w;
	do
		w = write(c->done_fd[1], &job, sizeof(job));
	while (w < 0 && errno == EINTR);
	return NULL;
}

/* A run has ended (main thread): into the results, verdict, next run. */
static void job_finished(struct exec *x, struct job *job)
{
	struct ctx *c = x->c;
	struct cell *cell = job->cell;
	const struct kr_scenario *s = cell->kc->s;
	struct kr_run_result *run = job->run;
	if (job->threaded)
		pthread_join(job->thread, NULL);
	for (int i = 0; i < 2; i++)
		if (job->irq[i] >= 0)
			close(job->irq[i]);
	kr_sched_done(x->sched, cell);
	cell->in_flight--;
	if (run->verdict == KR_VERDICT_INFRA_ERROR && !run->reason)
		run->reason = kr_strdup("unknown error");
	if (cell->p.symbolizer) {
		pthread_mutex_lock(cell->p.sym_lock);
		_cleanup_strv_free_ char **warnings = kr_symbolizer_take_warnings(cell->p.symbolizer);
		pthread_mutex_unlock(cell->p.sym_lock);
		for (size_t i = 0; warnings && warnings[i]; i++)
			kr_warning("%s: symbolizing reports: %s", s->name, warnings[i]);
	}
	kr_scenario_result_insert_run(cell->sr, run);
	if (job->write_error)
		write_failed(c, KR_TAKE_PTR(job->write_error));
	_cleanup_free_ char *rj = kr_asprintf("%s/%s/result.json", c->out, run->dir);
	int r = kr_run_result_write(cell->sr, run, rj);
	if (r < 0)
		write_failed(c, kr_asprintf("cannot write %s: %s", rj, strerror(-r)));
	if (job->stop_from && run->title)
		kr_debug("timing: %s run %d: %.1f ms from the end of the grace period to the "
			 "guest gone and result.json written",
			 s->name, run->index, (double)(kr_now_ns() - job->stop_from) / 1e6);
	if (c->serial)
		kr_progress_run_finished(c->progress, run);
	cell->sr->duration_s = kr_wall_s() - cell->t0;
	kr_verdict_scenario(cell->sr);
	if (job->sig && !x->sig)
		stop_everything(x, job->sig);
	write_results(c, false);
	if (c->write_error)
		kr_sched_drop_queue(x->sched);
	/* A preparation failure would only repeat: one run records it. */
	if (cell->p.infra || x->sig || c->write_error || kr_verdict_series_done(s, cell->sr))
		cell->stopped = true;
	else if (one_at_a_time(s))
		queue_run(x, cell);
	if (cell->stopped && cell->queued) {
		kr_sched_cancel(x->sched, cell);
		cell->queued = false;
	}
	if (!cell->in_flight && !cell->queued)
		cell_done(x, cell, NULL);
	free(job);
}

static void launch(struct exec *x, struct cell *cell)
{
	struct ctx *c = x->c;
	const struct kr_scenario *s = cell->kc->s;
	struct job *job = kr_calloc(1, sizeof(*job));
	*job = (struct job){ .c = c, .cell = cell, .irq = { -1, -1 } };
	if (!cell->launched)
		cell->t0 = kr_wall_s(); /* the cell's time: its runs', not its wait */
	job->run = kr_run_result_new(++cell->launched);
	cell->in_flight++;
	if (!one_at_a_time(s) && !cell->p.infra)
		queue_run(x, cell);
	if (c->serial)
		kr_progress_run_started(c->progress, job->run);
	else if (!c->quiet)
		kr_notice("%s: run %d/%d started", s->name, job->run->index, s->runs);
	if (!cell->p.infra && pipe2(job->irq, O_CLOEXEC | O_NONBLOCK) == 0 &&
	    pthread_create(&job->thread, NULL, guest_thread, job) == 0) {
		job->threaded = true;
		x->running = kr_realloc(x->running, (x->n_running + 1) * sizeof(*x->running));
		x->running[x->n_running++] = job;
		return;
	}
	/* No guest (the preparation failed: the run records why), or no
	 * thread for one: the run is made here. */
	do_run(c, s, &cell->p, job->run, c->sfd, c->serial ? c->progress : NULL,
	       &job->stop_from, &job->sig, &job->write_error);
	job_finished(x, job);
}

/* Prepares a cell about to run its first guest; false when it will not
 * run (skipped on this host, or interrupted). */
static bool prepare_cell(struct exec *x, struct cell *cell)
{
	struct ctx *c = x->c;
	const struct kr_scenario *s = cell->kc->s;
	cell->prepared = true;
	cell->sr->qemu_version = kr_qemu_version(s->vm.qemu);
	cell->sr->detectors = kr_detectors_summary(s);
	if (c->serial)
		kr_progress_scenario_started(c->progress, c->results, cell->index, c->total);
	kr_mkdir_p(cell->scen_dir, 0755);
	int sig = 0;
	prepare(c, s, cell->scen_dir, cell->sr, &cell->p, &sig);
	if (sig)
		stop_everything(x, sig);
	if (!cell->p.skip && !x->sig)
		return true;
	kr_sched_cancel(x->sched, cell);
	cell->queued = false;
	cell->stopped = true;
	cell_done(x, cell, cell->p.skip ? NULL : INTERRUPTED);
	return false;
}

/* Starts the runs that may start: in order, as they fit (schedule.h). */
static void start_ready(struct exec *x)
{
	bool oversize;
	struct cell *cell;
	while (!x->sig && !x->c->write_error && (cell = kr_sched_next(x->sched, &oversize))) {
		cell->queued = false;
		if (!cell->prepared) {
			/* A kernel build takes every CPU: never beside guests.
			 * Back in the queue, in its place, until they are done. */
			if (cell->kc->s->kernel.kind == KR_KERNEL_SOURCE &&
			    kr_sched_running(x->sched) > 1) {
				kr_sched_done(x->sched, cell);
				queue_run(x, cell);
				return;
			}
			if (!prepare_cell(x, cell)) {
				kr_sched_done(x->sched, cell);
				continue;
			}
		}
		if (oversize && !cell->warned) {
			kr_warning("%s: a guest of %d vCPUs and %d MiB is larger than the budget "
				   "(%d CPUs, %ld MiB): it runs alone", cell->kc->s->name,
				   cell->kc->s->vm.smp, cell->kc->s->vm.mem_mb, x->c->budget.cpus,
				   x->c->budget.mem_mb);
			cell->warned = true;
		}
		launch(x, cell);
	}
}

static void take_finished(struct exec *x)
{
	struct job *job;
	while (read(x->c->done_fd[0], &job, sizeof(job)) == (ssize_t)sizeof(job)) {
		for (size_t i = 0; i < x->n_running; i++) {
			if (x->running[i] == job) {
				x->running[i] = x->running[--x->n_running];
				break;
			}
		}
		job_finished(x, job);
	}
}

static void run_cells(struct ctx *c, struct cell *cells, size_t n, int *sig)
{
	struct exec x = { .c = c, .sched = kr_sched_new(&c->budget, c->guest_jobs) };
	for (size_t i = 0; i < n; i++)
		if (cells[i].here)
			queue_run(&x, &cells[i]);
	for (;;) {
		start_ready(&x);
		if (!x.n_running)
			break;
		struct pollfd pfd[2] = { { c->done_fd[0], POLLIN, 0 }, { c->sfd, POLLIN, 0 } };
		if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
			kr_error("poll: %s", strerror(errno));
			stop_everything(&x, SIGTERM);
		}
		int s = pending_signal(c);
		if (s)
			stop_everything(&x, s);
		take_finished(&x);
	}
	for (size_t i = 0; i < n; i++) {
		if (!cells[i].here || cells[i].finished)
			continue;
		const char *why = c->write_error && !x.sig ? NOT_WRITTEN : INTERRUPTED;
		if (!cells[i].prepared)
			kr_scenario_result_skip(cells[i].sr, why);
		else
			cell_done(&x, &cells[i], cells[i].launched ? NULL : why);
	}
	free(x.running);
	kr_sched_free(x.sched);
	*sig = x.sig;
}

static void print_table(const struct kr_results *r)
{
	size_t w = 8;
	for (size_t i = 0; i < r->n_scenarios; i++)
		if (strlen(r->scenarios[i]->name) > w)
			w = strlen(r->scenarios[i]->name);
	printf("\n%-*s  %-10s  %-14s  %-4s  %-17s  %s\n", (int)w, "SCENARIO", "EXPECTED",
	       "VERDICT", "RUNS", "RATE (95%)", "RESULT");
	for (size_t i = 0; i < r->n_scenarios; i++) {
		const struct kr_scenario_result *sr = r->scenarios[i];
		char rate[64] = "-";
		if (sr->rate.trials)
			snprintf(rate, sizeof(rate), "%.2f [%.2f-%.2f]", sr->rate.value,
				 sr->rate.low, sr->rate.high);
		printf("%-*s  %-10s  %-14s  %-4zu  %-17s  %s\n", (int)w, sr->name,
		       kr_expect_verdict_to_string(sr->expected), kr_verdict_to_string(sr->verdict),
		       sr->n_runs, rate, kr_outcome_to_string(sr->outcome));
	}
	fflush(stdout);
}

static const char *find_busybox(void)
{
	const char *env = getenv("KRADAR_BUSYBOX");
	if (env && *env)
		return access(env, X_OK) == 0 ? env : NULL;
	return access("/bin/busybox", X_OK) == 0 ? "/bin/busybox" : NULL;
}

/* The baseline's results; NULL when there is none (or it cannot be read:
 * *bad is set then). */
static struct kr_results *load_baseline(const struct kr_run_options *o, bool *bad)
{
	*bad = false;
	if (!o->baseline)
		return NULL;
	if (o->baseline_optional && access(o->baseline, F_OK) < 0) {
		kr_notice("baseline %s does not exist (yet): every cell is new", o->baseline);
		return kr_results_new("/");
	}
	struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	if (kr_results_load(o->baseline, &r, &err) < 0) {
		kr_error("baseline: %s", err);
		*bad = true;
	}
	return r;
}

/* The baseline compared, results.json and the reports written, the table
 * and the baseline's line shown; the exit status. */
static int finish(struct ctx *c, const struct kr_run_options *o, const struct kr_results *before)
{
	if (before)
		kr_baseline_compare(c->results, before, o->baseline);
	if (write_results(c, true) < 0 || write_reports(c, o->junit, o->markdown) < 0)
		return KR_EXIT_ENVIRONMENT;
	_cleanup_free_ char *json = o->json_table ? kr_table_json(c->results) : NULL;
	if (json)
		fputs(json, stdout);
	else if (!o->no_table)
		print_table(c->results);
	FILE *text = json ? stderr : stdout;
	_cleanup_free_ char *base = kr_baseline_describe(c->results);
	if (base)
		fprintf(text, "%s\n", base);
	if (!o->quiet)
		fprintf(text, "\nresults: %s/results.json\n", c->out);
	fflush(stdout);
	if (c->write_error) {
		kr_error("the run is incomplete: %s", c->write_error);
		return KR_EXIT_INCONCLUSIVE;
	}
	return kr_results_exit_code(c->results);
}

/* OUT/.kradar.lock, held while this run writes OUT: a second run with the
 * same --out is refused, naming the first one's PID. */
static int lock_out(const char *out)
{
	_cleanup_free_ char *path = kr_path_join(out, ".kradar.lock");
	struct kr_owner holder;
	int fd = kr_owner_lock(path, &holder);
	if (fd == -EWOULDBLOCK && holder.pid)
		kr_error("%s is in use by another kradar run (pid %d): wait for it or use another --out",
			 out, (int)holder.pid);
	else if (fd == -EWOULDBLOCK)
		kr_error("%s is in use by another kradar run: wait for it or use another --out", out);
	else if (fd < 0)
		kr_error("cannot write %s: %s", path, strerror(-fd));
	return fd;
}

int kr_run_cells(const struct kr_run_options *o, struct kr_cell *kcells, size_t n,
		 struct kr_results **out)
{
	if (out)
		*out = NULL;
	bool bad_baseline;
	_cleanup_results_free_ struct kr_results *before = load_baseline(o, &bad_baseline);
	if (bad_baseline)
		return KR_EXIT_USAGE;

	/* SIGINT and SIGTERM arrive through a signalfd in the event loops, so
	 * that every QEMU is stopped and reaped and the results are written. */
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	struct ctx c = { .quiet = o->quiet, .cache = o->cache, .jobs = o->jobs,
			 .warm_start = o->warm_start,
			 .sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK),
			 .done_fd = { -1, -1 } };
	int ret = KR_EXIT_ENVIRONMENT, r;
	_cleanup_close_ int out_lock = -1;
	char cwd[4096];
	_cleanup_free_ char *abs_out = kr_path_absolute(getcwd(cwd, sizeof(cwd)) ? cwd : "/",
							o->out);
	c.out = abs_out;
	const char *tmpbase = getenv("TMPDIR");
	if (!tmpbase || !*tmpbase)
		tmpbase = "/tmp";
	struct cell *cells = kr_calloc(n + 1, sizeof(*cells));
	int *shard_of = kr_calloc(n + 1, sizeof(int));
	uint8_t rnd[16];
	kr_budget_detect(&c.budget);
	if (c.sfd < 0) {
		kr_error("signalfd: %s", strerror(errno));
		goto out;
	}
	if (pipe2(c.done_fd, O_CLOEXEC) < 0 || fcntl(c.done_fd[0], F_SETFL, O_NONBLOCK) < 0) {
		kr_error("pipe: %s", strerror(errno));
		goto out;
	}
	if ((r = kr_mkdir_p(c.out, 0755)) < 0) {
		kr_error("cannot create %s: %s", c.out, strerror(-r));
		goto out;
	}
	if ((out_lock = lock_out(c.out)) < 0)
		goto out;
	/* the temporary directories of killed runs go first */
	kr_stale_sweep(tmpbase, "kradar-");
	if ((r = kr_stale_mkdtemp(tmpbase, "kradar-", &c.tmp)) < 0) {
		kr_error("cannot create a temporary directory in %s: %s", tmpbase, strerror(-r));
		goto out;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		kr_error("getrandom: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(c.token + 2 * i, 3, "%02x", rnd[i]);
	c.busybox = find_busybox();
	c.results = kr_results_new(c.out);
	c.guest_jobs = o->jobs ? o->jobs : c.budget.cpus;
	c.serial = c.guest_jobs == 1;
	c.results->jobs = c.guest_jobs;
	c.results->budget_cpus = c.budget.cpus;
	c.results->budget_mem_mb = c.budget.mem_mb;
	c.results->shard_index = o->shard.index;
	c.results->shard_total = o->shard.total;

	/* The shard's cells run here; the others are recorded as skipped. */
	kr_cells_shard(kcells, n, o->shard.total, shard_of);
	size_t here = 0;
	for (size_t i = 0; i < n; i++) {
		struct cell *cell = &cells[i];
		const struct kr_scenario *s = kcells[i].s;
		cell->kc = &kcells[i];
		cell->index = i;
		cell->sr = kr_results_add_scenario(c.results, s);
		cell->sr->cell.scenario = kr_strdup(kcells[i].scenario);
		cell->sr->cell.kernel = kr_strdup(kcells[i].kernel);
		cell->sr->cell.vm = kr_strdup(kcells[i].vm);
		kernel_identity(&c, s, cell->sr);
		cell->scen_dir = kr_path_join(c.out, s->name);
		cell->here = !o->shard.total || shard_of[i] == o->shard.index;
		if (cell->here) {
			here++;
		} else {
			_cleanup_free_ char *why = kr_asprintf("not run here: shard %d/%d runs it",
							       shard_of[i], o->shard.total);
			kr_scenario_result_skip(cell->sr, why);
		}
	}
	c.total = n;
	if (!o->quiet && o->shard.total)
		kr_notice("shard %d/%d: %zu of %zu cells", o->shard.index, o->shard.total, here, n);
	if (c.guest_jobs > 1)
		kr_info("up to %d guests at once, within %d CPUs (%s) and %ld MiB (%s)",
			  c.guest_jobs, c.budget.cpus, c.budget.cpus_from, c.budget.mem_mb,
			  c.budget.mem_from);
	struct kr_progress_config pc;
	kr_progress_config_from_env(&pc, stderr);
	if (o->quiet)
		pc.style = KR_PROGRESS_QUIET;
	c.progress = kr_progress_new(&pc);

	int sig = 0;
	run_cells(&c, cells, n, &sig);
	kr_progress_free(KR_TAKE_PTR(c.progress));
	ret = finish(&c, o, before);
	if (out && ret != KR_EXIT_ENVIRONMENT)
		*out = KR_TAKE_PTR(c.results);
out:
	kr_progress_free(c.progress);
	for (size_t i = 0; i < n; i++) {
		prepared_clear(&cells[i].p);
		free(cells[i].scen_dir);
	}
	free(cells);
	free(shard_of);
	if (c.tmp)
		kr_rm_rf(c.tmp);
	free(c.tmp);
	free(c.write_error);
	kr_results_free(c.results);
	kr_fetcher_free(c.fetcher);
	kr_budget_clear(&c.budget);
	kr_strv_free(c.hashed);
	for (int i = 0; i < 2; i++)
		if (c.done_fd[i] >= 0)
			close(c.done_fd[i]);
	if (c.sfd >= 0)
		close(c.sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/* kradar run --bisect: the verdict as git bisect run's exit status. */
#define BISECT_GOOD 0
#define BISECT_BAD 1
#define BISECT_SKIP 125
#define BISECT_ABORT 128

static int bisect_status(const struct kr_results *r, int ret)
{
	if (!r || r->interrupted || r->n_scenarios != 1)
		return ret >= 128 ? ret : BISECT_ABORT;
	const struct kr_scenario_result *sr = r->scenarios[0];
	const char *what;
	int status;
	if (sr->counts[KR_VERDICT_REPRODUCED]) {
		status = BISECT_BAD;
		what = "bad: the bug reproduced";
	} else if (sr->counts[KR_VERDICT_OTHER_CRASH]) {
		status = BISECT_SKIP;
		what = "skip: another crash, which may hide the bug";
	} else if (sr->counts[KR_VERDICT_CLEAN]) {
		status = BISECT_GOOD;
		what = "good: every run clean";
	} else {
		status = BISECT_SKIP;
		what = "skip: no conclusive run (infra errors, artifact stalls)";
	}
	printf("bisect: %s (%s) -> exit %d\n", what, sr->reason ? sr->reason : "", status);
	fflush(stdout);
	return status;
}

int kr_cmd_run(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("run");
	enum { OPT_SHARD = 256, OPT_SHARD_TOTAL, OPT_BASELINE, OPT_BISECT, OPT_RUNS, OPT_FILTER,
	       OPT_FORMAT, OPT_WARM_START };
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "cache", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "junit", required_argument, NULL, 'J' },
		{ "markdown", required_argument, NULL, 'M' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "shard-total", required_argument, NULL, OPT_SHARD_TOTAL },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "bisect", no_argument, NULL, OPT_BISECT },
		{ "runs", required_argument, NULL, OPT_RUNS },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "warm-start", no_argument, NULL, OPT_WARM_START },
		{ 0 },
	};
	struct kr_run_options ro = { .out = "kradar-results" };
	const char *shard = NULL;
	long jobs = 0, shard_total = 0, runs = 0;
	_cleanup_strv_free_ char **filters = NULL;
	bool bisect = false;
	int o;
	while ((o = kr_cli_getopt(self, argc, argv, "o:qC:j:", opts)) != -1) {
		if (o == 'o')
			ro.out = optarg;
		else if (o == 'q')
			ro.quiet = true;
		else if (o == 'C' && !*optarg)
			return kr_cli_usage_error(self, "--cache: an empty directory name");
		else if (o == 'C')
			ro.cache = optarg;
		else if (o == 'j' && (kr_parse_long(optarg, &jobs) < 0 || jobs < 1 || jobs > 4096))
			return kr_cli_usage_error(self, "--jobs: expected 1..4096, got '%s'", optarg);
		else if (o == 'J')
			ro.junit = optarg;
		else if (o == 'M')
			ro.markdown = optarg;
		else if (o == OPT_SHARD)
			shard = optarg;
		else if (o == OPT_SHARD_TOTAL &&
			 (kr_parse_long(optarg, &shard_total) < 0 || shard_total < 1 ||
			  shard_total > KR_SHARD_MAX))
			return kr_cli_usage_error(self, "--shard-total: expected 1..%d, got '%s'",
						  KR_SHARD_MAX, optarg);
		else if (o == OPT_BASELINE)
			ro.baseline = optarg;
		else if (o == OPT_BISECT)
			bisect = true;
		else if (o == OPT_RUNS && (kr_parse_long(optarg, &runs) < 0 || runs < 1 || runs > 100000))
			return kr_cli_usage_error(self, "--runs: expected 1..100000, got '%s'", optarg);
		else if (o == OPT_FILTER && kr_cli_split_list(optarg, &filters) < 0)
			return kr_cli_usage_error(self, "--filter: an empty pattern in '%s'", optarg);
		else if (o == OPT_FORMAT && strcmp(optarg, "text") && strcmp(optarg, "json"))
			return kr_cli_usage_error(self, "--format: expected text or json, got '%s'",
						  optarg);
		else if (o == OPT_FORMAT)
			ro.json_table = !strcmp(optarg, "json");
		else if (o == OPT_WARM_START)
			ro.warm_start = true;
	}
	ro.jobs = (int)jobs;
	/* In bisect mode bad input must stop git bisect run (exit >= 128),
	 * not mark the commit bad. */
	int usage = bisect ? BISECT_ABORT : KR_EXIT_USAGE;
	if (optind >= argc)
		return kr_cli_usage_error(self, "no scenario file or directory given"), usage;
	if (shard) {
		_cleanup_free_ char *err = NULL;
		const char *source = NULL;
		int r = !strcmp(shard, "auto") ?
				kr_shard_from_env((int)shard_total, &ro.shard, &source, &err) :
				kr_shard_parse(shard, &ro.shard, &err);
		if (r < 0)
			return kr_cli_usage_error(self, "--shard: %s", err), usage;
		if (source && !ro.quiet)
			kr_notice("shard %d/%d from %s", ro.shard.index, ro.shard.total, source);
	}

	struct kr_diags diags = { 0 };
	struct kr_cell *cells = NULL;
	size_t n = 0;
	_cleanup_(kr_matrix_freep) struct kr_matrix *m = NULL;
	int r = kr_cells_load(argv + optind, &cells, &n, &m, &diags);
	if (r == 0 && m && !ro.baseline && m->baseline) {
		ro.baseline = m->baseline;
		ro.baseline_optional = true;
	}
	kr_diags_print(&diags, stderr);
	kr_diags_clear(&diags);
	if (r == 0 && filters) {
		_cleanup_free_ char *err = NULL;
		if ((r = kr_cells_filter(cells, &n, filters, &err)) < 0)
			kr_error("--filter: %s", err);
	}
	if (r == 0 && runs)
		kr_cells_set_runs(cells, n, (int)runs);
	if (r == 0 && bisect && n != 1) {
		kr_error("--bisect runs one scenario, not %zu", n);
		r = -EINVAL;
	}
	if (r < 0) {
		kr_cells_free(cells, n);
		return usage;
	}
	if (bisect) {
		/* The question is only whether the bug shows. */
		cells[0].s->expect.verdict = KR_EXPECT_REPRODUCED;
		cells[0].s->stop_on_hit = true;
	}
	struct kr_results *results = NULL;
	int ret = kr_run_cells(&ro, cells, n, bisect ? &results : NULL);
	if (bisect)
		ret = bisect_status(results, ret);
	kr_results_free(results);
	kr_cells_free(cells, n);
	return ret;
}
