/* SPDX-License-Identifier: MIT */
/* The stack frames of a kernel crash report: one line read as a frame, and
 * the frames of a report's first call trace.
 *
 * Lines are read without their console prefixes (kr_crash.report holds
 * them so). Formats: x86's " func+0x1c/0x40 [mod]" and " ? func+0x1/0x2"
 * (a guessed frame), "RIP: 0010:func+0x1c/0x40" (the program counter; a
 * user-space "RIP: 0033:0x47b7a0" is not a frame), older "[<addr>] func+.."
 * lines, arm64's "pc : func+0x..", syzbot's symbolized
 * "func+0x1c/0x40 path/file.c:42" and inlined "func path/file.c:10 [inline]",
 * and a module's build id ("[mod 0123abcd]"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct kr_frame {
	char *func;              /* "radar_check_state", as printed (compiler
				  * suffixes such as ".isra.0" kept); never NULL */
	unsigned long off, size; /* +0x1c/0x40; both 0 when not given */
	char *module;            /* "kradar_test" for "[kradar_test]"; NULL: vmlinux */
	bool uncertain;          /* printed with "? " */
	bool is_inline;          /* "func [inline]" or " func+.. inline" lines */
	size_t line_start, line_end; /* byte offsets of the frame's line in the
				      * text: its first byte, and just past its
				      * last one (newline and CR left out) */
};

/* Parses one line (without newline) as a stack frame: 1 when it is one
 * (f filled, line_start 0 and line_end len; free with kr_frame_clear), 0
 * when not (f left empty). */
int kr_stack_parse_line(const char *line, size_t len, struct kr_frame *f);
void kr_frame_clear(struct kr_frame *f);

/* p moved past spaces and the "[<ffffffff81234567>] ", "[c000000049a87710] "
 * or "[<8010c0e4>] " addresses that older traces print before a frame. */
const char *kr_stack_skip_addresses(const char *p, const char *end);

/* The function's name as a title gives it, to be freed: without the
 * compiler's suffixes ("foo.isra.0", "foo.constprop.3", "foo.cold" are
 * "foo"), a syscall's entry wrappers named as the syscall
 * ("__x64_sys_read", "__se_sys_read", "__do_sys_read" are "sys_read"),
 * a Rust v0 symbol demangled. */
char *kr_frame_base_name(const char *func);

/* The frames of the report's first call trace: from its "Call Trace:" (or
 * "Call trace:") line, with the program counter's "RIP: 0010:func" line
 * printed before it as the top frame, across "<IRQ>"/"</IRQ>"/"<TASK>"
 * markers and the register dumps between stacks, to its "</TASK>", a blank
 * line, the next header ("Call Trace:", "Allocated by task N:",
 * "Freed by task N:", "Modules linked in:", "---[ end trace", ...) or the
 * end of the text. A report without a "Call Trace:" line gets its first run
 * of frame lines before any KASAN "Allocated by"/"Freed by" section. At most
 * 512 frames are kept. Guessed ("? ") frames are kept, marked uncertain.
 * Never NULL; text may hold NUL bytes. */
struct kr_stack;
struct kr_stack *kr_stack_of_report(const char *text, size_t len);
size_t kr_stack_n_frames(const struct kr_stack *st);
const struct kr_frame *kr_stack_frame(const struct kr_stack *st, size_t i);
void kr_stack_free(struct kr_stack *st);
KR_DEFINE_CLEANUP(struct kr_stack, kr_stack_free)

/* The report's next call trace from byte offset from on, found the same
 * way (a trace ends where the next one may begin); *next (when not NULL)
 * gets the offset to look for the one after it: the line that ended this
 * one, or len when there are no more (this one empty, or the text over).
 * KASAN's "Allocated by"/"Freed by" stacks end the search. Repeated calls
 * walk every trace of a report: an RCU stall's grace-period kthread, then
 * the stalled CPU's NMI backtrace. kr_stack_of_report is from 0. */
struct kr_stack *kr_stack_next(const char *text, size_t len, size_t from, size_t *next);
