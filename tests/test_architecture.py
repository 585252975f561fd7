"""The package's shape: no import cycle among rl_compiler modules (lazy imports included), and no module
over 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "rl_compiler"
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def is_type_checking(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``): imports for type checkers, never run."""
    test = node.test if isinstance(node, ast.If) else None
    return (
        isinstance(test, ast.Name)
        and test.id == "TYPE_CHECKING"
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def runtime_nodes(tree: ast.AST):
    """Every node that can run, at any depth (function bodies included), leaving out ``if TYPE_CHECKING:``
    bodies (their ``else`` branch runs)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if is_type_checking(node):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """Every rl_compiler module ``path`` imports when it runs: at the top and in functions (lazy imports), not
    under ``if TYPE_CHECKING:`` (type checkers resolve such circles, and the interpreter never runs them)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # ``from package import module`` imports the module; ``from module import name`` the module.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            # ``import a.b.c`` runs a.b.c; keep the longest prefix that is one of ours.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    table = modules()
    known = set(table)
    return {name: imported_modules(name, path, known) for name, path in table.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_sees_lazy_imports():
    graph = import_graph()
    # Function-level imports count: the CLI imports the agents only inside its subcommands.
    assert "rl_compiler.agents.registry" in graph["rl_compiler.cli.eval"]
    assert "rl_compiler.agents.base" in graph["rl_compiler.agents.registry"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    source = "if TYPE_CHECKING:\n    import rl_compiler.cli\nelse:\n    import rl_compiler.rewards\n"
    imports = [n.names[0].name for n in runtime_nodes(ast.parse(source)) if isinstance(n, ast.Import)]
    assert imports == ["rl_compiler.rewards"]


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles among rl_compiler modules:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_no_module_over_500_lines():
    lengths = {str(path.relative_to(PACKAGE)): len(path.read_text().splitlines()) for path in PACKAGE.rglob("*.py")}
    too_long = {p: n for p, n in lengths.items() if n > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines (split them by job): {too_long}"


def is_error_name(node: ast.AST) -> bool:
    """A string constant like ``"BuildError"``, or a tuple/list/set of them."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return bool(node.elts) and all(is_error_name(element) for element in node.elts)
    return (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith(("Error", "Exception"))
    )


def matches_by_class_name(tree: ast.AST) -> list[int]:
    """Lines that compare ``type(x).__name__`` (or ``x.__class__.__name__``), or anything, with error class
    names: error handling by class name instead of by class."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if isinstance(side, ast.Attribute) and side.attr == "__name__":
                    inner = side.value
                    by_type = isinstance(inner, ast.Call) and getattr(inner.func, "id", None) == "type"
                    if by_type or (isinstance(inner, ast.Attribute) and inner.attr == "__class__"):
                        lines.append(node.lineno)
                elif is_error_name(side):
                    lines.append(node.lineno)
    return sorted(set(lines))


def test_no_error_matched_by_class_name():
    assert matches_by_class_name(ast.parse("if type(error).__name__ in ('BuildError',): pass")) == [1]
    assert matches_by_class_name(ast.parse("name = type(e).__name__\nif name in ('A', 'ParseError'): pass")) == []
    assert matches_by_class_name(
        ast.parse("name = type(e).__name__\nif name in ('BuildError', 'ParseError'): pass")
    ) == [2]
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := matches_by_class_name(ast.parse(path.read_text())))
    }
    assert not found, f"catch the library's error classes instead of comparing class names: {found}"


#: The layers, lowest first: a module may import its own layer and the layers below, never one above.
#: ``data``, ``log`` and ``stats`` are utilities; the package's own ``__init__`` registers the envs.
LAYERS = {
    "data": 0,
    "log": 0,
    "stats": 0,
    "llvm": 1,
    "datasets": 2,
    "graph": 3,
    "distributed": 3,
    "observations": 4,
    "rewards": 4,
    "envs": 5,
    "wrappers": 6,
    "rl_compiler": 6,
    "agents": 7,
    "leaderboard": 8,
    "cli": 9,
}


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_imports_flow_one_way():
    graph = import_graph()
    unplaced = sorted({layer_of(m) for m in graph} - set(LAYERS))
    assert not unplaced, f"place these in LAYERS (tests/test_architecture.py) and docs/architecture.md: {unplaced}"
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if LAYERS[layer_of(target)] > LAYERS[layer_of(module)]
    )
    assert not upward, "imports against the layering (lower layers must not import higher ones):\n" + "\n".join(upward)
