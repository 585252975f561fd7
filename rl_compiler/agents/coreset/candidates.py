"""Candidate pass sequences for a coreset: a short search per training program, with the project's agents.

For each program, each configured search runs once from the program's start module in a
:class:`~rl_compiler.envs.passes.PassOrderingEnv` (crash-isolated) and its best pass list becomes a candidate
sequence (a pipeline string that applies to the start module). The searches judge by IR instruction count,
the cheap signal a search can afford thousands of times; the candidates are then scored by ``.text`` and IR
on every program (:mod:`.scoring`), which is where object size decides. The default searches:

- ``local-search`` onward from -Oz (``default<O2>`` then passes), with the whole -Oz pipeline as a macro
  action, so re-running -Oz after a pass is one step: the sequences that usually beat -Oz in object size;
- ``random`` search from the start module with the -Oz macro, which finds orderings that do not begin
  with the whole -Oz pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rl_compiler.agents.registry import make_agent
from rl_compiler.envs.action_sets import split_pipeline
from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.envs.pipelines import OZ, canonical_pipeline


@dataclass(frozen=True)
class SearchSpec:
    """One search run per program: agent name, its start pipeline and its step budget."""

    agent: str
    start: str | None
    max_steps: int


DEFAULT_SEARCHES = (
    SearchSpec("local-search", "oz", 300),
    SearchSpec("random", None, 300),
)


def search_candidates(
    uris: Sequence[str],
    searches: Sequence[SearchSpec] = DEFAULT_SEARCHES,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> list[str]:
    """The distinct pass sequences the searches find on ``uris`` (first-found order; -Oz excluded)."""
    found: dict[str, None] = {}
    env = PassOrderingEnv(benchmark=uris[0], isolated=True)
    try:
        for index, uri in enumerate(uris):
            for number, spec in enumerate(searches):
                agent = make_agent(
                    spec.agent, max_steps=spec.max_steps, seed=seed + 1000 * index + number,
                    start=spec.start, macro_actions=[OZ],
                )  # fmt: skip
                try:
                    result = agent.run(env, benchmark=uri, object_size=False)
                except Exception as error:  # a program a search cannot handle is skipped, not fatal
                    if progress is not None:
                        progress(f"search {spec.agent} failed on {uri}: {error}")
                    continue
                sequence = normalize(result.pipeline)
                if sequence and sequence != OZ:
                    found.setdefault(sequence, None)
            if progress is not None:
                progress(f"searched {index + 1}/{len(uris)} {uri}: {len(found)} candidates")
    finally:
        env.close()
    return list(found)


def normalize(pipeline: str) -> str:
    """A pipeline with the -Oz aliases spelled ``default<O2>`` and no empty elements."""
    return ",".join(canonical_pipeline(part) for part in split_pipeline(pipeline))
