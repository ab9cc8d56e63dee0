/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4): content keys for caches and checksums of downloaded
 * or built files. Streaming (init/update/final) for large files, and one-shot
 * helpers that give the 64-digit lowercase hex form. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KR_SHA256_SIZE 32
#define KR_SHA256_HEX_SIZE 65 /* 64 hex digits and the NUL */

/* A value type: lives on the stack, no allocation, nothing to free. */
struct kr_sha256 {
	uint32_t state[8];
	uint64_t total; /* bytes hashed so far */
	uint8_t block[64];
	size_t used; /* bytes in block */
};

void kr_sha256_init(struct kr_sha256 *c);
void kr_sha256_update(struct kr_sha256 *c, const void *data, size_t len);
/* Writes the digest; c must be initialised again before reuse. */
void kr_sha256_final(struct kr_sha256 *c, uint8_t digest[KR_SHA256_SIZE]);
/* final, as lowercase hex. */
void kr_sha256_final_hex(struct kr_sha256 *c, char hex[KR_SHA256_HEX_SIZE]);

void kr_sha256_to_hex(const uint8_t digest[KR_SHA256_SIZE], char hex[KR_SHA256_HEX_SIZE]);
/* The hex digest of a buffer. */
void kr_sha256_hex(const void *data, size_t len, char hex[KR_SHA256_HEX_SIZE]);
/* The hex digest of a file's content; negative errno when it cannot be read. */
int kr_sha256_file(const char *path, char hex[KR_SHA256_HEX_SIZE]);
