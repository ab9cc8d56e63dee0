/* SPDX-License-Identifier: MIT */
/* The run engine (run.h): --out made and locked, the temporary directory,
 * SIGINT and SIGTERM through a signalfd, the cells' results (the shard's
 * cells run here, the others are recorded as skipped), the baseline
 * compared, results.json and the reports written. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>

#include "baseline.h"
#include "fetch.h"
#include "log.h"
#include "progress.h"
#include "reports.h"
#include "run-internal.h"
#include "stale.h"

/* Was a SIGINT or SIGTERM queued? Consumes it and returns its number. */
int run_pending_signal(struct ctx *c)
{
	struct signalfd_siginfo si;
	if (read(c->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		return (int)si.ssi_signo;
	return 0;
}

void run_interrupted(struct ctx *c, int sig)
{
	if (!c->results->interrupted)
		kr_warning("interrupted by SIG%s: stopping the guest and writing the results",
			   sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
	c->results->interrupted = true;
	c->results->signal = sig;
}

int run_write_text(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = kr_path_join(dir, name);
	return kr_write_file_atomic(path, text, strlen(text), 0644);
}

/* An artifact of a run written, or the first failure named in *write_error. */
bool run_write_artifact(const char *dir, const char *name, const void *data, size_t len,
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
void run_write_failed(struct ctx *c, char *message)
{
	if (c->write_error) {
		free(message);
		return;
	}
	kr_error("%s: no more runs start", message);
	c->write_error = message;
}

/* results.json as it stands; the last one (final) says when it fails,
 * whatever failed before. */
int run_write_results(struct ctx *c, bool final)
{
	c->results->duration_s = kr_wall_s() - c->results->started_at;
	int r = kr_results_write(c->results);
	if (r < 0 && final)
		kr_error("cannot write %s/results.json: %s", c->out, strerror(-r));
	else if (r < 0)
		run_write_failed(c, kr_asprintf("cannot write %s/results.json: %s", c->out,
						strerror(-r)));
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
	else /* files a killed run was writing when it died */
		kr_stale_sweep_tmp(out, 3);
	return fd;
}

struct kr_engine {
	const struct kr_run_options *o;
	bool ran;
	struct kr_results *results; /* after KR_ENGINE_DONE */
	char *write_error;
};

struct kr_engine *kr_engine_new(const struct kr_run_options *o)
{
	struct kr_engine *e = kr_calloc(1, sizeof(*e));
	e->o = o;
	return e;
}

/* The baseline compared, results.json and the reports written. */
static int finish(struct ctx *c, const struct kr_run_options *o, const struct kr_results *before)
{
	if (before)
		kr_baseline_compare(c->results, before, o->baseline);
	if (run_write_results(c, true) < 0 || write_reports(c, o->junit, o->markdown) < 0)
		return KR_ENGINE_HOST_FAILED;
	return KR_ENGINE_DONE;
}

int kr_engine_run(struct kr_engine *e, struct kr_cell *kcells, size_t n)
{
	const struct kr_run_options *o = e->o;
	if (e->ran)
		return -EALREADY;
	e->ran = true;
	bool bad_baseline;
	_cleanup_results_free_ struct kr_results *before = load_baseline(o, &bad_baseline);
	if (bad_baseline)
		return KR_ENGINE_BAD_BASELINE;

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
	int ret = KR_ENGINE_HOST_FAILED, r;
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
		run_kernel_identity(&c, s, cell->sr);
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
	if (ret == KR_ENGINE_DONE) {
		e->results = KR_TAKE_PTR(c.results);
		e->write_error = KR_TAKE_PTR(c.write_error);
	}
out:
	kr_progress_free(c.progress);
	for (size_t i = 0; i < n; i++) {
		run_prepared_clear(&cells[i].p);
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

const struct kr_results *kr_engine_results(const struct kr_engine *e)
{
	return e->results;
}

struct kr_results *kr_engine_take_results(struct kr_engine *e)
{
	return KR_TAKE_PTR(e->results);
}

const char *kr_engine_write_error(const struct kr_engine *e)
{
	return e->write_error;
}

void kr_engine_free(struct kr_engine *e)
{
	if (!e)
		return;
	kr_results_free(e->results);
	free(e->write_error);
	free(e);
}
