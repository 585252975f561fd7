"""Both env families take the same benchmark argument (datasets.resolve_benchmarks), checked at construction."""

from __future__ import annotations

from pathlib import Path

import pytest

from rl_compiler.datasets import BenchmarkArgumentError, get_dataset
from rl_compiler.envs.inlining import InliningEnv
from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.envs.regalloc import RegallocEnv

FAMILIES = {
    "passes": lambda benchmark: PassOrderingEnv(benchmark, isolated=False),
    "regalloc": RegallocEnv,
    "inlining": InliningEnv,
}


def _error(make, arg: object) -> tuple[type, str]:
    with pytest.raises(Exception) as info:
        make(arg).close()
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "arg",
    [
        "benchmark://builtin-v0/nope",
        "dataset://builtin-v0/holdout",
        "dataset://no-such-set-v0",
        "/no/such/program.c",
        42,
        [],
    ],
)
def test_same_error_at_construction(arg: object) -> None:
    errors = {name: _error(make, arg) for name, make in FAMILIES.items()}
    assert len(set(errors.values())) == 1, errors


def test_every_family_takes_every_form(tmp_path: Path) -> None:
    source = tmp_path / "prog.c"
    source.write_text("int twice(int x) { return x + x; }\n")
    split = get_dataset("builtin-v0").split("train")
    for name, make in FAMILIES.items():
        env = make([source, "dataset://builtin-v0/train"])
        assert env.unwrapped.benchmarks == [source.as_uri(), *split], name
        env.close()


def test_reset_rejects_a_non_benchmark() -> None:
    for make in FAMILIES.values():
        env = make("benchmark://builtin-v0/crc32")
        with pytest.raises(BenchmarkArgumentError, match="got int 42"):
            env.reset(options={"benchmark": 42})
        env.close()
