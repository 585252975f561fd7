"""The subcommands' table printer: columns aligned under their titles, rows printed as they come."""

from __future__ import annotations

import pytest

from rl_compiler import cli
from rl_compiler.cli.tables import Column, Table


def test_cells_align_under_titles_and_the_last_column_is_free_text(capsys):
    table = Table(Column("uri", 8), Column("IR -O0", 4, right=True), Column("description"))
    table.print_header()
    table.print_row("a/crc32", 41, "a checksum")
    table.print_row("a/longer-name", 1234567, "")
    assert capsys.readouterr().out.splitlines() == [
        "uri       IR -O0  description",
        "a/crc32       41  a checksum",
        "a/longer-name  1234567",  # a cell wider than its column pushes on; nothing is cut
    ]


def test_a_row_of_the_wrong_length_is_an_error():
    with pytest.raises(ValueError, match="a row of 1 cells for a table of 2 columns"):
        Table(Column("a"), Column("b")).format("x")
    with pytest.raises(ValueError, match="at least one column"):
        Table()


def test_the_datasets_table_lines_up(capsys):
    from rl_compiler.datasets import get_dataset

    assert cli.main(["datasets"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    column = header.index("description")
    builtin = next(row for row in rows if row.startswith("builtin-v0 "))
    assert builtin[column - 2 : column] == "  " and builtin[:column].split() == [
        "builtin-v0",
        str(len(get_dataset("builtin-v0"))),
    ]
