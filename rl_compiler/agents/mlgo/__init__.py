"""Decision policies for the MLGO environments (register allocation and inlining)."""
