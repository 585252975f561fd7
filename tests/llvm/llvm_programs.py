"""Real programs for the LLVM layer's tests: the test data, C sources and the clang flags of the starting
points, compiled with the toolchain's clang (the fixtures over them are in conftest.py); the programs and the pass
sequence of the session and fast-lane tests, and how those tests compare a session's state with a module's."""

from __future__ import annotations

from pathlib import Path

from rl_compiler.llvm.module import Module
from rl_compiler.llvm.session import Session

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]
#: Real bitcode from a Debian package (LLVM 15), when installed: read by newer LLVMs through the upgrader.
POSTGRES_BITCODE = Path("/usr/lib/postgresql/15/lib/bitcode/postgres")
POSTGRES_MODULES = ("utils/adt/timestamp.bc", "regex/regcomp.bc", "access/heap/heapam.bc")

#: clang flags giving the starting points environments use.
C_FLAGS = {
    "O0": ["-O0", "-Xclang", "-disable-O0-optnone"],
    "O2": ["-O2"],
    "Oz-pre": ["-Oz", "-Xclang", "-disable-llvm-passes"],
}


def c_sources() -> list[Path]:
    """C programs to test on: our own, plus a few single-file built-in benchmarks when present."""
    sources = [DATA / "kitchen.c"]
    for name in ("crc32", "regex", "huffman"):
        path = REPO / "benchmarks" / "builtin-v0" / name / f"{name}.c"
        if path.exists():
            sources.append(path)
    return sources


def postgres_modules() -> list[Path]:
    return [POSTGRES_BITCODE / name for name in POSTGRES_MODULES if (POSTGRES_BITCODE / name).exists()]


#: Loops, a switch, calls and globals: enough for the pass sequences below to change it at every step.
PROGRAM_C = r"""
#include <string.h>
static int table[256];
static const char *words[] = {"alpha", "beta", "gamma", "delta", "epsilon"};

static void build_failure(const char *p, unsigned long m, int *fail) {
    fail[0] = 0;
    unsigned long k = 0;
    for (unsigned long i = 1; i < m; i++) {
        while (k > 0 && p[i] != p[k]) k = (unsigned long)fail[k - 1];
        if (p[i] == p[k]) k++;
        fail[i] = (int)k;
    }
}

static long search(const char *t, unsigned long n, const char *p, unsigned long m, const int *fail) {
    long count = 0;
    unsigned long q = 0;
    for (unsigned long i = 0; i < n; i++) {
        while (q > 0 && p[q] != t[i]) q = (unsigned long)fail[q - 1];
        if (p[q] == t[i]) q++;
        if (q == m) { count++; q = (unsigned long)fail[q - 1]; }
    }
    return count;
}

static int classify(int c) {
    switch (c % 7) {
    case 0: return c * 3;
    case 1: return c ^ 0x55;
    case 2: return c - 11;
    case 3: return table[c & 255];
    case 4: return c << 2;
    default: return -c;
    }
}

int run(const char *text) {
    int fail[64];
    long total = 0;
    unsigned long n = strlen(text);
    for (int i = 0; i < 256; i++) table[i] = classify(i * 13 + 1);
    for (int w = 0; w < 5; w++) {
        unsigned long m = strlen(words[w]);
        build_failure(words[w], m, fail);
        total += search(text, n, words[w], m, fail);
    }
    for (unsigned long i = 0; i < n; i++) total += classify(text[i]);
    return (int)total;
}
"""

#: `unify-loop-exits` segfaults LLVM 23 on this function compiled with -Oz -disable-llvm-passes.
CRASH_C = r"""
#include <stdio.h>
#include <string.h>
int main(void) {
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "%%", 2) == 0) break;
        n++;
    }
    while (fgets(line, sizeof line, stdin)) {
        size_t m = strcspn(line, "\n");
        if (m == 0) continue;
        n += (int)m;
    }
    printf("%d\n", n);
    return 0;
}
"""
SEGFAULT_PIPELINE = "unify-loop-exits"

#: Plain `instcombine` does not reach a fixpoint on this function at -O0: `LLVM ERROR`, exit status 1.
FATAL_C = r"""
#include <stdint.h>
void fletcher16_checkbytes(uint16_t csum, uint8_t *cb0, uint8_t *cb1) {
    uint32_t f0 = csum & 0xFFu, f1 = (csum >> 8) & 0xFFu;
    uint32_t c0 = 255 - ((f0 + f1) % 255);
    uint32_t c1 = 255 - ((f0 + c0) % 255);
    *cb0 = (uint8_t)c0;
    *cb1 = (uint8_t)c1;
}
"""
FATAL_PIPELINE = "function(instcombine)"

SEQUENCE = [
    "function(sroa)",
    "function(early-cse)",
    "function(instcombine<no-verify-fixpoint>)",
    "function(simplifycfg)",
    "cgscc(inline)",
    "function(gvn)",
    "function(loop-mssa(licm))",
    "globaldce",
    "function(instcombine<no-verify-fixpoint>)",
    "function(simplifycfg)",
]


def session_state(s: Session) -> tuple[str, str, int]:
    """What a session's module is: bitcode SHA-1, IR SHA-1, instruction count."""
    return s.sha1(), s.ir_sha1(), s.instruction_count()


def reference_state(bitcode: bytes, pipelines: list[str]) -> tuple[str, str, int]:
    """:func:`session_state` of ``bitcode`` after ``pipelines``, run in this process on a plain Module."""
    with Module.from_bitcode(bitcode) as m:
        for pipeline in pipelines:
            m.run_passes(pipeline)
        return m.sha1(), m.ir_sha1(), m.instruction_count()
