/* SPDX-License-Identifier: MIT */
/* Source lines for the frames of kernel reports, from the debug info of
 * vmlinux and .ko files (elfutils libdwfl; this module and its DWARF
 * reader, dwarf-lines.h, are elfutils' only users).
 *
 * A frame "func+0x1c/0x40 [mod]" is resolved by name, never by address, so
 * KASLR and module load addresses do not matter: the symbol func of vmlinux
 * (or of mod's .ko, laid out the way libdwfl reports relocatable files
 * offline) whose size is 0x40, plus 0x1c. Its inline chain gives syzbot's
 * lines, innermost first:
 *   func_inl include/linux/x.h:10 [inline]
 *   func+0x1c/0x40 drivers/y/z.c:42
 *
 * Files are opened on first use and kept for the symbolizer's life. A
 * missing file, one without .debug_info, or one that does not match the log
 * (no symbol of the frame's name and size) is a warning; the frames it
 * would have resolved stay as they were. Warnings are kept, each once, until
 * taken (kr_symbolizer_take_warnings). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct kr_symbolizer;

/* One source location of a resolved frame. */
struct kr_symbol_line {
	char *func;      /* the inlined function; for the last line the frame's own */
	char *file;      /* relative to the kernel tree when it can be told */
	int line;
	bool is_inline;  /* every line but the last */
};

struct kr_symbolizer *kr_symbolizer_new(void);
void kr_symbolizer_free(struct kr_symbolizer *s);
KR_DEFINE_CLEANUP(struct kr_symbolizer, kr_symbolizer_free)
#define _cleanup_symbolizer_free_ _cleanup_(kr_symbolizer_freep)

/* Sets the vmlinux (one; a second call replaces the first before any use). */
void kr_symbolizer_set_vmlinux(struct kr_symbolizer *s, const char *path);
/* Adds a module's .ko; its module name is the file name without .ko, with
 * '-' as '_' (as the kernel names it in "[mod]"). A later file of the same
 * name is ignored (with a warning). */
void kr_symbolizer_add_module(struct kr_symbolizer *s, const char *path);
/* Whether any file was given. */
bool kr_symbolizer_has_files(const struct kr_symbolizer *s);

/* Lines from libdw's decoding of whole line tables only, as before the
 * symbolizer read them itself (for tests and the benchmark, which compare
 * the two). Before any frame. */
void kr_symbolizer_set_libdw_lines(struct kr_symbolizer *s, bool on);

/* Resolves one frame. module is NULL for vmlinux. ret_addr says the
 * address is a return address (call trace frames): the line is that of
 * the call, one byte before. On success *lines (innermost first, the frame
 * itself last) and *n are set and 1 is returned; 0 when the frame cannot
 * be resolved (no file for it, no debug info, a mismatch: a warning is
 * kept). */
int kr_symbolizer_frame(struct kr_symbolizer *s, const char *func, unsigned long off,
			unsigned long size, const char *module, bool ret_addr,
			struct kr_symbol_line **lines, size_t *n);
void kr_symbol_lines_free(struct kr_symbol_line *lines, size_t n);

/* The source file of function func (of module's .ko; with module NULL, of
 * vmlinux or else of the first .ko that has it), relative to the kernel
 * tree when it can be told: the file of its first instruction's line. Allocated; NULL when there is no such symbol, no
 * debug info or no line. Quiet but for a missing or unreadable file. */
char *kr_symbolizer_function_file(struct kr_symbolizer *s, const char *func, const char *module);

/* Symbolizes a report or a whole console log: every frame line gets its
 * " file:line" at the end and, before it, its "[inline]" lines, with the
 * frame line's prefix (timestamp, indentation). Other lines are kept as
 * they are. *out is NUL-terminated; *out_len its length. *guilty (when not
 * NULL) gets the innermost "file:line" of the first resolved frame of the
 * function guilty_func (any function when NULL), or NULL. */
void kr_symbolizer_text(struct kr_symbolizer *s, const char *text, size_t len,
			const char *guilty_func, char **out, size_t *out_len, char **guilty);

/* The warnings since the last call (NULL-terminated; free with
 * kr_strv_free), or NULL when there are none. */
char **kr_symbolizer_take_warnings(struct kr_symbolizer *s);
