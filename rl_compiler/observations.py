"""Named observation spaces of the pass-ordering environments, with CompilerGym's names and orders.

Each observation is an :class:`ObservationSpec`: a name, a Gymnasium space, and a function that computes
the value from an :class:`ObservationContext` (the current module plus its cached baselines). Two forms
of every value exist:

- the *natural* value, returned by ``env.observation["Name"]`` as CompilerGym did: an ``int`` for
  counts, a ``str`` for ``Ir``, ``bytes`` for ``Bitcode``, a ``dict`` for the ``...Dict`` spaces and a
  NumPy array for feature vectors;
- the *space* value, returned by ``reset``/``step``, which is always a member of ``spec.space``
  (scalars become shape-``(1,)`` arrays so that every space is usable by Stable-Baselines3).
"""

from __future__ import annotations

import statistics
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from gymnasium import spaces

from rl_compiler.graph.programl import programl_graph, programl_space

AUTOPHASE_FEATURE_NAMES: tuple[str, ...] = (
    "BBNumArgsHi", "BBNumArgsLo", "onePred", "onePredOneSuc", "onePredTwoSuc", "oneSuccessor",
    "twoPred", "twoPredOneSuc", "twoEach", "twoSuccessor", "morePreds", "BB03Phi", "BBHiPhi",
    "BBNoPhi", "BeginPhi", "BranchCount", "returnInt", "CriticalCount", "NumEdges", "const32Bit",
    "const64Bit", "numConstZeroes", "numConstOnes", "UncondBranches", "binaryConstArg", "NumAShrInst",
    "NumAddInst", "NumAllocaInst", "NumAndInst", "BlockMid", "BlockLow", "NumBitCastInst", "NumBrInst",
    "NumCallInst", "NumGetElementPtrInst", "NumICmpInst", "NumLShrInst", "NumLoadInst", "NumMulInst",
    "NumOrInst", "NumPHIInst", "NumRetInst", "NumSExtInst", "NumSelectInst", "NumShlInst",
    "NumStoreInst", "NumSubInst", "NumTruncInst", "NumXorInst", "NumZExtInst", "TotalBlocks",
    "TotalInsts", "TotalMemInst", "TotalFuncs", "ArgsPhi", "testUnary",
)  # fmt: skip

_OPCODES = (
    "Ret", "Br", "Switch", "IndirectBr", "Invoke", "Resume", "Unreachable", "CleanupRet", "CatchRet",
    "CatchSwitch", "CallBr", "FNeg", "Add", "FAdd", "Sub", "FSub", "Mul", "FMul", "UDiv", "SDiv", "FDiv",
    "URem", "SRem", "FRem", "Shl", "LShr", "AShr", "And", "Or", "Xor", "Alloca", "Load", "Store",
    "GetElementPtr", "Fence", "AtomicCmpXchg", "AtomicRMW", "Trunc", "ZExt", "SExt", "FPToUI", "FPToSI",
    "UIToFP", "SIToFP", "FPTrunc", "FPExt", "PtrToInt", "IntToPtr", "BitCast", "AddrSpaceCast",
    "CleanupPad", "CatchPad", "ICmp", "FCmp", "PHI", "Call", "Select", "UserOp1", "UserOp2", "VAArg",
    "ExtractElement", "InsertElement", "ShuffleVector", "ExtractValue", "InsertValue", "LandingPad",
    "Freeze",
)  # fmt: skip
#: CompilerGym's InstCount feature names: TotalInsts, TotalBlocks, TotalFuncs, then one per opcode.
INST_COUNT_FEATURE_NAMES: tuple[str, ...] = (
    "TotalInstsCount",
    "TotalBlocksCount",
    "TotalFuncsCount",
    *(f"{op}Count" for op in _OPCODES),
)
#: InstCountNorm drops TotalInsts (the divisor) and keeps the other 69 features.
INST_COUNT_NORM_FEATURE_NAMES: tuple[str, ...] = INST_COUNT_FEATURE_NAMES[1:]

