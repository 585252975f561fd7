"""Program graphs: the ``Programl`` observation (ProGraML's schema, built by the native engine), its
vocabulary, and converters to NetworkX and PyTorch Geometric.

>>> import gymnasium as gym, rl_compiler
>>> env = gym.make("rl_compiler/llvm-v0", observation_space="Programl")
>>> graph, _ = env.reset()                     # a gymnasium.spaces.GraphInstance (a ProgramGraph)
>>> nx_graph = rl_compiler.graph.to_networkx(graph)
>>> data = rl_compiler.graph.to_pyg(graph)     # needs the [graph] extra (torch-geometric)

The graph network (a Stable-Baselines3 feature extractor and a reusable torch module) is in
:mod:`rl_compiler.graph.network` (needs the ``[rl]`` extra); it is not imported here.
"""

from rl_compiler.graph.convert import to_networkx, to_pyg
from rl_compiler.graph.programl import (
    EDGE_FEATURES,
    EDGE_FLOWS,
    NODE_FEATURES,
    NODE_TYPES,
    ProgramGraph,
    describe,
    graph_hash,
    programl_graph,
    programl_space,
)
from rl_compiler.graph.vocabulary import Vocabulary, load_vocabulary

__all__ = [
    "EDGE_FEATURES",
    "EDGE_FLOWS",
    "NODE_FEATURES",
    "NODE_TYPES",
    "ProgramGraph",
    "Vocabulary",
    "describe",
    "graph_hash",
    "load_vocabulary",
    "programl_graph",
    "programl_space",
    "to_networkx",
    "to_pyg",
]
