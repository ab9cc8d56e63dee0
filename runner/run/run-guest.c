/* SPDX-License-Identifier: MIT */
/* One run in a fresh guest: its directory in --out, QEMU's command line,
 * the console watched by the crash scanner (with an SSH session beside it
 * in image mode, or restored from the warm start snapshot), and the run's
 * classification: the crash that counts,
 * the evidence of starvation, the run verdict and report.txt
 * (run-internal.h). */
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "detectors.h"
#include "evidence.h"
#include "guest.h"
#include "initramfs.h"
#include "log.h"
#include "progress.h"
#include "qemu.h"
#include "run-internal.h"
#include "signature.h"
#include "snapshot.h"
#include "ssh.h"
#include "symbolize.h"
#include "syzprog.h"
#include "verdict.h"

/* execprog.log is read back, for syz-execprog's errors, up to this size. */
#define EXECPROG_LOG_MAX (64u << 20)

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
	if (text && run_write_artifact(dir, name, text, len, write_error))
		run->repro = kr_strdup(name);
	run_write_artifact(dir, p->disk ? "run.sh" : "init.sh", p->init_script,
			   strlen(p->init_script), write_error);
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

static char *function_file(void *symbolizer, const char *func)
{
	return kr_symbolizer_function_file(symbolizer, func, NULL);
}

/* With debug info at hand, console.log scanned again with the kernel
 * families also taken from the frames' source files (a helper that the
 * families' table, made from another kernel version, lacks). Not while the
 * guest runs: the first lookup loads vmlinux, which would delay stopping at
 * a hit. The new scan replaces sc only when it found the same reports. */
static struct kr_scanner *rescan_with_files(const struct prepared *p, const char *dir,
					    const struct kr_scanner *sc)
{
	if (!p->symbolizer || !kr_scanner_n_crashes(sc))
		return NULL;
	_cleanup_free_ char *path = kr_path_join(dir, "console.log");
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (kr_read_file(path, (size_t)256 << 20, &text, &len) < 0) /* a console this big: as it was */
		return NULL;
	_cleanup_(kr_scanner_freep) struct kr_scanner *again = kr_scanner_new();
	kr_scanner_set_file_of(again, function_file, p->symbolizer);
	kr_scanner_feed(again, text, len);
	kr_scanner_finish(again);
	if (kr_scanner_n_crashes(again) != kr_scanner_n_crashes(sc))
		return NULL;
	for (size_t i = 0; i < kr_scanner_n_crashes(sc); i++)
		if (kr_scanner_crash(again, i)->start != kr_scanner_crash(sc, i)->start)
			return NULL;
	return KR_TAKE_PTR(again);
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
	if (report && run_write_text(dir, "report.txt", report) == 0)
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
	kr_progress_guest_phase(userdata, phases[phase]);
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
		if (run_write_text(dir, "qemu.cmdline", cmdline) == 0 && !run->qemu_cmdline)
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
void run_in_guest(struct ctx *c, const struct kr_scenario *s, const struct prepared *p,
		  struct kr_run_result *run, int interrupt_fd, struct kr_progress_guest *progress,
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
	if (cmdline && run_write_artifact(dir, "qemu.cmdline", cmdline, strlen(cmdline), write_error))
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
	if (run_write_text(dir, "detectors.txt", detectors) == 0)
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
	_cleanup_(kr_scanner_freep) struct kr_scanner *with_files = rescan_with_files(p, dir, sc);
	classify(s, p, &g, with_files ? with_files : sc, dir, run);
	*stop_from = g.stop_from_ns;
	kr_guest_result_clear(&g);
}
