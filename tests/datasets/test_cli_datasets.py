from rl_compiler.cli import main


def test_datasets_command(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "builtin-v0" in out and "csmith-v0" in out


def test_benchmarks_command(capsys):
    assert main(["benchmarks", "builtin-v0"]) == 0
    lines = capsys.readouterr().out.split()
    assert "benchmark://builtin-v0/crc32" in lines
    assert main(["benchmarks", "builtin-v0", "--split", "test", "-l"]) == 0
    assert "test" in capsys.readouterr().out
    assert main(["benchmarks", "builtin-v0", "--sample", "3", "--seed", "1"]) == 0
    assert len(capsys.readouterr().out.split()) == 3


def test_unknown_dataset_suggests(capsys):
    assert main(["benchmarks", "builtin"]) == 2
    assert "Did you mean 'builtin-v0'" in capsys.readouterr().err
