/* SPDX-License-Identifier: MIT */
#include "xz.h"

#include <fcntl.h>
#include <lzma.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define CHUNK (1u << 16)
#define HOLE_BLOCK 4096u
/* Decoder memory: syzbot's assets use the default preset (8 MiB dictionary);
 * anything past this is not a kernel asset. */
#define DECODER_MEMLIMIT (1ull << 30)

bool kr_xz_magic(const void *data, size_t len)
{
	static const unsigned char magic[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
	return len >= sizeof(magic) && memcmp(data, magic, sizeof(magic)) == 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Writes a chunk, seeking over whole zero blocks instead of writing them. */
static int write_sparse(int fd, const uint8_t *p, size_t n)
{
	size_t off = 0;
	while (off < n) {
		size_t len = n - off < HOLE_BLOCK ? n - off : HOLE_BLOCK;
		if (len == HOLE_BLOCK && all_zero(p + off, len)) {
			if (lseek(fd, (off_t)len, SEEK_CUR) < 0)
				return -errno;
		} else {
			int r = write_all(fd, p + off, len);
			if (r < 0)
				return r;
		}
		off += len;
	}
	return 0;
}

static const char *lzma_message(lzma_ret r)
{
	switch (r) {
	case LZMA_FORMAT_ERROR: return "not an .xz file";
	case LZMA_OPTIONS_ERROR: return "unsupported .xz options";
	case LZMA_DATA_ERROR: return "corrupt .xz data";
	case LZMA_BUF_ERROR: return "the .xz data ends early (truncated file)";
	case LZMA_MEMLIMIT_ERROR: return "needs more than 1 GiB of memory to decompress";
	case LZMA_MEM_ERROR: return "out of memory";
	default: return "decompression failed";
	}
}

static int decompress(int in, int out, const char *src, uint64_t max_out,
		      struct kr_sha256 *hash, uint64_t *total, char **err)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	lzma_ret lr = lzma_stream_decoder(&strm, DECODER_MEMLIMIT, LZMA_CONCATENATED);
	if (lr != LZMA_OK) {
		*err = kr_asprintf("%s: %s", src, lzma_message(lr));
		return -ENOMEM;
	}
	_cleanup_free_ uint8_t *ibuf = kr_malloc(CHUNK);
	_cleanup_free_ uint8_t *obuf = kr_malloc(CHUNK);
	lzma_action action = LZMA_RUN;
	int ret = 0;
	*total = 0;
	strm.next_out = obuf;
	strm.avail_out = CHUNK;
	for (;;) {
		if (strm.avail_in == 0 && action == LZMA_RUN) {
			ssize_t n = read(in, ibuf, CHUNK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				ret = -errno;
				*err = kr_asprintf("%s: %s", src, strerror(errno));
				break;
			}
			strm.next_in = ibuf;
			strm.avail_in = (size_t)n;
			if (n == 0)
				action = LZMA_FINISH;
		}
		lr = lzma_code(&strm, action);
		size_t have = CHUNK - strm.avail_out;
		if (have && (strm.avail_out == 0 || lr == LZMA_STREAM_END)) {
			if (*total + have > max_out) {
				ret = -EFBIG;
				*err = kr_asprintf("%s: decompresses to more than %llu bytes", src,
						   (unsigned long long)max_out);
				break;
			}
			if (hash)
				kr_sha256_update(hash, obuf, have);
			if ((ret = write_sparse(out, obuf, have)) < 0) {
				*err = kr_asprintf("%s: writing the output: %s", src, strerror(-ret));
				break;
			}
			*total += have;
			strm.next_out = obuf;
			strm.avail_out = CHUNK;
		}
		if (lr == LZMA_STREAM_END)
			break;
		if (lr != LZMA_OK) {
			ret = lr == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
			*err = kr_asprintf("%s: %s", src, lzma_message(lr));
			break;
		}
	}
	lzma_end(&strm);
	return ret;
}

int kr_xz_decompress_file(const char *src, const char *dst, uint64_t max_out,
			  char sha256_hex[KR_SHA256_HEX_SIZE], char **err)
{
	*err = NULL;
	_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		int r = -errno;
		*err = kr_asprintf("%s: %s", src, strerror(errno));
		return r;
	}
	_cleanup_free_ char *tmp = kr_asprintf("%s.tmp-XXXXXX", dst);
	_cleanup_close_ int out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0) {
		int r = -errno;
		*err = kr_asprintf("%s: cannot create a temporary file: %s", dst, strerror(errno));
		return r;
	}
	_cleanup_sha256_ struct kr_sha256 hash = { 0 };
	if (sha256_hex)
		kr_sha256_init(&hash);
	uint64_t total = 0;
	int r = decompress(in, out, src, max_out, sha256_hex ? &hash : NULL, &total, err);
	/* Holes at the end need the size set explicitly. */
	if (r == 0 && ftruncate(out, (off_t)total) < 0)
		r = -errno;
	if (r == 0 && fchmod(out, 0644) < 0)
		r = -errno;
	if (r == 0 && fsync(out) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, dst) < 0)
		r = -errno;
	if (r < 0) {
		if (!*err)
			*err = kr_asprintf("%s: %s", dst, strerror(-r));
		unlink(tmp);
		return r;
	}
	if (sha256_hex)
		kr_sha256_final_hex(&hash, sha256_hex);
	return 0;
}
