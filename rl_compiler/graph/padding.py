"""Fixed-size array form of a ``Programl`` graph, for learners whose buffers need fixed shapes
(Stable-Baselines3 stores ``Box``/``Dict`` observations only).

``pad_graph`` turns a graph into a dict of int32 arrays, zero-padded to ``max_nodes`` / ``max_edges``
with the true counts alongside; :class:`rl_compiler.graph.network.GraphEncoder` reads that dict back
into a flat batch of graphs. A graph larger than the limits keeps its first ``max_nodes`` nodes (the
root, globals and functions in module order; constants come last) and the edges among them, then its
first ``max_edges`` edges: the ``truncated`` key says so.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.spaces import GraphInstance

from rl_compiler.graph.programl import EDGE_FLOWS, NODE_TYPES
from rl_compiler.graph.vocabulary import load_vocabulary

DEFAULT_MAX_NODES = 8192
DEFAULT_MAX_EDGES = 16384
#: Positions above this share one value (operand 31 of a call is as good as operand 40 to a network).
MAX_POSITION = 31


def padded_space(max_nodes: int, max_edges: int, vocabulary_size: int | None = None) -> spaces.Dict:
    """The ``Dict`` space of :func:`pad_graph`'s output."""
    vocabulary_size = vocabulary_size or len(load_vocabulary())

    def box(high: int, shape: tuple[int, ...]) -> spaces.Box:
        return spaces.Box(0, high, shape=shape, dtype=np.int32)

    return spaces.Dict(
        {
            "node_type": box(len(NODE_TYPES) - 1, (max_nodes,)),
            "node_text": box(vocabulary_size - 1, (max_nodes,)),
            "edge_index": box(max(max_nodes - 1, 0), (2, max_edges)),
            "edge_flow": box(len(EDGE_FLOWS) - 1, (max_edges,)),
            "edge_position": box(MAX_POSITION, (max_edges,)),
            "num_nodes": box(max_nodes, (1,)),
            "num_edges": box(max_edges, (1,)),
            "truncated": box(1, (1,)),
        }
    )


def pad_graph(graph: GraphInstance, max_nodes: int = DEFAULT_MAX_NODES, max_edges: int = DEFAULT_MAX_EDGES) -> dict:
    """``graph`` as zero-padded int32 arrays (see the module docstring and :func:`padded_space`)."""
    nodes = np.asarray(graph.nodes)
    edges = np.asarray(graph.edges)
    links = np.asarray(graph.edge_links)
    truncated = nodes.shape[0] > max_nodes
    n = min(nodes.shape[0], max_nodes)
    if truncated:
        keep = (links[:, 0] < n) & (links[:, 1] < n)
        edges, links = edges[keep], links[keep]
    truncated = truncated or edges.shape[0] > max_edges
    m = min(edges.shape[0], max_edges)
    out = {
        "node_type": np.zeros(max_nodes, np.int32),
        "node_text": np.zeros(max_nodes, np.int32),
        "edge_index": np.zeros((2, max_edges), np.int32),
        "edge_flow": np.zeros(max_edges, np.int32),
        "edge_position": np.zeros(max_edges, np.int32),
        "num_nodes": np.array([n], np.int32),
        "num_edges": np.array([m], np.int32),
        "truncated": np.array([int(truncated)], np.int32),
    }
    out["node_type"][:n] = nodes[:n, 0]
    out["node_text"][:n] = nodes[:n, 1]
    out["edge_index"][:, :m] = links[:m].T
    out["edge_flow"][:m] = edges[:m, 0]
    out["edge_position"][:m] = np.minimum(edges[:m, 1], MAX_POSITION)
    return out


class ProgramlPadded(gym.ObservationWrapper):
    """The ``Programl`` graph observation as :func:`pad_graph`'s fixed-size dict (``programl-padded`` in
    the hyperparameter files).

    :param max_nodes: node slots; larger graphs are truncated (``observation["truncated"]``).
    :param max_edges: edge slots.
    """

    def __init__(self, env: gym.Env, max_nodes: int = DEFAULT_MAX_NODES, max_edges: int = DEFAULT_MAX_EDGES) -> None:
        super().__init__(env)
        if not isinstance(env.observation_space, spaces.Graph):
            raise ValueError(
                f"programl-padded needs the Programl (Graph) observation, got {env.observation_space}; "
                'make the env with observation_space="Programl" or use rl_compiler/llvm-programl-ic-v0'
            )
        if max_nodes < 1 or max_edges < 1:
            raise ValueError(f"programl-padded: max_nodes and max_edges must be >= 1, got {max_nodes}, {max_edges}")
        self.max_nodes, self.max_edges = max_nodes, max_edges
        vocabulary_size = int(env.observation_space.node_space.high[1]) + 1
        self.observation_space = padded_space(max_nodes, max_edges, vocabulary_size)

    def observation(self, observation: Any) -> dict:
        return pad_graph(observation, self.max_nodes, self.max_edges)
