/* SPDX-License-Identifier: MIT */
/* What the runs of a scenario share, made once before its first guest:
 * the kernel (an image, a download or a build), the disk and SSH key of
 * image mode, the reproducer (compiled, or syz-execprog's program and
 * flags), the initramfs or the files staged for the guest, the
 * accelerator, the symbolizer, the warm start snapshot; and the kernel's
 * identity in the results (run-internal.h). */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>

#include "fetch.h"
#include "initramfs.h"
#include "kbuild.h"
#include "log.h"
#include "process.h"
#include "progress.h"
#include "run-internal.h"
#include "scenario.h"
#include "sha256.h"
#include "snapshot.h"
#include "symbolize.h"
#include "syzprog.h"

/* How long gcc may take for a reproducer. */
#define COMPILE_TIMEOUT_S 300.0
/* syz-execprog's -slowdown under TCG: syzkaller scales its own timeouts
 * (per-call and per-program) by this for emulated machines. */
#define TCG_EXECPROG_SLOWDOWN 10

/* Size limits for kernel.image and disk URLs: the download, and the
 * decompressed file when it is .xz. */
#define MAX_DOWNLOAD (16ull << 30)
#define MAX_DECOMPRESSED (64ull << 30)

void run_prepared_clear(struct prepared *p)
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
	if (r > 0 && (pfd[1].revents & POLLIN) && (*sig = run_pending_signal(c)))
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

void run_kernel_identity(struct ctx *c, const struct kr_scenario *s,
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

struct build_ui {
	struct ctx *c;
	const struct kr_scenario *s;
};

static void show_progress(void *userdata, const char *message)
{
	const struct build_ui *ui = userdata;
	kr_notice("%s: %s", ui->s->name, message);
}

static void show_make_progress(void *userdata, long compiled, long estimated)
{
	const struct build_ui *ui = userdata;
	kr_progress_build(ui->c->progress, compiled, estimated);
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
	struct build_ui ui = { .c = c, .s = s };
	struct kr_kbuild_options o = { .log_copy = log, .userdata = &ui, .cache_dir = c->cache,
				       .jobs = c->jobs, .cancel_fd = c->sfd,
				       .make_progress = show_make_progress };
	if (!c->quiet)
		o.progress = show_progress;
	_cleanup_kernel_free_ struct kr_kernel *k = NULL;
	char *err = NULL;
	int r = kr_kbuild_get(s, &o, &k, &err);
	if (r == -ECANCELED)
		*sig = run_pending_signal(c);
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
void run_prepare(struct ctx *c, const struct kr_scenario *s, const char *scen_dir,
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
		*sig = run_pending_signal(c);
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
