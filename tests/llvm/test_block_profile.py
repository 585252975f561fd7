"""Block numbering, static block costs and the counter instrumentation of the native engine."""

from __future__ import annotations

import re

import pytest

from rl_compiler.llvm.errors import LLVMError
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.profile import block_costs, instrument, read_counts, runtime_object

LOOP = """
define i32 @f(i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %q = sdiv i32 %n, 3
  %next = add i32 %i, %q
  %done = icmp sge i32 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i32 %next
}
declare i32 @g()
"""


def test_block_costs_number_blocks_in_module_order_and_sum_to_the_instruction_count():
    with Module.from_ir(LOOP) as module:
        costs = block_costs(module)
        assert list(costs.instructions) == [1, 5, 1]
        assert int(costs.instructions.sum()) == module.instruction_count()
        # phi 0, sdiv 25, add 1, icmp 1, br 1 (engine.c static_cycles)
        assert list(costs.cycles) == [1, 28, 1]


def test_instrumented_copy_verifies_and_leaves_the_module_unchanged():
    with Module.from_ir(LOOP) as module:
        before = module.ir()
        bitcode, costs = instrument(module)
        assert module.ir() == before
        with Module.from_bitcode(bitcode) as copy:  # from_bitcode verifies
            ir = copy.ir()
            assert "@__rlc_block_counts = global [3 x i64] zeroinitializer" in ir
            # the definition, then a load and a store per block
            assert len(re.findall(r"@__rlc_block_counts\b", ir)) == 1 + 2 * 3
            # The increment goes after the PHI of the loop block.
            loop = ir[ir.index("loop:") :]
            assert loop.index("phi") < loop.index("__rlc_block_counts")
            with pytest.raises(LLVMError, match="already instrumented"):
                instrument(copy)
        assert len(costs) == 3


def test_read_counts_checks_the_header():
    good = (3).to_bytes(8, "little") + b"".join(n.to_bytes(8, "little") for n in (1, 10, 1))
    assert list(read_counts(good, 3)) == [1, 10, 1]
    with pytest.raises(LLVMError, match="malformed block counts"):
        read_counts(good, 4)
    with pytest.raises(LLVMError, match="malformed block counts"):
        read_counts(good[:-3], 3)


def test_runtime_object_is_built_once():
    first = runtime_object()
    assert first.is_file() and first.stat().st_size > 0
    assert runtime_object() == first
