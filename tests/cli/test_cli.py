"""The ``rl-compiler`` command itself: every subcommand is registered and none is dropped silently; it exits
quietly when its reader goes away; small things a new user tripped on."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rl_compiler import cli


def test_every_subcommand_is_registered():
    parser = cli.build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    assert set(cli.SUBCOMMANDS) <= set(subcommands)  # (aliases too, e.g. benchmarks for datasets)


def test_a_subcommand_that_fails_to_import_is_an_error(monkeypatch):
    monkeypatch.setattr(cli, "SUBCOMMANDS", (*cli.SUBCOMMANDS, "no_such_subcommand"))
    with pytest.raises(ModuleNotFoundError, match="no_such_subcommand"):
        cli.build_parser()


def test_a_reader_that_goes_away_ends_the_command_quietly():
    """``rl-compiler benchmarks builtin-v0 --sample 20000 | head -1``: no BrokenPipeError traceback."""
    command = [sys.executable, "-m", "rl_compiler.cli", "benchmarks", "builtin-v0", "--sample", "20000"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout.readline().startswith(b"benchmark://builtin-v0/")
        process.stdout.close()  # more than a pipe's buffer is still to come: the next write fails
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


def test_benchmarks_long_shows_measured_instruction_counts(capsys):
    from rl_compiler.datasets import get_benchmark

    assert cli.main(["benchmarks", "builtin-v0", "--split", "train", "-l"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert "IR -O0" in header and "IR start" in header
    row = next(r for r in rows if r.startswith("benchmark://builtin-v0/crc32 "))
    with get_benchmark("benchmark://builtin-v0/crc32").module("size") as module:
        start = module.instruction_count()  # what the envs report as IrInstructionCountO0
    with get_benchmark("benchmark://builtin-v0/crc32").module("O0") as module:
        o0 = module.instruction_count()
    assert row.split()[2:4] == [str(o0), str(start)]


def test_a_misspelt_agent_is_named_unknown(capsys):
    assert cli.main(["search", "--agent", "greedyy", "--benchmark", "benchmark://builtin-v0/crc32"]) == 2
    error = capsys.readouterr().err
    assert "unknown agent 'greedyy'" in error and "takes no search budget" not in error
    assert cli.main(["eval", "--agent", "first-legal", "--benchmark", "benchmark://builtin-v0/crc32"]) == 2
    assert "acts on mlgo envs, not passes" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "level"),
    [
        (["datasets", "import", "src", "--name", "n"], 0),
        (["-q", "datasets", "import", "src", "--name", "n"], -1),  # a subcommand's own -q once reset this
        (["datasets", "import", "src", "--name", "n", "-q"], -1),
        (["datasets", "-q", "import", "src", "--name", "n"], -1),
        (["coreset", "rank", "prog.c", "-v"], 1),  # nested subcommands once rejected -q and -v
        (["coreset", "build", "--dataset", "d", "-q"], -1),
    ],
)
def test_quiet_and_verbose_mean_one_thing_at_any_depth(argv, level):
    assert cli.verbosity(cli.build_parser().parse_args(argv)) == level


def test_every_nested_parser_offers_quiet_and_verbose_once():
    parsers = cli.nested_parsers(cli.build_parser())
    assert {"rl-compiler datasets import", "rl-compiler leaderboard run"} <= {p.prog for p in parsers}
    for parser in parsers:
        dests = [action.dest for action in parser._actions]
        assert (dests.count("quiet"), dests.count("verbose")) == (1, 1), parser.prog


def test_datasets_import_quiet_prints_nothing_and_plain_prints_the_summary(tmp_path, capsys):
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.c").write_text("int f(int x) { return 3 * x; }\n")
    argv = ["datasets", "import", str(source), "--name", "quiet-v0", "-o", str(tmp_path / "m.yaml")]
    assert cli.main([*argv, "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    assert cli.main(["-q", *argv]) == 0
    assert capsys.readouterr() == ("", "")
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "quiet-v0: 1 programs" in out and "a: " in out  # the progress line and the summary
