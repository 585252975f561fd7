"""A tiny leaderboard task over a user manifest dataset of two small real C programs."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_datasets import write_ic_task, write_manifest

PROGRAMS = {
    "sumsq": """
        #include <stdio.h>
        static int square(int x) { return x * x; }
        int main(void) {
            unsigned total = 0;
            for (int i = 0; i < 100; ++i) total += (unsigned)square(i % 17);
            printf("%u\\n", total);
            return 0;
        }
    """,
    "fib": """
        #include <stdio.h>
        static unsigned fib(unsigned n) {
            unsigned a = 0, b = 1;
            while (n--) { unsigned t = a + b; a = b; b = t; }
            return a;
        }
        int main(void) {
            unsigned acc = 0;
            for (unsigned i = 0; i < 30; ++i) acc ^= fib(i) * (i + 1);
            printf("%u\\n", acc);
            return 0;
        }
    """,
}


@pytest.fixture(scope="session")
def tiny_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A task file judging on a two-program user dataset (both programs in the test split)."""
    programs = {name: ("test", source) for name, source in PROGRAMS.items()}
    return write_ic_task(write_manifest(tmp_path_factory.mktemp("tinyset"), "tinyset-v0", programs))
