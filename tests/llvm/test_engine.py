"""The native engine's build cache."""

from __future__ import annotations

import dataclasses
import gc

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


def test_a_pooled_target_machine_gives_a_fresh_ones_results():
    """A disposed module's target machine goes to a pool and the next module takes it (issue 19: making one cost
    an episode's first step about 165 µs). After codegen on the first module (object_text_size), the next
    module's passes give the IR a fresh target machine gives."""
    import numpy as np

    from rl_compiler.datasets import get_benchmark
    from rl_compiler.envs.action_sets import load_action_set
    from rl_compiler.llvm.module import Module

    pipelines = load_action_set("compiler_gym").pipelines
    sequence = [pipelines[i] for i in np.random.default_rng(7).integers(len(pipelines), size=40)]
    bitcode = get_benchmark("benchmark://builtin-v0/crc32").bitcode("size")

    def run_sequence() -> str:
        with Module.from_bitcode(bitcode) as module:
            for pipeline in sequence:
                module.run_passes(pipeline)
            return module.ir()

    with Module.from_bitcode(bitcode) as probe:
        lib = probe._lib
    gc.collect()  # no other test's module is disposed while the pool is counted
    gc.disable()
    try:
        lib.rlc_tm_pool(1)
        fresh = run_sequence()  # a new target machine, pooled when the module is disposed
        assert lib.rlc_tm_pool(0) == 1
        with Module.from_bitcode(bitcode) as used:
            used.run_passes(sequence[0])
            assert lib.rlc_tm_pool(0) == 0  # taken
            assert used.object_text_size() > 0  # codegen on the pooled target machine
        assert lib.rlc_tm_pool(0) == 1  # given back
        assert run_sequence() == fresh
    finally:
        gc.enable()
