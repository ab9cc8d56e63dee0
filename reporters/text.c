/* SPDX-License-Identifier: MIT */
#include "text.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

static int add_escaped(struct kr_buf *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = kr_buf_printf(b, "\\x%02x", s[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int kr_text_visible_append(struct kr_buf *b, const char *data, size_t len, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)data;
	bool one_line = flags & KR_TEXT_ONE_LINE;
	size_t i = 0;
	while (i < len) {
		/* Copy the longest run of plain printable ASCII at once. */
		size_t j = i;
		while (j < len && s[j] >= 0x20 && s[j] < 0x7f)
			j++;
		if (j > i) {
			int r = kr_buf_add(b, s + i, j - i);
			if (r < 0)
				return r;
			i = j;
			continue;
		}
		int r;
		uint32_t cp = 0;
		size_t n = kr_utf8_seq(s + i, len - i, &cp);
		if (n == 1 && (cp == '\n' || cp == '\t')) {
			r = kr_buf_addc(b, one_line ? ' ' : (char)cp);
		} else if (n == 1 && cp == '\r' && i + 1 < len && s[i + 1] == '\n') {
			n = 2; /* CR LF: one line end */
			r = kr_buf_addc(b, one_line ? ' ' : '\n');
		} else if (n == 0) {
			n = 1;
			r = add_escaped(b, s + i, 1);
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xfffe || cp == 0xffff) {
			r = add_escaped(b, s + i, n);
		} else {
			r = kr_buf_add(b, s + i, n);
		}
		if (r < 0)
			return r;
		i += n;
	}
	return 0;
}

char *kr_text_visible(const char *data, size_t len, unsigned flags)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	kr_text_visible_append(&b, data, len, flags);
	return kr_buf_steal(&b);
}

/* Bytes to keep of a head: up to its last line end, or else without a
 * character cut in two. */
static size_t head_cut(const char *h, size_t n)
{
	const char *nl = memrchr(h, '\n', n);
	if (nl)
		return (size_t)(nl - h) + 1;
	const unsigned char *u = (const unsigned char *)h;
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		size_t i = n - back;
		if ((u[i] & 0xC0) == 0x80)
			continue;
		/* u[i] starts the last character: keep it only when whole. */
		if (u[i] >= 0xC0 && !kr_utf8_seq(u + i, n - i, NULL))
			return i;
		break;
	}
	return n;
}

/* Bytes to skip at the start of a tail: to its first line start, or else
 * past a character cut in two. */
static size_t tail_skip(const char *t, size_t n)
{
	const char *nl = memchr(t, '\n', n);
	if (nl && (size_t)(nl - t) + 1 < n)
		return (size_t)(nl - t) + 1;
	size_t i = 0;
	while (i < n && i < 3 && ((unsigned char)t[i] & 0xC0) == 0x80)
		i++;
	return i;
}

static char *join_excerpt(const char *h, size_t hlen, const char *t, size_t tlen, size_t omitted)
{
	size_t keep_h = head_cut(h, hlen);
	size_t skip_t = tail_skip(t, tlen);
	omitted += (hlen - keep_h) + skip_t;
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	kr_text_visible_append(&b, h, keep_h, 0);
	if (b.len && b.data[b.len - 1] != '\n')
		kr_buf_addc(&b, '\n');
	kr_buf_printf(&b, KR_TEXT_OMITTED_FMT "\n", omitted);
	kr_text_visible_append(&b, t + skip_t, tlen - skip_t, 0);
	return kr_buf_steal(&b);
}

char *kr_text_excerpt(const char *data, size_t len, size_t head, size_t tail)
{
	if (len <= head + tail)
		return kr_text_visible(data, len, 0);
	return join_excerpt(data, head, data + len - tail, tail, len - head - tail);
}

static int pread_all(int fd, char *buf, size_t n, off_t off)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = pread(fd, buf + done, n - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO; /* shrank while read */
		done += (size_t)r;
	}
	return 0;
}

int kr_text_file_excerpt(const char *path, size_t head, size_t tail, char **out)
{
	/* an artifact named in a results.json: never through a symlink */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	size_t size = (size_t)st.st_size;
	if (size <= head + tail) {
		_cleanup_free_ char *all = kr_malloc(size + 1);
		int r = pread_all(fd, all, size, 0);
		if (r < 0)
			return r;
		*out = kr_text_visible(all, size, 0);
		return 0;
	}
	_cleanup_free_ char *h = kr_malloc(head + 1), *t = kr_malloc(tail + 1);
	int r = pread_all(fd, h, head, 0);
	if (r >= 0)
		r = pread_all(fd, t, tail, (off_t)(size - tail));
	if (r < 0)
		return r;
	*out = join_excerpt(h, head, t, tail, size - head - tail);
	return 0;
}

char *kr_text_truncate(const char *s, size_t max)
{
	size_t len = strlen(s);
	if (len <= max || max < 4)
		return kr_strdup(s);
	size_t n = max - 3;
	/* Back off to a character start. */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return kr_asprintf("%.*s...", (int)n, s);
}
