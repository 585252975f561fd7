"""Greedy's ``SpillReloadCopies`` remarks and MLGO's RegAllocScore: what a register allocation costs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from rl_compiler.llvm.errors import ChannelProtocolError

#: Weights of MLGO's RegAllocScore applied to greedy's SpillReloadCopies costs.
SPILL_WEIGHT, RELOAD_WEIGHT, COPY_WEIGHT = 1.0, 4.0, 0.2

_REMARK_FIELDS = {
    "NumSpills": "spills",
    "NumFoldedSpills": "folded_spills",
    "NumReloads": "reloads",
    "NumFoldedReloads": "folded_reloads",
    "NumVRCopies": "copies",
    "TotalSpillsCost": "spill_cost",
    "TotalFoldedSpillsCost": "folded_spill_cost",
    "TotalReloadsCost": "reload_cost",
    "TotalFoldedReloadsCost": "folded_reload_cost",
    "TotalCopiesCost": "copy_cost",
}
_ARG_RE = re.compile(r"^\s*-\s*(\w+):\s*'?([^']*)'?\s*$")


@dataclass
class RegallocStats:
    """Greedy's ``SpillReloadCopies`` remark of one function (all zero if it emitted none)."""

    spills: int = 0
    folded_spills: int = 0
    reloads: int = 0
    folded_reloads: int = 0
    copies: int = 0
    spill_cost: float = 0.0
    folded_spill_cost: float = 0.0
    reload_cost: float = 0.0
    folded_reload_cost: float = 0.0
    copy_cost: float = 0.0

    @property
    def score(self) -> float:
        """1*spill cost + 4*reload cost + 0.2*copy cost (block-frequency weighted; lower is better)."""
        return (
            SPILL_WEIGHT * (self.spill_cost + self.folded_spill_cost)
            + RELOAD_WEIGHT * (self.reload_cost + self.folded_reload_cost)
            + COPY_WEIGHT * self.copy_cost
        )

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in _REMARK_FIELDS.values()}
        data["score"] = self.score
        return data


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return inner.replace("''", "'") if value[0] == "'" else json.loads(value)
    return value


def parse_regalloc_remarks(text: str) -> dict[str, RegallocStats]:
    """Per-function stats from a ``-pass-remarks-output`` YAML of greedy (``SpillReloadCopies`` only).

    A line-based reader of the fixed layout LLVM writes (a YAML library is ~100x slower on MBs of remarks).
    Functions without spills, reloads or copies emit no remark and are absent: count them as zero.
    """
    stats: dict[str, RegallocStats] = {}
    for document in text.split("\n--- "):
        if "\nName:            SpillReloadCopies\n" not in document and "\nName: SpillReloadCopies\n" not in document:
            continue
        function = None
        record = RegallocStats()
        for line in document.splitlines():
            if line.startswith("Function:"):
                function = _unquote(line[len("Function:") :])
                continue
            match = _ARG_RE.match(line)
            if match and match.group(1) in _REMARK_FIELDS:
                name = _REMARK_FIELDS[match.group(1)]
                setattr(record, name, float(match.group(2)) if "cost" in name else int(match.group(2)))
        if function is None:
            raise ChannelProtocolError(f"SpillReloadCopies remark without a Function field: {document[:200]!r}")
        stats[function] = record
    return stats
