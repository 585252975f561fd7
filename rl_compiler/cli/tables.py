"""The subcommands' aligned text tables (``datasets``, ``benchmarks -l``, ``validate``, ``coreset rank``): a
header, then rows printed as they come, so that a row that needs a build or a replay shows at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column: its title, its width (at least the title's), right-aligned for numbers."""

    title: str
    width: int = 0
    right: bool = False


class Table:
    """Columns two spaces apart; the last one is free text (a description, details) and is not padded.

    >>> table = Table(Column("name", 6), Column("size", 5, right=True), Column("description"))
    >>> table.format("crc32", 41, "a checksum")
    'crc32      41  a checksum'
    """

    def __init__(self, *columns: Column) -> None:
        if not columns:
            raise ValueError("a table needs at least one column")
        self.columns = columns

    def format(self, *cells: object) -> str:
        """One line: every cell padded to its column's width."""
        if len(cells) != len(self.columns):
            raise ValueError(f"a row of {len(cells)} cells for a table of {len(self.columns)} columns")
        parts = [
            f"{cell!s:{'>' if column.right else '<'}{max(column.width, len(column.title))}}"
            for column, cell in zip(self.columns, cells, strict=True)
        ]
        return "  ".join(parts).rstrip()

    def print_header(self) -> None:
        print(self.format(*(column.title for column in self.columns)))

    def print_row(self, *cells: object) -> None:
        print(self.format(*cells), flush=True)
