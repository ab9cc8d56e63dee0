/* SPDX-License-Identifier: MIT */
/* Frames to source lines with elfutils libdwfl (see symbolize.h); the
 * line tables and scopes are read by dwarf-lines.c when it can. */
#include <ctype.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <string.h>

#include "dwarf-lines.h"
#include "stack.h"
#include "symbolize.h"

#define LINE_MAX_LEN 4096

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
	/* the units' line tables and scopes read from the sections libdw
	 * reads (decompressed, and relocated for a .ko); NULL: libdw only */
	struct kr_dwarf_lines *lines;
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
	kr_dwarf_lines_free(f->lines);
	if (f->dwfl)
		dwfl_end(f->dwfl);
	free(f->syms);
	for (size_t i = 0; i < f->cache_alloc; i++)
		if (f->cache[i].addr)
			kr_symbol_lines_free(f->cache[i].lines, f->cache[i].n);
	free(f->cache);
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
		f->lines = kr_dwarf_lines_new(dwarf_getelf(dw));
	if (!f->has_dwarf)
		warn(s, "%s: no debug info (stripped?); its frames stay without source lines",
		     f->path);
	return true;
}

/* The first symbol called name that the kernel would print with this
 * size, else NULL; *named says whether there was any of that name. */
/* The index of the first symbol called name or after it. */
static size_t first_named(const struct elf_file *f, const char *name)
{
	size_t lo = 0, hi = f->n_syms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(f->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct sym *find_sym(const struct elf_file *f, const char *name, uint64_t size,
				  bool *named)
{
	size_t lo = first_named(f, name);
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
 * and follows inlined calls to their abstract definitions). libdw's walk,
 * for the units dwarf-lines.c does not walk. */
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

/* The file and line of addr and the files of its unit, with dwarf-lines.c
 * when it can, else with libdw. The strings live as long as f. */
struct line_at {
	const char *file;
	int line;
	const char *comp_dir;
	Dwarf_Die *cudie;
	Dwarf_Addr bias;
	struct kr_dwarf_unit *unit; /* dwarf-lines.c's, NULL: libdw only */
	bool unit_files;            /* the line is the unit's: so are the files */
	Dwarf_Files *files;         /* else libdw's */
	size_t n_files;
};

static bool line_at(struct elf_file *f, Dwarf_Addr addr, struct line_at *at)
{
	*at = (struct line_at){ 0 };
	Dwarf_Attribute attr;
	at->cudie = dwfl_module_addrdie(f->mod, addr, &at->bias);
	if (at->cudie && f->lines)
		at->unit = kr_dwarf_lines_unit(f->lines, at->cudie);
	int found = at->unit ? kr_dwarf_unit_line(at->unit, addr - at->bias, &at->file, &at->line)
			     : -EOPNOTSUPP;
	if (found == 0)
		return false;
	if (found > 0) {
		at->unit_files = true;
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
	if (at->unit_files)
		return kr_dwarf_unit_file(at->unit, index);
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
	if (at.cudie &&
	    !(at.unit && kr_dwarf_unit_scopes(at.unit, addr - at.bias, &chain, &nchain) == 0))
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

/* The lines of addr, from the cache or resolved into it. */
static const struct cached *lines_at(struct elf_file *f, Dwarf_Addr addr, const char *sym_name)
{
	struct cached *c = cache_slot(f, addr);
	if (!c->addr) {
		c->addr = addr;
		f->cache_used++;
		/* The log's name of the frame is the symbol's name: kept as is. */
		resolve(f, addr, sym_name, &c->lines, &c->n);
		c->resolved = c->n > 0;
	}
	return c;
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
	const struct cached *c = lines_at(f, addr, sym->name);
	if (!c->resolved)
		return 0;
	*lines = copy_lines(c->lines, c->n);
	*n = c->n;
	return 1;
}

static char *function_file(struct kr_symbolizer *s, struct elf_file *f, const char *func)
{
	if (!f || !open_file(s, f) || !f->n_syms || !f->has_dwarf)
		return NULL;
	size_t i = first_named(f, func);
	if (i == f->n_syms || strcmp(f->syms[i].name, func) != 0 || !f->syms[i].addr)
		return NULL;
	const struct cached *c = lines_at(f, f->syms[i].addr, f->syms[i].name);
	if (!c->resolved)
		return NULL;
	const char *file = c->lines[c->n - 1].file;
	return file && strcmp(file, "??") != 0 ? kr_strdup(file) : NULL;
}

char *kr_symbolizer_function_file(struct kr_symbolizer *s, const char *func, const char *module)
{
	if (module)
		return function_file(s, find_module(s, module), func);
	char *file = function_file(s, s->vmlinux, func);
	for (size_t i = 0; !file && i < s->n_modules; i++)
		file = function_file(s, s->modules[i], func);
	return file;
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
