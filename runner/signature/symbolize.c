/* SPDX-License-Identifier: MIT */
/* Frames to source lines with elfutils libdwfl (see symbolize.h). */
#include <ctype.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>

#include "stack.h"
#include "symbolize.h"

#define LINE_MAX_LEN 4096
/* A unit's rows are sorted, and its top-level scopes listed, when it is
 * asked about this many times: a report has a few frames in most units
 * it touches, and the index costs a few runs of the program or walks. */
#define INDEX_AFTER 4

struct sym {
	const char *name; /* in the ELF's string table */
	Dwarf_Addr addr;  /* in the Dwfl's address space */
	uint64_t size;
	uint64_t span; /* to the next function of its section; 0: none */
	GElf_Word shndx;
};

struct cached {
	Dwarf_Addr addr; /* 0: empty slot */
	bool resolved;
	struct kr_symbol_line *lines;
	size_t n;
};

/* A file of a line table: its path is made on first use. */
struct unit_file {
	const char *dir; /* NULL: the name is the path */
	const char *name;
	char *path;
};

/* An attribute of an abbreviation: its size when the form gives it. */
struct attr_spec {
	uint32_t attr;
	uint16_t form;
	int16_t size; /* bytes; -1: read the value to know */
};

/* An abbreviation of a unit's DIEs. */
struct abbrev {
	unsigned tag;
	bool children;
	bool end;          /* the code 0 that ends a list of children */
	uint32_t first, n; /* its attributes in the unit's specs */
	int32_t fixed;     /* their size when all are fixed and none is the sibling, else -1 */
};

/* A row of a line table, for units asked about more than once. */
struct line_row {
	uint64_t addr;
	int64_t line;
	uint32_t file;
	uint32_t seq; /* its place in the program */
	bool end;     /* an end of sequence */
};

struct top_scope;

/* One compilation unit's line table (DWARF 2-5 .debug_line), read here
 * instead of with dwarf_getsrclines: that decodes a unit's whole table
 * into sorted rows and builds every file's full path, about half a
 * millisecond per unit of a kernel, and a report's frames are mostly each
 * in a unit of its own. Here the header is read once (its file paths made
 * as libdw makes them) and each address runs the program without keeping
 * rows. Anything unusual (DW_LNE_define_file, a form not listed, VLIW
 * op_index) leaves the unit to libdw. */
struct line_unit {
	Dwarf_Off cu_off;
	bool usable;
	const unsigned char *prog, *end;
	uint8_t address_size, min_inst_len, default_is_stmt, line_range, opcode_base;
	int8_t line_base;
	const unsigned char *opcode_lengths; /* [opcode - 1] */
	/* what each special opcode adds to the line and the address (no
	 * division per row) */
	int16_t special_line[256];
	uint16_t special_addr[256];
	/* From the second address on, the rows sorted as libdw sorts them
	 * (address, an end of sequence first, program order): a binary
	 * search instead of a run of the program per address. */
	unsigned line_lookups;
	struct line_row *rows;
	size_t n_rows;
	/* From the second walk on, the top-level scopes in order
	 * (scope_chain_here); tops_read: tried */
	unsigned walks;
	bool tops_read, tops_ok;
	struct top_scope *tops;
	size_t n_tops;
	struct unit_file *files; /* index as in the program */
	size_t n_files, files_alloc;
	/* Its DIEs, walked here to find the scopes around an address
	 * (scope_chain_here); abbrevs by code; walkable: read so far */
	bool abbrevs_read, walkable;
	const unsigned char *cu_start, *cu_end;
	uint8_t version, offset_size, cu_address_size;
	struct abbrev *abbrevs;
	size_t n_abbrevs;
	struct attr_spec *specs;
	size_t n_specs;
};

struct elf_file {
	char *path;
	char *name; /* module name; NULL for vmlinux */
	const char *what; /* "vmlinux" or the file name, for warnings */
	bool opened;      /* tried to open: usable when dwfl is set */
	Dwfl *dwfl;
	Dwfl_Module *mod;
	bool has_dwarf;
	bool mismatch_warned; /* once per file: every frame after it says the same */
	struct sym *syms; /* sorted by name, then address */
	size_t n_syms;
	struct cached *cache; /* open addressing by address */
	size_t cache_alloc, cache_used;
	/* .debug_line, .debug_line_str, .debug_str as libdw reads them
	 * (decompressed, and relocated for a .ko); line NULL: libdw only */
	Elf_Data *line_sec, *line_str_sec, *str_sec, *abbrev_sec;
	struct line_unit *units;
	size_t n_units;
};

struct kr_symbolizer {
	struct elf_file *vmlinux;
	struct elf_file **modules;
	size_t n_modules;
	bool libdw_lines; /* kr_symbolizer_set_libdw_lines */
	char **seen;    /* every warning given, to give each once */
	char **pending; /* not yet taken */
};

static void warn(struct kr_symbolizer *s, const char *fmt, ...) KR_PRINTF(2, 3);
static void warn(struct kr_symbolizer *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	if (s->seen && kr_strv_contains(s->seen, msg)) {
		free(msg);
		return;
	}
	kr_strv_push(&s->seen, kr_strdup(msg));
	kr_strv_push(&s->pending, msg);
}

void kr_symbol_lines_free(struct kr_symbol_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(lines[i].func);
		free(lines[i].file);
	}
	free(lines);
}

static void elf_file_free(struct elf_file *f)
{
	if (!f)
		return;
	if (f->dwfl)
		dwfl_end(f->dwfl);
	free(f->syms);
	for (size_t i = 0; i < f->cache_alloc; i++)
		if (f->cache[i].addr)
			kr_symbol_lines_free(f->cache[i].lines, f->cache[i].n);
	free(f->cache);
	for (size_t i = 0; i < f->n_units; i++) {
		for (size_t j = 0; j < f->units[i].n_files; j++)
			free(f->units[i].files[j].path);
		free(f->units[i].files);
		free(f->units[i].abbrevs);
		free(f->units[i].specs);
		free(f->units[i].rows);
		free(f->units[i].tops);
	}
	free(f->units);
	free(f->path);
	free(f->name);
	free(f);
}

struct kr_symbolizer *kr_symbolizer_new(void)
{
	return kr_calloc(1, sizeof(struct kr_symbolizer));
}

void kr_symbolizer_free(struct kr_symbolizer *s)
{
	if (!s)
		return;
	elf_file_free(s->vmlinux);
	for (size_t i = 0; i < s->n_modules; i++)
		elf_file_free(s->modules[i]);
	free(s->modules);
	kr_strv_free(s->seen);
	kr_strv_free(s->pending);
	free(s);
}

void kr_symbolizer_set_libdw_lines(struct kr_symbolizer *s, bool on)
{
	s->libdw_lines = on;
}

char **kr_symbolizer_take_warnings(struct kr_symbolizer *s)
{
	return KR_TAKE_PTR(s->pending);
}

static struct elf_file *elf_file_new(const char *path, char *name)
{
	struct elf_file *f = kr_calloc(1, sizeof(*f));
	f->path = kr_strdup(path);
	f->name = name;
	const char *slash = strrchr(f->path, '/');
	f->what = name ? (slash ? slash + 1 : f->path) : "vmlinux";
	return f;
}

/* A missing file is said at once, not at the first frame it would have. */
static void check_exists(struct kr_symbolizer *s, const char *path)
{
	if (access(path, R_OK) < 0)
		warn(s, "%s: %s; its frames are not symbolized", path, strerror(errno));
}

void kr_symbolizer_set_vmlinux(struct kr_symbolizer *s, const char *path)
{
	check_exists(s, path);
	elf_file_free(s->vmlinux);
	s->vmlinux = elf_file_new(path, NULL);
}

