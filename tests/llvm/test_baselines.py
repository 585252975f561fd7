"""Baselines: -Oz equals clang -Oz, -O3 equals opt default<O3>, object sizes, and the on-disk cache."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from c_to_ir import compile_c
from llvm_programs import c_sources

from rl_compiler.llvm.baselines import (
    O3_PIPELINE,
    Baselines,
    compute_baselines,
    optimize_o3,
    optimize_oz,
)
from rl_compiler.llvm.module import Module


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RL_COMPILER_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize("source", c_sources()[:3], ids=lambda p: p.stem)
def test_oz_equals_clang_oz(source: Path, toolchain, tmp_path: Path) -> None:
    pre = compile_c(source, tmp_path / "pre.bc", "-Oz", "-Xclang", "-disable-llvm-passes")
    final = compile_c(source, tmp_path / "oz.ll", "-Oz")
    with Module.from_file(pre) as module, Module.from_file(final) as reference, optimize_oz(module) as oz:
        assert oz.instruction_count() == reference.instruction_count()
        # clang drops value names and reads intrinsics' attributes back from text, so compare structure:
        assert oz.autophase().tolist() == reference.autophase().tolist()
        assert oz.inst_count().tolist() == reference.inst_count().tolist()
        assert oz.object_text_size() == reference.object_text_size()


def test_oz_sets_size_attributes_itself(kitchen_o0: Path) -> None:
    # From -O0 bitcode (no size attributes), Oz differs from plain default<O2>: the attributes matter.
    with Module.from_file(kitchen_o0) as module, optimize_oz(module) as oz:
        assert "minsize" in oz.ir() and "minsize" not in module.ir()


def test_o3_equals_opt(kitchen_o0: Path, toolchain, tmp_path: Path) -> None:
    out = tmp_path / "o3.ll"
    subprocess.run([str(toolchain.opt), f"-passes={O3_PIPELINE}", "-S", str(kitchen_o0), "-o", str(out)], check=True)
    with Module.from_file(kitchen_o0) as module, optimize_o3(module) as o3:
        assert o3.instruction_count() == Module.from_file(out).instruction_count()


def test_compute_baselines_and_cache(c_modules: dict[str, Path], private_cache: Path) -> None:
    with Module.from_file(c_modules["kitchen-O0"]) as module:
        fingerprint = module.fingerprint()
        baselines = compute_baselines(module)
        assert module.fingerprint() == fingerprint  # the module itself is not optimized
        assert baselines.ic_O0 == module.instruction_count()
        assert baselines.text_O0 == module.object_text_size()
        with optimize_oz(module) as oz, optimize_o3(module) as o3:
            assert (baselines.ic_Oz, baselines.text_Oz) == (oz.instruction_count(), oz.object_text_size())
            assert (baselines.ic_O3, baselines.text_O3) == (o3.instruction_count(), o3.object_text_size())
        assert baselines.ic_Oz < baselines.ic_O0 and baselines.text_Oz < baselines.text_O0

        entries = list((private_cache / "baselines").glob("*.json"))
        assert len(entries) == 1 and entries[0].name.startswith(module.sha1())
        assert Baselines(**json.loads(entries[0].read_text())) == baselines
        # A second call reads the cache: prove it by planting a different value.
        entries[0].write_text(json.dumps({**json.loads(entries[0].read_text()), "ic_Oz": 1}))
        assert compute_baselines(module).ic_Oz == 1
        assert compute_baselines(module, use_cache=False) == baselines
        entries[0].write_text("{corrupt")
        assert compute_baselines(module) == baselines  # recomputed and rewritten
        assert Baselines(**json.loads(entries[0].read_text())) == baselines


@pytest.mark.parametrize("source", c_sources()[:2], ids=lambda p: p.stem)
def test_o3_of_a_size_prepared_module_ignores_its_size_attributes(source: Path, toolchain, tmp_path: Path) -> None:
    """clang -Oz marks functions minsize/optsize; the O3 baseline must not optimize for size."""
    pre, stripped, o3 = tmp_path / "pre.bc", tmp_path / "stripped.bc", tmp_path / "o3.ll"
    compile_c(source, pre, "-Oz", "-Xclang", "-disable-llvm-passes")
    with Module.from_file(pre) as module:
        assert "minsize" in module.ir()
        with module.clone() as clone:
            clone.clear_size_attributes()
            assert "minsize" not in clone.ir() and "optsize" not in clone.ir()
            stripped.write_bytes(clone.bitcode())
        subprocess.run([str(toolchain.opt), f"-passes={O3_PIPELINE}", str(stripped), "-S", "-o", str(o3)], check=True)
        with optimize_o3(module) as ours, Module.from_file(o3) as reference:
            assert ours.instruction_count() == reference.instruction_count()
