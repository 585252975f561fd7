"""Converters from ``Programl`` graphs to NetworkX (ProGraML's Python format) and PyTorch Geometric."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.spaces import GraphInstance

from rl_compiler.graph.vocabulary import Vocabulary, load_vocabulary


def _texts(graph: GraphInstance, vocabulary: Vocabulary | None) -> list[str]:
    if getattr(graph, "texts", None) is not None:
        return [graph.texts[k] for k in graph.text_index]
    vocabulary = vocabulary or load_vocabulary()
    return [vocabulary.text(int(k)) for k in graph.nodes[:, 1]]


def to_networkx(graph: GraphInstance, vocabulary: Vocabulary | None = None) -> Any:
    """The graph as a ``networkx.MultiDiGraph`` in ProGraML's layout: node attributes ``type``, ``text``,
    ``function``, ``block`` (and ``text_id``, the vocabulary id); edge attributes ``flow`` and ``position``;
    graph attribute ``function`` (the function names, when known).

    :param vocabulary: turns text ids back into texts when ``graph`` is a plain ``GraphInstance`` (texts
        out of the vocabulary then read ``"<unknown>"``); a ``ProgramGraph`` carries its own texts.
    """
    try:
        import networkx as nx
    except ImportError:
        raise ImportError("to_networkx needs networkx: pip install networkx (or rl-compiler[graph])") from None
    out = nx.MultiDiGraph()
    out.graph["function"] = [{"name": name} for name in getattr(graph, "functions", ())]
    texts = _texts(graph, vocabulary)
    nodes = np.asarray(graph.nodes).tolist()
    out.add_nodes_from(
        (k, {"type": row[0], "text": texts[k], "text_id": row[1], "function": row[2], "block": row[3]})
        for k, row in enumerate(nodes)
    )
    out.add_edges_from(
        (source, target, {"flow": flow, "position": position})
        for (flow, position), (source, target) in zip(
            np.asarray(graph.edges).tolist(), np.asarray(graph.edge_links).tolist(), strict=True
        )
    )
    return out


def to_pyg(graph: GraphInstance) -> Any:
    """The graph as a PyTorch Geometric ``Data``: ``x`` (long, ``(n, 4)``: type, text id, function,
    block), ``edge_index`` (long, ``(2, m)``), ``edge_attr`` (long, ``(m, 2)``: flow, position), and the
    named columns ``node_type``, ``text``, ``flow``, ``position``. Needs the ``[graph]`` extra."""
    try:
        import torch
        from torch_geometric.data import Data
    except ImportError:
        raise ImportError(
            "to_pyg needs torch-geometric: pip install 'rl-compiler[graph]' (torch-geometric>=2.8)"
        ) from None
    x = torch.as_tensor(np.asarray(graph.nodes), dtype=torch.long)
    edge_attr = torch.as_tensor(np.asarray(graph.edges), dtype=torch.long).reshape(-1, 2)
    edge_index = torch.as_tensor(np.asarray(graph.edge_links), dtype=torch.long).reshape(-1, 2).t().contiguous()
    return Data(
        x=x,
        edge_index=edge_index,
        edge_attr=edge_attr,
        node_type=x[:, 0],
        text=x[:, 1],
        flow=edge_attr[:, 0],
        position=edge_attr[:, 1],
        num_nodes=x.shape[0],
    )
