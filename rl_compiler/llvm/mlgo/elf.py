"""The ``.text`` size of an ELF object file (the MLGO environments' size measure), read without tools."""

from __future__ import annotations

import struct


def text_size(obj: bytes) -> int:
    """Total size of the executable (SHF_EXECINSTR) sections of an ELF object: its ``.text`` bytes."""
    if obj[:4] != b"\x7fELF":
        raise ValueError("not an ELF object file")
    is64 = obj[4] == 2
    endian = "<" if obj[5] == 1 else ">"
    if is64:
        (shoff,) = struct.unpack_from(endian + "Q", obj, 0x28)
        shentsize, shnum = struct.unpack_from(endian + "HH", obj, 0x3A)
    else:
        (shoff,) = struct.unpack_from(endian + "I", obj, 0x20)
        shentsize, shnum = struct.unpack_from(endian + "HH", obj, 0x2E)
    total = 0
    for i in range(shnum):
        base = shoff + i * shentsize
        if is64:
            sh_type, sh_flags = struct.unpack_from(endian + "IQ", obj, base + 4)
            (sh_size,) = struct.unpack_from(endian + "Q", obj, base + 0x20)
        else:
            sh_type, sh_flags = struct.unpack_from(endian + "II", obj, base + 4)
            (sh_size,) = struct.unpack_from(endian + "I", obj, base + 0x14)
        if sh_type == 1 and sh_flags & 0x4:  # SHT_PROGBITS and SHF_EXECINSTR
            total += sh_size
    return total
