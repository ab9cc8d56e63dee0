/* SPDX-License-Identifier: MIT */
/* SHA-256 of a directory tree, the hand-written implementation kradar had
 * (bench/sha256-fips.c) against libcrypto's (runner/sha256.c), side by side:
 *
 *   bench-sha256 DIR [ROUNDS]        hash every regular file under DIR
 *   bench-sha256 --make DIR MB       first write MB megabytes of files there
 *
 * Every file is read once before timing so that both see the page cache;
 * each round hashes the whole tree with one implementation, then with the
 * other (default 3 rounds, the best of each is printed). The tree digests of
 * the two must agree. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256-fips.h"
#include "sha256.h"
#include "util.h"

#define READ_SIZE (1 << 17)

static char **files;
static size_t n_files, alloc_files;
static unsigned long long total_bytes;

static int collect(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_D && !strcmp(path + ftw->base, ".git"))
		return FTW_SKIP_SUBTREE;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return FTW_CONTINUE;
	if (n_files == alloc_files) {
		alloc_files = alloc_files ? alloc_files * 2 : 1024;
		files = kr_realloc(files, alloc_files * sizeof(*files));
	}
	files[n_files++] = kr_strdup(path);
	total_bytes += (unsigned long long)st->st_size;
	return FTW_CONTINUE;
}

/* As kr_sha256_file() did before libcrypto. */
static int fips_file(const char *path, uint8_t *buf, uint8_t digest[32])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct fips_sha256 c;
	fips_sha256_init(&c);
	ssize_t n;
	while ((n = read(fd, buf, READ_SIZE)) > 0)
		fips_sha256_update(&c, buf, (size_t)n);
	int r = n < 0 ? -errno : 0;
	close(fd);
	fips_sha256_final(&c, digest);
	return r;
}

/* One pass over the tree; the tree digest hashes the files' digests in
 * order. which: 0 reads only, 1 the old implementation, 2 libcrypto's. */
static double pass(int which, uint8_t *buf, char tree_hex[KR_SHA256_HEX_SIZE])
{
	struct fips_sha256 tree;
	fips_sha256_init(&tree);
	double t0 = kr_now_s();
	for (size_t i = 0; i < n_files; i++) {
		uint8_t d[32] = { 0 };
		char hex[KR_SHA256_HEX_SIZE];
		int r = 0;
		if (which == 0) {
			int fd = open(files[i], O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				r = -errno;
			} else {
				while (read(fd, buf, READ_SIZE) > 0)
					;
				close(fd);
			}
			memset(hex, '0', 64);
		} else if (which == 1) {
			r = fips_file(files[i], buf, d);
			kr_sha256_to_hex(d, hex);
		} else {
			r = kr_sha256_file(files[i], hex);
		}
		if (r < 0) {
			fprintf(stderr, "bench-sha256: %s: %s\n", files[i], strerror(-r));
			exit(1);
		}
		fips_sha256_update(&tree, hex, 64);
	}
	double t = kr_now_s() - t0;
	uint8_t d[32];
	fips_sha256_final(&tree, d);
	kr_sha256_to_hex(d, tree_hex);
	return t;
}

static int make_files(const char *dir, long mb)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "bench-sha256: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	/* Sizes from 1 KiB to 4 MiB, as in a source tree with some large
	 * blobs; content from a simple generator (compressible data would not
	 * change a hash's speed). */
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned long long left = (unsigned long long)mb << 20;
	uint8_t *buf = kr_malloc(4 << 20);
	for (unsigned i = 0; left; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t size = (size_t)1024 << (x % 13);
		if (size > left)
			size = (size_t)left;
		for (size_t j = 0; j < size; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[j] = (uint8_t)x;
		}
		char *path = kr_asprintf("%s/f%06u", dir, i);
		int r = kr_write_file_atomic(path, (const char *)buf, size, 0644);
		free(path);
		if (r < 0) {
			fprintf(stderr, "bench-sha256: %s: %s\n", dir, strerror(-r));
			return 1;
		}
		left -= size;
	}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--make"))
		return make_files(argv[2], atol(argv[3]));
	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: bench-sha256 DIR [ROUNDS] | bench-sha256 --make DIR MB\n");
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	if (rounds < 1)
		rounds = 1;
	if (nftw(argv[1], collect, 64, FTW_PHYS | FTW_ACTIONRETVAL) < 0) {
		fprintf(stderr, "bench-sha256: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	uint8_t *buf = kr_malloc(READ_SIZE);
	char hex_read[KR_SHA256_HEX_SIZE], hex_old[KR_SHA256_HEX_SIZE], hex_new[KR_SHA256_HEX_SIZE];
	pass(0, buf, hex_read); /* into the page cache */
	double best[3] = { 1e30, 1e30, 1e30 };
	for (int r = 0; r < rounds; r++) {
		for (int which = 0; which < 3; which++) {
			char *hex = which == 0 ? hex_read : which == 1 ? hex_old : hex_new;
			double t = pass(which, buf, hex);
			if (t < best[which])
				best[which] = t;
		}
		if (strcmp(hex_old, hex_new)) {
			fprintf(stderr, "bench-sha256: the two implementations disagree\n");
			return 1;
		}
	}
	double mb = (double)total_bytes / 1e6;
	printf("%s: %zu files, %.1f MB, best of %d rounds (page cache warm)\n", argv[1], n_files,
	       mb, rounds);
	printf("  read only            %8.3f s %9.1f MB/s\n", best[0], mb / best[0]);
	printf("  hand-written (FIPS)  %8.3f s %9.1f MB/s\n", best[1], mb / best[1]);
	printf("  libcrypto EVP        %8.3f s %9.1f MB/s\n", best[2], mb / best[2]);
	printf("  libcrypto is %.2fx faster (tree digest %.16s...)\n", best[1] / best[2], hex_new);
	free(buf);
	return 0;
}
