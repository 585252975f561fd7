"""Running benchmarks: inputs, repeats, expected output, reference output, isolation."""

import socket
from pathlib import Path

import pytest

from rl_compiler.datasets import OutputMismatchError, benchmark_from_files, get_benchmark
from rl_compiler.datasets.sandbox import sandbox_level

ECHO = r"""
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  unsigned sum = 0; int c;
  while ((c = getchar()) != EOF) sum = sum * 31u + (unsigned)c;
  FILE *f = fopen(argv[1], "r"); char line[64] = {0};
  if (!f || !fgets(line, sizeof line, f)) return 3;
  fclose(f);
  FILE *out = fopen("scratch.txt", "w"); fputs("written in the private dir", out); fclose(out);
  printf("stdin=%u file=%s args=%d\n", sum, line, argc);
  return 0;
}
"""


@pytest.fixture
def echo(tmp_path: Path):
    (tmp_path / "echo.c").write_text(ECHO)
    (tmp_path / "in.txt").write_text("hello")
    (tmp_path / "data.txt").write_text("payload")
    (tmp_path / "expected.txt").write_text("stdin=99162322 file=payload args=2\n")
    return benchmark_from_files(
        tmp_path / "echo.c",
        stdin=tmp_path / "in.txt",
        args=["data.txt"],
        files=[tmp_path / "data.txt"],
        expected_stdout=tmp_path / "expected.txt",
    )


def test_run_with_stdin_args_files_and_repeats(echo, private_tmp: Path):
    result = echo.run(echo.bitcode(), repeats=3)
    assert result.stdout == b"stdin=99162322 file=payload args=2\n"
    assert result.returncode == 0
    assert len(result.times) == 3 and all(t > 0 for t in result.times)
    assert min(result.times) <= result.runtime <= max(result.times)
    assert list(private_tmp.iterdir()) == []  # build and run directories are gone
    echo.check_output(echo.bitcode("runtime"))


def test_check_output_reports_a_diff(tmp_path: Path, echo):
    (tmp_path / "expected.txt").write_text("stdin=1 file=payload args=2\n")
    with pytest.raises(OutputMismatchError) as error:
        echo.check_output(echo.bitcode())
    message = str(error.value)
    assert "-stdin=1 file=payload" in message and "+stdin=99162322" in message


def test_reference_output_is_the_unoptimised_build(tmp_path: Path):
    (tmp_path / "p.c").write_text('#include <stdio.h>\nint main(void){puts("ref"); return 4;}\n')
    benchmark = get_benchmark(str(tmp_path / "p.c"))
    assert benchmark.expected_output() == (b"ref\n", 4)
    benchmark.check_output(benchmark.bitcode("runtime"))  # exit code 4 is the reference's, so it matches
    (tmp_path / "q.c").write_text('#include <stdio.h>\nint main(void){puts("ref"); return 0;}\n')
    other = benchmark_from_files(tmp_path / "q.c", name="p")
    with pytest.raises(OutputMismatchError, match="exit code 0, expected 4"):
        benchmark.check_output(other.bitcode())


def test_builtin_benchmark_runs_and_matches(private_tmp: Path):
    benchmark = get_benchmark("benchmark://builtin-v0/crc32")
    assert benchmark.runnable and benchmark.dataset == "builtin-v0"
    benchmark.check_output(benchmark.bitcode())
    assert list(private_tmp.iterdir()) == []


NET = r"""
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET; a.sin_port = htons((unsigned short)atoi(argv[1]));
  a.sin_addr.s_addr = htonl(0x7f000001);
  puts(s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0 ? "connected" : "no network");
  return 0;
}
"""


@pytest.mark.skipif(sandbox_level() == "rlimits", reason="no network namespace (bubblewrap or unshare) here")
def test_no_network(tmp_path: Path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        (tmp_path / "net.c").write_text(NET)
        benchmark = benchmark_from_files(tmp_path / "net.c", args=[str(server.getsockname()[1])])
        result = benchmark.run(benchmark.bitcode())
        assert result.network_isolated
        assert result.stdout == b"no network\n"
    finally:
        server.close()
