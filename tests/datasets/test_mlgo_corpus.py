"""MLGO corpora: extracted from a real compile_commands.json, read back as a dataset, and played by the
register-allocation env; a corpus missing its description or a module's bitcode is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rl_compiler.agents.mlgo.baselines import first_legal, run_episode
from rl_compiler.cli import main
from rl_compiler.datasets import MissingFileError, get_dataset
from rl_compiler.datasets.mlgo_corpus import CORPUS_DESCRIPTION, extract_corpus, read_corpus
from rl_compiler.envs.regalloc import RegallocEnv

#: Enough values live across a loop that the greedy allocator has evictions to decide.
LIVE = 24
KERNEL = (
    '#include "params.h"\ndouble work(double *a, double *b, int n) {\n'
    + "".join(f"  double v{i} = a[{i}] * SCALE;\n" for i in range(LIVE))
    + "  double s = 0;\n  for (int i = 0; i < n; i++) {\n"
    + "".join(f"    s += v{i} * b[(i + {i}) % n];\n" for i in range(LIVE))
    + "".join(f"    v{i} += v{(i + 1) % LIVE} * a[(i * {i + 3}) % n];\n" for i in range(LIVE))
    + "  }\n  return s + v0 + v5 + v11 + v17 + v23;\n}\n"
)


@pytest.fixture
def compile_commands(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "include").mkdir(parents=True)
    (project / "src").mkdir()
    (project / "include" / "params.h").write_text("#define SCALE 3\n")
    (project / "src" / "kernel.c").write_text(KERNEL)
    (project / "src" / "util.c").write_text("int twice(int x) { return 2 * x; }\n")
    commands = [
        {"directory": str(project), "file": f"src/{name}.c", "command": f"cc -O2 -Iinclude -c src/{name}.c -o {name}.o"}
        for name in ("kernel", "util")
    ]
    path = project / "compile_commands.json"
    path.write_text(json.dumps(commands))
    return path


def test_extract_read_and_play(compile_commands, tmp_path, private_tmp):
    corpus = tmp_path / "corpus"
    report = extract_corpus(compile_commands, corpus)
    assert sorted(report.modules) == ["kernel", "util"] and not report.failed
    description = json.loads((corpus / CORPUS_DESCRIPTION).read_text())
    assert description == {"has_thinlto": False, "modules": report.modules}
    command = (corpus / "kernel.cmd").read_bytes().split(b"\0")
    assert b"-I" in command and command[-1].endswith(b"src/kernel.c")  # the include flag of its command, kept
    read = read_corpus(corpus, "tiny-corpus-v0", output=tmp_path / "manifest.yaml", split="train")
    assert sorted(read.modules) == ["kernel", "util"]
    dataset = get_dataset("tiny-corpus-v0")
    assert dataset.benchmark_uris() == ["benchmark://tiny-corpus-v0/kernel", "benchmark://tiny-corpus-v0/util"]
    env = RegallocEnv("benchmark://tiny-corpus-v0/kernel")
    try:
        total, steps, info = run_episode(env, first_legal, seed=0)
        assert steps == info["decisions"] >= 1 and info["score"] >= 0
    finally:
        env.close()


def test_broken_corpora_are_refused(compile_commands, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    assert main(["datasets", "extract-corpus", str(compile_commands), str(corpus)]) == 0
    assert "MLGO corpus of 2 modules" in capsys.readouterr().out
    assert (
        main(["datasets", "import", "mlgo", str(corpus), "--name", "cli-corpus-v0", "-o", str(tmp_path / "m.yaml")])
        == 0
    )
    assert "cli-corpus-v0: 2 modules" in capsys.readouterr().out
    (corpus / "util.bc").unlink()
    with pytest.raises(MissingFileError, match="util.bc"):
        read_corpus(corpus, "broken-corpus-v0", output=tmp_path / "broken.yaml")
    with pytest.raises(MissingFileError, match=CORPUS_DESCRIPTION):
        read_corpus(tmp_path, "not-a-corpus-v0")
    assert main(["datasets", "import", "mlgo", str(corpus)]) == 2
    assert "needs a dataset name" in capsys.readouterr().err
