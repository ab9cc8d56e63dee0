/* SPDX-License-Identifier: MIT */
/* .xz decompression (the only liblzma user): syzbot's disk images, bzImage
 * and vmlinux come as .xz. Streaming, with a cap on the output size, into a
 * temporary file that is renamed into place only when the whole stream
 * decompressed and checked out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

/* True when data starts with the .xz magic (FD 37 7A 58 5A 00). */
bool kr_xz_magic(const void *data, size_t len);

/* Decompresses src into dst. Runs of zero blocks become holes, so a mostly
 * empty disk image takes little space. sha256_hex (may be NULL) receives the
 * digest of the decompressed bytes. Errors, with a message in *err naming
 * src: -EFBIG when the output would exceed max_out bytes, -EBADMSG for data
 * that is not .xz, is corrupt or ends early, -errno for I/O. dst is never
 * left half-written. */
int kr_xz_decompress_file(const char *src, const char *dst, uint64_t max_out,
			  char sha256_hex[KR_SHA256_HEX_SIZE], char **err);