/* The kernel's name of a module file: KBUILD_MODNAME, the base name
 * without .ko, '-' made '_'. */
static char *module_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t len = strlen(base);
	if (len > 3 && !strcmp(base + len - 3, ".ko"))
		len -= 3;
	char *name = kr_strndup(base, len);
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

static struct elf_file *find_module(struct kr_symbolizer *s, const char *name)
{
	for (size_t i = 0; i < s->n_modules; i++)
		if (!strcmp(s->modules[i]->name, name))
			return s->modules[i];
	return NULL;
}

void kr_symbolizer_add_module(struct kr_symbolizer *s, const char *path)
{
	char *name = module_name(path);
	struct elf_file *other = find_module(s, name);
	if (other) {
		warn(s, "%s: module %s already comes from %s; this file is ignored", path, name,
		     other->path);
		free(name);
		return;
	}
	check_exists(s, path);
	s->modules = kr_realloc(s->modules, (s->n_modules + 1) * sizeof(*s->modules));
	s->modules[s->n_modules++] = elf_file_new(path, name);
}

bool kr_symbolizer_has_files(const struct kr_symbolizer *s)
{
	return s->vmlinux || s->n_modules;
}

/* Separate debug files are not looked for: the file given is the one. */
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

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int addr_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The kernel prints a frame's size as the distance to the next symbol it
 * knows (kallsyms), not the ELF size: between the function's own size and
 * the start of the next function. */
static void set_spans(struct elf_file *f)
{
	_cleanup_free_ struct sym *funcs = kr_calloc(f->n_syms + 1, sizeof(*funcs));
	size_t n = 0;
	for (size_t i = 0; i < f->n_syms; i++)
		if (f->syms[i].size)
			funcs[n++] = f->syms[i];
	qsort(funcs, n, sizeof(*funcs), addr_cmp);
	for (size_t i = 0; i < f->n_syms; i++) {
		struct sym *y = &f->syms[i];
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (funcs[mid].shndx < y->shndx ||
			    (funcs[mid].shndx == y->shndx && funcs[mid].addr <= y->addr))
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && funcs[lo].shndx == y->shndx)
			y->span = funcs[lo].addr - y->addr;
	}
}

static void load_symbols(struct elf_file *f)
{
	int n = dwfl_module_getsymtab(f->mod);
	if (n <= 0)
		return;
	f->syms = kr_calloc((size_t)n, sizeof(*f->syms));
	for (int i = 0; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		const char *name = dwfl_module_getsym_info(f->mod, i, &sym, &addr, &shndx, NULL,
							   NULL);
		if (!name || !*name || sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS)
			continue;
		int type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_NOTYPE)
			continue;
		f->syms[f->n_syms++] = (struct sym){ name, addr, sym.st_size, 0, shndx };
	}
	set_spans(f);
	qsort(f->syms, f->n_syms, sizeof(*f->syms), sym_cmp);
}

/* The sections the line tables need, from the ELF libdw reads (its
 * decompressed, relocated data); only for a little-endian file on a
 * little-endian host, else every unit is left to libdw. */
static void find_line_sections(struct elf_file *f, Elf *elf)
{
	size_t shstrndx;
	const char *ident = elf ? elf_getident(elf, NULL) : NULL;
	if (!ident || ident[EI_DATA] != ELFDATA2LSB || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ ||
	    elf_getshdrstrndx(elf, &shstrndx) != 0)
		return;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr shdr;
		const char *name;
		if (!gelf_getshdr(scn, &shdr) || !(name = elf_strptr(elf, shstrndx, shdr.sh_name)))
			continue;
		Elf_Data **to = !strcmp(name, ".debug_line")	 ? &f->line_sec
				: !strcmp(name, ".debug_line_str") ? &f->line_str_sec
				: !strcmp(name, ".debug_str")	    ? &f->str_sec
				: !strcmp(name, ".debug_abbrev")   ? &f->abbrev_sec
								    : NULL;
		if (to)
			*to = elf_getdata(scn, NULL);
	}
}

