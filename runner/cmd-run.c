/* SPDX-License-Identifier: MIT */
/* kradar run [--out DIR] SCENARIO|DIR...: every scenario, each run in a
 * fresh QEMU guest, with a verdict per run and per scenario. */
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "cli.h"
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
#include "sha256.h"
#include "signature.h"
#include "ssh.h"
#include "syzprog.h"
#include "verdict.h"

/* How long gcc may take for a reproducer. */
#define COMPILE_TIMEOUT_S 300.0
/* syz-execprog's -slowdown under TCG: syzkaller scales its own timeouts
 * (per-call and per-program) by this for emulated machines. */
#define TCG_EXECPROG_SLOWDOWN 10
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
	int status;
	kr_process_wait(gcc, 0, &status);
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

static void kernel_identity(const struct kr_scenario *s, struct kr_scenario_result *sr)
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
	char hex[KR_SHA256_HEX_SIZE];
	if (sr->kernel.image && !kr_path_is_url(sr->kernel.image) &&
	    kr_sha256_file(sr->kernel.image, hex) == 0)
		sr->kernel.sha256 = kr_strdup(hex);
	if (s->disk.image) {
		sr->disk = kr_strdup(s->disk.image);
		if (!kr_path_is_url(s->disk.image) && kr_sha256_file(s->disk.image, hex) == 0)
			sr->disk_sha256 = kr_strdup(hex);
	}
}

/* Everything the runs of a scenario share. Sets p->infra when the runs
 * cannot be made, *sig when interrupted. */
static void show_progress(void *userdata, const char *message)
{
	const struct kr_scenario *s = userdata;
	kr_notice("%s: %s", s->name, message);
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
	free(sr->kernel.image);
	sr->kernel.image = kr_strdup(k->bzimage);
	free(sr->kernel.label);
	sr->kernel.label = kr_strdup(k->label);
	sr->kernel.tree = kr_strdup(k->tree);
	sr->kernel.commit = kr_strdup(k->commit);
	sr->kernel.config_sha256 = kr_strdup(k->config_hash);
	char hex[KR_SHA256_HEX_SIZE];
	free(sr->kernel.sha256);
	sr->kernel.sha256 = kr_sha256_file(k->bzimage, hex) == 0 ? kr_strdup(hex) : NULL;
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
			for (size_t i = 0; f[i]; i++) {
				if (kr_str_startswith(f[i], "-slowdown=") &&
				    atoi(f[i] + 10) < TCG_EXECPROG_SLOWDOWN)
					free(f[i]);
				else
					f[k++] = f[i];
			}
			f[k] = NULL;
			bool have = false;
			for (size_t i = 0; f[i]; i++)
				have |= kr_str_startswith(f[i], "-slowdown=");
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
		       struct kr_run_result *run)
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
	_cleanup_free_ char *path = kr_path_join(dir, name);
	if (text && kr_write_file_atomic(path, text, len, 0644) == 0)
		run->repro = kr_strdup(name);
	write_text(dir, p->disk ? "run.sh" : "init.sh", p->init_script);
}

/* Renames dir/name.part to dir/name. */
static int publish(const char *dir, const char *name)
{
	_cleanup_free_ char *from = kr_asprintf("%s/%s.part", dir, name);
	_cleanup_free_ char *to = kr_path_join(dir, name);
	return rename(from, to) < 0 ? -errno : 0;
}

static void classify(const struct kr_scenario *s, struct kr_guest_result *g,
		     struct kr_scanner *sc, const char *dir, struct kr_run_result *run)
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

	_cleanup_free_ char *wtitle = NULL;
	/* Image mode: the SSH connection dropped and the console showed no
	 * crash. syzkaller counts that as a crash of its own, and so does
	 * kradar; like a silent guest it may be an emulator's starvation. */
	bool lost = g->end == KR_GUEST_END_LOST && !crash && !infra;
	_cleanup_free_ char *ended = g->end == KR_GUEST_END_RUN_TIMEOUT ?
					     kr_strdup(g->message) :
					     kr_asprintf("the reproducer finished (status %d)",
							 g->repro_status);
	struct kr_run_facts f = { .infra_reason = infra,
				  .silent = g->end == KR_GUEST_END_NO_OUTPUT,
				  .ended = ended };
	if (crash) {
		f.title = crash->title;
		f.alt_titles = crash->alt_titles;
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
	for (size_t i = 0; i < kr_scanner_n_starvation(sc); i++) {
		const struct kr_starvation *st = kr_scanner_starvation(sc, i);
		if (g->started && st->offset >= g->start_offset)
			kr_strv_push(&run->evidence, kr_strdup(st->line));
	}
	char **timing = kr_guest_timing_evidence(g->lines, g->n_lines,
						 g->started ? g->start_offset : SIZE_MAX,
						 crash ? crash->start : 0,
						 crash ? crash->end : 0);
	for (size_t i = 0; timing[i]; i++)
		kr_strv_push(&run->evidence, kr_strdup(timing[i]));
	kr_strv_free(timing);
	f.n_evidence = kr_strv_len(run->evidence);

	run->verdict = kr_verdict_run(s, &f, &run->reason);
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
	_cleanup_free_ char *report = shown && shown->report ? kr_strdup(shown->report) :
				      f.title ? kr_asprintf("%s\n", g->watch_line ? g->watch_line : f.title) :
						NULL;
	if (report && write_text(dir, "report.txt", report) == 0)
		run->report = kr_strdup("report.txt");
}

