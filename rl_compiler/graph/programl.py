"""ProGraML program graphs as Gymnasium ``GraphInstance`` values.

The native engine (``Module.programl()``) walks the module once and returns nodes and edges in ProGraML's
schema (Cummins et al., "ProGraML: A Graph-based Program Representation for Data Flow Analysis and
Compiler Optimizations", ICML 2021, https://arxiv.org/abs/2003.10536):

- **nodes** (``ProgramGraph.nodes``, int32 ``(n, 4)``, columns :data:`NODE_FEATURES`): ``type`` (0
  instruction, 1 variable, 2 constant), ``text`` (the vocabulary id of the node's text: the opcode name
  of an instruction, e.g. ``"add"``, the type of a variable or constant, e.g. ``"i32"``), ``function``
  (index into ``ProgramGraph.functions``, -1 for none) and ``block`` (module-wide basic block index, -1
  for none). ``ProgramGraph.node_text(i)`` is the text itself.
- **edges** (``ProgramGraph.edges``, int32 ``(m, 2)``, columns :data:`EDGE_FEATURES`): ``flow`` (0
  control, 1 data, 2 call) and ``position``; ``ProgramGraph.edge_links`` (``(m, 2)``) are (source, target).

Edges: control from each instruction to the next in its block, and from a terminator to the first
instruction of its successor ``k`` (position ``k``); data from an instruction to its result variable
(position 0) and from a variable or constant to the instruction using it (position = operand index;
LLVM 23 keeps ``switch`` case values out of the operand list: they come after the operands); call from
a call site to the entry instruction of the called function and from each of its exits (terminators
with no successor) back to the call site, and between the root node ``"[external]"`` (node 0) and every
function. A declared-only function is one ``"; undefined function"`` instruction node.

Differences from ProGraML 0.3 (deliberate; its builder only parses LLVM 10): one variable node per SSA
value (ProGraML makes one per use), global variables are variable nodes whose text is the value type
(ProGraML: constants of pointer type, uninformative since opaque pointers), control edges between blocks
carry the successor index (ProGraML: 0), and no ``full_text`` feature (printing every instruction would
cost more than the whole walk). Constants are one node per distinct constant; their text is the type, as
in ProGraML, so a pass that only changes a constant's value leaves the graph unchanged.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.spaces import GraphInstance

from rl_compiler.graph.vocabulary import Vocabulary, load_vocabulary

NODE_TYPES: tuple[str, ...] = ("instruction", "variable", "constant")
EDGE_FLOWS: tuple[str, ...] = ("control", "data", "call")
#: Columns of ``ProgramGraph.nodes`` and ``ProgramGraph.edges`` (ProGraML's feature names).
NODE_FEATURES: tuple[str, ...] = ("type", "text", "function", "block")
EDGE_FEATURES: tuple[str, ...] = ("flow", "position")
INSTRUCTION, VARIABLE, CONSTANT = 0, 1, 2
CONTROL, DATA, CALL = 0, 1, 2
#: Upper bound of the function, block and position columns in the space.
_INDEX_MAX = 2**31 - 1


class ProgramGraph(GraphInstance):
    """A ``GraphInstance`` (``nodes``, ``edges``, ``edge_links``) that also knows its node texts and
    function names. It is a member of :func:`programl_space` and pickles like a tuple with attributes.

    Attributes besides the tuple: ``texts`` (the graph's distinct node texts), ``text_index`` (per node,
    an index into ``texts``) and ``functions`` (function names, indexed by the ``function`` column).
    """

    texts: tuple[str, ...]
    text_index: np.ndarray
    functions: tuple[str, ...]

    def copy(self) -> ProgramGraph:
        """A copy with its own arrays (an environment returns new observation data on every call)."""
        return _with_texts(
            ProgramGraph(self.nodes.copy(), self.edges.copy(), self.edge_links.copy()),
            self.texts, self.text_index.copy(), self.functions,
        )  # fmt: skip

    def node_text(self, node: int) -> str:
        """The text of node ``node`` (an opcode name or a type), whether or not it is in the vocabulary."""
        return self.texts[int(self.text_index[node])]

    @property
    def num_nodes(self) -> int:
        return int(self.nodes.shape[0])

    @property
    def num_edges(self) -> int:
        return int(self.edges.shape[0])


def programl_graph(
    raw: tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]],
    vocabulary: Vocabulary | None = None,
) -> ProgramGraph:
    """The :class:`ProgramGraph` of ``Module.programl()``'s result, node texts mapped by ``vocabulary``
    (default: the shipped one; texts not in it get :attr:`Vocabulary.OOV`). ``raw`` is left unchanged (an
    environment caches it); the graph shares its edge arrays."""
    raw_nodes, edges, links, texts, functions = raw
    vocabulary = vocabulary or load_vocabulary()
    text_index = raw_nodes[:, 1].copy()
    nodes = raw_nodes.copy()
    if len(texts):
        nodes[:, 1] = vocabulary.table_ids(texts)[text_index]
    return _with_texts(ProgramGraph(nodes, edges, links), tuple(texts), text_index, tuple(functions))


def _with_texts(
    graph: ProgramGraph, texts: tuple[str, ...], text_index: np.ndarray, functions: tuple[str, ...]
) -> ProgramGraph:
    graph.texts = texts
    graph.text_index = text_index
    graph.functions = functions
    return graph


def programl_space(vocabulary: Vocabulary | None = None) -> spaces.Graph:
    """The Gymnasium space of ``Programl`` observations: int32 node rows (type, text id, function,
    block) and edge rows (flow, position)."""
    vocabulary = vocabulary or load_vocabulary()
    node_space = spaces.Box(
        low=np.array([0, 0, -1, -1], dtype=np.int32),
        high=np.array([len(NODE_TYPES) - 1, len(vocabulary) - 1, _INDEX_MAX, _INDEX_MAX], dtype=np.int32),
        dtype=np.int32,
    )
    edge_space = spaces.Box(
        low=np.array([0, 0], dtype=np.int32), high=np.array([len(EDGE_FLOWS) - 1, _INDEX_MAX], dtype=np.int32),
        dtype=np.int32,
    )  # fmt: skip
    return spaces.Graph(node_space=node_space, edge_space=edge_space)


def graph_hash(graph: GraphInstance) -> str:
    """Hex SHA-1 of the graph's structure and texts: equal for identical IR, different when a pass changes
    the graph. Uses the texts themselves where known, so two out-of-vocabulary texts still differ."""
    digest = hashlib.sha1()
    nodes = np.asarray(graph.nodes, dtype=np.int64)
    texts = getattr(graph, "texts", None)
    if texts is not None:
        nodes = nodes.copy()
        nodes[:, 1] = graph.text_index
        digest.update("\0".join(texts).encode())
        digest.update(b"\1" + "\0".join(graph.functions).encode())
    for array in (nodes, graph.edges, graph.edge_links):
        digest.update(np.ascontiguousarray(array, dtype=np.int64).tobytes())
        digest.update(b"|")
    return digest.hexdigest()


def describe(graph: ProgramGraph) -> dict[str, Any]:
    """Counts of nodes per type and edges per flow: ``{"instruction": n, ..., "control": m, ...}``."""
    counts = {name: int(np.count_nonzero(graph.nodes[:, 0] == k)) for k, name in enumerate(NODE_TYPES)}
    counts.update({name: int(np.count_nonzero(graph.edges[:, 0] == k)) for k, name in enumerate(EDGE_FLOWS)})
    return counts