/* A cursor over bytes that reads as far as its end and then fails. */
struct bytes {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t read_fixed(struct bytes *b, size_t n)
{
	if (b->bad || (size_t)(b->end - b->p) < n) {
		b->bad = true;
		return 0;
	}
	/* little-endian data on a little-endian host (find_line_sections) */
	uint64_t v = 0;
	if (n == 1 || n == 2 || n == 4 || n == 8)
		memcpy(&v, b->p, n);
	else
		for (size_t i = 0; i < n; i++)
			v |= (uint64_t)b->p[i] << (8 * i);
	b->p += n;
	return v;
}

static uint64_t read_uleb(struct bytes *b)
{
	uint64_t v = 0;
	for (unsigned shift = 0; !b->bad; shift += 7) {
		if (b->p >= b->end || shift > 63) {
			b->bad = true;
			break;
		}
		unsigned char c = *b->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			break;
	}
	return v;
}

static int64_t read_sleb(struct bytes *b)
{
	uint64_t v = 0;
	unsigned shift = 0;
	unsigned char c = 0;
	do {
		if (b->bad || b->p >= b->end || shift > 63) {
			b->bad = true;
			return 0;
		}
		c = *b->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	if (shift < 64 && (c & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

static const char *read_cstr(struct bytes *b)
{
	const unsigned char *nul = b->bad ? NULL : memchr(b->p, 0, (size_t)(b->end - b->p));
	if (!nul) {
		b->bad = true;
		return NULL;
	}
	const char *str = (const char *)b->p;
	b->p = nul + 1;
	return str;
}

static const char *section_str(const Elf_Data *sec, uint64_t off)
{
	if (!sec || !sec->d_buf || off >= sec->d_size ||
	    !memchr((const char *)sec->d_buf + off, 0, sec->d_size - off))
		return NULL;
	return (const char *)sec->d_buf + off;
}

/* One DWARF 5 directory or file entry field: its string (for the forms
 * of a path) or number, else NULL and *bad. */
static const char *read_form(const struct elf_file *f, struct bytes *b, uint64_t form,
			     unsigned offset_size, uint64_t *num)
{
	*num = 0;
	switch (form) {
	case DW_FORM_string:
		return read_cstr(b);
	case DW_FORM_line_strp:
		return section_str(f->line_str_sec, read_fixed(b, offset_size));
	case DW_FORM_strp:
		return section_str(f->str_sec, read_fixed(b, offset_size));
	case DW_FORM_udata:
		*num = read_uleb(b);
		return NULL;
	case DW_FORM_data1:
	case DW_FORM_data2:
	case DW_FORM_data4:
	case DW_FORM_data8:
		*num = read_fixed(b, form == DW_FORM_data1 ? 1 : form == DW_FORM_data2 ? 2
				  : form == DW_FORM_data4 ? 4 : 8);
		return NULL;
	case DW_FORM_data16:
		read_fixed(b, 8);
		read_fixed(b, 8);
		return NULL;
	case DW_FORM_block: {
		uint64_t len = read_uleb(b);
		if (len > (uint64_t)(b->end - b->p))
			b->bad = true;
		else
			b->p += len;
		return NULL;
	}
	default:
		b->bad = true;
		return NULL;
	}
}

static void push_file(struct line_unit *u, const char *dir, const char *name)
{
	if (u->n_files == u->files_alloc) {
		u->files_alloc = u->files_alloc ? u->files_alloc * 2 : 64;
		u->files = kr_realloc(u->files, u->files_alloc * sizeof(*u->files));
	}
	u->files[u->n_files++] = (struct unit_file){ dir, name, NULL };
}

/* A file's path as libdw gives it: an absolute name as it is, else its
 * directory, '/', the name (no directory: the name); NULL past the end. */
static const char *unit_file_path(const struct line_unit *u, uint64_t index)
{
	if (index >= u->n_files)
		return NULL;
	struct unit_file *uf = &u->files[index];
	if (uf->name[0] == '/' || !uf->dir)
		return uf->name;
	if (!uf->path)
		uf->path = kr_asprintf("%s/%s", uf->dir, uf->name);
	return uf->path;
}

/* The DWARF 5 directory or file table: n entries of the formats read
 * first; *dirs gets the directories, else files are pushed on u. */
static bool read_entries(const struct elf_file *f, struct bytes *b, unsigned offset_size,
			 const char ***dirs, size_t *n_dirs, struct line_unit *u)
{
	uint64_t n_formats = read_fixed(b, 1);
	uint64_t content[256], form[256];
	for (uint64_t i = 0; i < n_formats; i++) {
		content[i] = read_uleb(b);
		form[i] = read_uleb(b);
	}
	uint64_t n = read_uleb(b);
	if (b->bad || n > (uint64_t)(b->end - b->p))
		return false;
	for (uint64_t e = 0; e < n; e++) {
		const char *path = NULL;
		uint64_t dir = UINT64_MAX;
		for (uint64_t i = 0; i < n_formats; i++) {
			uint64_t num;
			const char *str = read_form(f, b, form[i], offset_size, &num);
			if (content[i] == DW_LNCT_path)
				path = str;
			else if (content[i] == DW_LNCT_directory_index)
				dir = num;
		}
		if (b->bad || !path)
			return false;
		if (!u) {
			*dirs = kr_realloc(*dirs, (*n_dirs + 1) * sizeof(**dirs));
			(*dirs)[(*n_dirs)++] = path;
			continue;
		}
		if (dir >= *n_dirs)
			return false;
		push_file(u, (*dirs)[dir], path);
	}
	return true;
}

/* Reads the header of the unit's table at off into u (usable when it
 * could be read here). */
static void read_line_header(const struct elf_file *f, Dwarf_Die *cudie, struct line_unit *u)
{
	Dwarf_Attribute attr;
	Dwarf_Word off;
	Dwarf_Die cu_die;
	uint8_t address_size, cu_offset_size;
	if (!f->line_sec || !f->line_sec->d_buf ||
	    dwarf_formudata(dwarf_attr(cudie, DW_AT_stmt_list, &attr), &off) != 0 ||
	    off >= f->line_sec->d_size ||
	    !dwarf_diecu(cudie, &cu_die, &address_size, &cu_offset_size))
		return;
	const unsigned char *sec = f->line_sec->d_buf;
	struct bytes b = { sec + off, sec + f->line_sec->d_size, false };
	unsigned offset_size = 4;
	uint64_t unit_length = read_fixed(&b, 4);
	if (unit_length == 0xffffffff) {
		offset_size = 8;
		unit_length = read_fixed(&b, 8);
	}
	if (b.bad || unit_length > (uint64_t)(b.end - b.p))
		return;
	b.end = b.p + unit_length;
	unsigned version = (unsigned)read_fixed(&b, 2);
	if (version < 2 || version > 5)
		return;
	if (version >= 5 && (read_fixed(&b, 1) != address_size || read_fixed(&b, 1) != 0))
		return;
	uint64_t header_length = read_fixed(&b, offset_size);
	if (b.bad || header_length > (uint64_t)(b.end - b.p))
		return;
	const unsigned char *prog = b.p + header_length;
	u->min_inst_len = (uint8_t)read_fixed(&b, 1);
	if (version >= 4 && read_fixed(&b, 1) != 1)
		return; /* VLIW op_index */
	u->default_is_stmt = (uint8_t)read_fixed(&b, 1);
	u->line_base = (int8_t)read_fixed(&b, 1);
	u->line_range = (uint8_t)read_fixed(&b, 1);
	u->opcode_base = (uint8_t)read_fixed(&b, 1);
	if (b.bad || !u->line_range || !u->opcode_base ||
	    (size_t)(prog - b.p) < (size_t)u->opcode_base - 1)
		return;
	u->opcode_lengths = b.p;
	b.p += u->opcode_base - 1;
	for (unsigned op = u->opcode_base; op < 256; op++) {
		unsigned adj = op - u->opcode_base;
		u->special_line[op] = (int16_t)(u->line_base + (int)(adj % u->line_range));
		u->special_addr[op] = (uint16_t)(u->min_inst_len * (adj / u->line_range));
	}
	/* libdw refuses a table whose lengths of known opcodes are not the
	 * standard ones: such a table stays its */
	static const unsigned char standard_lengths[] = { 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1 };
	for (size_t i = 0; i < KR_ARRAY_SIZE(standard_lengths) && i + 1 < u->opcode_base; i++)
		if (u->opcode_lengths[i] != standard_lengths[i])
			return;
	struct bytes hdr = { b.p, prog, false };
	/* the strings are the ELF's, kept for f's life */
	_cleanup_free_ const char **dirs = NULL;
	size_t n_dirs = 0;
	if (version >= 5) {
		if (!read_entries(f, &hdr, offset_size, &dirs, &n_dirs, NULL) ||
		    !read_entries(f, &hdr, offset_size, &dirs, &n_dirs, u))
			return;
		/* the list of no file still has libdw's placeholder */
		if (!u->n_files)
			push_file(u, NULL, "???");
	} else {
		/* directory 0 is the unit's, which may have none */
		dirs = kr_malloc(sizeof(*dirs));
		dirs[n_dirs++] = dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &attr));
		for (const char *d; (d = read_cstr(&hdr)) && *d;) {
			dirs = kr_realloc(dirs, (n_dirs + 1) * sizeof(*dirs));
			dirs[n_dirs++] = d;
		}
		push_file(u, NULL, "???");
		for (const char *name; (name = read_cstr(&hdr)) && *name;) {
			uint64_t dir = read_uleb(&hdr);
			read_uleb(&hdr);
			read_uleb(&hdr);
			if (hdr.bad || dir >= n_dirs)
				return;
			push_file(u, dirs[dir], name);
		}
	}
	if (hdr.bad || hdr.p != prog)
		return;
	u->prog = prog;
	u->end = b.end;
	u->address_size = address_size;
	u->usable = true;
}

static struct line_unit *line_unit(struct elf_file *f, Dwarf_Die *cudie)
{
	Dwarf_Off cu_off = dwarf_dieoffset(cudie);
	for (size_t i = 0; i < f->n_units; i++)
		if (f->units[i].cu_off == cu_off)
			return &f->units[i];
	f->units = kr_realloc(f->units, (f->n_units + 1) * sizeof(*f->units));
	struct line_unit *u = &f->units[f->n_units++];
	*u = (struct line_unit){ .cu_off = cu_off };
	read_line_header(f, cudie, u);
	return u;
}

/* Where the rows of a run of a line program go: the best row for pc, or
 * (rows) every row. */
struct row_sink {
	uint64_t pc;
	bool found, found_end;
	uint64_t best_addr, best_file;
	int64_t best_line;
	struct line_row *rows; /* NULL: keep the best only */
	size_t n_rows, rows_alloc;
};

/* The row dwfl_module_getsrc gives for pc: of the rows at or below pc,
 * the one at the highest address, a row before an end of sequence at the
 * same address, the later of two rows; none when that is an end of
 * sequence. */
static void add_row(struct row_sink *k, uint64_t addr, uint64_t file, int64_t line, bool end)
{
	if (k->rows) {
		if (k->n_rows == k->rows_alloc) {
			k->rows_alloc *= 2;
			k->rows = kr_realloc(k->rows, k->rows_alloc * sizeof(*k->rows));
		}
		k->rows[k->n_rows] = (struct line_row){ addr, line, (uint32_t)file,
							(uint32_t)k->n_rows, end };
		k->n_rows++;
		return;
	}
	if (addr <= k->pc && (!k->found || addr > k->best_addr ||
			      (addr == k->best_addr && (!end || k->found_end)))) {
		k->found = true;
		k->found_end = end;
		k->best_addr = addr;
		k->best_file = file;
		k->best_line = line;
	}
}

/* Runs the unit's line program into k; false when the program is not
 * one this reader follows (libdw is asked). */
static bool run_line_program(const struct line_unit *u, struct row_sink *k)
{
	struct bytes b = { u->prog, u->end, false };
	uint64_t addr = 0, file_reg = 1;
	int64_t line_reg = 1;
	while (b.p < b.end && !b.bad) {
		unsigned op = *b.p++;
		if (op >= u->opcode_base) {
			line_reg += u->special_line[op];
			addr += u->special_addr[op];
			add_row(k, addr, file_reg, line_reg, false);
			continue;
		}
		switch (op) {
		case 0: {
			/* libdw reads the length as one byte and the operands
			 * of the operations it knows whatever the length says:
			 * where the two could differ, it is asked */
			if ((size_t)(b.end - b.p) < 2 || (b.p[0] & 0x80))
				return false;
			unsigned len = *b.p++;
			if (!len || len > (size_t)(b.end - b.p))
				return false;
			const unsigned char *next = b.p + len;
			unsigned sub = *b.p++;
			if (sub == DW_LNE_end_sequence) {
				add_row(k, addr, file_reg, line_reg, true);
				addr = 0;
				file_reg = 1;
				line_reg = 1;
			} else if (sub == DW_LNE_set_address) {
				addr = read_fixed(&b, u->address_size);
			} else if (sub == DW_LNE_set_discriminator) {
				read_uleb(&b);
			} else if (sub == DW_LNE_define_file || sub >= DW_LNE_lo_user) {
				return false;
			} else {
				b.p = next;
			}
			if (b.p != next)
				return false;
			break;
		}
		case DW_LNS_copy:
			add_row(k, addr, file_reg, line_reg, false);
			break;
		case DW_LNS_advance_pc:
			addr += u->min_inst_len * read_uleb(&b);
			break;
		case DW_LNS_advance_line:
			line_reg += read_sleb(&b);
			break;
		case DW_LNS_set_file:
			file_reg = read_uleb(&b);
			if (file_reg > UINT32_MAX)
				return false;
			break;
		case DW_LNS_const_add_pc:
			addr += (uint64_t)u->min_inst_len * ((255u - u->opcode_base) / u->line_range);
			break;
		case DW_LNS_fixed_advance_pc:
			addr += read_fixed(&b, 2);
			break;
		case DW_LNS_negate_stmt:
		case DW_LNS_set_basic_block:
		case DW_LNS_set_prologue_end:
		case DW_LNS_set_epilogue_begin:
			break;
		default: /* set_column, set_isa, and opcodes not known here */
			for (unsigned i = 0; i < u->opcode_lengths[op - 1]; i++)
				read_uleb(&b);
			break;
		}
	}
	return !b.bad;
}

static int row_cmp(const void *a, const void *b)
{
	const struct line_row *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->end != y->end)
		return x->end ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The row for pc (see add_row): 1: found (*file, *line); 0: no row; -1:
 * the program is not one this reader follows. The first address of a
 * unit runs its program; the second sorts its rows for the rest. */
static int line_lookup(struct line_unit *u, Dwarf_Addr pc, unsigned *file, int *line)
{
	struct row_sink k = { .pc = pc };
	if (u->line_lookups++ == INDEX_AFTER) {
		k.rows_alloc = 1024;
		k.rows = kr_malloc(k.rows_alloc * sizeof(*k.rows));
		if (!run_line_program(u, &k)) {
			free(k.rows);
			return -1;
		}
		qsort(k.rows, k.n_rows, sizeof(*k.rows), row_cmp);
		u->rows = k.rows;
		u->n_rows = k.n_rows;
		k.rows = NULL;
	}
	if (u->rows) {
		/* the last row at or below pc */
		size_t lo = 0, hi = u->n_rows;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (u->rows[mid].addr <= pc)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo) {
			const struct line_row *r = &u->rows[lo - 1];
			k = (struct row_sink){ .found = true, .found_end = r->end,
					       .best_file = r->file, .best_line = r->line };
		}
	} else if (!run_line_program(u, &k)) {
		return -1;
	}
	if (!k.found || k.found_end || k.best_line < INT_MIN || k.best_line > INT_MAX)
		return 0;
	*file = (unsigned)k.best_file;
	*line = (int)k.best_line;
	return 1;
}

/* Opens f on first use; false when it cannot be used (warned). */
static bool open_file(struct kr_symbolizer *s, struct elf_file *f)
{
	if (f->opened)
		return f->dwfl != NULL;
	f->opened = true;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		warn(s, "%s: %s; its frames are not symbolized", f->path, strerror(errno));
		return false;
	}
	Dwfl *dwfl = dwfl_begin(&offline_callbacks);
	if (!dwfl) {
		close(fd);
		warn(s, "%s: %s; its frames are not symbolized", f->path, dwfl_errmsg(-1));
		return false;
	}
	/* On success the descriptor belongs to libdwfl. */
	Dwfl_Module *mod = dwfl_report_offline(dwfl, f->name ? f->name : "vmlinux", f->path, fd);
	if (!mod || dwfl_report_end(dwfl, NULL, NULL) != 0) {
		if (!mod)
			close(fd);
		warn(s, "%s: not a usable ELF file (%s); its frames are not symbolized", f->path,
		     dwfl_errmsg(-1));
		dwfl_end(dwfl);
		return false;
	}
	f->dwfl = dwfl;
	f->mod = mod;
	load_symbols(f);
	if (!f->n_syms) {
		warn(s, "%s: no symbol table; its frames are not symbolized", f->path);
		return true;
	}
	Dwarf_Addr bias;
	Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
	f->has_dwarf = dw != NULL;
	if (dw && !s->libdw_lines)
		find_line_sections(f, dwarf_getelf(dw));
	if (!f->has_dwarf)
		warn(s, "%s: no debug info (stripped?); its frames stay without source lines",
		     f->path);
	return true;
}

/* The first symbol called name that the kernel would print with this
 * size, else NULL; *named says whether there was any of that name. */
static const struct sym *find_sym(const struct elf_file *f, const char *name, uint64_t size,
				  bool *named)
{
	size_t lo = 0, hi = f->n_syms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(f->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*named = false;
	for (size_t i = lo; i < f->n_syms && !strcmp(f->syms[i].name, name); i++) {
		*named = true;
		const struct sym *y = &f->syms[i];
		if (y->size <= size && (!y->span || size <= y->span))
			return y;
	}
	return NULL;
}

/* Top directories of a kernel tree, to find where a path inside a tree
 * given by its absolute path starts (an out-of-tree build's srctree, a
 * headers package). usr/, tools/, scripts/ and samples/ are left out: they
 * are common in the directories above trees and rare in reports. */
static const char *const tree_dirs[] = {
	"arch/", "block/", "certs/", "crypto/", "drivers/", "fs/", "include/", "init/",
	"io_uring/", "ipc/", "kernel/", "lib/", "mm/", "net/", "rust/", "security/",
	"sound/", "virt/",
};

static const char *under(const char *path, const char *dir)
{
	size_t len = dir ? strlen(dir) : 0;
	if (!len || strncmp(path, dir, len))
		return NULL;
	if (dir[len - 1] == '/')
		return path + len;
	return path[len] == '/' ? path + len + 1 : NULL;
}

/* A source path relative to the kernel tree when it can be told: under
 * the compilation directory, from a kernel top directory on, or (out-of-tree
 * modules) under the directory of the compilation unit's file. */
static char *tree_path(const char *path, const char *comp_dir, const char *cu_dir)
{
	const char *rel = under(path, comp_dir);
	if (!rel && path[0] == '/') {
		for (const char *p = path; p && !rel; p = strchr(p + 1, '/'))
			for (size_t i = 0; i < KR_ARRAY_SIZE(tree_dirs); i++)
				if (!strncmp(p + 1, tree_dirs[i], strlen(tree_dirs[i]))) {
					rel = p + 1;
					break;
				}
		if (!rel)
			rel = under(path, cu_dir);
	}
	if (!rel)
		rel = path;
	while (!strncmp(rel, "./", 2) || !strncmp(rel, "../", 3))
		rel += rel[1] == '/' ? 2 : 3;
	return kr_strdup(rel);
}

static const char *die_name(Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);
	if (name)
		return name;
	Dwarf_Attribute attr;
	Dwarf_Die origin;
	if (dwarf_attr(die, DW_AT_abstract_origin, &attr) && dwarf_formref_die(&attr, &origin))
		return dwarf_diename(&origin);
	return NULL;
}

static void push_line(struct kr_symbol_line **lines, size_t *n, const char *func, char *file,
		      int line, bool is_inline)
{
	*lines = kr_realloc(*lines, (*n + 1) * sizeof(**lines));
	(*lines)[(*n)++] = (struct kr_symbol_line){
		.func = kr_strdup(func ? func : "??"),
		.file = file,
		.line = line,
		.is_inline = is_inline,
	};
}

/* The scopes around pc, outermost (the function) first: down from the
 * compilation unit through the DIEs whose ranges hold pc, skipping every
 * other subtree (dwarf_getscopes reads the whole unit up to the function,
 * and follows inlined calls to their abstract definitions). */
static size_t scope_chain(Dwarf_Die *cudie, Dwarf_Addr pc, Dwarf_Die **chain)
{
	Dwarf_Die die;
	size_t n = 0;
	*chain = NULL;
	if (dwarf_child(cudie, &die) != 0)
		return 0;
	for (;;) {
		int tag = dwarf_tag(&die);
		bool scope = tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
			     tag == DW_TAG_lexical_block;
		if (scope && dwarf_haspc(&die, pc) == 1) {
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

/* The walk of a unit's DIEs that scope_chain does with libdw, here:
 * libdw takes some 80 ns a DIE to step over the types and declarations
 * before a function (a kernel unit has thousands), most of the time of a
 * frame. Only the scopes' ranges are asked of libdw (dwarf_haspc). A
 * unit with a form or abbreviation not known here is left to libdw. */

/* The size of a form's values in this unit: -1 when the value must be
 * read to know it, -2 for a form not known here. */
static int form_size(const struct line_unit *u, uint64_t form)
{
	switch (form) {
	case DW_FORM_flag_present:
	case DW_FORM_implicit_const:
		return 0;
	case DW_FORM_data1:
	case DW_FORM_ref1:
	case DW_FORM_flag:
	case DW_FORM_strx1:
	case DW_FORM_addrx1:
		return 1;
	case DW_FORM_data2:
	case DW_FORM_ref2:
	case DW_FORM_strx2:
	case DW_FORM_addrx2:
		return 2;
	case DW_FORM_strx3:
	case DW_FORM_addrx3:
		return 3;
	case DW_FORM_data4:
	case DW_FORM_ref4:
	case DW_FORM_ref_sup4:
	case DW_FORM_strx4:
	case DW_FORM_addrx4:
		return 4;
	case DW_FORM_data8:
	case DW_FORM_ref8:
	case DW_FORM_ref_sig8:
	case DW_FORM_ref_sup8:
		return 8;
	case DW_FORM_data16:
		return 16;
	case DW_FORM_addr:
		return u->cu_address_size;
	case DW_FORM_ref_addr:
		return u->version == 2 ? u->cu_address_size : u->offset_size;
	case DW_FORM_strp:
	case DW_FORM_line_strp:
	case DW_FORM_sec_offset:
	case DW_FORM_strp_sup:
	case DW_FORM_GNU_ref_alt:
	case DW_FORM_GNU_strp_alt:
		return u->offset_size;
	case DW_FORM_sdata:
	case DW_FORM_udata:
	case DW_FORM_ref_udata:
	case DW_FORM_strx:
	case DW_FORM_addrx:
	case DW_FORM_loclistx:
	case DW_FORM_rnglistx:
	case DW_FORM_GNU_addr_index:
	case DW_FORM_GNU_str_index:
	case DW_FORM_string:
	case DW_FORM_block1:
	case DW_FORM_block2:
	case DW_FORM_block4:
	case DW_FORM_block:
	case DW_FORM_exprloc:
		return -1;
	default:
		return -2;
	}
}

/* The unit header and abbreviations of cudie's unit, once. */
static bool read_abbrevs(const struct elf_file *f, struct line_unit *u, Dwarf_Die *cudie)
{
	if (u->abbrevs_read)
		return u->walkable;
	u->abbrevs_read = true;
	if (!f->abbrev_sec || !f->abbrev_sec->d_buf)
		return false;
	u->cu_start = (const unsigned char *)cudie->addr - dwarf_cuoffset(cudie);
	struct bytes b = { u->cu_start, cudie->addr, false };
	u->offset_size = 4;
	uint64_t len = read_fixed(&b, 4);
	if (len == 0xffffffff) {
		u->offset_size = 8;
		len = read_fixed(&b, 8);
	}
	u->cu_end = b.p + len;
	u->version = (uint8_t)read_fixed(&b, 2);
	uint64_t abbrev_off;
	if (u->version >= 5) {
		uint64_t unit_type = read_fixed(&b, 1);
		if (unit_type != DW_UT_compile && unit_type != DW_UT_partial)
			return false;
		u->cu_address_size = (uint8_t)read_fixed(&b, 1);
		abbrev_off = read_fixed(&b, u->offset_size);
	} else {
		abbrev_off = read_fixed(&b, u->offset_size);
		u->cu_address_size = (uint8_t)read_fixed(&b, 1);
	}
	if (b.bad || u->version < 2 || u->version > 5 ||
	    u->cu_end < (const unsigned char *)cudie->addr || abbrev_off >= f->abbrev_sec->d_size)
		return false;
	const unsigned char *sec = f->abbrev_sec->d_buf;
	struct bytes a = { sec + abbrev_off, sec + f->abbrev_sec->d_size, false };
	size_t abbrevs_alloc = 0, specs_alloc = 0;
	for (;;) {
		uint64_t code = read_uleb(&a);
		if (a.bad || !code)
			break;
		/* GCC numbers a unit's abbreviations from 1 on */
		if (code != u->n_abbrevs + 1)
			return false;
		struct abbrev ab = { .tag = (unsigned)read_uleb(&a), .first = (uint32_t)u->n_specs };
		ab.children = read_fixed(&a, 1) != 0;
		for (;;) {
			uint64_t attr = read_uleb(&a), form = read_uleb(&a);
			if (a.bad || (!attr && !form))
				break;
			if (form == DW_FORM_implicit_const)
				read_sleb(&a);
			int size = form_size(u, form);
			if (size == -2 || attr > UINT32_MAX)
				return false;
			if (u->n_specs == specs_alloc) {
				specs_alloc = specs_alloc ? 2 * specs_alloc : 256;
				u->specs = kr_realloc(u->specs, specs_alloc * sizeof(*u->specs));
			}
			u->specs[u->n_specs++] = (struct attr_spec){ (uint32_t)attr, (uint16_t)form,
								     (int16_t)size };
			ab.n++;
		}
		if (a.bad)
			return false;
		ab.fixed = 0;
		for (uint32_t i = ab.first; i < ab.first + ab.n && ab.fixed >= 0; i++)
			ab.fixed = u->specs[i].size < 0 || u->specs[i].attr == DW_AT_sibling
					   ? -1
					   : ab.fixed + u->specs[i].size;
		if (u->n_abbrevs == abbrevs_alloc) {
			abbrevs_alloc = abbrevs_alloc ? 2 * abbrevs_alloc : 128;
			u->abbrevs = kr_realloc(u->abbrevs, abbrevs_alloc * sizeof(*u->abbrevs));
		}
		u->abbrevs[u->n_abbrevs++] = ab;
	}
	u->walkable = !a.bad;
	return u->walkable;
}

/* Steps over one attribute value of a form read to know its size. */
static bool skip_value(struct bytes *b, uint64_t form)
{
	uint64_t size;
	switch (form) {
	case DW_FORM_string:
		return read_cstr(b) != NULL;
	case DW_FORM_block1:
		size = read_fixed(b, 1);
		break;
	case DW_FORM_block2:
		size = read_fixed(b, 2);
		break;
	case DW_FORM_block4:
		size = read_fixed(b, 4);
		break;
	case DW_FORM_block:
	case DW_FORM_exprloc:
		size = read_uleb(b);
		break;
	default: /* the LEB128 forms */
		read_uleb(b);
		return !b->bad;
	}
	if (b->bad || size > (uint64_t)(b->end - b->p))
		return false;
	b->p += size;
	return true;
}

static bool skip_spec(struct bytes *b, const struct attr_spec *sp)
{
	if (sp->size < 0)
		return skip_value(b, sp->form);
	if ((size_t)(b->end - b->p) < (size_t)sp->size)
		return false;
	b->p += sp->size;
	return true;
}

static const struct abbrev *abbrev_of(const struct line_unit *u, struct bytes *b)
{
	static const struct abbrev end = { .end = true };
	uint64_t code;
	if (b->p < b->end && *b->p < 0x80)
		code = *b->p++;
	else
		code = read_uleb(b);
	if (b->bad || code > u->n_abbrevs)
		return NULL;
	return code ? &u->abbrevs[code - 1] : &end;
}

/* A DW_AT_sibling value: where the sibling starts, or NULL. */
static const unsigned char *sibling_at(const struct line_unit *u, uint64_t form,
				       const unsigned char *value, const unsigned char *end)
{
	struct bytes v = { value, end, false };
	uint64_t to;
	switch (form) {
	case DW_FORM_ref1:
	case DW_FORM_ref2:
	case DW_FORM_ref4:
	case DW_FORM_ref8:
		to = read_fixed(&v, (size_t)(end - value));
		break;
	case DW_FORM_ref_udata:
		to = read_uleb(&v);
		break;
	default:
		return NULL;
	}
	if (v.bad || to >= (uint64_t)(u->cu_end - u->cu_start) || u->cu_start + to <= value)
		return NULL;
	return u->cu_start + to;
}

/* Steps over a DIE's attributes or to its sibling when it names it (as
 * libdw does: *jumped). */
static bool skip_attrs(const struct line_unit *u, const struct abbrev *ab, struct bytes *b,
		       bool *jumped)
{
	*jumped = false;
	if (ab->fixed >= 0) {
		if ((size_t)(b->end - b->p) < (size_t)ab->fixed)
			return false;
		b->p += ab->fixed;
		return true;
	}
	for (uint32_t i = ab->first; i < ab->first + ab->n; i++) {
		const struct attr_spec *sp = &u->specs[i];
		const unsigned char *value = b->p;
		if (!skip_spec(b, sp))
			return false;
		if (sp->attr == DW_AT_sibling) {
			if (!(b->p = sibling_at(u, sp->form, value, b->p)))
				return false;
			*jumped = true;
			return true;
		}
	}
	return true;
}

/* The attributes of a scope that tell whether it holds an address. */
struct scope_attrs {
	bool low, high, high_is_offset, other; /* other: ask libdw */
	uint64_t low_pc, high_pc;
	const unsigned char *sibling; /* NULL: none */
};

/* Reads a scope's attributes (all of them: its children follow). */
static bool read_scope_attrs(const struct line_unit *u, const struct abbrev *ab, struct bytes *b,
			     struct scope_attrs *sa)
{
	*sa = (struct scope_attrs){ 0 };
	for (uint32_t i = ab->first; i < ab->first + ab->n; i++) {
		const struct attr_spec *sp = &u->specs[i];
		const unsigned char *value = b->p;
		if (!skip_spec(b, sp))
			return false;
		struct bytes v = { value, b->p, false };
		uint16_t form = sp->form;
		if (form == DW_FORM_implicit_const) {
			if (sp->attr == DW_AT_sibling)
				return false;
			if (sp->attr == DW_AT_low_pc || sp->attr == DW_AT_high_pc)
				sa->other = true;
		} else if (sp->attr == DW_AT_low_pc && form == DW_FORM_addr) {
			sa->low = true;
			sa->low_pc = read_fixed(&v, (size_t)(b->p - value));
		} else if (sp->attr == DW_AT_high_pc && form == DW_FORM_addr) {
			sa->high = true;
			sa->high_pc = read_fixed(&v, (size_t)(b->p - value));
		} else if (sp->attr == DW_AT_high_pc &&
			   (form == DW_FORM_data1 || form == DW_FORM_data2 || form == DW_FORM_data4 ||
			    form == DW_FORM_data8 || form == DW_FORM_udata)) {
			sa->high = sa->high_is_offset = true;
			sa->high_pc = form == DW_FORM_udata ? read_uleb(&v)
							    : read_fixed(&v, (size_t)(b->p - value));
		} else if (sp->attr == DW_AT_sibling) {
			/* a form libdw's dwarf_siblingof may read otherwise: its walk */
			if (!(sa->sibling = sibling_at(u, form, value, b->p)))
				return false;
		} else if (sp->attr == DW_AT_low_pc || sp->attr == DW_AT_high_pc ||
			   sp->attr == DW_AT_ranges) {
			sa->other = true;
		}
		if (v.bad)
			return false;
	}
	return true;
}

/* Whether the scope d holds pc as dwarf_haspc says: [low_pc, high_pc)
 * read here, no range attribute at all (no), else libdw's answer. */
static int scope_has_pc(const struct scope_attrs *sa, Dwarf_Die *d, Dwarf_Addr pc)
{
	if (sa->other || sa->low != sa->high)
		return dwarf_haspc(d, pc);
	if (!sa->low)
		return 0;
	uint64_t high = sa->high_is_offset ? sa->low_pc + sa->high_pc : sa->high_pc;
	return pc >= sa->low_pc && pc < high;
}

/* Steps over the children of a DIE whose attributes were read (depth 1),
 * or over a DIE after its code (ab) and its children (depth 0). */
static bool skip_die_from(const struct line_unit *u, const struct abbrev *ab, struct bytes *b,
			  size_t depth)
{
	for (;;) {
		if (ab) {
			bool jumped;
			if (!skip_attrs(u, ab, b, &jumped))
				return false;
			if (ab->children && !jumped)
				depth++;
		}
		if (!depth)
			return true;
		if (!(ab = abbrev_of(u, b)))
			return false;
		if (ab->end) {
			depth--;
			ab = NULL;
		}
	}
}

/* A top-level scope of a unit: where it starts, where its children do,
 * and its ranges' attributes. */
struct top_scope {
	const unsigned char *at, *children;
	bool has_children;
	struct scope_attrs sa;
};

/* scope_chain's walk from b (a list of DIEs) down; false when the unit is
 * not one followed here (*chain is then freed). */
static bool walk_scopes(const struct line_unit *u, Dwarf_Die *cudie, Dwarf_Addr pc,
			struct bytes b, Dwarf_Die **chain, size_t *n)
{
	for (;;) {
		const unsigned char *at = b.p;
		const struct abbrev *ab = abbrev_of(u, &b);
		if (!ab)
			break;
		if (ab->end)
			return true;
		bool scope = ab->tag == DW_TAG_subprogram || ab->tag == DW_TAG_inlined_subroutine ||
			     ab->tag == DW_TAG_lexical_block;
		if (!scope) {
			if (!skip_die_from(u, ab, &b, 0))
				break;
			continue;
		}
		Dwarf_Die d = { .addr = (void *)at, .cu = cudie->cu };
		struct scope_attrs sa;
		if (!read_scope_attrs(u, ab, &b, &sa))
			break;
		if (scope_has_pc(&sa, &d, pc) == 1) {
			*chain = kr_realloc(*chain, (*n + 1) * sizeof(**chain));
			(*chain)[(*n)++] = d;
			if (!ab->children)
				return true;
			continue; /* its children follow its attributes */
		}
		if (sa.sibling)
			b.p = sa.sibling;
		else if (ab->children && !skip_die_from(u, NULL, &b, 1))
			break;
	}
	free(*chain);
	*chain = NULL;
	*n = 0;
	return false;
}

/* Lists the unit's top-level scopes, in order (false: not followed here). */
static bool read_tops(struct line_unit *u, const unsigned char *first)
{
	struct bytes b = { first, u->cu_end, false };
	size_t alloc = 0;
	for (;;) {
		const unsigned char *at = b.p;
		const struct abbrev *ab = abbrev_of(u, &b);
		if (!ab)
			return false;
		if (ab->end)
			return true;
		bool scope = ab->tag == DW_TAG_subprogram || ab->tag == DW_TAG_inlined_subroutine ||
			     ab->tag == DW_TAG_lexical_block;
		if (!scope) {
			if (!skip_die_from(u, ab, &b, 0))
				return false;
			continue;
		}
		struct top_scope t = { .at = at, .has_children = ab->children };
		if (!read_scope_attrs(u, ab, &b, &t.sa))
			return false;
		t.children = b.p;
		if (u->n_tops == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			u->tops = kr_realloc(u->tops, alloc * sizeof(*u->tops));
		}
		u->tops[u->n_tops++] = t;
		if (t.sa.sibling)
			b.p = t.sa.sibling;
		else if (ab->children && !skip_die_from(u, NULL, &b, 1))
			return false;
	}
}

/* scope_chain's walk; false when the unit is not one followed here. From
 * the unit's second walk on, its top-level scopes are listed once and
 * only they are looked at (a unit's top level is mostly types and
 * declarations). */
static bool scope_chain_here(struct line_unit *u, Dwarf_Die *cudie, Dwarf_Addr pc,
			     Dwarf_Die **chain, size_t *n)
{
	Dwarf_Die die;
	*chain = NULL;
	*n = 0;
	if (dwarf_child(cudie, &die) != 0)
		return true;
	if (u->walks++ >= INDEX_AFTER && !u->tops_read) {
		u->tops_read = true;
		u->tops_ok = read_tops(u, die.addr);
	}
	if (!u->tops_ok)
		return walk_scopes(u, cudie, pc, (struct bytes){ die.addr, u->cu_end, false }, chain,
				   n);
	for (size_t i = 0; i < u->n_tops; i++) {
		const struct top_scope *t = &u->tops[i];
		Dwarf_Die d = { .addr = (void *)t->at, .cu = cudie->cu };
		if (scope_has_pc(&t->sa, &d, pc) != 1)
			continue;
		*chain = kr_malloc(sizeof(**chain));
		(*chain)[(*n)++] = d;
		if (!t->has_children)
			return true;
		return walk_scopes(u, cudie, pc, (struct bytes){ t->children, u->cu_end, false },
				   chain, n);
	}
	return true;
}

/* The file and line of addr and the files of its unit, with the reader
 * above when it can, else with libdw. The strings live as long as f. */
struct line_at {
	const char *file;
	int line;
	const char *comp_dir;
	Dwarf_Die *cudie;
	Dwarf_Addr bias;
	const struct line_unit *unit; /* its files, else files/n_files */
	Dwarf_Files *files;
	size_t n_files;
	struct line_unit *walk; /* for scope_chain_here */
};

static bool line_at(struct elf_file *f, Dwarf_Addr addr, struct line_at *at)
{
	*at = (struct line_at){ 0 };
	Dwarf_Attribute attr;
	at->cudie = dwfl_module_addrdie(f->mod, addr, &at->bias);
	struct line_unit *u = at->cudie && f->line_sec ? line_unit(f, at->cudie) : NULL;
	at->walk = u;
	unsigned file;
	int found = u && u->usable ? line_lookup(u, addr - at->bias, &file, &at->line) : -1;
	if (found == 0 || (found > 0 && !unit_file_path(u, file)))
		return false;
	if (found > 0) {
		at->file = unit_file_path(u, file);
		at->unit = u;
		at->comp_dir = dwarf_formstring(dwarf_attr(at->cudie, DW_AT_comp_dir, &attr));
		return true;
	}
	Dwfl_Line *dl = dwfl_module_getsrc(f->mod, addr);
	if (!dl || !(at->file = dwfl_lineinfo(dl, NULL, &at->line, NULL, NULL, NULL)))
		return false;
	at->comp_dir = dwfl_line_comp_dir(dl);
	if (at->cudie && dwarf_getsrcfiles(at->cudie, &at->files, &at->n_files) != 0)
		at->files = NULL;
	return true;
}

/* The file of a DW_AT_call_file index, or NULL. */
static const char *call_file(const struct line_at *at, Dwarf_Word index)
{
	if (at->unit)
		return unit_file_path(at->unit, index);
	return at->files ? dwarf_filesrc(at->files, index, NULL, NULL) : NULL;
}

/* The lines of addr, innermost first; the frame's own function last,
 * named frame_func as the log names it. */
static void resolve(struct elf_file *f, Dwarf_Addr addr, const char *frame_func,
		    struct kr_symbol_line **lines, size_t *n)
{
	*lines = NULL;
	*n = 0;
	struct line_at at;
	if (!line_at(f, addr, &at))
		return;
	_cleanup_free_ char *cu_dir = NULL;
	if (at.cudie && f->name) {
		const char *cu_name = dwarf_diename(at.cudie);
		if (cu_name && cu_name[0] == '/')
			cu_dir = kr_path_dirname(cu_name);
	}
	_cleanup_free_ Dwarf_Die *chain = NULL;
	size_t nchain = 0;
	if (at.cudie && !(at.walk && read_abbrevs(f, at.walk, at.cudie) &&
			  scope_chain_here(at.walk, at.cudie, addr - at.bias, &chain, &nchain)))
		nchain = scope_chain(at.cudie, addr - at.bias, &chain);
	char *cur_file = tree_path(at.file, at.comp_dir, cu_dir);
	int cur_line = at.line;
	for (size_t i = nchain; i-- > 0;) {
		int tag = dwarf_tag(&chain[i]);
		if (tag != DW_TAG_inlined_subroutine)
			continue;
		push_line(lines, n, die_name(&chain[i]), cur_file, cur_line, true);
		Dwarf_Attribute attr;
		Dwarf_Word call_file_index = 0, call_line = 0;
		const char *cf = NULL;
		if (dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_file, &attr),
				    &call_file_index) == 0)
			cf = call_file(&at, call_file_index);
		dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_line, &attr), &call_line);
		cur_file = tree_path(cf ? cf : "??", at.comp_dir, cu_dir);
		cur_line = (int)call_line;
	}
	push_line(lines, n, frame_func, cur_file, cur_line, false);
}

