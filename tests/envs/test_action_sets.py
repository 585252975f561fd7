"""Every action of every action set on every built-in benchmark, from its starting state: no crash,
the verifier passes, and runnable benchmarks keep their output. Plus the action-set data itself."""

from __future__ import annotations

import subprocess

import pytest

from rl_compiler.datasets import get_dataset
from rl_compiler.envs.action_sets import action_set_names, load_action_set, split_pipeline
from rl_compiler.llvm.errors import LLVMError
from rl_compiler.llvm.session import Session
from rl_compiler.llvm.toolchain import get_toolchain


def test_action_sets_load():
    assert action_set_names() == ["compiler_gym", "default"]
    default, cgym = load_action_set("default"), load_action_set("compiler_gym")
    assert len(default) == 148 and len(cgym) + len([e for e in cgym.excluded]) == 124
    assert set(cgym.pipelines) <= set(default.pipelines)
    for bad in ("function(structurizecfg)", "function(gvn-sink)", "attributor", "function(unify-loop-exits)"):
        assert bad not in default.pipelines
    assert "loop-extract" not in default.pipelines  # miscompiles hashsuite (see default.yaml)
    with pytest.raises(ValueError, match="valid names: compiler_gym, default"):
        load_action_set("nope")


def test_split_pipeline():
    assert split_pipeline("function(a,b),c<x;y>,function(loop(d))") == [
        "function(a,b)",
        "c<x;y>",
        "function(loop(d))",
    ]


def _base(name: str) -> str:
    name = name.strip()
    return name.split("<", 1)[0]


def _innermost(pipeline: str) -> str:
    while "(" in pipeline and not pipeline.startswith("loop-extract"):
        pipeline = pipeline[pipeline.index("(") + 1 : pipeline.rindex(")")]
    return _base(pipeline)


def test_every_pass_of_opt_is_an_action_or_excluded_with_a_reason():
    """The default set is complete: each pass `opt --print-passes` lists is offered or excluded."""
    listing = subprocess.run(
        [str(get_toolchain().opt), "--print-passes"], capture_output=True, text=True, check=True
    ).stdout
    wanted, section = set(), None
    for line in listing.splitlines():
        if not line.startswith(" "):
            section = line.strip().rstrip(":")
            continue
        if section and "analyses" not in section and "Machine" not in section:
            wanted.add(_base(line))
    default = load_action_set("default")
    offered = {_innermost(p) for p in default.pipelines}
    excluded = {_base(name) for name, _ in default.excluded} | {_innermost(n) for n, _ in default.excluded}
    missing = sorted(w for w in wanted if w not in offered and w not in excluded and not w.startswith("print"))
    assert not missing, f"passes neither offered nor excluded: {missing}"
    assert all(reason for _, reason in default.excluded)


def _all_pipelines() -> list[str]:
    seen: dict[str, None] = {}
    for name in action_set_names():
        seen.update(dict.fromkeys(load_action_set(name).pipelines))
    return list(seen)


@pytest.mark.slow
@pytest.mark.parametrize("uri", get_dataset("builtin-v0").benchmark_uris())
def test_every_action_from_the_starting_state(uri):
    benchmark = get_dataset("builtin-v0").benchmark(uri.rsplit("/", 1)[-1])
    bitcode = benchmark.bitcode("size")
    failures, checked = [], {}
    with Session(bitcode, isolated=True, timeout=120) as root:
        start = root.fingerprint()
        for pipeline in _all_pipelines():
            with root.fork() as session:
                try:
                    session.run_passes(pipeline)
                    session.verify()
                except LLVMError as error:
                    failures.append(f"{pipeline}: {type(error).__name__}: {str(error)[:300]}")
                    continue
                if not benchmark.runnable or session.fingerprint() == start:
                    continue
                sha1 = session.sha1()
                if sha1 not in checked:
                    try:
                        benchmark.check_output(session.bitcode(), timeout=60)
                        checked[sha1] = None
                    except Exception as error:
                        checked[sha1] = f"{type(error).__name__}: {str(error)[:300]}"
                if checked[sha1]:
                    failures.append(f"{pipeline}: {checked[sha1]}")
    assert not failures, "\n".join(failures)
