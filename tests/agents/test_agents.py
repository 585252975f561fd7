"""Every agent type runs end to end on a small split of real programs; results are valid and replayable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rl_compiler.agents import envtools
from rl_compiler.agents.base import Budget, Policy, geomean
from rl_compiler.agents.evaluation import evaluate, format_table, summarize, write_results
from rl_compiler.agents.fixed import split_pipeline
from rl_compiler.agents.registry import AGENTS, UnknownAgentError, make_agent
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


class FirstActionTwice(Policy):
    """A user agent written against the public interface: the first action, twice."""

    name = "first-twice"

    def act(self, observation, env):
        self.count = getattr(self, "count", 0) + 1
        return 0 if self.count <= 2 else None

    def reset(self, env):
        self.count = 0


@pytest.mark.parametrize("name", sorted(SEARCH_CASES))
def test_search_agent_end_to_end(name, env, small_split):
    results = evaluate(make_agent(name, **SEARCH_CASES[name]), env, small_split, progress=False)
    assert [r.benchmark for r in results] == small_split
    for r in results:
        assert r.valid, r.validation
        assert r.ic_final <= r.ic_oz, f"{name} from -Oz ended larger than -Oz on {r.benchmark}"
        assert r.passes and r.passes[0] == envtools.OZ
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


def test_user_agent_by_import_string(env, small_split):
    agent = make_agent(f"{__name__}:FirstActionTwice")
    result = agent.run(env, benchmark=small_split[0])
    assert result.actions == [0, 0]
    assert result.passes == [envtools.action_names(env)[0]] * 2


def test_unknown_agent_names_the_choices():
    with pytest.raises(UnknownAgentError, match="greedy"):
        make_agent("simulated-annealing")
    with pytest.raises(UnknownAgentError, match="no_such_module"):
        make_agent("no_such_module:Agent")
    with pytest.raises(UnknownAgentError, match="not a subclass"):
        make_agent("pathlib:Path")


def test_registry_lists_every_agent_type():
    for name in ("random", "greedy", "beam", "local-search", "epsilon-greedy", "oz", "o3", "replay", "default"):
        assert name in AGENTS


def test_budget_parsing():
    assert Budget.parse("500") == Budget(max_steps=500)
    assert Budget.parse("10s") == Budget(time_limit=10.0)
    assert Budget.parse("2m") == Budget(time_limit=120.0)
    assert Budget.parse("500,10s") == Budget(max_steps=500, time_limit=10.0)
    with pytest.raises(ValueError, match="invalid budget"):
        Budget.parse("ten seconds")


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


def test_geomean_and_result_files(env, small_split, tmp_path):
    assert geomean([1.0, 4.0]) == pytest.approx(2.0)
    assert geomean([-1.0, 1.0]) == pytest.approx(0.1)  # returns <= 0 count as 0.01
    results = evaluate(make_agent("oz"), env, small_split, progress=False, run_programs=False)
    summary = summarize(results)
    assert "geomean IrInstructionCountOz 1.0000x" in format_table(results, summary)
    write_results(tmp_path / "r.csv", results, summary)
    write_results(tmp_path / "r.json", results, summary, {"agent": "oz"})
    assert Path(tmp_path / "r.csv").read_text().count("\n") == 1 + len(small_split)
    assert '"geomean_ir_instruction_count_oz": 1.0' in (tmp_path / "r.json").read_text()


def test_macro_action_selection():
    from rl_compiler.agents.macros import select_macro_actions

    ranking = [
        ("iroutliner,default<O2>", 0.5),
        ("iroutliner", 0.3),
        ("a,default<O2>", 0.2),
        ("b,default<O2>", 0.2),
        ("c,default<O2>", 0.2),
        ("d", 0.0),
    ]
    assert select_macro_actions(ranking, 4) == ["default<O2>", "iroutliner,default<O2>", "iroutliner"]