static struct kr_symbol_line *copy_lines(const struct kr_symbol_line *from, size_t n)
{
	struct kr_symbol_line *to = kr_calloc(n ? n : 1, sizeof(*to));
	for (size_t i = 0; i < n; i++)
		to[i] = (struct kr_symbol_line){ kr_strdup(from[i].func), kr_strdup(from[i].file),
						 from[i].line, from[i].is_inline };
	return to;
}

static size_t addr_hash(Dwarf_Addr a, size_t alloc)
{
	return (size_t)((a * 0x9e3779b97f4a7c15ULL) >> 20) & (alloc - 1);
}

static struct cached *cache_slot(struct elf_file *f, Dwarf_Addr addr)
{
	if ((f->cache_used + 1) * 2 > f->cache_alloc) {
		size_t alloc = f->cache_alloc ? f->cache_alloc * 2 : 64;
		struct cached *t = kr_calloc(alloc, sizeof(*t));
		for (size_t i = 0; i < f->cache_alloc; i++) {
			if (!f->cache[i].addr)
				continue;
			size_t j = addr_hash(f->cache[i].addr, alloc);
			while (t[j].addr)
				j = (j + 1) & (alloc - 1);
			t[j] = f->cache[i];
		}
		free(f->cache);
		f->cache = t;
		f->cache_alloc = alloc;
	}
	size_t j = addr_hash(addr, f->cache_alloc);
	while (f->cache[j].addr && f->cache[j].addr != addr)
		j = (j + 1) & (f->cache_alloc - 1);
	return &f->cache[j];
}

