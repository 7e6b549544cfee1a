"""The layers of shared/DESIGN.md section 1, held against every import in the code.

Each module of the apps is read with `ast` (imports inside functions count too) and
placed in a layer; a module may import only from its own layer or below. A few rules
cut across the layers, and no import cycle is allowed among the apps' modules. The
layers are written once, here, as data: to change them, change this table and
DESIGN.md's words together.
"""

import ast
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("dikecualikan", "arsip", "ppid")

# Bottom up. A module matches the first pattern that fits; an app module that matches
# none is a page (the top layer: views, forms, the admin, templatetags, commands, urls).
LAYERS = [
    # The roles, and which office is served (its name, place, contacts, logo, zone).
    ("roles", ["dikecualikan.roles", "dikecualikan.provinces", "dikecualikan.office"]),
    ("models", ["dikecualikan.history", "dikecualikan.models", "arsip.models"]),
    # The outbox's rows and their delivery (a task): the workflow writes mail through it.
    # Beside it, the daily jobs' record of their runs: arsip's verify_fixity writes one.
    ("the outbox", ["dikecualikan.outbox", "dikecualikan.jobs"]),
    (
        "archive core",
        [
            "arsip.storage",
            "arsip.spool",
            "arsip.validation",
            "arsip.office_check",
            "arsip.pdf_walk",
            "arsip.pdf_text",
            "arsip.fixity",
            "arsip.management.commands.verify_fixity",
        ],
    ),
    (
        "the DIK and its documents",
        [
            "dikecualikan.dik",
            "dikecualikan.pdf",
            "dikecualikan.workdays",
            # The public DIK's PDF, a task: the publication step enqueues it.
            "dikecualikan.documents",
        ],
    ),
    ("workflow", ["dikecualikan.workflow", "dikecualikan.workflow.*"]),
    # What else the worker runs: the staff's documents (they mail through the workflow).
    ("tasks", ["dikecualikan.tasks"]),
    # The top: what people and the server call (pages, the admin, forms, commands, settings).
    (
        "pages",
        [
            "dikecualikan",
            "arsip",
            "ppid",
            "*.admin",
            "*.apps",
            "*.forms",
            "*.urls",
            "*.views",
            "*.management",
            "*.management.commands",
            "*.management.commands.*",
            "*.templatetags",
            "*.templatetags.*",
            "arsip.uploads",
            "dikecualikan.context_processors",
            "dikecualikan.exports",
            "dikecualikan.national",
            "dikecualikan.paging",
            "dikecualikan.public",
            "dikecualikan.signals",
            "dikecualikan.staff",
            "dikecualikan.staff_objections",
            "dikecualikan.staff_requests",
            "ppid.*",
        ],
    ),
]

# (importer, imported, why): imports that the layers alone would allow but the design forbids.
FORBIDDEN = [
    ("dikecualikan.public", "arsip*", "the public pages never touch the archive"),
    ("dikecualikan.templatetags.*", "arsip*", "the public pages never touch the archive"),
    ("dikecualikan.dik", "arsip*", "the published list knows nothing of the archive"),
    (
        "dikecualikan.workflow*",
        "arsip*",
        "only the archive step (workflow/archive.py) imports arsip",
    ),
]
ALLOWED = {("dikecualikan.workflow.archive", "arsip*")}


def modules() -> dict[str, Path]:
    """Return {dotted name: path} of every module of the apps, migrations aside."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known) -> list[tuple[str, int]]:
    """Return (imported app module, line) for every import in the module, wherever it is."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            # `from . import workflow` imports the module workflow; `from .models import
            # Record` imports the module models.
            targets = [
                f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]  # `import arsip.models.x` is arsip.models
            if target and target != name:
                found.append((target, node.lineno))
    return found


def layer_of(name: str) -> int | None:
    """The layer a module belongs to, or None for one that no layer names."""
    return next(
        (i for i, (_, patterns) in enumerate(LAYERS) if any(fnmatch(name, p) for p in patterns)),
        None,
    )


