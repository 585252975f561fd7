"""Bad input gives a clear error, nothing hangs, and nothing is left behind (temp dirs, processes)."""

import time
from pathlib import Path

import pytest

from rl_compiler.datasets import (
    BenchmarkRunError,
    BenchmarkTimeoutError,
    BuildError,
    DatasetError,
    Limits,
    MissingFileError,
    UnknownBenchmarkError,
    UnknownDatasetError,
    benchmark_from_files,
    get_benchmark,
    get_dataset,
)


def program(tmp_path: Path, code: str, name: str = "prog.c", **options):
    (tmp_path / name).write_text(code)
    return benchmark_from_files(tmp_path / name, **options)


def test_c_file_that_does_not_compile(tmp_path: Path, private_tmp: Path):
    benchmark = program(tmp_path, "int main(void) { return undeclared_thing; }\n", name="broken.c")
    with pytest.raises(BuildError) as error:
        benchmark.bitcode()
    message = str(error.value)
    assert "broken.c" in message and "use of undeclared identifier 'undeclared_thing'" in message
    assert list(private_tmp.iterdir()) == []


def test_missing_file(tmp_path: Path):
    with pytest.raises(MissingFileError, match="nope.c"):
        get_benchmark(str(tmp_path / "nope.c"))
    with pytest.raises(MissingFileError):
        get_benchmark((tmp_path / "nope.c").as_uri())
    (tmp_path / "p.c").write_text("int main(void){return 0;}")
    with pytest.raises(MissingFileError, match="stdin"):
        get_benchmark(str(tmp_path / "p.c"), stdin=tmp_path / "absent.txt")
    with pytest.raises(DatasetError, match="unsupported file type"):
        (tmp_path / "notes.txt").write_text("x")
        get_benchmark(str(tmp_path / "notes.txt"))


def test_unknown_names_suggest_close_matches():
    with pytest.raises(UnknownBenchmarkError, match="Did you mean 'crc32'"):
        get_benchmark("benchmark://builtin-v0/crc-32")
    with pytest.raises(UnknownDatasetError, match="Did you mean 'builtin-v0'"):
        get_benchmark("benchmark://builtin-v1/crc32")
    with pytest.raises(UnknownDatasetError, match="Did you mean 'builtin-v0'"):
        get_dataset("bultin-v0")
    with pytest.raises(UnknownBenchmarkError):
        get_dataset("builtin-v0").benchmark("zzzzzz")


def test_crash_names_the_signal(tmp_path: Path, private_tmp: Path):
    benchmark = program(tmp_path, "#include <signal.h>\nint main(void){ raise(SIGSEGV); return 0; }\n")
    with pytest.raises(BenchmarkRunError, match="SIGSEGV") as error:
        benchmark.run(benchmark.bitcode())
    assert error.value.kind == "crash"
    aborting = program(tmp_path, "#include <stdlib.h>\nint main(void){ abort(); }\n", name="abort.c")
    with pytest.raises(BenchmarkRunError, match="SIGABRT"):
        aborting.check_output(aborting.bitcode())  # the reference run crashes: that is reported, not hidden
    assert list(private_tmp.iterdir()) == []


LOOP_FOREVER = r"""
#include <unistd.h>
int main(void) {
  if (fork() == 0) { for (;;) pause(); }   /* a child that would outlive a naive kill */
  volatile unsigned long n = 0;
  for (;;) n++;
}
"""


def test_infinite_loop_times_out_and_kills_the_group(tmp_path: Path, private_tmp: Path, processes_mentioning):
    benchmark = program(tmp_path, LOOP_FOREVER, name="forever.c")
    bitcode = benchmark.bitcode()
    start = time.monotonic()
    with pytest.raises(BenchmarkTimeoutError, match="timed out after 1 s"):
        benchmark.run(bitcode, timeout=1.0)
    assert time.monotonic() - start < 10
    time.sleep(0.2)
    assert processes_mentioning(str(private_tmp)) == []
    assert list(private_tmp.iterdir()) == []


def test_huge_file_and_huge_stdout_hit_the_file_size_limit(tmp_path: Path, private_tmp: Path):
    writer = program(
        tmp_path,
        r"""
#include <stdio.h>
#include <string.h>
int main(void) {
  static char block[1 << 16]; memset(block, 'x', sizeof block);
  FILE *f = fopen("big.bin", "wb");
  for (int i = 0; i < 4096; i++) if (fwrite(block, 1, sizeof block, f) != sizeof block) return 1;
  return 0;
}
""",
        name="bigfile.c",
    )
    limits = Limits(file_size_bytes=1 << 20)
    with pytest.raises(BenchmarkRunError, match="file-size limit of 1 MiB") as error:
        writer.run(writer.bitcode(), limits=limits)
    assert error.value.kind == "file-size-limit"
    chatty = program(
        tmp_path, '#include <stdio.h>\nint main(void){ for(;;) puts("spam spam spam"); }\n', name="chatty.c"
    )
    with pytest.raises(BenchmarkRunError, match="SIGXFSZ"):
        chatty.run(chatty.bitcode(), limits=limits)
    assert list(private_tmp.iterdir()) == []


def test_memory_limit(tmp_path: Path):
    benchmark = program(
        tmp_path,
        r"""
#include <stdio.h>
#include <stdlib.h>
int main(void) { char *p = malloc((size_t)1 << 30); puts(p ? "allocated" : "refused"); free(p); return 0; }
""",
        name="greedy.c",
    )
    result = benchmark.run(benchmark.bitcode(), limits=Limits(memory_bytes=256 << 20))
    assert result.stdout == b"refused\n"
    assert benchmark.run(benchmark.bitcode()).stdout == b"allocated\n"


def test_nonzero_exit_is_returned_not_raised(tmp_path: Path):
    benchmark = program(tmp_path, "int main(void){ return 7; }\n", name="seven.c")
    assert benchmark.run(benchmark.bitcode()).returncode == 7


def test_not_runnable(tmp_path: Path):
    library = program(tmp_path, "int f(int x){ return x + 1; }\n", name="lib.c")
    assert not library.runnable
    with pytest.raises(BenchmarkRunError, match="not runnable"):
        library.run(library.bitcode())


def test_bad_run_arguments(tmp_path: Path):
    benchmark = program(tmp_path, "int main(void){ return 0; }\n", name="ok.c")
    with pytest.raises(DatasetError, match="repeats"):
        benchmark.run(benchmark.bitcode(), repeats=0)
    with pytest.raises(DatasetError, match="variant"):
        benchmark.bitcode("O7")
