#!/usr/bin/env python3
"""Generates runner/signature/kernel-funcs.c: the kernel's infrastructure functions.

Usage: gen-kernel-funcs.py SOURCE > runner/signature/kernel-funcs.c
       gen-kernel-funcs.py --map SOURCE > MAP   (every definition: "name file")
SOURCE: a Linux source tree, its tarball, or a MAP made before.

Scans the .c files of a kernel source tree and the headers of include/ (their
inline functions) (Debian's linux-source-6.1:
/usr/src/linux-source-6.1.tar.xz) for function definitions (a regular
expression over the text: a name at the start of a declaration followed by
its parameter list and a body; SYSCALL_DEFINE* gives the syscall's
wrappers), and keeps the functions defined in the files of an
infrastructure family (FAMILIES below: the kernel's directories and files
for locking, RCU, printk, allocators, sanitizer runtimes, driver and USB
core, ...). A name that is also defined in a .c file outside its family (a
static helper with a common name) is left out: the frame cannot be told
apart.
The output is a C table sorted by name that crashtitle.c searches, and the
families' file patterns (for a function the table lacks whose source file
the debug info gives).
"""
import os
import re
import sys
import tarfile

# (family, path regular expression, optional function-name regular expression)
# Order matters: the first family whose path (and name) matches wins.
FAMILIES = [
    ("sanitizer", r"mm/(kasan|kmsan|kfence)/|kernel/kcsan/|kernel/kcov\.c|lib/ubsan\.c|"
                  r"mm/kmemleak\.c|lib/stackdepot\.c|kernel/stacktrace\.c|mm/page_owner\.c|"
                  r"arch/x86/kernel/(dumpstack|dumpstack_64|unwind_\w+)\.c|"
                  r"lib/fault-inject\.c|mm/failslab\.c|"
                  r"include/linux/(kasan|kasan-checks|kmsan|kmsan-checks|kcsan|kcsan-checks|kcov|"
                  r"kfence|kmemleak|instrumented|stackdepot|page_owner|fault-inject)\.h", None),
    ("locking", r"kernel/locking/|lib/(refcount|atomic64|dec_and_lock|smp_processor_id)\.c|drivers/tty/tty_(ldsem|mutex)\.c|"
                r"include/linux/(spinlock|spinlock_api_smp|rwlock|rwlock_api_smp|mutex|rwsem|"
                r"percpu-rwsem|seqlock|refcount|kref|lockdep|local_lock|local_lock_internal|"
                r"bit_spinlock|ww_mutex|semaphore|preempt)\.h|include/asm-generic/q(spin|rw)lock\.h",
     None),
    ("rcu", r"kernel/rcu/|include/linux/(rcupdate|rcupdate_wait|rcutree|srcu|srcutree|rculist|"
            r"rcuref)\.h", None),
    ("irq", r"kernel/softirq\.c|kernel/irq/|arch/x86/kernel/(irq|apic/apic)\w*\.c|"
            r"kernel/time/tick-\w+\.c", None),
    ("entry", r"arch/x86/entry/|kernel/entry/|arch/arm64/kernel/(entry-common|syscall)\.c|"
              r"kernel/kthread\.c|kernel/task_work\.c", None),
    ("workqueue", r"kernel/workqueue\.c|include/linux/workqueue\.h", None),
    ("alloc", r"mm/(slab|slub|slob|slab_common|page_alloc|percpu|percpu-\w+|mempool|vmalloc|util|"
              r"memcontrol)\.c|net/core/page_pool\.c|"
              r"include/linux/(slab|gfp|percpu|mempool|vmalloc)\.h|include/net/page_pool\.h",
     None),
    ("debugobjects", r"lib/debugobjects\.c|include/linux/debugobjects\.h", None),
    ("kobject", r"lib/kobject(_uevent)?\.c|fs/sysfs/|lib/klist\.c|"
                r"include/linux/(kobject|sysfs)\.h", None),
    ("driver-core", r"drivers/base/(core|dd|bus|driver|devres|platform|class|component)\.c|"
                    r"include/linux/device\.h|include/linux/device/", None),
    ("usb-core", r"drivers/usb/core/(urb|message|hcd|driver|usb)\.c|include/linux/usb\.h|"
                 r"include/linux/usb/hcd\.h", None),
    ("idr", r"lib/(idr|radix-tree|xarray)\.c|include/linux/(idr|xarray|radix-tree)\.h", None),
    ("lib", r"lib/(string|string_helpers|vsprintf|hexdump|list_debug|rbtree|bitmap|find_bit|"
            r"iov_iter|usercopy|sort|bsearch|kstrtox|ctype|memcat_p|cmdline|scatterlist|"
            r"rhashtable|llist|plist|crc\w*|checksum)\.c|lib/crypto/|arch/x86/lib/|mm/maccess\.c|"
            r"mm/usercopy\.c|include/linux/(string|list|bitmap|bitops|uaccess|rbtree|llist|"
            r"rhashtable|scatterlist|kstrtox|fortify-string|crc\w*)\.h|"
            r"crypto/(?!af_alg\.c|algif_)[\w-]+\.c|include/crypto/(hash|skcipher|aead|"
            r"algapi|scatterwalk|internal/\w+)\.h", None),
    ("fsnotify", r"fs/notify/(fsnotify|mark|group|notification)\.c|"
                 r"include/linux/fsnotify(_backend)?\.h", None),
    # the line discipline's lock functions are locks
    ("locking", r"drivers/tty/tty_ldisc\.c",
     r"(__)?tty_ldisc_(lock|unlock)\w*|tty_ldisc_(lock|unlock)_pair\w*|tty_ldisc_ref(_wait)?|"
     r"tty_ldisc_deref"),
    ("tty-ldisc", r"drivers/tty/tty_ldisc\.c|include/linux/tty_ldisc\.h", None),
    ("netdev-unregister", r"net/core/dev\.c",
     r"unregister_netdevice\w*|unregister_netdev|netdev_run_todo|netdev_wait_allrefs\w*|"
     r"rollback_registered\w*|netdev_unregister\w*|dev_close_many|__dev_close_many"),
    # the report paths of traps, faults and panics
    ("trap", r"arch/(x86|arm64)/kernel/traps\.c|arch/(x86|arm64)/mm/fault\.c|kernel/panic\.c|"
             r"arch/x86/kernel/nmi\.c|lib/nmi_backtrace\.c|lib/bug\.c", None),
    # waiting: completions, wait queues, bit waits
    ("sched-wait", r"kernel/sched/(completion|wait|wait_bit|swait)\.c|"
                   r"include/linux/(wait|wait_bit|completion|swait|delay)\.h", None),
]
# Tests of the infrastructure are not infrastructure.
TESTS = re.compile(r"(^|/)(test[-_][\w-]+|[\w-]+[-_]test|[\w-]*selftest[\w-]*|kunit[\w-]*)\.c$")