int kr_symbolizer_frame(struct kr_symbolizer *s, const char *func, unsigned long off,
			unsigned long size, const char *module, bool ret_addr,
			struct kr_symbol_line **lines, size_t *n)
{
	*lines = NULL;
	*n = 0;
	struct elf_file *f = module ? find_module(s, module) : s->vmlinux;
	if (!f) {
		if (module && kr_symbolizer_has_files(s))
			warn(s, "no .ko for module %s: its frames are not symbolized", module);
		return 0;
	}
	if (!open_file(s, f) || !f->n_syms)
		return 0;
	bool named;
	const struct sym *sym = find_sym(f, func, size, &named);
	if (!sym) {
		/* A wrong file must give no line at all rather than wrong ones. */
		if (f->mismatch_warned)
			return 0;
		f->mismatch_warned = true;
		if (named)
			warn(s, "%s does not match the log: %s is not 0x%lx bytes long there; "
				"its frames are not symbolized", f->what, func, size);
		else
			warn(s, "%s does not match the log: it has no function %s; "
				"its frames are not symbolized", f->what, func);
		return 0;
	}
	if (!f->has_dwarf || off > size)
		return 0;
	Dwarf_Addr addr = sym->addr + off - (ret_addr && off ? 1 : 0);
	if (!addr)
		return 0;
	struct cached *c = cache_slot(f, addr);
	if (!c->addr) {
		c->addr = addr;
		f->cache_used++;
		/* The log's name of the frame is the symbol's name: kept as is. */
		resolve(f, addr, sym->name, &c->lines, &c->n);
		c->resolved = c->n > 0;
	}
	if (!c->resolved)
		return 0;
	*lines = copy_lines(c->lines, c->n);
	*n = c->n;
	return 1;
}

