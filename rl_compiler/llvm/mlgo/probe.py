"""Probing the header a toolchain sends (spaces must be fixed before the first real episode)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rl_compiler.llvm.errors import ChannelNotOpenedError
from rl_compiler.llvm.mlgo.channel import InteractiveCompilation, run_compiler
from rl_compiler.llvm.mlgo.spec import INLINER_CHANNEL_OPTION, REGALLOC_CHANNEL_OPTION, ChannelSpec

if TYPE_CHECKING:
    from rl_compiler.llvm.toolchain import Toolchain

#: A small C program whose functions reach both advisors: live values across a loop (evictions) and
#: small static helpers called from several places (inlining decisions).
PROBE_SOURCE = r"""
static long mix(long a, long b) { return (a ^ (b << 3)) + (b >> 2); }
long probe(long *a, long n) {
  long s0 = 0, s1 = 1, s2 = 2, s3 = 3, s4 = 4, s5 = 5, s6 = 6, s7 = 7, s8 = 8, s9 = 9, s10 = 10, s11 = 11;
  long s12 = 12, s13 = 13, s14 = 14, s15 = 15;
  for (long i = 0; i < n; i++) {
    long x = a[i];
    s0 += x * s15; s1 ^= x + s0; s2 += s1 * x; s3 -= s2 ^ x; s4 += s3 * s0; s5 ^= s4 + x; s6 += s5 * s1;
    s7 -= s6 ^ s2; s8 += s7 * s3; s9 ^= s8 + s4; s10 += s9 * s5; s11 -= s10 ^ s6; s12 += s11 * s7;
    s13 ^= s12 + s8; s14 += s13 * s9; s15 -= s14 ^ s10;
    a[i] = mix(s0 + s1 + s2 + s3, s4 + s5 + s6 + s7);
  }
  return mix(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7, s8 + s9 + s10 + s11 + s12 + s13 + s14 + s15);
}
"""

REGALLOC_FLAGS = ("-O2", "-regalloc-enable-advisor=release")
INLINER_FLAGS = ("-enable-ml-inliner=release", "-inliner-interactive-include-default")


def probe_spec(kind: str, toolchain: Toolchain | None = None) -> ChannelSpec:
    """The header ``llc`` (``kind="regalloc"``) or ``opt`` (``kind="inliner"``) of a toolchain sends.

    Compiles :data:`PROBE_SOURCE` once, reads the header and kills the compiler; cached in memory and on
    disk per toolchain id, so an environment's spaces cost one compile per toolchain, ever.
    """
    from rl_compiler.llvm.cache import atomic_write_text, cache_dir
    from rl_compiler.llvm.toolchain import get_toolchain

    if kind not in ("regalloc", "inliner"):
        raise ValueError(f"unknown MLGO channel kind {kind!r}; expected 'regalloc' or 'inliner'")
    toolchain = toolchain or get_toolchain()
    key = (kind, toolchain.id)
    if key in _probe_cache:
        return _probe_cache[key]
    cached = cache_dir("mlgo", toolchain.id) / f"{kind}-header.json"
    if cached.exists():
        spec = ChannelSpec.from_header(cached.read_text())
    else:
        with InteractiveCompilation(startup_timeout=120.0) as compilation:
            source = compilation.path("probe.c")
            source.write_text(PROBE_SOURCE)
            bitcode = compilation.path("probe.bc")
            run_compiler(
                [toolchain.clang, "-O2", "-Xclang", "-disable-llvm-passes", "-c", "-emit-llvm", source, "-o", bitcode]
            )
            if kind == "regalloc":
                argv = [toolchain.llc, *REGALLOC_FLAGS, "-filetype=obj", "-o", "/dev/null", bitcode]
                option = REGALLOC_CHANNEL_OPTION
            else:
                argv = [toolchain.opt, "-passes=default<O2>", *INLINER_FLAGS, "-o", "/dev/null", bitcode]
                option = INLINER_CHANNEL_OPTION
            spec = compilation.start(argv, option)
            if spec is None:
                raise ChannelNotOpenedError(
                    f"the probe module never opened the {kind} channel of LLVM {toolchain.version}"
                )
        atomic_write_text(cached, json.dumps(spec.to_json()))
    _probe_cache[key] = spec
    return spec


_probe_cache: dict[tuple[str, str], ChannelSpec] = {}
