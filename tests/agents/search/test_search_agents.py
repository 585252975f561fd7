"""Every search agent and fixed pass list runs end to end on a small split of real programs; results are valid
and replayable."""

from __future__ import annotations

import subprocess

import pytest

from rl_compiler.agents import envtools
from rl_compiler.agents.evaluation import evaluate, summarize
from rl_compiler.agents.registry import make_agent
from rl_compiler.agents.search.fixed import split_pipeline
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.toolchain import get_toolchain

TINY = {"max_steps": 60, "seed": 0}
SEARCH_CASES = {
    "random": dict(TINY, start="oz"),
    "greedy": dict(TINY, start="oz", macro_actions=["oz"]),
    "beam": dict(TINY, start="oz", width=2, depth=2, branch=10),
    "local-search": dict(TINY, start="oz", kick=2, descent_candidates=10, macro_actions=["oz"]),
    "epsilon-greedy": dict(TINY, start="oz", epsilon=0.3, episode_length=3),
    "default": {"time_limit": 1.5, "max_steps": 60, "metric": "ir"},
}


@pytest.mark.parametrize("name", sorted(SEARCH_CASES))
def test_search_agent_end_to_end(name, env, small_split):
    results = evaluate(make_agent(name, **SEARCH_CASES[name]), env, small_split, progress=False)
    assert [r.benchmark for r in results] == small_split
    for r in results:
        assert r.valid, r.validation
        assert r.ic_final <= r.ic_oz, f"{name} from -Oz ended larger than -Oz on {r.benchmark}"
        assert r.passes
        if name != "default":  # the default agent may instead apply a coreset sequence to the start module
            assert r.passes[0] == envtools.OZ
        assert r.text_final and r.text_oz
    assert summarize(results)["geomean_ir_instruction_count_oz"] >= 1.0


@pytest.mark.parametrize("name", ["oz", "o3"])
def test_fixed_pipelines_match_the_baselines(name, env, small_split):
    for uri in small_split:
        result = make_agent(name).run(env, benchmark=uri)
        baselines = envtools.baselines(env)
        if name == "oz":
            assert result.ic_final == baselines.ic_Oz
        assert result.ic_final < baselines.ic_O0
        assert result.passes == [envtools.OZ if name == "oz" else envtools.O3]


def test_replay_reproduces_a_recorded_pass_list(env, small_split, tmp_path):
    first = make_agent("greedy", **SEARCH_CASES["greedy"]).run(env, benchmark=small_split[0])
    (tmp_path / "p.passes.txt").write_text(first.pipeline + "\n")
    replayed = make_agent("replay", path=tmp_path / "p.passes.txt").run(env, benchmark=small_split[0])
    assert replayed.passes == first.passes
    assert replayed.ic_final == first.ic_final


def test_pass_list_replays_with_opt(env, small_split, tmp_path):
    """The recorded pipeline, run by `opt` on the start bitcode, gives the env's final module."""
    result = make_agent("greedy", **SEARCH_CASES["greedy"]).run(env, benchmark=small_split[1])
    start = tmp_path / "input.bc"
    start.write_bytes(envtools.start_bitcode(env))
    out = tmp_path / "out.bc"
    subprocess.run(
        [str(get_toolchain().opt), f"-passes={result.pipeline}", str(start), "-o", str(out)],
        check=True,
        capture_output=True,
    )
    with Module.from_file(out) as module:
        assert module.instruction_count() == result.ic_final


def test_time_budget_is_respected(env, small_split):
    result = make_agent("random", time_limit=0.5, seed=1).run(env, benchmark=small_split[0])
    assert result.wall_time < 5.0  # reset + a 0.5 s search + the final replay


def test_split_pipeline_keeps_nesting():
    assert split_pipeline("a,function(b,c),cgscc(inline),function(loop(x,y))") == [
        "a",
        "function(b,c)",
        "cgscc(inline)",
        "function(loop(x,y))",
    ]
    assert split_pipeline("function(simplifycfg<a;b>),default<O2>") == [
        "function(simplifycfg<a;b>)",
        "default<O2>",
    ]


def test_macro_action_selection():
    from rl_compiler.agents.search.macros import select_macro_actions

    ranking = [
        ("iroutliner,default<O2>", 0.5),
        ("iroutliner", 0.3),
        ("a,default<O2>", 0.2),
        ("b,default<O2>", 0.2),
        ("c,default<O2>", 0.2),
        ("d", 0.0),
    ]
    assert select_macro_actions(ranking, 4) == ["default<O2>", "iroutliner,default<O2>", "iroutliner"]