static void guest_phase(void *userdata, enum kr_guest_phase phase)
{
	static const enum kr_phase phases[] = {
		[KR_GUEST_PHASE_RUN] = KR_PHASE_RUN,
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
			.user = s->disk.ssh_user, .key = s->disk.ssh_key,
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

static void do_run(struct ctx *c, const struct kr_scenario *s, const struct prepared *p,
		   struct kr_run_result *run, uint64_t *stop_from, int *sig)
{
	run->dir = kr_asprintf("%s/run-%d", s->name, run->index);
	_cleanup_free_ char *dir = kr_path_join(c->out, run->dir);
	kr_rm_rf(dir);
	if (kr_mkdir_p(dir, 0755) < 0) {
		run->reason = kr_asprintf("cannot create %s: %s", dir, strerror(errno));
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
	if (cmdline && write_text(dir, "qemu.cmdline", cmdline) == 0)
		run->qemu_cmdline = kr_strdup("qemu.cmdline");
	save_repro(s, p, dir, run);
	if (aux)
		run->execprog_log = kr_strdup("execprog.log");

	double factor = p->accel == KR_ACCEL_TCG ? s->timeouts.tcg_factor : 1;
	_cleanup_free_ char *console = kr_path_join(dir, "console.log.part");
	_cleanup_free_ char *times = kr_path_join(dir, "console.times.part");
	_cleanup_free_ char *qerr = kr_path_join(dir, "qemu.stderr");
	_cleanup_(kr_scanner_freep) struct kr_scanner *sc = kr_scanner_new();
	struct kr_guest_config gc = {
		.argv = argv, .console_path = console, .times_path = times, .stderr_path = qerr,
		.token = c->token, .boot_timeout = s->timeouts.boot * factor,
		.run_timeout = s->timeouts.run * factor,
		.no_output_timeout = s->timeouts.no_output * factor, .grace = s->timeouts.grace,
		.watch = s->watch, .feed = scanner_feed, .hit = scanner_hit, .userdata = sc,
		.interrupt_fd = c->sfd, .phase = guest_phase, .phase_userdata = c->progress,
	};
	struct kr_guest_result g;
	int r = p->disk ? run_image_guest(s, p, dir, factor, &qg, &gc, &g, run) :
			  kr_guest_run(&gc, &g);
	if (r < 0) {
		run->reason = kr_strdup(g.message);
		kr_guest_result_clear(&g);
		return;
	}
	kr_scanner_finish(sc);
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
	classify(s, &g, sc, dir, run);
	*stop_from = g.stop_from_ns;
	kr_guest_result_clear(&g);
}

static int write_results(struct ctx *c)
{
	c->results->duration_s = kr_wall_s() - c->results->started_at;
	int r = kr_results_write(c->results);
	if (r < 0)
		kr_error("cannot write %s/results.json: %s", c->out, strerror(-r));
	return r;
}

/* junit.xml and summary.md, in OUT unless --junit/--markdown say where. */
static int write_reports(struct ctx *c, const char *junit, const char *markdown)
{
	struct kr_report_files f = { 0 };
	kr_report_files_from_env(&f);
	_cleanup_free_ char *j = junit ? NULL : kr_path_join(c->out, "junit.xml");
	_cleanup_free_ char *m = markdown ? NULL : kr_path_join(c->out, "summary.md");
	f.junit = junit ? junit : j;
	f.markdown = markdown ? markdown : m;
	_cleanup_free_ char *err = NULL;
	int r = kr_report_files_write(c->results, &f, &err);
	if (r < 0)
		kr_error("%s", err);
	return r;
}

static void run_scenario(struct ctx *c, const struct kr_scenario *s, int *sig)
{
	double t0 = kr_wall_s();
	struct kr_scenario_result *sr = kr_results_add_scenario(c->results, s);
	kernel_identity(s, sr);
	sr->qemu_version = kr_qemu_version(s->vm.qemu);
	kr_progress_scenario_started(c->progress, c->results, c->results->n_scenarios - 1,
				     c->total);
	_cleanup_free_ char *scen_dir = kr_path_join(c->out, s->name);
	kr_mkdir_p(scen_dir, 0755);
	struct prepared p = { 0 };
	prepare(c, s, scen_dir, sr, &p, sig);
	for (int i = 0; i < s->runs && !*sig && !p.skip; i++) {
		struct kr_run_result *run = kr_scenario_result_add_run(sr);
		kr_progress_run_started(c->progress, run);
		uint64_t stop_from = 0;
		do_run(c, s, &p, run, &stop_from, sig);
		if (run->verdict == KR_VERDICT_INFRA_ERROR && !run->reason)
			run->reason = kr_strdup("unknown error");
		_cleanup_free_ char *rj = kr_asprintf("%s/%s/result.json", c->out, run->dir);
		kr_run_result_write(sr, run, rj);
		if (stop_from && run->title)
			kr_debug("timing: %s run %d: %.1f ms from the end of the grace period to the "
				 "guest gone and result.json written",
				 s->name, run->index, (double)(kr_now_ns() - stop_from) / 1e6);
		kr_progress_run_finished(c->progress, run);
		sr->duration_s = kr_wall_s() - t0;
		kr_verdict_scenario(sr);
		if (!*sig)
			*sig = pending_signal(c);
		if (*sig)
			interrupted(c, *sig);
		write_results(c);
		/* A preparation failure would only repeat: one run records it. */
		if (p.infra || kr_verdict_series_done(s, sr))
			break;
	}
	if (p.skip)
		kr_scenario_result_skip(sr, p.skip);
	kr_progress_scenario_finished(c->progress);
	prepared_clear(&p);
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

int kr_cmd_run(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("run");
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "cache", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "junit", required_argument, NULL, 'J' },
		{ "markdown", required_argument, NULL, 'M' },
		{ 0 },
	};
	const char *junit = NULL, *markdown = NULL;
	const char *out = "kradar-results";
	bool quiet = false;
	const char *cache = NULL;
	long jobs = 0;
	int o;
	while ((o = kr_cli_getopt(self, argc, argv, "o:qC:j:", opts)) != -1) {
		if (o == 'o')
			out = optarg;
		else if (o == 'q')
			quiet = true;
		else if (o == 'C' && !*optarg)
			return kr_cli_usage_error(self, "--cache: an empty directory name");
		else if (o == 'C')
			cache = optarg;
		else if (o == 'j' && (kr_parse_long(optarg, &jobs) < 0 || jobs < 1 || jobs > 4096))
			return kr_cli_usage_error(self, "--jobs: expected 1..4096, got '%s'", optarg);
		else if (o == 'J')
			junit = optarg;
		else if (o == 'M')
			markdown = optarg;
	}
	if (optind >= argc)
		return kr_cli_usage_error(self, "no scenario file or directory given");

	struct kr_diags diags = { 0 };
	struct kr_scenario **scenarios = NULL;
	int r = kr_scenario_load_all(argv + optind, &scenarios, &diags);
	kr_diags_print(&diags, stderr);
	kr_diags_clear(&diags);
	if (r < 0) {
		kr_scenarios_free(scenarios);
		return KR_EXIT_USAGE;
	}

	/* SIGINT and SIGTERM arrive through a signalfd in the event loops, so
	 * that every QEMU is stopped and reaped and the results are written. */
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	struct ctx c = { .quiet = quiet, .cache = cache, .jobs = (int)jobs,
			 .sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK) };
	int ret = KR_EXIT_ENVIRONMENT;
	char cwd[4096];
	_cleanup_free_ char *abs_out = kr_path_absolute(getcwd(cwd, sizeof(cwd)) ? cwd : "/", out);
	c.out = abs_out;
	const char *tmpbase = getenv("TMPDIR");
	c.tmp = kr_asprintf("%s/kradar-XXXXXX", tmpbase && *tmpbase ? tmpbase : "/tmp");
	uint8_t rnd[16];
	if (c.sfd < 0) {
		kr_error("signalfd: %s", strerror(errno));
		goto out;
	}
	if ((r = kr_mkdir_p(c.out, 0755)) < 0) {
		kr_error("cannot create %s: %s", c.out, strerror(-r));
		goto out;
	}
	if (!mkdtemp(c.tmp)) {
		kr_error("cannot create a temporary directory %s: %s", c.tmp, strerror(errno));
		free(c.tmp);
		c.tmp = NULL;
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
	while (scenarios[c.total])
		c.total++;
	struct kr_progress_config pc;
	kr_progress_config_from_env(&pc, stderr);
	if (quiet)
		pc.style = KR_PROGRESS_QUIET;
	c.progress = kr_progress_new(&pc);

	int sig = 0;
	for (size_t i = 0; scenarios[i] && !sig; i++)
		run_scenario(&c, scenarios[i], &sig);
	kr_progress_free(KR_TAKE_PTR(c.progress));
	if (write_results(&c) < 0)
		goto out;
	if (write_reports(&c, junit, markdown) < 0)
		goto out;
	print_table(c.results);
	if (!quiet)
		printf("\nresults: %s/results.json\n", c.out);
	ret = kr_results_exit_code(c.results);
out:
	kr_progress_free(c.progress);
	if (c.tmp)
		kr_rm_rf(c.tmp);
	free(c.tmp);
	kr_results_free(c.results);
	kr_fetcher_free(c.fetcher);
	kr_scenarios_free(scenarios);
	if (c.sfd >= 0)
		close(c.sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
