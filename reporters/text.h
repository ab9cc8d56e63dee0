/* SPDX-License-Identifier: MIT */
/* Console text made fit to show in a report. Kernel consoles hold ESC
 * sequences, NUL, CR, invalid UTF-8 and anything else a crashing guest
 * prints; XML, Markdown and CI logs need valid UTF-8 without control
 * characters, and a reader must see that something was there. So bytes
 * that cannot be shown are escaped visibly as \xNN, and excerpts of long
 * files say how much they leave out. */
#pragma once

#include <stddef.h>

#include "util.h"

enum {
	/* Line ends and tabs become spaces too (for one-line fields). */
	KR_TEXT_ONE_LINE = 1 << 0,
};

/* Appends the visible form of data to b: valid UTF-8 is kept, except
 * control characters; TAB and LF stay; CR before LF is dropped (serial
 * consoles end lines with CR LF); every other C0 control, DEL, C1 control,
 * U+FFFE, U+FFFF and each byte of an invalid sequence becomes "\xNN", one
 * per byte. A backslash stays as it is. The result is always valid UTF-8
 * and valid XML 1.0 character data. -E2BIG when b's cap is reached (b then
 * holds what fitted, cut at a character boundary). */
int kr_text_visible_append(struct kr_buf *b, const char *data, size_t len, unsigned flags);
char *kr_text_visible(const char *data, size_t len, unsigned flags);

/* A marker line between the head and the tail of an excerpt. */
#define KR_TEXT_OMITTED_FMT "[... kradar: %zu bytes omitted ...]"

/* An excerpt for a report: all of data when it has at most head + tail
 * bytes; otherwise its first head bytes (up to their last line end) and
 * its last tail bytes (from their first line start), with the marker line
 * KR_TEXT_OMITTED_FMT between them. In visible form (see above). */
char *kr_text_excerpt(const char *data, size_t len, size_t head, size_t tail);
/* The same for a file, reading only the parts it keeps. -errno when the
 * file cannot be read. */
int kr_text_file_excerpt(const char *path, size_t head, size_t tail, char **out);

/* s cut to at most max bytes at a character boundary, with "..." at the
 * end when cut (max >= 4). */
char *kr_text_truncate(const char *s, size_t max);
