"""The vocabulary of ProGraML node texts (opcode names and types), built from training programs only.

A graph network embeds each node by its text's id. The shipped vocabulary
(``envs/programl-vocabulary.txt``) was built by :func:`build_vocabulary` from the built-in suite's
*train* split and generated csmith programs (never from validation/test programs or the evaluation
suites: cBench, MiBench, PolyBench, CHStone, NPB), each as compiled and after ``-Oz``, keeping the texts
seen in at least two programs (a struct type named in one program only would not generalize). Id 0 is
:attr:`Vocabulary.OOV`, the id of every text not in the vocabulary. Rebuild it with::

    python -m rl_compiler.graph.vocabulary --csmith 200 -o envs/programl-vocabulary.txt
"""

from __future__ import annotations

import argparse
import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from rl_compiler.data import data_path
from rl_compiler.datasets import get_benchmark, get_dataset
from rl_compiler.llvm import Module
from rl_compiler.llvm.baselines import optimize_oz

VOCABULARY_FILE = "programl-vocabulary.txt"


class Vocabulary:
    """Node text -> id (``0`` is out-of-vocabulary; known texts are ``1..len-1``, most frequent first).

    :param texts: the known texts, in id order from 1.
    :param counts: how many training programs each text was seen in (for the record).
    """

    OOV = 0
    OOV_TEXT = "<unknown>"

    def __init__(self, texts: Sequence[str], counts: Sequence[int] | None = None) -> None:
        self.texts: tuple[str, ...] = (self.OOV_TEXT, *texts)
        self.counts: tuple[int, ...] = (0, *(counts or [0] * len(texts)))
        self._ids = {text: k for k, text in enumerate(self.texts) if k}
        self._tables: dict[tuple[str, ...], np.ndarray] = {}
        if len(self._ids) != len(texts):
            raise ValueError("vocabulary texts must be distinct")

    def __len__(self) -> int:
        return len(self.texts)

    def __contains__(self, text: object) -> bool:
        return text in self._ids

    def id(self, text: str) -> int:
        """The id of ``text`` (:attr:`OOV` if unknown)."""
        return self._ids.get(text, self.OOV)

    def ids(self, texts: Iterable[str]) -> np.ndarray:
        """The ids of ``texts`` as an int64 array."""
        return np.fromiter((self._ids.get(t, self.OOV) for t in texts), dtype=np.int64)

    def table_ids(self, texts: tuple[str, ...]) -> np.ndarray:
        """:meth:`ids` of a graph's text table (int32), memoized: consecutive states of a program share it."""
        ids = self._tables.get(texts)
        if ids is None:
            if len(self._tables) >= 256:
                self._tables.clear()
            ids = self._tables[texts] = self.ids(texts).astype(np.int32)
        return ids

    def text(self, id_: int) -> str:
        """The text of an id (``"<unknown>"`` for :attr:`OOV`)."""
        return self.texts[id_]

    def save(self, path: str | Path, header: str = "") -> None:
        """Write one ``text<TAB>count`` line per known text, after ``# ``-comment header lines."""
        lines = [f"# {line}" for line in header.splitlines()]
        lines += [f"{text}\t{count}" for text, count in zip(self.texts[1:], self.counts[1:], strict=True)]
        Path(path).write_text("\n".join(lines) + "\n")

    @classmethod
    def from_file(cls, path: str | Path) -> Vocabulary:
        """Read a file written by :meth:`save`."""
        texts, counts = [], []
        for number, line in enumerate(Path(path).read_text().splitlines(), 1):
            if not line or line.startswith("# "):
                continue
            text, tab, count = line.rpartition("\t")
            if not tab or not count.isdigit():
                raise ValueError(f"{path}:{number}: expected 'text<TAB>count', got {line!r}")
            texts.append(text)
            counts.append(int(count))
        return cls(texts, counts)


@functools.cache
def load_vocabulary() -> Vocabulary:
    """The shipped vocabulary (``envs/programl-vocabulary.txt``)."""
    return Vocabulary.from_file(data_path("envs", VOCABULARY_FILE))


def program_texts(bitcode: bytes) -> set[str]:
    """The node texts of a program's graph as compiled and after ``-Oz`` (the states episodes see most)."""
    with Module.from_bitcode(bitcode) as module:
        texts = set(module.programl()[3])
        with optimize_oz(module) as optimized:
            texts.update(optimized.programl()[3])
    return texts


def build_vocabulary(programs: Iterable[bytes], min_programs: int = 2) -> Vocabulary:
    """The texts seen in at least ``min_programs`` of ``programs`` (bitcode), most common first."""
    seen: Counter[str] = Counter()
    for bitcode in programs:
        seen.update(program_texts(bitcode))
    kept = sorted((t for t, n in seen.items() if n >= min_programs), key=lambda t: (-seen[t], t))
    return Vocabulary(kept, [seen[t] for t in kept])


def training_uris(csmith: int) -> list[str]:
    """The built-in train split plus ``csmith`` generated programs (seeds 1..csmith)."""
    return [*get_dataset("builtin-v0").split("train"), *(f"generator://csmith-v0/{s}" for s in range(1, csmith + 1))]


def main(argv: list[str] | None = None) -> None:
    """Rebuild the vocabulary file from the training programs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csmith", type=int, default=200, help="generated csmith programs (seeds 1..N)")
    parser.add_argument("--min-programs", type=int, default=2)
    parser.add_argument("-o", "--output", default=str(data_path("envs", VOCABULARY_FILE)))
    args = parser.parse_args(argv)
    uris = training_uris(args.csmith)
    vocabulary = build_vocabulary((get_benchmark(uri).bitcode() for uri in uris), args.min_programs)
    vocabulary.save(
        args.output,
        f"ProGraML node texts (rl_compiler/graph/vocabulary.py): builtin-v0 train split + csmith-v0 seeds "
        f"1..{args.csmith},\nas compiled and after -Oz; texts seen in >= {args.min_programs} programs; "
        f"id = line number among non-comment lines (0 = out of vocabulary).",
    )
    print(f"{len(vocabulary) - 1} texts from {len(uris)} programs -> {args.output}")


if __name__ == "__main__":
    main()