_INT_MAX = np.iinfo(np.int64).max
#: Characters of LLVM's textual IR (non-ASCII bytes are escaped as ``\\XX`` in IR strings).
IR_CHARSET = frozenset(string.printable)


class BytesSpace(spaces.Space[bytes]):
    """A space whose members are ``bytes`` objects (the ``Bitcode`` observation)."""

    def __init__(self, max_length: int = 1 << 31, seed: int | None = None) -> None:
        super().__init__(shape=None, dtype=None, seed=seed)
        self.max_length = max_length

    def sample(self, mask: Any = None, probability: Any = None) -> bytes:
        return bytes(self.np_random.integers(0, 256, size=int(self.np_random.integers(0, 64)), dtype=np.uint8))

    def contains(self, x: Any) -> bool:
        return isinstance(x, bytes) and len(x) <= self.max_length

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"BytesSpace(max_length={self.max_length})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BytesSpace) and other.max_length == self.max_length


class ObservationContext(Protocol):
    """What an observation needs: the current module (a ``Session``), the benchmark and its baselines."""

    @property
    def session(self) -> Any: ...  # rl_compiler.llvm.session.Session

    def query(self, method: str) -> Any: ...  # a read-only Session method's result for the current state

    @property
    def baselines(self) -> Any: ...  # rl_compiler.llvm.baselines.Baselines

    @property
    def benchmark_object(self) -> Any: ...  # rl_compiler.datasets.Benchmark

    def runtimes(self) -> list[float]:
        """Wall times (seconds) of running the current module ``runtime_repeats`` times (cached)."""
        ...

    def runtime_stats(self) -> Any:
        """The same runs as a ``rl_compiler.datasets.timing.RuntimeStats`` (median, spread)."""
        ...

    def cost(self, name: str) -> float:
        """A cost of the current module (``IrInstructionCount``, ``ObjectTextSizeBytes``, ``Runtime``,
        ``DynamicInstructionCount``, ``EstimatedCycles``)."""
        ...


@dataclass(frozen=True)
class ObservationSpec:
    """One named observation: its space, how to compute it, and how to put it in the space.

    :param name: the CompilerGym name, e.g. ``"Autophase"``.
    :param space: the Gymnasium space of the value returned by ``reset``/``step``.
    :param compute: context -> natural value (what ``env.observation[name]`` returns).
    :param to_space: natural value -> member of ``space``.
    :param deterministic: False for measured values (``Runtime``).
    :param platform_dependent: True when the value depends on the host (object sizes, run times).
    :param prefetch: the cheap read-only Session queries ``compute`` uses; an environment fetches them in
        the same worker request as each pass.
    """

    name: str
    space: spaces.Space
    compute: Callable[[ObservationContext], Any]
    to_space: Callable[[Any], Any]
    deterministic: bool = True
    platform_dependent: bool = False
    description: str = ""
    prefetch: tuple[str, ...] = ()


def _identity(value: Any) -> Any:
    return value


def _int_vector(value: Any) -> np.ndarray:
    return np.array(value, dtype=np.int64)


def _scalar_int(value: Any) -> np.ndarray:
    return np.array([value], dtype=np.int64)


def _scalar_box() -> spaces.Box:
    return spaces.Box(low=0, high=_INT_MAX, shape=(1,), dtype=np.int64)


def _dict_of_ints(names: Sequence[str]) -> spaces.Dict:
    return spaces.Dict({name: spaces.Box(0, _INT_MAX, shape=(1,), dtype=np.int64) for name in names})


def _named(names: Sequence[str], vector: np.ndarray) -> dict[str, int]:
    return {name: int(value) for name, value in zip(names, vector, strict=False)}


