"""The native engine's build cache."""

from __future__ import annotations

import dataclasses

from rl_compiler.llvm.engine import library_path
from rl_compiler.llvm.toolchain import get_toolchain


def test_each_installation_gets_its_own_engine_build(tmp_path):
    """The engine reaches libLLVM through an rpath, so a build must never serve a second venv: deleting the
    venv that built it would break the other one's engine (it did, for every venv sharing the cache)."""
    toolchain = get_toolchain()
    other = dataclasses.replace(toolchain, libdir=tmp_path / "other-venv" / "lib")
    assert library_path(toolchain) != library_path(other)
    assert library_path(toolchain) == library_path(dataclasses.replace(toolchain))


def test_passes_kept_per_module_give_llvm_run_passes_results():
    """``passrun.cpp`` keeps LLVM's pass builder and analysis managers with the module (issue 19): seeded random
    pass sequences (CompilerGym's action set and ours) on real programs give the IR ``LLVMRunPasses`` gives, text
    for text after every pass, and a rejected pipeline is rejected by both."""
    import numpy as np

    from rl_compiler.datasets import get_benchmark
    from rl_compiler.envs.action_sets import load_action_set
    from rl_compiler.llvm.module import Module

    toolchain = get_toolchain()
    pipelines = sorted(set(load_action_set("compiler_gym").pipelines) | set(load_action_set("default").pipelines))
    rng = np.random.default_rng(19)
    for uri in ("benchmark://builtin-v0/crc32", "benchmark://builtin-v0/kmp"):
        bitcode = get_benchmark(uri).bitcode("size")
        with Module.from_bitcode(bitcode) as ours, Module.from_bitcode(bitcode) as reference:
            lib = ours._lib
            if toolchain.source == "pypi":  # the toolchain passrun.cpp is built for
                assert lib.rlc_passrun_linked() == 1
            for index in rng.integers(len(pipelines), size=60):
                pipeline = pipelines[index].encode()
                assert lib.rlc_run_passes_bare(ours._ptr, pipeline) == 0
                assert lib.rlc_run_passes_reference(reference._ptr, pipeline) == 0
                assert ours.ir() == reference.ir(), pipelines[index]
            assert lib.rlc_run_passes_bare(ours._ptr, b"no-such-pass") == 1
            assert lib.rlc_run_passes_reference(reference._ptr, b"no-such-pass") == 1
