/* SPDX-License-Identifier: MIT */
/* The symbolizer's DWARF reader (dwarf-lines.h) on programs compiled here
 * (DWARF 4 and 5; linked without libc, so the fixture is the only unit):
 * the line of an address, the scopes of an inlined call and its call
 * sites, against the source's marked lines and against libdw (libdwfl's
 * line of every address of the fixture, a libdw walk for the scopes). */
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>

#include "dwarf-lines.h"
#include "kr-test.h"
#include "util.h"

#include "fixture-inline.h"

#define FIXTURE_PATH "/src/drivers/fx/fixture.c"

static int line_of(const char *marker)
{
	const char *at = strstr(fixture_src, marker);
	ck_assert_ptr_nonnull(at);
	int line = 1;
	for (const char *p = fixture_src; p < at; p++)
		line += *p == '\n';
	return line;
}

/* A static executable of the fixture, its source named FIXTURE_PATH in
 * the DWARF; without debug info when dwarf_version is 0. No CET: the
 * first bytes of fx_caller are the inlined store of fx_inner. A section
 * per function, unaligned: a sequence of rows per function, each ending
 * where the next starts (the end of a sequence and a row at one address). */
static char *compile(const char *dir, int dwarf_version)
{
	_cleanup_free_ char *c_path = kr_test_write(dir, "drivers/fx/fixture.c", fixture_src);
	_cleanup_free_ char *map = kr_asprintf("-fdebug-prefix-map=%s=/src", dir);
	_cleanup_free_ char *gflag = kr_asprintf("-gdwarf-%d", dwarf_version);
	char *out = kr_asprintf("%s/fixture-%d", dir, dwarf_version);
	char *argv[] = { "cc",
			 "-O2",
			 "-fcf-protection=none",
			 "-ffunction-sections",
			 "-falign-functions=1",
			 map,
			 "-nostdlib",
			 "-static",
			 "-no-pie",
			 "-Wl,-e,fx_entry",
			 c_path,
			 "-o",
			 out,
			 dwarf_version ? gflag : "-g0",
			 NULL };
	_cleanup_free_ char *err = NULL;
	int status = kr_test_spawn(argv, NULL, 0, NULL, &err, 60);
	ck_assert_msg(status == 0, "cc failed (%d): %s", status, err ? err : "");
	return out;
}

/* The file opened as the symbolizer opens it (libdwfl, offline). */
struct opened {
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf *dw;
	Dwarf_Addr bias;
};

static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file,
			GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	return -1;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static void open_elf(const char *path, struct opened *o)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	o->dwfl = dwfl_begin(&offline_callbacks);
	ck_assert_ptr_nonnull(o->dwfl);
	o->mod = dwfl_report_offline(o->dwfl, "fixture", path, fd);
	ck_assert_ptr_nonnull(o->mod);
	ck_assert_int_eq(dwfl_report_end(o->dwfl, NULL, NULL), 0);
	o->dw = dwfl_module_getdwarf(o->mod, &o->bias);
}

/* A function's address in the Dwfl's address space, and its size. */
static Dwarf_Addr function(const struct opened *o, const char *name, uint64_t *size)
{
	int n = dwfl_module_getsymtab(o->mod);
	for (int i = 0; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *sym_name = dwfl_module_getsym_info(o->mod, i, &sym, &addr, NULL, NULL,
							       NULL);
		if (sym_name && !strcmp(sym_name, name) && GELF_ST_TYPE(sym.st_info) == STT_FUNC) {
			*size = sym.st_size;
			return addr;
		}
	}
	ck_abort_msg("no function %s", name);
	return 0;
}

static struct kr_dwarf_unit *unit_at(struct kr_dwarf_lines *dl, const struct opened *o,
				     Dwarf_Addr addr, Dwarf_Die **cudie)
{
	Dwarf_Addr bias;
	*cudie = dwfl_module_addrdie(o->mod, addr, &bias);
	ck_assert_ptr_nonnull(*cudie);
	ck_assert_uint_eq(bias, o->bias);
	return kr_dwarf_lines_unit(dl, *cudie);
}

