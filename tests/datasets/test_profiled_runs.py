"""Deterministic execution costs: exact counts, identical across runs and processes, and moving in the
expected direction under a pass known to cut executed instructions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rl_compiler.datasets.errors import BenchmarkRunError
from rl_compiler.datasets.profile import CostBaselines, ProfileError, dynamic_baselines, profile_module
from rl_compiler.datasets.user import benchmark_from_files
from rl_compiler.llvm.baselines import Baselines

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def invariant():
    return benchmark_from_files(DATA / "invariant.c")


def test_counts_are_exact_on_a_hand_written_loop():
    benchmark = benchmark_from_files(DATA / "counted_loop.ll")
    with benchmark.module("runtime") as module:
        profile = profile_module(benchmark, module, use_cache=False)
    # entry (1 instruction) once, loop (4) ten times, exit (1) once
    assert profile.dynamic_instructions == 42
    assert profile.executed_blocks == 12 and profile.blocks == 3
    assert profile.estimated_cycles == 1 + 10 * 3 + 1  # br; phi 0 + add, icmp, br; ret


def test_identical_across_runs_and_processes(invariant, tmp_path):
    with invariant.module("runtime") as module:
        module.run_passes("function(sroa)")
        first = profile_module(invariant, module, use_cache=False)
        second = profile_module(invariant, module, use_cache=False)
        (tmp_path / "state.bc").write_bytes(module.bitcode())
    assert first == second
    script = (
        "import sys; from pathlib import Path\n"
        "from rl_compiler.datasets.user import benchmark_from_files\n"
        "from rl_compiler.datasets.profile import profile_bitcode\n"
        "b = benchmark_from_files(sys.argv[1])\n"
        "p = profile_bitcode(b, Path(sys.argv[2]).read_bytes(), use_cache=False)\n"
        "print(p.dynamic_instructions, p.estimated_cycles, p.executed_blocks)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(DATA / "invariant.c"), str(tmp_path / "state.bc")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    assert [int(x) for x in out] == [first.dynamic_instructions, first.estimated_cycles, first.executed_blocks]


def test_licm_cuts_executed_instructions_but_not_block_entries(invariant):
    with invariant.module("runtime") as module:
        module.run_passes("function(sroa,early-cse)")
        before = profile_module(invariant, module, use_cache=False)
        module.run_passes("function(loop-mssa(licm))")
        after = profile_module(invariant, module, use_cache=False)
    assert after.executed_blocks == before.executed_blocks  # LICM moves code, it does not change the CFG
    assert after.dynamic_instructions < 0.9 * before.dynamic_instructions
    assert after.estimated_cycles < 0.5 * before.estimated_cycles  # the hoisted division weighs most


def test_dynamic_baselines_order_and_lazy_cost_baselines(invariant):
    bitcode = invariant.bitcode("runtime")
    base = dynamic_baselines(invariant, bitcode)
    assert base.dyn_O3 < base.dyn_O0 and base.dyn_Oz < base.dyn_O0
    assert base.cycles_O3 < base.cycles_O0
    static = Baselines(ic_O0=1, ic_O3=1, ic_Oz=1, text_O0=1, text_O3=1, text_Oz=1)
    both = CostBaselines(static, invariant, bitcode)
    assert both.ic_Oz == 1 and "dynamic=None" in repr(both)  # static fields do not run anything
    assert both.dyn_O3 == base.dyn_O3 and both.cycles_Oz == base.cycles_Oz


def test_a_program_that_leaves_by_exit_underscore_has_no_profile(tmp_path):
    source = tmp_path / "quick_exit.c"
    source.write_text("#include <unistd.h>\nint main(void) { _exit(3); }\n")
    benchmark = benchmark_from_files(source)
    with benchmark.module("runtime") as module, pytest.raises(ProfileError, match="wrote no block counts"):
        profile_module(benchmark, module, use_cache=False)


def test_a_benchmark_without_main_is_not_runnable(tmp_path):
    source = tmp_path / "lib.c"
    source.write_text("int twice(int x) { return 2 * x; }\n")
    benchmark = benchmark_from_files(source)
    with benchmark.module("runtime") as module, pytest.raises(BenchmarkRunError, match="not runnable"):
        profile_module(benchmark, module)


def test_cost_baselines_pickle_and_copy(invariant):
    import copy
    import pickle

    static = Baselines(ic_O0=3, ic_O3=2, ic_Oz=1, text_O0=1, text_O3=1, text_Oz=1)
    both = CostBaselines(static, invariant, b"not needed until a dynamic field is read")
    for twin in (pickle.loads(pickle.dumps(both)), copy.deepcopy(both)):
        assert twin.ic_O0 == 3 and twin.static == static
    with pytest.raises(AttributeError):
        _ = both.no_such_field
