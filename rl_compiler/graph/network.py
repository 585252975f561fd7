"""A graph network over ``Programl`` graphs in pure torch (no torch-geometric needed): a gated graph
network in the style of ProGraML's GGNN (Li et al., ICLR 2016, https://arxiv.org/abs/1511.05493;
Cummins et al., ICML 2021), and a Stable-Baselines3 feature extractor built on it.

- :class:`GraphEncoder` (``torch.nn.Module``): node embeddings from the vocabulary id of the node text
  plus the node type; ``steps`` rounds of messages along every edge in both directions (each message
  depends on the sender's state, the edge's flow, its direction and its position), averaged per node and
  fed to a GRU cell; then a mean+max readout per graph to ``out_dim`` features. Use
  :meth:`GraphEncoder.forward_graphs` on ``GraphInstance`` lists, :meth:`GraphEncoder.forward_padded` on
  :func:`rl_compiler.graph.padding.pad_graph` batches, or :meth:`GraphEncoder.forward` on flat tensors.
- :class:`ProgramlExtractor`: the SB3 ``features_extractor_class`` for the ``programl-padded`` wrapper's
  observations (``policy: MultiInputPolicy``); see ``agents/hyperparams/ppo.yml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from gymnasium import spaces
from gymnasium.spaces import GraphInstance
from torch import nn

from rl_compiler.graph.padding import MAX_POSITION
from rl_compiler.graph.programl import EDGE_FLOWS, NODE_TYPES


class GraphEncoder(nn.Module):
    """Graphs -> one feature vector each (see the module docstring).

    :param vocabulary_size: number of node text ids (``len(load_vocabulary())``).
    :param hidden: node state size.
    :param steps: message-passing rounds (how far information travels along edges).
    :param out_dim: size of the per-graph output.
    """

    def __init__(self, vocabulary_size: int, hidden: int = 32, steps: int = 3, out_dim: int = 64) -> None:
        super().__init__()
        self.vocabulary_size, self.hidden, self.steps, self.out_dim = vocabulary_size, hidden, steps, out_dim
        self.text = nn.Embedding(vocabulary_size, hidden)
        self.node_type = nn.Embedding(len(NODE_TYPES), hidden)
        self.send = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(2)])  # forward, backward
        self.edge_kind = nn.Embedding(2 * len(EDGE_FLOWS), hidden)  # (direction, flow)
        self.position = nn.Embedding(MAX_POSITION + 1, hidden)
        self.update = nn.GRUCell(hidden, hidden)
        self.readout = nn.Sequential(nn.Linear(2 * hidden, out_dim), nn.ReLU())

    def forward(
        self,
        node_text: torch.Tensor,
        node_type: torch.Tensor,
        edge_index: torch.Tensor,
        edge_flow: torch.Tensor,
        edge_position: torch.Tensor,
        batch: torch.Tensor,
        num_graphs: int,
    ) -> torch.Tensor:
        """Flat batch (PyG's layout): node tensors ``(N,)``, ``edge_index`` ``(2, E)``, edge tensors ``(E,)``,
        ``batch`` ``(N,)`` the graph of each node. Returns ``(num_graphs, out_dim)``."""
        n = node_text.shape[0]
        h = self.text(node_text) + self.node_type(node_type)
        source, target = edge_index[0], edge_index[1]
        positions = self.position(edge_position.clamp(0, MAX_POSITION))
        flows = len(EDGE_FLOWS)
        forward_kind = self.edge_kind(edge_flow) + positions
        backward_kind = self.edge_kind(edge_flow + flows) + positions
        degree = torch.zeros(n, dtype=h.dtype, device=h.device)
        degree.index_add_(0, target, torch.ones_like(target, dtype=h.dtype))
        degree.index_add_(0, source, torch.ones_like(source, dtype=h.dtype))
        degree = degree.clamp(min=1.0).unsqueeze(1)
        for _ in range(self.steps):
            incoming = torch.zeros_like(h)
            incoming.index_add_(0, target, torch.relu(self.send[0](h)[source] + forward_kind))
            incoming.index_add_(0, source, torch.relu(self.send[1](h)[target] + backward_kind))
            h = self.update(incoming / degree, h)
        counts = torch.zeros(num_graphs, dtype=h.dtype, device=h.device)
        counts.index_add_(0, batch, torch.ones_like(batch, dtype=h.dtype))
        mean = torch.zeros(num_graphs, self.hidden, dtype=h.dtype, device=h.device).index_add_(0, batch, h)
        mean = mean / counts.clamp(min=1.0).unsqueeze(1)
        index = batch.unsqueeze(1).expand(-1, self.hidden)
        peak = torch.zeros(num_graphs, self.hidden, dtype=h.dtype, device=h.device)
        peak = peak.scatter_reduce(0, index, h, reduce="amax", include_self=False)
        return self.readout(torch.cat([mean, peak], dim=1))

    def forward_padded(self, observations: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """A batch of :func:`~rl_compiler.graph.padding.pad_graph` dicts stacked as tensors (any numeric
        dtype: SB3 hands them over as floats). Returns ``(batch, out_dim)``."""
        num_nodes = observations["num_nodes"].reshape(-1).long()
        num_edges = observations["num_edges"].reshape(-1).long()
        node_text = observations["node_text"].long()
        size, max_nodes = node_text.shape
        device = node_text.device
        node_mask = torch.arange(max_nodes, device=device).unsqueeze(0) < num_nodes.unsqueeze(1)
        max_edges = observations["edge_flow"].shape[1]
        edge_mask = torch.arange(max_edges, device=device).unsqueeze(0) < num_edges.unsqueeze(1)
        offsets = torch.cumsum(num_nodes, 0) - num_nodes
        edge_index = observations["edge_index"].long() + offsets.view(-1, 1, 1)
        return self(
            node_text[node_mask].clamp(0, self.vocabulary_size - 1),
            observations["node_type"].long()[node_mask],
            edge_index.permute(1, 0, 2)[:, edge_mask],
            observations["edge_flow"].long()[edge_mask],
            observations["edge_position"].long()[edge_mask],
            torch.arange(size, device=device).repeat_interleave(num_nodes),
            size,
        )

    def forward_graphs(self, graphs: Sequence[GraphInstance]) -> torch.Tensor:
        """Encode ``Programl`` graphs (e.g. ``env.unwrapped.observation["Programl"]``): ``(len, out_dim)``."""
        return self(*batch_graphs(graphs, device=self.text.weight.device))


def batch_graphs(graphs: Sequence[GraphInstance], device: torch.device | str = "cpu") -> tuple:
    """The flat-batch arguments of :meth:`GraphEncoder.forward` for a list of graphs."""
    nodes = [np.asarray(g.nodes) for g in graphs]
    sizes = np.array([len(n) for n in nodes], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    all_nodes = np.concatenate(nodes) if nodes else np.zeros((0, 4), np.int64)
    links = [np.asarray(g.edge_links).reshape(-1, 2) + o for g, o in zip(graphs, offsets, strict=True)]
    edges = np.concatenate([np.asarray(g.edges).reshape(-1, 2) for g in graphs]) if graphs else np.zeros((0, 2))

    def tensor(array: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.ascontiguousarray(array), dtype=torch.long, device=device)

    return (
        tensor(all_nodes[:, 1]),
        tensor(all_nodes[:, 0]),
        tensor(np.concatenate(links).T if links else np.zeros((2, 0))),
        tensor(edges[:, 0]),
        tensor(edges[:, 1]),
        tensor(np.repeat(np.arange(len(graphs)), sizes)),
        len(graphs),
    )


try:
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
except ImportError:  # SB3 is the [rl] extra; GraphEncoder works without it
    BaseFeaturesExtractor = None  # type: ignore[assignment,misc]

if BaseFeaturesExtractor is not None:

    class ProgramlExtractor(BaseFeaturesExtractor):
        """SB3 feature extractor for ``programl-padded`` observations: a :class:`GraphEncoder`.

        In a hyperparameter file: ``policy: MultiInputPolicy`` and ``policy_kwargs: {features_extractor_class:
        rl_compiler.graph.network:ProgramlExtractor, features_extractor_kwargs: {hidden: 32, steps: 3}}``.

        :param features_dim: output size (the policy and value heads' input).
        :param hidden: node state size; :param steps: message-passing rounds.
        """

        def __init__(self, observation_space: spaces.Dict, features_dim: int = 64, hidden: int = 32, steps: int = 3):
            super().__init__(observation_space, features_dim)
            if not isinstance(observation_space, spaces.Dict) or "node_text" not in observation_space.spaces:
                raise ValueError(
                    f"ProgramlExtractor needs the programl-padded wrapper's Dict observation, got {observation_space}"
                )
            vocabulary_size = int(np.max(observation_space["node_text"].high)) + 1
            self.encoder = GraphEncoder(vocabulary_size, hidden=hidden, steps=steps, out_dim=features_dim)

        def forward(self, observations: Mapping[str, torch.Tensor]) -> torch.Tensor:
            return self.encoder.forward_padded(observations)