/* The scopes around pc as the symbolizer's libdw walk finds them. */
static size_t libdw_scopes(Dwarf_Die *cudie, Dwarf_Addr pc, Dwarf_Die **chain)
{
	Dwarf_Die die;
	size_t n = 0;
	*chain = NULL;
	if (dwarf_child(cudie, &die) != 0)
		return 0;
	for (;;) {
		int tag = dwarf_tag(&die);
		if ((tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
		     tag == DW_TAG_lexical_block) &&
		    dwarf_haspc(&die, pc) == 1) {
			*chain = kr_realloc(*chain, (n + 1) * sizeof(**chain));
			(*chain)[n++] = die;
			if (dwarf_child(&(*chain)[n - 1], &die) != 0)
				break;
			continue;
		}
		if (dwarf_siblingof(&die, &die) != 0)
			break;
	}
	return n;
}

static const char *scope_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Die origin;
	if (dwarf_attr(die, DW_AT_abstract_origin, &attr) && dwarf_formref_die(&attr, &origin))
		return dwarf_diename(&origin);
	return dwarf_diename(die);
}

static Dwarf_Word udata(Dwarf_Die *die, unsigned name)
{
	Dwarf_Attribute attr;
	Dwarf_Word v = 0;
	ck_assert_int_eq(dwarf_formudata(dwarf_attr(die, name, &attr), &v), 0);
	return v;
}

/* The chain at the first byte of fx_caller: fx_caller, fx_middle inlined
 * at CALLER, fx_inner inlined at MIDDLE; the line is INNER's. */
static void check_inline_chain(struct kr_dwarf_unit *u, Dwarf_Addr pc)
{
	const char *file = NULL;
	int line = 0;
	ck_assert_int_eq(kr_dwarf_unit_line(u, pc, &file, &line), 1);
	ck_assert_str_eq(file, FIXTURE_PATH);
	ck_assert_int_eq(line, line_of("INNER"));

	_cleanup_free_ Dwarf_Die *chain = NULL;
	size_t n = 0;
	ck_assert_int_eq(kr_dwarf_unit_scopes(u, pc, &chain, &n), 0);
	/* lexical blocks may sit between them: the named scopes, in order */
	Dwarf_Die *named[3];
	size_t n_named = 0;
	for (size_t i = 0; i < n; i++)
		if (dwarf_tag(&chain[i]) != DW_TAG_lexical_block) {
			ck_assert_uint_lt(n_named, 3);
			named[n_named++] = &chain[i];
		}
	ck_assert_uint_eq(n_named, 3);
	ck_assert_int_eq(dwarf_tag(named[0]), DW_TAG_subprogram);
	ck_assert_str_eq(scope_name(named[0]), "fx_caller");
	ck_assert_int_eq(dwarf_tag(named[1]), DW_TAG_inlined_subroutine);
	ck_assert_str_eq(scope_name(named[1]), "fx_middle");
	ck_assert_int_eq(dwarf_tag(named[2]), DW_TAG_inlined_subroutine);
	ck_assert_str_eq(scope_name(named[2]), "fx_inner");
	ck_assert_ptr_eq(named[2], &chain[n - 1]);
	/* the call sites, through the table's files */
	const char *middle_file = kr_dwarf_unit_file(u, udata(named[1], DW_AT_call_file));
	const char *inner_file = kr_dwarf_unit_file(u, udata(named[2], DW_AT_call_file));
	ck_assert_str_eq(middle_file ? middle_file : "(none)", FIXTURE_PATH);
	ck_assert_str_eq(inner_file ? inner_file : "(none)", FIXTURE_PATH);
	ck_assert_int_eq(udata(named[1], DW_AT_call_line), line_of("CALLER"));
	ck_assert_int_eq(udata(named[2], DW_AT_call_line), line_of("MIDDLE"));
	ck_assert_ptr_null(kr_dwarf_unit_file(u, 100000));
}

