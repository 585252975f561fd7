"""The engine's ProGraML graph against LLVM's own view of the same module (tests/graph/llvm_view.py: a
second walk over libLLVM's C API from Python), on real programs unoptimized and after -Oz."""

from __future__ import annotations

import pickle
from collections import Counter

import numpy as np
import pytest
from llvm_view import view

from rl_compiler.graph import describe, graph_hash, programl_graph, programl_space, to_networkx
from rl_compiler.graph.programl import CALL, CONSTANT, CONTROL, DATA, INSTRUCTION, VARIABLE
from rl_compiler.graph.vocabulary import Vocabulary, load_vocabulary
from rl_compiler.llvm import Module
from rl_compiler.observations import INST_COUNT_FEATURE_NAMES


def _graph(bitcode: bytes):
    with Module.from_bitcode(bitcode) as module:
        return programl_graph(module.programl())


def _keys(graph) -> list[tuple]:
    """Each node's key in LLVMView's terms (constants keep their node id: matched separately)."""
    keys: list[tuple] = []
    instruction = Counter()
    arguments = Counter()
    globals_ = 0
    for node, (kind, _, function, block) in enumerate(graph.nodes.tolist()):
        if node == 0:
            keys.append(("root",))
        elif kind == INSTRUCTION and graph.node_text(node) == "; undefined function":
            keys.append(("decl", function))
        elif kind == INSTRUCTION:
            keys.append(("inst", function, instruction[function]))
            instruction[function] += 1
        elif kind == VARIABLE and function < 0:
            keys.append(("global", globals_))
            globals_ += 1
        elif kind == VARIABLE and block < 0:
            keys.append(("arg", function, arguments[function]))
            arguments[function] += 1
        elif kind == VARIABLE:  # a result follows its instruction
            keys.append(("result", function, keys[node - 1][2]))
        else:
            keys.append(("constant-node", node))
    return keys


def _edges(graph, flow: int, keys: list[tuple]) -> list[tuple]:
    rows = zip(graph.edges.tolist(), graph.edge_links.tolist(), strict=True)
    return [(keys[s], keys[t], position) for (f, position), (s, t) in rows if f == flow]


@pytest.fixture(scope="module")
def graphs(programs):
    return {name: (_graph(bitcode), view(bitcode)) for name, bitcode in programs.items()}


def test_node_counts_per_kind_match_llvm(graphs, programs):
    for name, (graph, llvm) in graphs.items():
        counts = describe(graph)
        with Module.from_bitcode(programs[name]) as module:
            assert len(llvm.instructions) == module.instruction_count(), name
        assert counts["instruction"] == 1 + len(llvm.instructions) + len(llvm.declarations), name
        assert counts["variable"] == len(llvm.globals) + len(llvm.arguments) + len(llvm.results), name
        assert counts["constant"] == len(llvm.constants), name


def test_instruction_texts_are_llvm_opcodes(graphs, programs):
    """Per opcode, as many instruction nodes as InstCount counts (an independent counter in the engine)."""
    for name, (graph, _) in graphs.items():
        with Module.from_bitcode(programs[name]) as module:
            inst_count = dict(zip(INST_COUNT_FEATURE_NAMES, module.inst_count().tolist(), strict=True))
        texts = Counter(graph.node_text(k) for k in np.flatnonzero(graph.nodes[:, 0] == INSTRUCTION))
        for text, feature in [("add", "AddCount"), ("load", "LoadCount"), ("store", "StoreCount"),
                              ("br", "BrCount"), ("phi", "PHICount"), ("call", "CallCount"),
                              ("icmp", "ICmpCount"), ("getelementptr", "GetElementPtrCount"),
                              ("ret", "RetCount"), ("alloca", "AllocaCount")]:  # fmt: skip
            assert texts[text] == inst_count[feature], (name, text)


def test_control_edges_are_cfg_successors(graphs):
    for name, (graph, llvm) in graphs.items():
        keys = _keys(graph)
        assert Counter(_edges(graph, CONTROL, keys)) == Counter(llvm.control), name


def test_call_edges_are_call_sites(graphs):
    for name, (graph, llvm) in graphs.items():
        keys = _keys(graph)
        assert Counter(_edges(graph, CALL, keys)) == Counter(llvm.call), name
        assert any(edge[0][0] == "inst" and edge[1][0] == "inst" for edge in llvm.call) or "crc32" in name