/* Where a console line's prefixes end: "[    2.940049]", "[  T92]". */
static size_t console_prefix(const char *line, size_t len)
{
	size_t i = 0;
	for (;;) {
		size_t j = i;
		while (j < len && (line[j] == ' ' || line[j] == '\t'))
			j++;
		if (j >= len || line[j] != '[')
			return i;
		const char *close = memchr(line + j, ']', len - j);
		/* "[<ffffffff81000000>]" addresses belong to the frame */
		if (!close || (j + 1 < len && line[j + 1] == '<'))
			return i;
		i = (size_t)(close - line) + 1;
	}
}

/* A frame line to symbolize: its frame, whether its address is a return
 * address, where its text ends (before trailing blanks and CR) and how its
 * inline lines begin (prefix and indentation). Lines syzbot's symbolizer
 * already went over (" file.c:42", "[inline]") are left alone. */
struct frame_ref {
	struct kr_frame f;
	bool ret_addr;
	size_t indent, end;
};

static bool starts_with_pc(const char *p, const char *end)
{
	static const char *const pc_words[] = { "RIP: ", "EIP: ", "pc : ", "PC is at " };
	for (size_t i = 0; i < KR_ARRAY_SIZE(pc_words); i++) {
		size_t n = strlen(pc_words[i]);
		if ((size_t)(end - p) >= n && !memcmp(p, pc_words[i], n))
			return true;
	}
	return false;
}

