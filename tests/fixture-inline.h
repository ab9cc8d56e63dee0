/* SPDX-License-Identifier: MIT */
/* The C source both symbolizer tests compile: fx_inner inlined into
 * fx_middle inlined into fx_caller, and fx_plain with no inlining. The
 * marked lines ("INNER", "MIDDLE", "CALLER", "PLAIN") are looked up in the
 * text by the tests, not written down. */
#pragma once

static const char fixture_src[] =
	"/* kradar test fixture: inline chain */\n"
	"static inline __attribute__((always_inline)) void fx_inner(volatile int *p)\n"
	"{\n"
	"\t*p = 1; /* INNER */\n"
	"\t*p = 2;\n"
	"}\n"
	"\n"
	"static inline __attribute__((always_inline)) void fx_middle(volatile int *p)\n"
	"{\n"
	"\tfx_inner(p); /* MIDDLE */\n"
	"\t*p = 3;\n"
	"}\n"
	"\n"
	"__attribute__((noinline)) void fx_caller(volatile int *p)\n"
	"{\n"
	"\tfx_middle(p); /* CALLER */\n"
	"\t*p = 4;\n"
	"}\n"
	"\n"
	"__attribute__((noinline)) void fx_plain(volatile int *p)\n"
	"{\n"
	"\t*p = 5; /* PLAIN */\n"
	"\t*p = 6;\n"
	"}\n"
	"\n"
	"void fx_entry(void)\n"
	"{\n"
	"\tstatic volatile int v;\n"
	"\tfx_caller(&v);\n"
	"\tfx_plain(&v);\n"
	"}\n";
