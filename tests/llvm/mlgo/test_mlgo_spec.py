"""The MLGO header: tensor specs, byte counts, advice encoding (rl_compiler.llvm.mlgo.spec)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rl_compiler.llvm import mlgo


def test_header_parsing_and_byte_counts() -> None:
    header = {
        "features": [
            {"name": "mask", "type": "int64_t", "port": 0, "shape": [1, 33]},
            {"name": "w", "type": "float", "port": 0, "shape": [1, 33]},
            {"name": "progress", "type": "float", "port": 0, "shape": [1]},
        ],
        "advice": {"name": "index_to_evict", "type": "int64_t", "port": 0, "shape": [1]},
    }
    spec = mlgo.ChannelSpec.from_header(json.dumps(header, separators=(",", ":")).encode())
    assert spec.observation_nbytes == 33 * 8 + 33 * 4 + 4
    assert spec.offsets == (0, 264, 396)
    assert spec.advice_bytes(9) == np.int64(9).tobytes()
    blob = np.arange(33, dtype=np.int64).tobytes() + np.ones(33, np.float32).tobytes() + np.float32(0.5).tobytes()
    tensors = spec.tensors(blob)
    assert tensors["mask"][32] == 32 and tensors["progress"][0] == 0.5
    with pytest.raises(mlgo.ChannelProtocolError, match="unknown type 'bfloat'"):
        mlgo.ChannelSpec.from_header({"features": [{"name": "x", "type": "bfloat", "shape": [1]}], "advice": {}})
    with pytest.raises(mlgo.ChannelProtocolError, match="malformed"):
        mlgo.ChannelSpec.from_header(b"not json")
