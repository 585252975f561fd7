"""`rl-compiler optimize`: verified output no larger than -Oz in .text, a pass list `opt` replays, a compiler's
outputs and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from c_to_ir import compile_c

from rl_compiler.cli import main
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.toolchain import get_toolchain

USER_PROGRAM = r"""
#include <stdio.h>
#include <string.h>
static unsigned hash(const char *s) {
    unsigned h = 5381;
    while (*s) h = h * 33 + (unsigned char)*s++;
    return h;
}
static int sum_squares(int n) { int t = 0; for (int i = 0; i < n; i++) t += i * i; return t; }
int main(void) {
    const char *words[] = {"alpha", "beta", "gamma", "delta", "epsilon"};
    unsigned acc = 0;
    for (int i = 0; i < 5; i++) acc ^= hash(words[i]) + (unsigned)strlen(words[i]);
    printf("%u %d\n", acc, sum_squares(100));
    return 0;
}
"""
HELPER = "int triple(int x) { return 3 * x; }\n"
MAIN_USING_HELPER = '#include <stdio.h>\nint triple(int);\nint main(void) { printf("%d\\n", triple(14)); return 0; }\n'


def _check_outputs(prefix, capsys_out: str) -> dict:
    report = json.loads(prefix.with_name(prefix.name + ".json").read_text())
    counts = report["ir_instruction_count"]
    sizes = report["object_text_size"]
    assert sizes["final"] <= sizes["Oz"], "the result must never be larger than -Oz in .text"
    assert any(check.startswith("verifier: ok") for check in report["checks"])
    assert report["replay_check"].startswith("ok")
    with Module.from_file(prefix.with_name(prefix.name + ".bc")) as module:
        module.verify()
        assert module.instruction_count() == counts["final"]
    # The pass list replays with opt on the written start module.
    pipeline = prefix.with_name(prefix.name + ".passes.txt").read_text().strip()
    replayed = prefix.with_name(prefix.name + ".replayed.bc")
    subprocess.run(
        [
            str(get_toolchain().opt),
            *report["opt_flags"],
            f"-passes={pipeline}",
            str(prefix.with_name(prefix.name + ".input.bc")),
            "-o",
            str(replayed),
        ],
        check=True,
        capture_output=True,
    )
    assert replayed.read_bytes() == prefix.with_name(prefix.name + ".bc").read_bytes()
    assert "with -Oz" in capsys_out
    return report


def test_optimize_builtin_program(tmp_path, capsys):
    prefix = tmp_path / "crc32"
    assert (
        main(
            [
                "optimize",
                "benchmark://builtin-v0/crc32",
                "-o",
                str(prefix) + ".bc",
                "--time-limit",
                "2",
            ]
        )
        == 0
    )
    report = _check_outputs(prefix, capsys.readouterr().out)
    assert "run: output matches the unoptimised build" in report["checks"]


def test_optimize_user_c_files(tmp_path, capsys):
    (tmp_path / "main.c").write_text(MAIN_USING_HELPER)
    (tmp_path / "helper.c").write_text(HELPER)
    prefix = tmp_path / "out" / "app"
    prefix.parent.mkdir()
    assert (
        main(
            [
                "optimize",
                str(tmp_path / "main.c"),
                str(tmp_path / "helper.c"),
                "-o",
                str(prefix),
                "--time-limit",
                "3",
            ]
        )
        == 0
    )
    report = _check_outputs(prefix, capsys.readouterr().out)
    assert "run: output matches the unoptimised build" in report["checks"]
    assert report["output"]["kind"] == "executable"
    run = subprocess.run([str(prefix)], capture_output=True, text=True, timeout=30)
    assert run.stdout == "42\n"


def test_optimize_user_c_file_and_ll_module(tmp_path, capsys):
    source = tmp_path / "prog.c"
    source.write_text(USER_PROGRAM)
    assert main(["optimize", str(source), "-o", str(tmp_path / "prog.o"), "--time-limit", "2"]) == 0
    _check_outputs(tmp_path / "prog", capsys.readouterr().out)
    # The same program as an O0 .ll module (CompilerGym style, noinline everywhere).
    ll = tmp_path / "prog.ll"
    compile_c(source, ll, "-O0", "-Xclang", "-disable-O0-optnone")
    assert main(["optimize", str(ll), "-o", str(tmp_path / "fromll.ll"), "--time-limit", "2"]) == 0
    _check_outputs(tmp_path / "fromll", capsys.readouterr().out)


@pytest.mark.parametrize(
    "argv, message, code",
    [
        (["optimize", "/nonexistent/prog.c"], "does not exist", 1),
        (["optimize", "README.md"], "expected .c/.cc/.cpp source files or a .ll/.bc module", 1),
        (["optimize", "benchmark://builtin-v0/no-such-program"], "no-such-program", 1),
        (["optimize", "benchmark://builtin-v0/crc32", "-o", "/nonexistent/dir/out"], "does not exist", 1),
        (["optimize", "benchmark://builtin-v0/crc32", "--time-limit", "0"], "--time-limit must be positive", 2),
    ],
)
def test_optimize_bad_input(argv, message, code, capsys):
    assert main(argv) == code
    assert message in capsys.readouterr().err


def test_optimize_bad_usage_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["optimize", "benchmark://builtin-v0/crc32", "--no-such-option"])
    assert exit_info.value.code == 2


def test_optimize_executable_without_main_is_an_input_error(tmp_path, capsys):
    source = tmp_path / "lib.c"
    source.write_text("int add3(int x) { return x + 3; }\n")
    assert main(["optimize", str(source), "-o", str(tmp_path / "lib")]) == 1
    assert "has no main()" in capsys.readouterr().err
    assert not (tmp_path / "lib.json").exists()


def test_optimize_unwritable_output(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # running as root: permissions are not enforced
            target = "/proc/out"
        else:
            target = str(locked / "out")
        assert main(["optimize", "benchmark://builtin-v0/crc32", "-o", target, "--time-limit", "1"]) == 1
        assert "cannot write" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize(
    "name, source, expected",
    [
        ("bad", "int main(void) { return undefined_variable; }\n", ["clang failed to compile", "undefined_variable"]),
        pytest.param(
            "loop",
            "int main(void) { volatile unsigned x = 0; for (;;) x++; return 0; }\n",
            ["does not run cleanly", "--no-run"],
            marks=pytest.mark.slow,
        ),
    ],
    ids=["does-not-compile", "does-not-terminate"],
)
def test_optimize_program_that_fails_is_an_error(tmp_path, capsys, name, source, expected):
    program = tmp_path / f"{name}.c"
    program.write_text(source)
    assert main(["optimize", str(program), "-o", str(tmp_path / name)]) == 1
    err = capsys.readouterr().err
    assert all(text in err for text in expected), err


def test_optimize_library_without_main_is_verified_only(tmp_path, capsys):
    source = tmp_path / "lib.c"
    source.write_text("int add3(int x) { return x + 3; }\nint twice(int x) { return add3(x) + add3(x); }\n")
    assert main(["optimize", str(source), "-o", str(tmp_path / "lib.o"), "--time-limit", "2"]) == 0
    report = _check_outputs(tmp_path / "lib", capsys.readouterr().out)
    assert "run: skipped (not runnable: no main())" in report["checks"]


def test_size_change_says_smaller_or_larger():
    from rl_compiler.cli.optimize import size_change

    assert size_change(2710, 2746) == "1.3% smaller"
    assert size_change(10786, 10775) == "0.1% larger"
    assert size_change(500, 500) == "same size"


def test_the_command_ends_within_its_budget_counted_from_process_start(tmp_path):
    """As a user runs it: one process, timed from spawn to exit (interpreter start and imports included), with
    everything it prints flushed before its fast exit."""
    output = tmp_path / "kmp.o"
    command = [sys.executable, "-m", "rl_compiler.cli", "optimize", "benchmark://builtin-v0/kmp", "-o", str(output)]
    started = time.perf_counter()
    done = subprocess.run([*command, "--time-limit", "4"], capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(f"wrote {tmp_path / 'kmp.json'}")
    record = json.loads((tmp_path / "kmp.json").read_text())
    assert record["checks"][-1] == "run: output matches the unoptimised build"
    assert record["object_text_size"]["final"] <= record["object_text_size"]["Oz"]
    assert wall < 4.0 + 2.0, f"took {wall:.1f} s for a 4 s budget"  # generous: loaded machines run late


def test_inside_a_running_program_the_budget_counts_from_the_call(tmp_path):
    """``main`` called by a process that has run longer than the budget: the budget starts at the call."""
    from rl_compiler.cli import process_start_time

    while time.perf_counter() - process_start_time() < 3.0:  # this process is older than the 2 s budget
        time.sleep(0.1)
    assert main(["optimize", "benchmark://builtin-v0/kmp", "-o", str(tmp_path / "kmp.o"), "--time-limit", "2"]) == 0
    seconds = json.loads((tmp_path / "kmp.json").read_text())["seconds"]
    assert seconds["start"] < 1.0 and seconds["total"] < 3.0, seconds


def test_a_wrapper_that_execs_the_command_does_not_spend_its_budget(tmp_path):
    """A shell script that works for 3 s, then ``exec``s the command: the process started with the script, the
    command's budget with the command."""
    output = tmp_path / "kmp.o"
    script = (
        f"sleep 3; exec {sys.executable} -m rl_compiler.cli optimize benchmark://builtin-v0/kmp -o {output} "
        "--time-limit 4"
    )
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    record = json.loads((tmp_path / "kmp.json").read_text())
    seconds = record["seconds"]
    assert seconds["start"] < 2.0 and seconds["search"] > 0.5, seconds  # start: its interpreter and imports only
    assert record["object_text_size"]["final"] <= record["object_text_size"]["Oz"]


def test_the_command_loads_neither_gymnasium_nor_torch(tmp_path):
    """Its budget counts its imports: the optimize path needs no Gymnasium, PyTorch or Stable-Baselines3."""
    code = (
        "import sys; from rl_compiler.cli import main; "
        "code = main(['optimize', 'benchmark://builtin-v0/crc32', '-o', sys.argv[1], '--time-limit', '2']); "
        "print(code, [m for m in ('gymnasium', 'torch', 'stable_baselines3') if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "crc32.o")], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.splitlines()[-1] == "0 []", done.stdout + done.stderr