def test_every_data_edge_is_an_operand_use(graphs):
    for name, (graph, llvm) in graphs.items():
        keys = _keys(graph)
        # A constant node is the LLVM constant it stands for in every use, and each constant has one node.
        uses = {(target, position): source for source, target, position in llvm.data}
        constant_of: dict[tuple, tuple] = {}
        for source, target, position in _edges(graph, DATA, keys):
            if source[0] == "constant-node":
                expected = uses[(target, position)]
                assert constant_of.setdefault(source, expected) == expected, (name, source)
        assert len(set(constant_of.values())) == len(constant_of) == describe(graph)["constant"], name
        mapped = [(constant_of.get(s, s), t, p) for s, t, p in _edges(graph, DATA, keys)]
        assert Counter(mapped) == Counter(llvm.data), name


def test_graph_is_a_member_of_the_space_and_pickles(graphs):
    space = programl_space()
    graph, _ = graphs["crc32-Oz"]
    assert space.contains(graph)
    copy = pickle.loads(pickle.dumps(graph))
    assert graph_hash(copy) == graph_hash(graph) and copy.texts == graph.texts


def test_hash_is_stable_for_identical_ir_and_changes_with_the_ir(programs):
    bitcode = programs["huffman-O0"]
    first, second = _graph(bitcode), _graph(Module.from_ir(Module.from_bitcode(bitcode).ir()).bitcode())
    assert graph_hash(first) == graph_hash(second)
    with Module.from_bitcode(bitcode) as module:
        module.run_passes("function(sroa)")
        changed = programl_graph(module.programl())
        before = module.fingerprint()
        module.run_passes("function(sroa)")  # a no-op now: same graph
        assert module.fingerprint() == before
        again = programl_graph(module.programl())
    assert graph_hash(changed) != graph_hash(first)
    assert graph_hash(again) == graph_hash(changed)


def test_vocabulary_ids_and_out_of_vocabulary(programs):
    vocabulary = load_vocabulary()
    assert vocabulary.id("add") > 0 and vocabulary.id("i32") > 0 and vocabulary.id("ptr") > 0
    assert vocabulary.id("%struct.never_seen_anywhere") == Vocabulary.OOV
    small = Vocabulary(["add", "i32"])
    graph = _graph(programs["crc32-O0"])
    with Module.from_bitcode(programs["crc32-O0"]) as module:
        small_graph = programl_graph(module.programl(), small)
    for node in range(graph.num_nodes):
        assert small_graph.nodes[node, 1] == small.id(graph.node_text(node))
        assert graph.nodes[node, 1] == vocabulary.id(graph.node_text(node))


def test_to_networkx_keeps_programl_attributes(graphs):
    graph, _ = graphs["regex-Oz"]
    nx_graph = to_networkx(graph)
    assert nx_graph.number_of_nodes() == graph.num_nodes and nx_graph.number_of_edges() == graph.num_edges
    assert nx_graph.nodes[0]["text"] == "[external]" and nx_graph.nodes[0]["type"] == INSTRUCTION
    source, target = graph.edge_links[5]
    attributes = list(nx_graph.get_edge_data(int(source), int(target)).values())
    assert {"flow": int(graph.edges[5, 0]), "position": int(graph.edges[5, 1])} in attributes
    assert [f["name"] for f in nx_graph.graph["function"]] == list(graph.functions)


def test_to_pyg_when_installed(graphs):
    pytest.importorskip("torch_geometric")
    from rl_compiler.graph import to_pyg

    graph, _ = graphs["crc32-O0"]
    data = to_pyg(graph)
    assert data.num_nodes == graph.num_nodes and data.edge_index.shape == (2, graph.num_edges)
    assert data.edge_attr[:, 0].tolist() == graph.edges[:, 0].tolist()
    assert data.text.tolist() == graph.nodes[:, 1].tolist()


def test_constants_and_kinds_are_typed(graphs):
    graph, _ = graphs["kitchen-O0"]
    kinds = set(graph.nodes[:, 0].tolist())
    assert kinds == {INSTRUCTION, VARIABLE, CONSTANT}


def test_building_the_graph_leaves_the_raw_arrays_alone(programs):
    with Module.from_bitcode(programs["crc32-O0"]) as module:
        raw = module.programl()
    before = raw[0].copy()
    first, second = programl_graph(raw), programl_graph(raw)
    assert np.array_equal(raw[0], before) and graph_hash(first) == graph_hash(second)
