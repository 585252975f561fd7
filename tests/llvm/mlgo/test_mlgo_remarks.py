"""Greedy's remarks and the .text size of objects (rl_compiler.llvm.mlgo.remarks, .elf)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from rl_compiler.llvm import mlgo
from rl_compiler.llvm.toolchain import get_toolchain


def test_remarks_parser() -> None:
    text = textwrap.dedent(
        """\
        --- !Missed
        Pass:            regalloc
        Name:            LoopSpillReloadCopies
        Function:        hot
        Args:
          - NumSpills:       '10'
          - TotalSpillsCost: '2.000000e+02'
        ...
        --- !Missed
        Pass:            regalloc
        Name:            SpillReloadCopies
        Function:        'weird name'
        Args:
          - NumSpills:       '2'
          - String:          ' spills '
          - TotalSpillsCost: '3.0'
          - NumFoldedReloads: '1'
          - TotalFoldedReloadsCost: '2.5'
          - NumVRCopies:     '4'
          - TotalCopiesCost: '10'
        ...
        """
    )
    stats = mlgo.parse_regalloc_remarks(text)
    assert list(stats) == ["weird name"]  # the per-loop remark is not counted twice
    record = stats["weird name"]
    assert (record.spills, record.folded_reloads, record.copies) == (2, 1, 4)
    assert record.score == pytest.approx(3.0 + 4 * 2.5 + 0.2 * 10)


def test_text_size_matches_llvm_size(pressure_bc: Path, tmp_path: Path) -> None:
    obj = tmp_path / "x.o"
    subprocess.run([get_toolchain().llc, "-O2", "-filetype=obj", "-o", obj, pressure_bc], check=True)
    out = subprocess.run([get_toolchain().llvm_size, "-A", obj], capture_output=True, text=True, check=True).stdout
    text = sum(int(line.split()[1]) for line in out.splitlines() if line.startswith(".text"))
    assert mlgo.text_size(obj.read_bytes()) == text > 0
