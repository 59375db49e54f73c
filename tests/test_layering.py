"""The layering contract of DESIGN.md: the core (groups, reps, solve, verify) imports
numpy/scipy/sympy/networkx only, never JAX; imports flow one way, groups -> reps -> solve ->
verify, with runtime and nn on top and applications / CLI at the edge.

The import graph is read from the source (every ``import`` and ``from ... import``, at module
top or inside functions), so a new upward import fails here whatever the order tests run in.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "eqsolve"

# rank of each unit; a unit may import units of lower rank (and itself)
RANK = {
    "memory": 0,  # utilities below the core: memory guard, atomic file writes
    "safeio": 0,
    "groups": 1,
    "reps": 2,
    "solve": 3,
    "verify": 4,
    "runtime": 5,
    "nn": 6,
}
EDGE = 7  # applications, data, parse, viz, CLI, commands: may import anything below them

# The one sanctioned upward import: ``Rep.equivariant_basis()`` (EMLP's API) calls the solver;
# it is imported inside the method, at call time, so importing reps never imports solve.
ALLOWED_UPWARD = {("reps", "solve")}

CORE = ("groups", "reps", "solve", "verify")
CORE_THIRD_PARTY = {"numpy", "scipy", "sympy", "mpmath", "networkx", "cython_runtime", "eqsolve"}


def _unit(parts: list[str]) -> str:
    """The unit of a module path ['eqsolve', 'solve', 'api'] -> 'solve' ('eqsolve' for the root)."""
    return parts[1] if len(parts) > 1 else "eqsolve"


def _imports(path: Path):
    """(imported eqsolve module path as a list, line, at module top?) for every import in a file."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("").parts
    pkg = list(rel[:-1])  # the package a relative import starts from
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - node.level + 1]
                if node.module:
                    yield base + node.module.split("."), node.lineno, id(node) in top
                else:
                    for a in node.names:
                        yield base + [a.name], node.lineno, id(node) in top
            elif node.module and node.module.split(".")[0] == "eqsolve":
                yield node.module.split("."), node.lineno, id(node) in top
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "eqsolve":
                    yield a.name.split("."), node.lineno, id(node) in top


def _edges():
    for path in sorted(PACKAGE.rglob("*.py")):
        src = _unit(list(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        for target, line, at_top in _imports(path):
            dst = _unit(target)
            if dst != src and dst != "eqsolve":
                yield path, line, at_top, src, dst


def test_imports_flow_one_way():
    bad = []
    for path, line, at_top, src, dst in _edges():
        rs, rd = RANK.get(src, EDGE), RANK.get(dst, EDGE)
        if rd < rs or rd == rs == EDGE:  # down, or between edge units (CLI -> commands -> viz)
            continue
        if (src, dst) in ALLOWED_UPWARD and not at_top:
            continue
        bad.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {src} imports {dst}")
    assert not bad, (
        "imports against the layering (groups -> reps -> solve -> verify -> runtime -> nn -> edge):\n" + "\n".join(bad)
    )


def test_the_check_sees_an_upward_import(tmp_path):
    """The graph reader finds relative and absolute imports, at top and inside functions."""
    src = tmp_path / "eqsolve" / "solve"
    src.mkdir(parents=True)
    f = src / "x.py"
    f.write_text(
        "from ..nn import Linear\nimport eqsolve.runtime\n\ndef g():\n    from ...eqsolve.verify import basis\n"
    )
    global PACKAGE
    old, PACKAGE = PACKAGE, tmp_path / "eqsolve"
    try:
        found = [(".".join(t), top) for t, _, top in _imports(f)]
    finally:
        PACKAGE = old
    assert ("eqsolve.nn", True) in found and ("eqsolve.runtime", True) in found
    assert any(t.endswith("verify") and not top for t, top in found)


@pytest.mark.parametrize("unit", CORE)
def test_core_imports_no_jax(unit):
    """In a fresh interpreter, importing a core package loads no third-party module besides
    numpy/scipy/sympy/networkx (so no jax, flax, optax, matplotlib, tqdm)."""
    code = (
        f"import sys, eqsolve.{unit}\n"
        "tops = {m.split('.')[0] for m in sys.modules}\n"
        "print(' '.join(sorted(t for t in tops if t not in sys.stdlib_module_names and not t.startswith('_'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    ).stdout.split()
    assert "eqsolve" in out
    extra = set(out) - CORE_THIRD_PARTY
    assert not extra, f"importing eqsolve.{unit} loads {sorted(extra)}"


def test_core_units_are_ranked():
    units = {
        p.name if p.is_dir() else p.stem
        for p in PACKAGE.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")
    }
    assert set(CORE) <= units and {"runtime", "nn"} <= units
