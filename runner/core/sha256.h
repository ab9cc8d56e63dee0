/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4) through libcrypto: content keys for caches and
 * checksums of downloaded or built files. Streaming (init/update/final) for
 * large files, and one-shot helpers that give the 64-digit lowercase hex form.
 * This module is libcrypto's one user. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KR_SHA256_SIZE 32
#define KR_SHA256_HEX_SIZE 65 /* 64 hex digits and the NUL */

struct evp_md_ctx_st;

/* Lives on the stack; init takes libcrypto's context (aborts when out of
 * memory, as kr_malloc does), final gives it back. A hash abandoned before
 * final is released by kr_sha256_clear() (or _cleanup_sha256_). */
struct kr_sha256 {
	struct evp_md_ctx_st *ctx;
};

void kr_sha256_init(struct kr_sha256 *c);
void kr_sha256_update(struct kr_sha256 *c, const void *data, size_t len);
/* Writes the digest and releases the context; c must be initialised again
 * before reuse. */
void kr_sha256_final(struct kr_sha256 *c, uint8_t digest[KR_SHA256_SIZE]);
/* final, as lowercase hex. */
void kr_sha256_final_hex(struct kr_sha256 *c, char hex[KR_SHA256_HEX_SIZE]);
/* Releases a hash that will not be finished; a no-op after final or on a
 * zeroed struct. */
void kr_sha256_clear(struct kr_sha256 *c);
#define _cleanup_sha256_ __attribute__((cleanup(kr_sha256_clear)))

void kr_sha256_to_hex(const uint8_t digest[KR_SHA256_SIZE], char hex[KR_SHA256_HEX_SIZE]);
/* The hex digest of a buffer. */
void kr_sha256_hex(const void *data, size_t len, char hex[KR_SHA256_HEX_SIZE]);
/* The hex digest of a file's content; negative errno when it cannot be read. */
int kr_sha256_file(const char *path, char hex[KR_SHA256_HEX_SIZE]);