/* fx_plain's first byte: PLAIN, in fx_plain alone. */
static void check_plain(struct kr_dwarf_unit *u, Dwarf_Addr pc)
{
	const char *file = NULL;
	int line = 0;
	ck_assert_int_eq(kr_dwarf_unit_line(u, pc, &file, &line), 1);
	ck_assert_str_eq(file, FIXTURE_PATH);
	ck_assert_int_eq(line, line_of("PLAIN"));
	_cleanup_free_ Dwarf_Die *chain = NULL;
	size_t n = 0;
	ck_assert_int_eq(kr_dwarf_unit_scopes(u, pc, &chain, &n), 0);
	ck_assert_uint_ge(n, 1);
	ck_assert_int_eq(dwarf_tag(&chain[0]), DW_TAG_subprogram);
	ck_assert_str_eq(scope_name(&chain[0]), "fx_plain");
	for (size_t i = 0; i < n; i++)
		ck_assert_int_ne(dwarf_tag(&chain[i]), DW_TAG_inlined_subroutine);
}

/* The marked lines, then every address of the fixture's functions against
 * libdw (the unit's rows are sorted and its top-level scopes listed after
 * a few questions: both ways are asked), then the marked lines again. */
static void lines_and_scopes(int dwarf_version)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *elf_path = compile(dir, dwarf_version);
	struct opened o;
	open_elf(elf_path, &o);
	ck_assert_ptr_nonnull(o.dw);
	_cleanup_dwarf_lines_free_ struct kr_dwarf_lines *dl =
		kr_dwarf_lines_new(dwarf_getelf(o.dw));
	ck_assert_ptr_nonnull(dl);
	uint64_t caller_size, plain_size, entry_size;
	Dwarf_Addr caller = function(&o, "fx_caller", &caller_size);
	Dwarf_Addr plain = function(&o, "fx_plain", &plain_size);
	Dwarf_Addr entry = function(&o, "fx_entry", &entry_size);
	Dwarf_Die *cudie;
	struct kr_dwarf_unit *u = unit_at(dl, &o, caller, &cudie);
	check_inline_chain(u, caller - o.bias);
	/* the same unit, not a second reading of it */
	Dwarf_Die *cudie2;
	ck_assert_ptr_eq(unit_at(dl, &o, plain, &cudie2), u);
	check_plain(u, plain - o.bias);

	Dwarf_Addr lo = caller < plain ? caller : plain, hi = lo;
	const Dwarf_Addr starts[] = { caller, plain, entry };
	const uint64_t sizes[] = { caller_size, plain_size, entry_size };
	for (size_t i = 0; i < 3; i++) {
		lo = starts[i] < lo ? starts[i] : lo;
		hi = starts[i] + sizes[i] > hi ? starts[i] + sizes[i] : hi;
	}
	size_t with_line = 0, inlined = 0;
	for (Dwarf_Addr addr = lo; addr < hi; addr++) {
		Dwarf_Addr pc = addr - o.bias;
		const char *file = NULL;
		int line = 0;
		int found = kr_dwarf_unit_line(u, pc, &file, &line);
		ck_assert_int_ge(found, 0);
		Dwfl_Line *dwl = dwfl_module_getsrc(o.mod, addr);
		int want_line = 0;
		const char *want_file = dwl ? dwfl_lineinfo(dwl, NULL, &want_line, NULL, NULL, NULL)
					    : NULL;
		ck_assert_msg(found == (want_file != NULL), "0x%lx: reader %d, libdw %s",
			      (unsigned long)addr, found, want_file ? want_file : "no line");
		if (found) {
			ck_assert_str_eq(file, want_file);
			ck_assert_int_eq(line, want_line);
			with_line++;
		}
		_cleanup_free_ Dwarf_Die *chain = NULL, *want = NULL;
		size_t n = 0;
		ck_assert_int_eq(kr_dwarf_unit_scopes(u, pc, &chain, &n), 0);
		size_t want_n = libdw_scopes(cudie, pc, &want);
		ck_assert_uint_eq(n, want_n);
		for (size_t i = 0; i < n; i++) {
			ck_assert_uint_eq(dwarf_dieoffset(&chain[i]), dwarf_dieoffset(&want[i]));
			inlined += dwarf_tag(&chain[i]) == DW_TAG_inlined_subroutine;
		}
	}
	ck_assert_uint_gt(with_line, (hi - lo) / 2);
	ck_assert_uint_gt(inlined, 0);
	check_inline_chain(u, caller - o.bias);
	check_plain(u, plain - o.bias);
	dwfl_end(o.dwfl);
	kr_test_tmpdir_cleanup();
}

