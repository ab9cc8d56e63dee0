/* SPDX-License-Identifier: MIT */
/* Demangling of Rust symbols in the v0 scheme (RFC 2603, "_R..."), which
 * the kernel's Rust code uses: crash titles name Rust functions the way
 * syzbot prints them, e.g. "<rust_binder::process::Process>::update_ref".
 * Crate disambiguators and hashes are left out. */
#pragma once

#include <stddef.h>

/* The demangled form of sym[0, len), or NULL when it is not a well-formed
 * v0 symbol. */
char *kr_rust_demangle(const char *sym, size_t len);
