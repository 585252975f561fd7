"""The MLGO channel's header: tensor specs, the observation layout, the advice encoding, the options."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from rl_compiler.llvm.errors import ChannelProtocolError

#: C type names the header uses -> numpy dtypes (native byte order, as the compiler writes them).
_DTYPES = {
    "float": np.float32,
    "double": np.float64,
    "int8_t": np.int8,
    "uint8_t": np.uint8,
    "int16_t": np.int16,
    "uint16_t": np.uint16,
    "int32_t": np.int32,
    "uint32_t": np.uint32,
    "int64_t": np.int64,
    "uint64_t": np.uint64,
}

REGALLOC_CHANNEL_OPTION = "-regalloc-evict-interactive-channel-base"
INLINER_CHANNEL_OPTION = "-inliner-interactive-channel-base"


@dataclass(frozen=True)
class TensorSpec:
    """One tensor of the protocol: its name, numpy dtype and shape as the header declares them."""

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def nbytes(self) -> int:
        """Number of bytes on the wire."""
        return self.size * self.dtype.itemsize

    @classmethod
    def from_json(cls, spec: dict) -> TensorSpec:
        """Parse ``{"name":..., "type":"int64_t", "shape":[1,33]}``."""
        try:
            name, type_name, shape = spec["name"], spec["type"], spec["shape"]
        except (KeyError, TypeError) as error:
            raise ChannelProtocolError(f"tensor spec {spec!r} lacks name, type or shape") from error
        if type_name not in _DTYPES:
            raise ChannelProtocolError(f"tensor {name!r} has unknown type {type_name!r}; known: {', '.join(_DTYPES)}")
        return cls(name=name, dtype=np.dtype(_DTYPES[type_name]), shape=tuple(int(d) for d in shape))

    def to_json(self) -> dict:
        type_name = next(k for k, v in _DTYPES.items() if np.dtype(v) == self.dtype)
        return {"name": self.name, "type": type_name, "shape": list(self.shape)}


@dataclass(frozen=True)
class ChannelSpec:
    """What the compiler's header declares: the feature tensors (in wire order) and the advice tensor."""

    features: tuple[TensorSpec, ...]
    advice: TensorSpec
    offsets: tuple[int, ...] = field(init=False, repr=False, compare=False)
    observation_nbytes: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        offsets, total = [], 0
        for feature in self.features:
            offsets.append(total)
            total += feature.nbytes
        object.__setattr__(self, "offsets", tuple(offsets))
        object.__setattr__(self, "observation_nbytes", total)

    @classmethod
    def from_header(cls, header: bytes | str | dict) -> ChannelSpec:
        """Parse the header line ``{"features":[...],"advice":{...}}``."""
        try:
            data = header if isinstance(header, dict) else json.loads(header)
            features = tuple(TensorSpec.from_json(spec) for spec in data["features"])
            advice = TensorSpec.from_json(data["advice"])
        except (ValueError, KeyError, TypeError) as error:
            raise ChannelProtocolError(f"malformed MLGO header {str(header)[:300]!r}: {error}") from error
        if not features:
            raise ChannelProtocolError("MLGO header declares no features")
        return cls(features=features, advice=advice)

    def to_json(self) -> dict:
        return {"features": [f.to_json() for f in self.features], "advice": self.advice.to_json()}

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    def feature(self, name: str) -> TensorSpec:
        """The spec of feature ``name``."""
        for spec in self.features:
            if spec.name == name:
                return spec
        raise KeyError(f"feature {name!r} not in the header; features: {', '.join(self.feature_names)}")

    def tensors(self, blob: bytes) -> dict[str, np.ndarray]:
        """Split an observation's raw bytes into flat (1-D) read-only arrays, one per feature."""
        return {
            spec.name: np.frombuffer(blob, dtype=spec.dtype, count=spec.size, offset=offset)
            for spec, offset in zip(self.features, self.offsets, strict=True)
        }

    def advice_bytes(self, value: int | float) -> bytes:
        """Encode one advice value as exactly ``advice.nbytes`` bytes in the advice dtype."""
        data = np.full(self.advice.shape or (1,), value, dtype=self.advice.dtype).tobytes()
        if len(data) != self.advice.nbytes:
            raise ChannelProtocolError(f"advice {value!r} encodes to {len(data)} bytes, expected {self.advice.nbytes}")
        return data


@dataclass
class Observation:
    """One decision the compiler asks for: its function (context), its index there, and its raw bytes."""

    context: str
    index: int
    blob: bytes
