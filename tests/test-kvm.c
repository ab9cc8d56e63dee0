/* SPDX-License-Identifier: MIT */
/* The KVM checks that need no guest; the boot check is in the qemu suite. */
#include <string.h>

#include "kr-test.h"
#include "kvm.h"

START_TEST(device_checks)
{
	_cleanup_free_ char *reason = NULL;
	ck_assert_int_eq(kr_kvm_check_device("/nonexistent/kvm", &reason), -ENOENT);
	ck_assert_ptr_nonnull(strstr(reason, "cannot open /nonexistent/kvm"));
	free(reason);
	reason = NULL;
	/* opens read-write, but is no KVM */
	ck_assert_int_eq(kr_kvm_check_device("/dev/null", &reason), -ENOTTY);
	ck_assert_ptr_nonnull(strstr(reason, "KVM_GET_API_VERSION"));
	setenv("KRADAR_KVM_DEVICE", "/dev/null", 1);
	ck_assert_str_eq(kr_kvm_device(), "/dev/null");
	unsetenv("KRADAR_KVM_DEVICE");
	ck_assert_str_eq(kr_kvm_device(), "/dev/kvm");
}
END_TEST

START_TEST(choose_without_kvm)
{
	setenv("KRADAR_KVM_DEVICE", "/nonexistent/kvm", 1);
	enum kr_accel a = KR_ACCEL_KVM;
	char *reason = NULL, *fallback = NULL;
	ck_assert_int_eq(kr_kvm_choose(KR_KVM_OFF, "qemu", "k", -1, &a, &reason, &fallback), 0);
	ck_assert_int_eq(a, KR_ACCEL_TCG);
	ck_assert_ptr_null(fallback);
	ck_assert_int_eq(kr_kvm_choose(KR_KVM_ON, "qemu", "k", -1, &a, &reason, &fallback),
			 -ENODEV);
	ck_assert_ptr_nonnull(strstr(reason, "/nonexistent/kvm"));
	free(reason);
	/* auto falls back and says so, once */
	a = KR_ACCEL_KVM;
	ck_assert_int_eq(kr_kvm_choose(KR_KVM_AUTO, "qemu", "k", -1, &a, &reason, &fallback), 0);
	ck_assert_int_eq(a, KR_ACCEL_TCG);
	ck_assert_ptr_nonnull(fallback);
	ck_assert_ptr_nonnull(strstr(fallback, "using TCG"));
	free(fallback);
	ck_assert_int_eq(kr_kvm_choose(KR_KVM_AUTO, "qemu", "k", -1, &a, &reason, &fallback), 0);
	ck_assert_int_eq(a, KR_ACCEL_TCG);
	ck_assert_ptr_null(fallback);
	ck_assert_str_eq(kr_accel_to_string(KR_ACCEL_TCG), "tcg");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kvm");
	TCase *tc = tcase_create("kvm");
	tcase_add_test(tc, device_checks);
	tcase_add_test(tc, choose_without_kvm);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