static bool parse_frame(const char *line, size_t len, struct frame_ref *fr)
{
	size_t pre = console_prefix(line, len);
	if (kr_stack_parse_line(line + pre, len - pre, &fr->f) != 1)
		return false;
	size_t end = len;
	while (end > pre && isspace((unsigned char)line[end - 1]))
		end--;
	size_t tok = end;
	while (tok > pre && !isspace((unsigned char)line[tok - 1]))
		tok--;
	const char *colon = memchr(line + tok, ':', end - tok);
	bool has_source = colon && colon + 1 < line + end && isdigit((unsigned char)colon[1]) &&
			  strncmp(line + tok, "0010:", 5) != 0;
	if (fr->f.is_inline || has_source || !fr->f.size) {
		kr_frame_clear(&fr->f);
		return false;
	}
	size_t indent = pre;
	while (indent < len && (line[indent] == ' ' || line[indent] == '\t'))
		indent++;
	fr->ret_addr = !starts_with_pc(line + indent, line + len);
	fr->indent = indent;
	fr->end = end;
	return true;
}

/* A title's frame names the function without the compiler's suffixes
 * (".cold", ".isra.0"). */
static bool same_function(const char *title_func, const char *func)
{
	if (!strcmp(title_func, func))
		return true;
	_cleanup_free_ char *a = kr_frame_base_name(title_func);
	_cleanup_free_ char *b = kr_frame_base_name(func);
	return !strcmp(a, b);
}