START_TEST(dwarf5)
{
	lines_and_scopes(5);
}
END_TEST

START_TEST(dwarf4)
{
	lines_and_scopes(4);
}
END_TEST

/* Where the maximum_operations_per_instruction byte of the first line
 * table header is in the file (DWARF 5, 32-bit lengths). */
static off_t max_ops_offset(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	ck_assert_ptr_nonnull(elf);
	size_t shstrndx;
	ck_assert_int_eq(elf_getshdrstrndx(elf, &shstrndx), 0);
	off_t at = -1;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr shdr;
		ck_assert_ptr_nonnull(gelf_getshdr(scn, &shdr));
		const char *name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && !strcmp(name, ".debug_line")) {
			ck_assert(!(shdr.sh_flags & SHF_COMPRESSED));
			at = (off_t)shdr.sh_offset;
		}
	}
	elf_end(elf);
	close(fd);
	ck_assert_int_ge(at, 0);
	/* unit_length 4, version 2, (5: address_size 1, seg_sel 1),
	 * header_length 4, minimum_instruction_length 1 */
	return at + 4 + 2 + 2 + 4 + 1;
}

/* What the reader does not follow is said (-EOPNOTSUPP), for the caller
 * to ask libdw: a VLIW line table, a file without .debug_line. The DIEs
 * of a unit whose line table is not read here are still walked. */
START_TEST(not_read_here)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *elf_path = compile(dir, 5);
	off_t at = max_ops_offset(elf_path);
	int fd = open(elf_path, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	unsigned char max_ops = 0;
	ck_assert_int_eq(pread(fd, &max_ops, 1, at), 1);
	ck_assert_int_eq(max_ops, 1);
	max_ops = 2;
	ck_assert_int_eq(pwrite(fd, &max_ops, 1, at), 1);
	close(fd);

	struct opened o;
	open_elf(elf_path, &o);
	ck_assert_ptr_nonnull(o.dw);
	_cleanup_dwarf_lines_free_ struct kr_dwarf_lines *dl =
		kr_dwarf_lines_new(dwarf_getelf(o.dw));
	ck_assert_ptr_nonnull(dl);
	uint64_t size;
	Dwarf_Addr caller = function(&o, "fx_caller", &size);
	Dwarf_Die *cudie;
	struct kr_dwarf_unit *u = unit_at(dl, &o, caller, &cudie);
	const char *file = NULL;
	int line = 0;
	ck_assert_int_eq(kr_dwarf_unit_line(u, caller - o.bias, &file, &line), -EOPNOTSUPP);
	ck_assert_ptr_null(file);
	ck_assert_ptr_null(kr_dwarf_unit_file(u, 1));
	_cleanup_free_ Dwarf_Die *chain = NULL;
	size_t n = 0;
	ck_assert_int_eq(kr_dwarf_unit_scopes(u, caller - o.bias, &chain, &n), 0);
	ck_assert_uint_ge(n, 3);
	ck_assert_str_eq(scope_name(&chain[n - 1]), "fx_inner");
	dwfl_end(o.dwfl);

	/* no debug info at all: no reader */
	_cleanup_free_ char *bare = compile(dir, 0);
	struct opened b;
	open_elf(bare, &b);
	ck_assert_ptr_null(b.dw);
	int bfd = open(bare, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(bfd, 0);
	Elf *elf = elf_begin(bfd, ELF_C_READ, NULL);
	ck_assert_ptr_nonnull(elf);
	ck_assert_ptr_null(kr_dwarf_lines_new(elf));
	ck_assert_ptr_null(kr_dwarf_lines_new(NULL));
	elf_end(elf);
	close(bfd);
	dwfl_end(b.dwfl);
	kr_dwarf_lines_free(NULL);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dwarf-lines");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, dwarf5);
	tcase_add_test(tc, dwarf4);
	tcase_add_test(tc, not_read_here);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
