"""Building benchmarks: variants, multi-file programs, IR inputs, the cache, concurrent builds."""

import multiprocessing
import subprocess
from pathlib import Path

from c_to_ir import compile_c

from rl_compiler.datasets import benchmark_from_files, build_bitcode, get_benchmark
from rl_compiler.llvm.cache import cache_dir
from rl_compiler.llvm.toolchain import get_toolchain

MAIN = """\
#include <stdio.h>
#include "util.h"
int main(void) { printf("%d\\n", triple(14)); return 0; }
"""
UTIL_H = "int triple(int x);\n"
UTIL_C = '#include "util.h"\nint triple(int x) { return 3 * x; }\n'


def disassemble(bitcode: bytes) -> str:
    return subprocess.run(
        [str(get_toolchain().llvm_dis), "-", "-o", "-"], input=bitcode, capture_output=True, check=True
    ).stdout.decode()


def two_files(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.c").write_text(MAIN)
    (folder / "util.h").write_text(UTIL_H)
    (folder / "util.c").write_text(UTIL_C)
    return folder


def test_variants_prepare_ir_like_clang(tmp_path: Path):
    benchmark = get_benchmark(str(two_files(tmp_path / "prog")))
    size_ir = disassemble(benchmark.bitcode("size"))
    assert "minsize" in size_ir and "optnone" not in size_ir and "noinline" not in size_ir
    assert "define dso_local i32 @triple" in size_ir and "define dso_local i32 @main" in size_ir  # linked
    assert "alloca" in size_ir  # no LLVM pass ran (mem2reg would remove it)
    runtime_ir = disassemble(benchmark.bitcode("runtime"))
    assert "minsize" not in runtime_ir and "noinline" not in runtime_ir
    o0_ir = disassemble(benchmark.bitcode("O0"))
    assert "noinline" in o0_ir and "optnone" not in o0_ir


def test_directory_and_file_uri_and_flags(tmp_path: Path):
    folder = two_files(tmp_path / "prog")
    by_dir = get_benchmark(folder.as_uri())
    assert by_dir.name == "prog" and by_dir.uri == folder.as_uri() and by_dir.dataset == "file"
    assert by_dir.runnable
    assert by_dir.run(by_dir.bitcode()).stdout == b"42\n"
    (folder / "main.c").write_text(MAIN.replace("triple(14)", "triple(SEED)"))
    flagged = get_benchmark(folder, cflags=["-DSEED=5"])
    assert flagged.run(flagged.bitcode()).stdout == b"15\n"


def test_ir_files_are_taken_as_they_are(tmp_path: Path):
    """A CompilerGym-style -O0 module (noinline, optnone removed) from a user .ll file stays as it is."""
    source = two_files(tmp_path / "prog") / "util.c"
    ll = tmp_path / "util.ll"
    compile_c(source, ll, "-O0", "-Xclang", "-disable-O0-optnone")
    benchmark = benchmark_from_files(ll)
    assert not benchmark.runnable  # no main()
    text = disassemble(benchmark.bitcode())
    assert "noinline" in text and "@triple" in text
    assert benchmark.bitcode("size") == benchmark.bitcode("runtime") or "noinline" in disassemble(
        benchmark.bitcode("runtime")
    )


def test_cache_hit_and_invalidation(tmp_path: Path):
    folder = two_files(tmp_path / "prog")
    sources = [folder / "main.c", folder / "util.c"]
    first = build_bitcode(sources, (), "size", namespace="cache-test", name="prog")
    entries = sorted(cache_dir("benchmarks", "cache-test").glob("prog.size.*.bc"))
    assert len(entries) == 1
    mtime = entries[0].stat().st_mtime_ns
    assert build_bitcode(sources, (), "size", namespace="cache-test", name="prog") == first
    assert entries[0].stat().st_mtime_ns == mtime
    (folder / "util.h").write_text(UTIL_H + "/* a header change invalidates the build */\n")
    build_bitcode(sources, (), "size", namespace="cache-test", name="prog")
    build_bitcode(sources, ("-DX=1",), "size", namespace="cache-test", name="prog")
    assert len(list(cache_dir("benchmarks", "cache-test").glob("prog.size.*.bc"))) == 3


def _build_in_child(folder: str) -> bytes:
    return build_bitcode(
        [Path(folder) / "main.c", Path(folder) / "util.c"],
        ("-DCONCURRENT",),
        "runtime",
        namespace="concurrent",
        name="prog",
    )


def test_concurrent_builds_from_several_processes(tmp_path: Path):
    folder = two_files(tmp_path / "prog")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_build_in_child, [str(folder)] * 8)
    assert len(set(results)) == 1
    folder_entries = list(cache_dir("benchmarks", "concurrent").iterdir())
    assert len([p for p in folder_entries if p.suffix == ".bc"]) == 1
    assert not [p for p in folder_entries if p.name.endswith(".tmp")]