void kr_symbolizer_text(struct kr_symbolizer *s, const char *text, size_t len,
			const char *guilty_func, char **out, size_t *out_len, char **guilty)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX);
	if (guilty)
		*guilty = NULL;
	size_t pos = 0;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - line) : len - pos;
		pos += line_len + (nl ? 1 : 0);
		struct frame_ref fr = { 0 };
		struct kr_symbol_line *lines = NULL;
		size_t n = 0;
		if (line_len < LINE_MAX_LEN && parse_frame(line, line_len, &fr) &&
		    kr_symbolizer_frame(s, fr.f.func, fr.f.off, fr.f.size, fr.f.module, fr.ret_addr,
					&lines, &n) > 0) {
			/* The RIP line keeps its place before Code:, with the
			 * innermost line only; call trace frames get syzbot's
			 * [inline] lines before them. */
			int tail = (int)(line_len - fr.end);
			if (fr.ret_addr)
				for (size_t i = 0; i + 1 < n; i++)
					kr_buf_printf(&b, "%.*s%s %s:%d [inline]%.*s\n", (int)fr.indent,
						      line, lines[i].func, lines[i].file, lines[i].line,
						      tail, line + fr.end);
			const struct kr_symbol_line *at = fr.ret_addr ? &lines[n - 1] : &lines[0];
			kr_buf_printf(&b, "%.*s %s:%d%.*s%s", (int)fr.end, line, at->file, at->line,
				      tail, line + fr.end, nl ? "\n" : "");
			if (guilty && !*guilty && (!guilty_func || same_function(guilty_func, fr.f.func)))
				*guilty = kr_asprintf("%s:%d", lines[0].file, lines[0].line);
			kr_symbol_lines_free(lines, n);
		} else {
			kr_buf_add(&b, line, line_len);
			if (nl)
				kr_buf_addc(&b, '\n');
		}
		kr_frame_clear(&fr.f);
	}
	if (out_len)
		*out_len = b.len;
	*out = kr_buf_steal(&b);
}
