/* SPDX-License-Identifier: MIT */
/* The syzbot dashboard's bug description (GET /bug?extid=EXTID&json=1):
 * parsing with every field's shape checked, choosing the crash to
 * reproduce, and saying where the bug stands.
 *
 * The answer (syzkaller's dashboard/api.Bug, version 1):
 *   { "version": 1, "title": "...", "id": "...", "status": "fixed on ...",
 *     "fix-commits": [{"title", "hash", "link", "repo", "branch", "date"}],
 *     "cause-commit": {...}, "discussions": ["..."],
 *     "crashes": [{"title", "syz-reproducer", "c-reproducer", "kernel-config",
 *                  "kernel-source-git", "kernel-source-commit",
 *                  "syzkaller-git", "syzkaller-commit",
 *                  "compiler-description", "architecture",
 *                  "crash-report-link"}] }
 * Links are relative to the dashboard ("/text?tag=ReproSyz&x=..."). Fields
 * not listed are ignored (the API grows compatibly). Two optional crash
 * fields that the public API does not have today are read when a server
 * (a mirror) gives them: "crash-log-link" (the raw console log) and
 * "assets": [{"type": "bootable_disk"|"kernel_image"|"kernel_object"|...,
 * "title": "disk image", "link": URL}] (syzkaller's asset types). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum kr_bug_status {
	KR_BUG_OPEN,
	KR_BUG_FIXED,
	KR_BUG_INVALID,
	KR_BUG_DUP,
};

struct kr_syzbot_commit {
	char *title;
	char *hash;   /* NULL when not known yet (a fix only named by title) */
	char *link;   /* NULL when none */
	char *repo;   /* NULL when none */
	char *branch; /* NULL when none */
};

struct kr_syzbot_asset {
	char *type;  /* syzkaller's asset type, NULL when not given */
	char *title; /* NULL when not given */
	char *link;
};

/* Every string but title may be NULL (not in the answer). */
struct kr_syzbot_crash {
	char *title;
	char *syz_link;
	char *c_link;
	char *config_link;
	char *report_link;
	char *log_link;
	char *kernel_source_git;
	char *kernel_source_commit;
	char *syzkaller_git;
	char *syzkaller_commit;
	char *compiler;
	char *architecture;
	struct kr_syzbot_asset *assets;
	size_t n_assets;
};

struct kr_syzbot_bug {
	long long version;
	char *title;
	char *id;          /* NULL when not given */
	char *status_text; /* the dashboard's words ("fixed on 2024/01/02 10:00"), NULL: none */
	enum kr_bug_status status;
	struct kr_syzbot_commit *fix_commits;
	size_t n_fix_commits;
	struct kr_syzbot_commit *cause_commit; /* NULL when none */
	char **discussions;                    /* never NULL */
	struct kr_syzbot_crash *crashes;
	size_t n_crashes;
};

/* Parses an answer. source (the URL) names it in messages. A malformed
 * answer gives -EINVAL and one line in *err:
 * "SOURCE:LINE:COL: crashes[0].syz-reproducer: expected a string, got an integer". */
int kr_syzbot_parse(const char *source, const char *text, size_t len, struct kr_syzbot_bug **out,
		    char **err);
void kr_syzbot_bug_free(struct kr_syzbot_bug *b);
KR_DEFINE_CLEANUP(struct kr_syzbot_bug, kr_syzbot_bug_free)
#define _cleanup_syzbot_bug_free_ _cleanup_(kr_syzbot_bug_freep)

/* Whether s[0, len) is a bug's extid: 20 lowercase hex digits. */
bool kr_syzbot_is_extid(const char *s, size_t len);

/* The crash to reproduce: the first with a reproducer (syz or C); -1 when
 * none has one. */
int kr_syzbot_best_crash(const struct kr_syzbot_bug *b);

/* Where the bug stands, in one line: "open (reported on ...)", "open; fix
 * pending: commit 0123456789ab (\"net: fix x\")", "fixed by commit 0123456789ab (\"net:
 * fix x\") -- fixed on 2024/01/02 10:00", "invalid (closed as invalid on
 * ...)", "duplicate (closed as dup on ...)". */
char *kr_syzbot_status_line(const struct kr_syzbot_bug *b);
const char *kr_bug_status_to_string(enum kr_bug_status s); /* open, fixed, invalid, dup */
