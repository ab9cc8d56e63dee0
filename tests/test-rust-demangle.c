/* SPDX-License-Identifier: MIT */
/* Rust v0 demangling of kernel frames. */
#include <string.h>

#include "kr-test.h"
#include "rust-demangle.h"
#include "util.h"

static const struct {
	const char *in, *out;
} names[] = {
	{ "_RNvMs3_NtCshgDM7dBCdno_11rust_binder7processNtB5_7Process10update_ref",
	  "<rust_binder::process::Process>::update_ref" },
	{ "_RNvXs1_CscPPBqWtAqum_11ashmem_rustNtB5_6AshmemNtNtCs43vyB533jt3_6kernel10miscdevice"
	  "10MiscDevice4mmap",
	  "<ashmem_rust::Ashmem as kernel::miscdevice::MiscDevice>::mmap" },
	{ "_RNvCscSpY9Juk0HT_7___rustc17rust_begin_unwind", "__rustc::rust_begin_unwind" },
	{ "_RNvNtNtCs9jEwPDbx20M_4core9panicking11panic_const24panic_const_sub_overflow",
	  "core::panicking::panic_const::panic_const_sub_overflow" },
	/* a reference type, backrefs into it, an instantiating crate */
	{ "_RNvXs1b_NtCs9jEwPDbx20M_4core3fmtRNtNtNtB8_5panic10panic_info9PanicInfoNtB6_7Display"
	  "3fmtCs43vyB533jt3_6kernel",
	  "<&core::panic::panic_info::PanicInfo as core::fmt::Display>::fmt" },
	{ "_RNvMNtNtCs43vyB533jt3_6kernel5alloc9allocatorNtB2_11ReallocFunc4call",
	  "<kernel::alloc::allocator::ReallocFunc>::call" },
	/* generic arguments, a closure, a vendor suffix */
	{ "_RINvCs1_4core4swapmE", "core::swap::<u32>" },
	{ "_RNCNvCs1_3foo3bar0B3_.llvm.123", "foo::bar::{closure#0}" },
};

START_TEST(known_symbols)
{
	_cleanup_free_ char *got = kr_rust_demangle(names[_i].in, strlen(names[_i].in));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, names[_i].out);
}
END_TEST

static const char *const not_symbols[] = {
	"", "_R", "foo", "_RNv", "_RC", "_RC3fo", "_RNvB_3foo", "_RB0_", "_RNvCs_3foo3bar+",
	"_RXC3fooC3barC3bazE", "_RSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSu",
	"_ZN4core3fmt5write17h0123456789abcdefE",
};

START_TEST(malformed_symbols_are_left_alone)
{
	ck_assert_ptr_null(kr_rust_demangle(not_symbols[_i], strlen(not_symbols[_i])));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rust-demangle");
	TCase *tc = tcase_create("rust-demangle");
	tcase_add_loop_test(tc, known_symbols, 0, (int)KR_ARRAY_SIZE(names));
	tcase_add_loop_test(tc, malformed_symbols_are_left_alone, 0, (int)KR_ARRAY_SIZE(not_symbols));
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