def _dict_to_space(value: Mapping[str, Any]) -> dict[str, np.ndarray]:
    return {name: np.array([v], dtype=np.int64) for name, v in value.items()}


def _dict_norm_to_space(value: Mapping[str, Any]) -> dict[str, np.ndarray]:
    return {name: np.array([v], dtype=np.float32) for name, v in value.items()}


def _inst_count_norm(context: ObservationContext) -> np.ndarray:
    counts = np.asarray(context.query("inst_count"), dtype=np.float64)
    return (counts[1:] / max(counts[0], 1.0)).astype(np.float32)


def _runtime_to_space(value: Sequence[float]) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


def _baseline(field: str) -> Callable[[ObservationContext], int]:
    return lambda context: int(getattr(context.baselines, field))


def _runtime_stats(context: ObservationContext) -> dict[str, Any]:
    stats = context.runtime_stats()
    return {"median": stats.median, "spread": stats.spread, "times": list(stats.times)}


def _runtime_stats_to_space(value: Mapping[str, Any]) -> np.ndarray:
    return np.array([value["median"], value["spread"]], dtype=np.float64)


def _feature_specs(name: str, query: str, names: tuple[str, ...], what: str) -> list[ObservationSpec]:
    """A native feature vector (the Session query ``query``) as ``name`` and as a ``<name>Dict`` keyed by ``names``."""
    return [
        ObservationSpec(
            name,
            spaces.Box(0, _INT_MAX, shape=(len(names),), dtype=np.int64),
            lambda c: np.asarray(c.query(query), dtype=np.int64),
            _int_vector,
            description=f"{len(names)} {what}",
            prefetch=(query,),
        ),
        ObservationSpec(
            f"{name}Dict",
            _dict_of_ints(names),
            lambda c: _named(names, c.query(query)),
            _dict_to_space,
            description=f"{name} as a name -> count dict",
            prefetch=(query,),
        ),
    ]


def _execution_specs() -> list[ObservationSpec]:
    """The deterministic execution costs (one instrumented run: rl_compiler.datasets.profile) and their
    -O0/-O3/-Oz baselines."""
    specs = []
    for name, prefix, what in (
        ("DynamicInstructionCount", "dyn", "IR instructions executed by one run of the program"),
        ("EstimatedCycles", "cycles", "executed blocks weighted by a static cycle estimate per block"),
    ):
        specs.append(
            ObservationSpec(name, _scalar_box(), lambda c, n=name: int(c.cost(n)), _scalar_int, description=what)
        )
        specs.extend(
            ObservationSpec(f"{name}{level}", _scalar_box(), _baseline(f"{prefix}_{level}"), _scalar_int)
            for level in ("O0", "O3", "Oz")
        )
    return specs


