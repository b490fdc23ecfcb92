"""The shape of the code: one home per concept needs modules that import each other in
one direction and stay small enough to read in one sitting."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "eventapp"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(current: str, is_package: bool, node: ast.ImportFrom, known) -> set[str]:
    if node.level:
        base = current.split(".")
        if not is_package:
            base = base[:-1]
        base = base[:len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    found = set()
    for alias in node.names:
        # `from . import services` names a module; `from .services import x` a name in one
        candidate = f"{prefix}.{alias.name}"
        found.add(candidate if candidate in known else prefix)
    return {name for name in found if name in known}


def import_graph() -> dict[str, set[str]]:
    """Every import inside the package, at module level or inside a function alike (an
    import moved into a function to dodge a cycle is still a cycle)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                edges |= _resolve(name, path.name == "__init__.py", node, modules)
            elif isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in modules}
        edges.discard(name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as a list of modules (first == last), or None. Depth-first search."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_relative_and_function_local_imports():
    graph = import_graph()
    assert "eventapp.extensions" in graph["eventapp.models.registrations"]
    assert "eventapp.events.services" in graph["eventapp.registration.services"]
    assert "eventapp.registration.desk" in graph["eventapp"]  # imported inside create_app


def test_no_module_of_the_app_imports_itself_back_through_others():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_every_module_reads_in_one_sitting():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"