DEF = re.compile(
    rb"^(?:[A-Za-z_][\w \t\*]*?[\s\*])?([A-Za-z_]\w*)[ \t]*\(([^;{}()]|\([^;{}()]*\))*\)"
    rb"(?:[ \t\n]*__\w+(?:\([^)]*\))?)*[ \t]*\n?\{", re.M)
SYSCALL = re.compile(rb"^(COMPAT_)?SYSCALL_DEFINE\d\((\w+)", re.M)
# Not the kernel itself, or architectures whose reports are rare.
SKIP_DIRS = ("tools/", "scripts/", "samples/", "Documentation/", "usr/", "arch/x86/boot/",
             "arch/arm64/boot/")
ARCHES = ("arch/x86/", "arch/arm64/")
KEYWORDS = {b"if", b"for", b"while", b"switch", b"return", b"sizeof", b"do", b"else"}


def sources(root):
    if os.path.isdir(root):
        for d, _, files in os.walk(root):
            for f in files:
                if f.endswith(".c") or (f.endswith(".h") and
                                        os.path.relpath(d, root).startswith("include")):
                    p = os.path.join(d, f)
                    with open(p, "rb") as fh:
                        yield os.path.relpath(p, root), fh.read()
        return
    with tarfile.open(root) as t:
        for m in t:
            rel = m.name.split("/", 1)[-1]
            if m.isfile() and (rel.endswith(".c") or
                               (rel.endswith(".h") and rel.startswith("include/"))):
                yield rel, t.extractfile(m).read()


