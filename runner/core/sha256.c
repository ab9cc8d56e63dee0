/* SPDX-License-Identifier: MIT */
/* SHA-256 through libcrypto's EVP interface (its assembly uses the CPU's SHA
 * and vector extensions). The digest is fetched once, not at every init. */
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util.h"

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_md(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* libcrypto fails here only when out of memory or without its default
 * provider: nothing kradar can go on without. */
static _Noreturn void crypto_failed(const char *what)
{
	fprintf(stderr, "kradar: libcrypto: %s failed\n", what);
	abort();
}

void kr_sha256_init(struct kr_sha256 *c)
{
	pthread_once(&sha256_once, fetch_md);
	if (!sha256_md)
		crypto_failed("fetching SHA256");
	c->ctx = EVP_MD_CTX_new();
	if (!c->ctx || !EVP_DigestInit_ex(c->ctx, sha256_md, NULL))
		crypto_failed("EVP_DigestInit_ex");
}

void kr_sha256_update(struct kr_sha256 *c, const void *data, size_t len)
{
	if (len && !EVP_DigestUpdate(c->ctx, data, len))
		crypto_failed("EVP_DigestUpdate");
}

void kr_sha256_final(struct kr_sha256 *c, uint8_t digest[KR_SHA256_SIZE])
{
	unsigned int n = 0;
	if (!EVP_DigestFinal_ex(c->ctx, digest, &n) || n != KR_SHA256_SIZE)
		crypto_failed("EVP_DigestFinal_ex");
	kr_sha256_clear(c);
}

void kr_sha256_clear(struct kr_sha256 *c)
{
	EVP_MD_CTX_free(c->ctx);
	c->ctx = NULL;
}

void kr_sha256_to_hex(const uint8_t digest[KR_SHA256_SIZE], char hex[KR_SHA256_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < KR_SHA256_SIZE; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
}

void kr_sha256_final_hex(struct kr_sha256 *c, char hex[KR_SHA256_HEX_SIZE])
{
	uint8_t d[KR_SHA256_SIZE];
	kr_sha256_final(c, d);
	kr_sha256_to_hex(d, hex);
}

void kr_sha256_hex(const void *data, size_t len, char hex[KR_SHA256_HEX_SIZE])
{
	struct kr_sha256 c;
	kr_sha256_init(&c);
	kr_sha256_update(&c, data, len);
	kr_sha256_final_hex(&c, hex);
}

int kr_sha256_file(const char *path, char hex[KR_SHA256_HEX_SIZE])
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	_cleanup_sha256_ struct kr_sha256 c = { 0 };
	kr_sha256_init(&c);
	const size_t size = 1 << 17;
	_cleanup_free_ uint8_t *buf = kr_malloc(size);
	for (;;) {
		ssize_t n = read(fd, buf, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		kr_sha256_update(&c, buf, (size_t)n);
	}
	kr_sha256_final_hex(&c, hex);
	return 0;
}