def graph() -> dict[str, list[tuple[str, int]]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def layer_violations(edges) -> list[str]:
    problems = []
    for name, imports in sorted(edges.items()):
        for target, line in imports:
            if layer_of(target) > layer_of(name):
                problems.append(
                    f"{name} (line {line}) imports {target}: the layer "
                    f"'{LAYERS[layer_of(name)][0]}' may not import from "
                    f"'{LAYERS[layer_of(target)][0]}'"
                )
            for importer, imported, why in FORBIDDEN:
                exempt = any(fnmatch(name, a) and fnmatch(target, b) for a, b in ALLOWED)
                if fnmatch(name, importer) and fnmatch(target, imported) and not exempt:
                    problems.append(f"{name} (line {line}) imports {target}: {why}")
    return problems


def cycles(edges) -> list[list[str]]:
    """Return the import cycles among the modules (each once, as a path back to its start)."""
    found, done, path = [], set(), []

    def visit(name):
        if name in path:
            cycle = path[path.index(name) :] + [name]
            if set(cycle) not in [set(c) for c in found]:
                found.append(cycle)
            return
        if name in done:
            return
        path.append(name)
        for target, _line in edges.get(name, []):
            visit(target)
        path.pop()
        done.add(name)

    for name in sorted(edges):
        visit(name)
    return found


def test_every_module_of_the_apps_is_read():
    edges = graph()
    assert {"dikecualikan.workflow.steps", "dikecualikan.dik", "arsip.validation"} <= set(edges)
    # Relative imports resolve: `from ..models import Record` in workflow/steps.py.
    assert "dikecualikan.models" in {t for t, _ in edges["dikecualikan.workflow.steps"]}
    assert "dikecualikan.workflow" in {t for t, _ in edges["dikecualikan.staff"]}


def test_each_module_imports_only_from_its_layer_or_below():
    assert layer_violations(graph()) == []


def test_every_module_is_named_by_a_layer():
    unnamed = [name for name in sorted(modules()) if layer_of(name) is None]
    assert unnamed == [], "put each new module in its layer in LAYERS (and in the README's map)"


def private_imports(name: str, path: Path, known) -> list[str]:
    """Return the names starting with "_" that the module imports from another app module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").split(".")[0] in PACKAGES
        ):
            found += [
                f"{name} (line {node.lineno}) imports {alias.name} from {'.' * node.level}"
                f"{node.module or ''}"
                for alias in node.names
                if alias.name.startswith("_") and alias.name != "__version__"
            ]
    return found


def test_no_module_imports_a_private_name_of_another():
    known = modules()
    found = [line for name, path in known.items() for line in private_imports(name, path, known)]
    assert found == [], "a concern two modules share gets a public home of its own"


def test_the_private_name_check_finds_one(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text("from .publication import _new_dik_version\n")
    found = private_imports("dikecualikan.workflow.review", module, modules())
    assert found == [
        "dikecualikan.workflow.review (line 1) imports _new_dik_version from .publication"
    ]


def test_no_import_cycle_among_the_apps_modules():
    assert cycles(graph()) == []


def test_the_check_names_a_forbidden_import_and_a_cycle():
    edges = graph()
    edges["dikecualikan.models"] = [*edges["dikecualikan.models"], ("dikecualikan.workflow", 7)]
    edges["dikecualikan.public"] = [*edges["dikecualikan.public"], ("arsip.models", 9)]
    problems = layer_violations(edges)
    assert any(
        p.startswith("dikecualikan.models (line 7) imports dikecualikan.workflow") for p in problems
    )
    assert any(p.startswith("dikecualikan.public (line 9) imports arsip.models") for p in problems)
    assert any("dikecualikan.models" in c and "dikecualikan.workflow" in c for c in cycles(edges))


def test_a_function_level_import_counts(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from dikecualikan.workflow import steps\n")
    found = imports_of("dikecualikan.models", module, modules())
    assert ("dikecualikan.workflow.steps", 2) in found


def test_no_function_of_the_workflow_is_longer_than_40_lines():
    long = []
    for path in sorted((ROOT / "dikecualikan" / "workflow").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno >= 40:
                long.append(f"{path.name}:{node.lineno} {node.name}")
    assert long == [], "split these where a name explains the part"
