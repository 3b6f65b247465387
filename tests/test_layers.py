"""The package's layers: every import runs downward, and no modules import each other in a circle.

Layers, lowest first: the base modules (vocabulary, months, files, version, record),
the scenario language, the model, the engine, results, the Python API,
analysis, the interfaces (the command line, the explorer). A module may import its own layer and those
below it. Imports inside functions count (they run too); imports under
``if TYPE_CHECKING:`` never run, so they may name a higher layer for a type
hint without forming a cycle at run time. ``simulator/__init__.py`` is the lazy public API
over every layer and is exempt as an importer; no module may import it.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "simulator"

#: Each layer's top-level names under ``simulator``, lowest first.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"vocabulary", "months", "files", "version", "record"}),
    frozenset({"scenario"}),
    frozenset({"model"}),
    frozenset({"engine"}),
    frozenset({"results"}),
    frozenset({"api"}),
    frozenset({"analysis"}),
    frozenset({"cli", "explore"}),  # the interfaces: the command line and the explorer it starts
)
ROOT_LAYER = len(LAYERS)  #: the package root sits above everything


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    """The layer of ``simulator.X...``; the package root is above every layer."""
    parts = module.split(".")
    if parts == ["simulator"]:
        return ROOT_LAYER
    top = parts[1]
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise AssertionError(f"{module}: simulator.{top} belongs to no layer; add it to LAYERS")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` names, relative imports included."""
    if not node.level:
        return node.module or ""
    package = importer if MODULES[importer].name == "__init__.py" else importer.rpartition(".")[0]
    base = package.split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def imports(module: str) -> list[tuple[str, int, bool, bool]]:
    """(imported module, line, at module level, runs at all) for each ``simulator`` import of ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool, bool]] = []

    def visit(node: ast.AST, top_level: bool, runs: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, top_level, False)
            for child in node.orelse:
                visit(child, top_level, runs)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno, top_level, runs) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            for alias in node.names:  # ``from simulator.analysis import history`` imports a module
                submodule = f"{target}.{alias.name}"
                found.append((submodule if submodule in MODULES else target, node.lineno, top_level, runs))
        inner = top_level and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, inner, runs)

    visit(tree, True, True)
    return [entry for entry in found if entry[0] == "simulator" or entry[0].startswith("simulator.")]


def upward_imports() -> list[str]:
    wrong = []
    for module, path in MODULES.items():
        if module == "simulator":
            continue
        for target, line, _, runs in imports(module):
            if runs and layer(target) > layer(module):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} imports {target} (a higher layer)")
    return list(dict.fromkeys(wrong))  # one line per import, however many names it takes


def module_level_cycles() -> list[list[str]]:
    """Cycles among the imports that run when a module is imported, each as a path of modules."""
    graph = {
        module: sorted({t for t, _, top, runs in imports(module) if top and runs and t in MODULES and t != module})
        for module in MODULES
    }
    cycles, state = [], dict.fromkeys(graph, 0)  # 0 unseen, 1 on the current path, 2 done

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in graph[module]:
            if state[target] == 1:
                cycles.append([*path[path.index(target) :], module, target])
            elif state[target] == 0:
                walk(target, [*path, module])
        state[module] = 2

    for module in graph:
        if state[module] == 0:
            walk(module, [])
    return cycles


def type_import_circles() -> list[list[str]]:
    """Modules that import each other in a circle when type imports count too (strongly connected, two or more)."""
    graph = {module: sorted({t for t, _, top, _ in imports(module) if top and t in MODULES}) for module in MODULES}
    order, low, path, circles = {}, {}, [], []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        order[module] = low[module] = len(order)
        path.append(module)
        for target in graph[module]:
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in path:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            circle = path[path.index(module) :]
            del path[path.index(module) :]
            if len(circle) > 1:
                circles.append(sorted(circle))

    for module in graph:
        if module not in order:
            visit(module)
    return circles


def test_every_module_belongs_to_a_layer():
    assert len(MODULES) > 30, "the package's modules are found"
    for module in MODULES:
        layer(module)


def test_imports_run_downward():
    wrong = upward_imports()
    assert not wrong, "imports that run upward:\n" + "\n".join(wrong)


def test_no_module_level_import_cycle():
    cycles = module_level_cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_rule_catches_an_upward_import_and_a_cycle(tmp_path, monkeypatch):
    """The checks above would fail on a bad import: shown on a small package written for the purpose."""
    package = tmp_path / "simulator"
    (package / "engine").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "months.py").write_text("import simulator.vocabulary\n")
    (package / "vocabulary.py").write_text("from simulator import months\n")
    (package / "engine" / "__init__.py").write_text("")
    (package / "engine" / "runner.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from simulator.cli import app\n"
        "def f():\n    from simulator.analysis import backtest\n"
    )
    (package / "cli").mkdir()
    (package / "cli" / "__init__.py").write_text("")
    (package / "cli" / "app.py").write_text("from simulator.engine import runner\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", package)
    monkeypatch.setattr(f"{__name__}.MODULES", {module_name(p): p for p in sorted(package.rglob("*.py"))})
    assert upward_imports() == [
        "simulator/engine/runner.py:5: simulator.engine.runner imports simulator.analysis (a higher layer)"
    ]
    assert sorted(map(tuple, module_level_cycles())) == [
        ("simulator.months", "simulator.vocabulary", "simulator.months")
    ]
    assert sorted(type_import_circles()) == [
        ["simulator.cli.app", "simulator.engine.runner"],
        ["simulator.months", "simulator.vocabulary"],
    ]


def test_no_import_circle_counting_type_imports():
    """Type imports form no circle either: actors see the model through ``model.interface``, not ``RelationsModel``."""
    circles = type_import_circles()
    assert not circles, "modules importing each other in a circle, type imports included:\n" + "\n".join(
        " <-> ".join(circle) for circle in circles
    )