def build_observation_specs(runtime_repeats: int = 5) -> dict[str, ObservationSpec]:
    """Every observation the pass-ordering environments offer, keyed by name.

    :param runtime_repeats: runs per ``Runtime`` observation (the length of its vector).
    """
    specs = [
        *_feature_specs("Autophase", "autophase", AUTOPHASE_FEATURE_NAMES, "Autophase features, CompilerGym order"),
        *_feature_specs("InstCount", "inst_count", INST_COUNT_FEATURE_NAMES, "instruction counts, CompilerGym order"),
        ObservationSpec(
            "InstCountNorm",
            spaces.Box(0.0, np.inf, shape=(69,), dtype=np.float32),
            _inst_count_norm,
            lambda v: np.asarray(v, dtype=np.float32),
            description="InstCount[1:] / max(TotalInsts, 1)",
            prefetch=("inst_count",),
        ),
        ObservationSpec(
            "InstCountNormDict",
            spaces.Dict(
                {n: spaces.Box(0.0, np.inf, shape=(1,), dtype=np.float32) for n in INST_COUNT_NORM_FEATURE_NAMES}
            ),
            lambda c: dict(zip(INST_COUNT_NORM_FEATURE_NAMES, map(float, _inst_count_norm(c)), strict=True)),
            _dict_norm_to_space,
            description="InstCountNorm as a name -> value dict",
            prefetch=("inst_count",),
        ),
        ObservationSpec(
            "IrInstructionCount",
            _scalar_box(),
            lambda c: int(c.cost("IrInstructionCount")),
            _scalar_int,
            description="instructions in the module",
            prefetch=("instruction_count",),
        ),
        ObservationSpec("IrInstructionCountO0", _scalar_box(), _baseline("ic_O0"), _scalar_int),
        ObservationSpec("IrInstructionCountO3", _scalar_box(), _baseline("ic_O3"), _scalar_int),
        ObservationSpec("IrInstructionCountOz", _scalar_box(), _baseline("ic_Oz"), _scalar_int),
        ObservationSpec(
            "ObjectTextSizeBytes",
            _scalar_box(),
            lambda c: int(c.cost("ObjectTextSizeBytes")),
            _scalar_int,
            platform_dependent=True,
            description=".text bytes of the module's object file (codegen -O2)",
        ),
        ObservationSpec("ObjectTextSizeO0", _scalar_box(), _baseline("text_O0"), _scalar_int, platform_dependent=True),
        ObservationSpec("ObjectTextSizeO3", _scalar_box(), _baseline("text_O3"), _scalar_int, platform_dependent=True),
        ObservationSpec("ObjectTextSizeOz", _scalar_box(), _baseline("text_Oz"), _scalar_int, platform_dependent=True),
        ObservationSpec(
            "Ir",
            spaces.Text(max_length=1 << 30, min_length=0, charset=IR_CHARSET),
            lambda c: c.query("ir"),
            _identity,
            description="the module as LLVM IR text",
        ),
        ObservationSpec(
            "IrSha1",
            spaces.Text(max_length=40, min_length=40, charset="0123456789abcdef"),
            lambda c: c.query("ir_sha1"),
            _identity,
            description="hex SHA-1 of the IR text",
        ),
        ObservationSpec(
            "Bitcode",
            BytesSpace(),
            lambda c: c.query("bitcode"),
            _identity,
            description="the module as LLVM bitcode",
        ),
        ObservationSpec(
            "Programl",
            programl_space(),
            lambda c: programl_graph(c.query("programl")),
            lambda graph: graph.copy(),
            description="ProGraML program graph: instruction/variable/constant nodes, control/data/call edges",
            prefetch=("programl",),
        ),
        ObservationSpec(
            "Runtime",
            spaces.Box(0.0, np.inf, shape=(runtime_repeats,), dtype=np.float64),
            lambda c: list(c.runtimes()),
            _runtime_to_space,
            deterministic=False,
            platform_dependent=True,
            description=f"wall times (s) of {runtime_repeats} runs of the linked program",
        ),
        ObservationSpec(
            "RuntimeStats",
            spaces.Box(0.0, np.inf, shape=(2,), dtype=np.float64),
            _runtime_stats,
            _runtime_stats_to_space,
            deterministic=False,
            platform_dependent=True,
            description="[median, spread] (s) of the Runtime runs; spread = 1.4826 x MAD",
        ),
        *_execution_specs(),
    ]
    return {spec.name: spec for spec in specs}


OBSERVATION_NAMES: tuple[str, ...] = tuple(build_observation_specs())


def observation_spec(name: str, runtime_repeats: int = 5) -> ObservationSpec:
    """The spec of one observation; raises ``ValueError`` listing the valid names for an unknown one."""
    specs = build_observation_specs(runtime_repeats)
    if name not in specs:
        raise ValueError(f"unknown observation space {name!r}; valid names: {', '.join(specs)}")
    return specs[name]


def median_runtime(times: Sequence[float]) -> float:
    """The median of a list of wall times (CompilerGym's point estimate of ``Runtime``)."""
    return float(statistics.median(times))