def definitions(root):
    if os.path.isfile(root) and not re.search(r"\.tar(\.\w+)?$", root):
        with open(root) as fh:
            for ln in fh:
                name, path = ln.split()
                yield name, path
        return
    for path, text in sources(root):
        if path.startswith(SKIP_DIRS) or (path.startswith("arch/") and
                                          not path.startswith(ARCHES)):
            continue
        for name in functions(text):
            yield name, path


def functions(text):
    for m in DEF.finditer(text):
        name = m.group(1)
        if name not in KEYWORDS and not name.isupper():
            yield name.decode()
    for m in SYSCALL.finditer(text):
        name = m.group(2).decode()
        pre = "compat_" if m.group(1) else ""
        for w in ("__do_%ssys_", "__se_%ssys_", "__x64_%ssys_", "__ia32_%ssys_", "__arm64_%ssys_"):
            yield (w % pre) + name


def family(path, name):
    if TESTS.search(path):
        return None
    for fam, pre, names in FAMILIES:
        if re.match(pre, path) and (names is None or re.fullmatch(names, name)):
            return fam
    return None


def main():
    args = sys.argv[1:]
    want_map = args[:1] == ["--map"]
    if want_map:
        args = args[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    fam_of = {}
    header_fam = {}
    outside = set()
    for name, path in definitions(args[0]):
        if want_map:
            print(name, path)
            continue
        f = family(path, name)
        if f is None:
            # a header's inline outside the families is most often the
            # stub of a family's function for another configuration
            if not path.endswith(".h"):
                outside.add(name)
        elif path.endswith(".h"):
            header_fam.setdefault(name, f)
        elif fam_of.setdefault(name, f) != f:
            outside.add(name)  # two families: neither
    if want_map:
        return
    # a function defined in a family's .c file keeps that family
    for name, f in header_fam.items():
        fam_of.setdefault(name, f)
    rows = sorted((n, f) for n, f in fam_of.items() if n not in outside)
    fams = list(dict.fromkeys(f for f, _, _ in FAMILIES))
    print("/* SPDX-License-Identifier: MIT */")
    print("/* Generated by runner/signature/data/gen-kernel-funcs.py from the Linux")
    print(" * source (linux-source-6.1): the functions of the kernel's infrastructure")
    print(" * families, sorted by name. Do not edit. */")
    print('#include "kernel-funcs.h"')
    print()
    print("const char *const kr_kernel_families[] = {")
    for f in fams:
        print('\t"%s",' % f)
    print("};")
    print("const size_t kr_n_kernel_families = %d;" % len(fams))
    print()
    print("const struct kr_kernel_func kr_kernel_funcs[] = {")
    for n, f in rows:
        print('\t{ "%s", %d },' % (n, fams.index(f)))
    print("};")
    print("const size_t kr_n_kernel_funcs = %d;" % len(rows))
    print()
    # The same families by source file, for functions that are not in the
    # table (another kernel version's helpers) whose file the debug info
    # gives: PCRE2 patterns, the path's anchored at its start, the name's
    # whole; the first that matches wins, as above.
    print("const struct kr_kernel_family_file kr_kernel_family_files[] = {")
    for f, pre, names in FAMILIES:
        print('\t{ %s, %s, %d },' % (c_string("^(?:%s)" % pre),
                                     c_string("^(?:%s)$" % names) if names else "NULL",
                                     fams.index(f)))
    print("};")
    print("const size_t kr_n_kernel_family_files = %d;" % len(FAMILIES))
    print("const char kr_kernel_family_tests[] = %s;" % c_string(TESTS.pattern))


def c_string(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


if __name__ == "__main__":
    main()
