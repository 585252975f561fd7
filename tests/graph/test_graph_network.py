"""The graph network: padded and flat batches agree, the padding is faithful, and `rl-compiler train`
trains PPO on graph observations end to end (tiny) through the hyperparameter file."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

torch = pytest.importorskip("torch")

from rl_compiler.cli import main  # noqa: E402
from rl_compiler.graph import load_vocabulary, programl_graph  # noqa: E402
from rl_compiler.graph.network import GraphEncoder, ProgramlExtractor  # noqa: E402
from rl_compiler.graph.padding import pad_graph, padded_space  # noqa: E402
from rl_compiler.llvm import Module  # noqa: E402


@pytest.fixture(scope="module")
def graphs(programs):
    out = []
    for name in ("crc32-Oz", "kitchen-O0", "regex-Oz"):
        with Module.from_bitcode(programs[name]) as module:
            out.append(programl_graph(module.programl()))
    return out


def _stack(pads):
    return {key: torch.as_tensor(np.stack([p[key] for p in pads])).float() for key in pads[0]}


def test_padded_and_flat_batches_agree(graphs):
    torch.manual_seed(0)
    encoder = GraphEncoder(len(load_vocabulary()), hidden=16, steps=2, out_dim=8)
    limit = max(g.num_nodes for g in graphs)
    edges = max(g.num_edges for g in graphs)
    pads = [pad_graph(g, limit, edges) for g in graphs]
    assert all(p["truncated"][0] == 0 for p in pads)
    assert all(padded_space(limit, edges).contains(p) for p in pads)
    flat = encoder.forward_graphs(graphs)
    padded = encoder.forward_padded(_stack(pads))
    assert flat.shape == (3, 8)
    torch.testing.assert_close(flat, padded)
    padded.sum().backward()
    assert encoder.text.weight.grad is not None and encoder.update.weight_hh.grad.abs().sum() > 0
    # Different programs, different features.
    assert not torch.allclose(flat[0], flat[2])


def test_padding_truncates_large_graphs_consistently(graphs):
    graph = graphs[2]
    pad = pad_graph(graph, max_nodes=1000, max_edges=10_000)
    assert pad["truncated"][0] == 1 and pad["num_nodes"][0] == 1000
    m = pad["num_edges"][0]
    assert m > 0 and pad["edge_index"][:, :m].max() < 1000
    assert np.all(pad["edge_index"][:, m:] == 0)


def test_extractor_rejects_other_spaces():
    from gymnasium import spaces

    with pytest.raises(ValueError, match="programl-padded"):
        ProgramlExtractor(spaces.Dict({"x": spaces.Box(0, 1, (3,))}))


@pytest.mark.slow  # ~50 s on a loaded 2-core machine: baselines of the train split, then 16 PPO steps
def test_tiny_ppo_on_graph_observations_trains_and_evaluates(tmp_path, capsys):
    run_dir = tmp_path / "run"
    code = main(
        [
            "train", "--algo", "ppo", "--env", "rl_compiler/llvm-programl-ic-v0", "-n", "16", "--seed", "0",
            "--dataset", "builtin-v0", "--split", "train", "--run-dir", str(run_dir),
            "--hyperparams", "n_steps=8", "batch_size=8", "n_epochs=1", "episode_length=4",
            "wrappers=[start-oz, {programl-padded: {max_nodes: 2048, max_edges: 4096}}]",
        ]
    )  # fmt: skip
    assert code == 0
    config = yaml.safe_load((run_dir / "config.yml").read_text())
    assert config["policy"] == "MultiInputPolicy"
    assert config["hyperparams"]["policy_kwargs"]["features_extractor_class"].endswith(":ProgramlExtractor")
    from stable_baselines3 import PPO

    model = PPO.load(run_dir / "final_model.zip", device="cpu")
    assert isinstance(model.policy.features_extractor, ProgramlExtractor)
    assert model.num_timesteps == 16
    capsys.readouterr()
    assert main(["eval", "--agent", str(run_dir), "--benchmark", "benchmark://builtin-v0/crc32", "--no-progress"]) == 0
    assert "crc32" in capsys.readouterr().out
