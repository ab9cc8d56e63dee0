/* SPDX-License-Identifier: MIT */
/* The hand-written SHA-256 kradar had before libcrypto; bench/ only. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct fips_sha256 {
	uint32_t state[8];
	uint64_t total;
	uint8_t block[64];
	size_t used;
};

void fips_sha256_init(struct fips_sha256 *c);
void fips_sha256_update(struct fips_sha256 *c, const void *data, size_t len);
void fips_sha256_final(struct fips_sha256 *c, uint8_t digest[32]);
