"""A real two-node Ray cluster on this machine for the slow tests, and a tiny dataset of real C programs."""

from __future__ import annotations

from pathlib import Path

import pytest
from ray_checks import processes_mentioning
from tiny_datasets import write_ic_task, write_manifest

PROGRAMS = {
    "sumsq": ("test", "static int sq(int x) { return x * x; }\nint main(void) { unsigned t = 0;\n"
              "  for (int i = 0; i < 100; ++i) t += (unsigned)sq(i % 17);\n  printf(\"%u\\n\", t); return 0; }"),
    "fib": ("test", "static unsigned fib(unsigned n) { unsigned a = 0, b = 1;\n"
            "  while (n--) { unsigned t = a + b; a = b; b = t; } return a; }\n"
            "int main(void) { unsigned acc = 0; for (unsigned i = 0; i < 30; ++i) acc ^= fib(i) * (i + 1);\n"
            "  printf(\"%u\\n\", acc); return 0; }"),
    "gcd": ("test", "static unsigned gcd(unsigned a, unsigned b) { while (b) { unsigned t = a % b; a = b; b = t; }\n"
            "  return a; }\nint main(void) { unsigned s = 0; for (unsigned i = 1; i < 200; ++i) s += gcd(i, 360);\n"
            "  printf(\"%u\\n\", s); return 0; }"),
    "bubble": ("train", "int main(void) { int a[16]; for (int i = 0; i < 16; ++i) a[i] = (i * 7) % 16;\n"
               "  for (int i = 0; i < 16; ++i) for (int j = 0; j + 1 < 16 - i; ++j)\n"
               "    if (a[j] > a[j + 1]) { int t = a[j]; a[j] = a[j + 1]; a[j + 1] = t; }\n"
               "  printf(\"%d %d\\n\", a[0], a[15]); return 0; }"),
    "collatz": ("train", "int main(void) { unsigned best = 0;\n"
                "  for (unsigned n = 1; n < 300; ++n) { unsigned x = n, k = 0;\n"
                "    while (x != 1) { x = (x & 1) ? 3 * x + 1 : x / 2; ++k; } if (k > best) best = k; }\n"
                "  printf(\"%u\\n\", best); return 0; }"),
    "primes": ("validation", "int main(void) { int n = 0; for (int i = 2; i < 500; ++i) { int p = 1;\n"
               "  for (int d = 2; d * d <= i; ++d) if (i % d == 0) { p = 0; break; } n += p; }\n"
               "  printf(\"%d\\n\", n); return 0; }"),
}  # fmt: skip


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A manifest of six small programs: three in test, two in train, one in validation."""
    programs = {name: (split, "#include <stdio.h>\n" + body) for name, (split, body) in PROGRAMS.items()}
    return write_manifest(tmp_path_factory.mktemp("raytiny"), "raytiny-v0", programs)


@pytest.fixture(scope="session")
def tiny_task(tiny_dataset: Path) -> Path:
    """An llvm-ic task over the tiny dataset's test split, two repetitions: six jobs."""
    return write_ic_task(tiny_dataset)


@pytest.fixture(scope="module")
def ray_cluster():
    """A head node and a second node joined with ``ray start --address``, one CPU each; afterwards no Ray
    process of it is left and its session files are gone."""
    pytest.importorskip("ray")
    from rl_compiler.distributed.local_cluster import LocalCluster

    cluster = LocalCluster(head_cpus=1)
    temp_dir = cluster.temp_dir
    try:
        cluster.add_node(num_cpus=1)
        yield cluster
    finally:
        cluster.shutdown()
    assert processes_mentioning(str(temp_dir)) == []
    assert not temp_dir.exists()
