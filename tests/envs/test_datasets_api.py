"""CompilerGym's datasets API: the Datasets view, make_benchmark and make_benchmark_from_source, with real builds
and a real env."""

from __future__ import annotations

import random

import gymnasium as gym
import numpy as np
import pytest

import rl_compiler  # noqa: F401 - registers the env ids
from rl_compiler.datasets import Benchmark, DatasetError
from rl_compiler.envs.datasets import Datasets, make_benchmark, make_benchmark_from_source

PROGRAM = '#include <stdio.h>\nint main(void) { printf("%d\\n", N * 7); return 0; }\n'


def test_datasets_view():
    datasets = Datasets()
    names = [dataset.name for dataset in datasets]
    assert "builtin-v0" in names and len(datasets) == len(names)
    assert datasets["builtin-v0"] is datasets["benchmark://builtin-v0"]
    assert "builtin-v0" in datasets and "no-such-dataset" not in datasets
    with pytest.raises(DatasetError, match="unknown dataset 'no-such-dataset'"):
        datasets["no-such-dataset"]
    crc32 = datasets.benchmark("benchmark://builtin-v0/crc32")
    assert isinstance(crc32, Benchmark) and crc32.name == "crc32"
    assert "benchmark://builtin-v0/crc32" in set(datasets.benchmark_uris())
    builtin = datasets["builtin-v0"]
    assert builtin.random_benchmark(7).uri == builtin.random_benchmark(7).uri in set(builtin.benchmark_uris())
    draws = [datasets.random_benchmark(np.random.default_rng(3)).uri for _ in range(2)]
    assert draws[0] == draws[1]  # a seeded generator draws reproducibly
    weighted = {datasets.random_benchmark(random.Random(seed), weighted=True).uri for seed in range(20)}
    assert len(weighted) > 1 and all(uri.startswith("benchmark://") for uri in weighted)


def test_make_benchmark_keeps_its_flags_through_an_env(tmp_path):
    source = tmp_path / "times7.c"
    source.write_text(PROGRAM)
    three, four = make_benchmark(source, copt=["-DN=3"]), make_benchmark(source, copt=["-DN=4"])
    assert three.uri != four.uri and three.uri.startswith("benchmark://user-v0/times7-")
    assert make_benchmark(source, copt=["-DN=3"]) is three  # same inputs, same benchmark
    assert Datasets().benchmark(three.uri) is three
    env = gym.make("rl_compiler/llvm-ic-v0")
    try:
        _, info = env.reset(options={"benchmark": four})
        assert info["benchmark"] == four.uri
        env.step(env.unwrapped.action_names.index("function(sroa)"))
        assert env.unwrapped.validate().okay()  # replays and runs: the program prints 28
        assert env.unwrapped.current_benchmark.reference_output().stdout == b"28\n"
    finally:
        env.close()
    from_text = make_benchmark_from_source(PROGRAM, copt=["-DN=5"])
    assert from_text.uri.startswith("benchmark://user-v0/source-")
    assert from_text.reference_output().stdout == b"35\n"


def test_make_benchmark_bad_input(tmp_path):
    with pytest.raises(DatasetError, match="absent.c"):
        make_benchmark(tmp_path / "absent.c")
    with pytest.raises(DatasetError, match="unknown source language 'fortran'"):
        make_benchmark_from_source("program p\nend\n", lang="fortran")


def test_every_env_family_has_datasets_and_names_its_benchmark(private_tmp):
    from rl_compiler.envs.regalloc import RegallocEnv

    env = gym.make("rl_compiler/llvm-ic-v0")
    try:
        assert env.unwrapped.datasets["builtin-v0"].name == "builtin-v0"
    finally:
        env.close()
    regalloc = RegallocEnv("benchmark://builtin-v0/crc32")
    try:
        assert "builtin-v0" in regalloc.datasets
        _, info = regalloc.reset(seed=0)
        assert info["benchmark"] == "benchmark://builtin-v0/crc32"  # as the pass-ordering envs say it
    finally:
        regalloc.close()
