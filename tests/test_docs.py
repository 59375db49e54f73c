"""Runnable documentation: every ``>>>`` example in the package, every ```python block of
README.md and of the shared DESIGN.md, and the README's solver table against the registry.

Blocks of one document run in order in one namespace (a later block may use the names of an
earlier one), each block its own test. Nothing is skipped silently: a block that cannot run
fails, unless the line before its fence is ``<!-- skip-test: the reason -->``, which makes it
a visible skip with that reason. DESIGN.md is read from ``../shared/DESIGN.md`` next to the
repository (or ``shared/DESIGN.md`` inside it); when neither exists its tests skip, saying so.

DESIGN.md is the contract text (not ours to edit) and writes two placeholders a reader fills in:
``rngs=...`` and the reps ``rep_in`` / ``rep_out`` of its EMLP line. The test fills them, and
only them, explicitly (:data:`DESIGN_PLACEHOLDERS`): ``rngs=...`` becomes ``rngs=nnx.Rngs(0)``
and ``rep_in, rep_out`` are the unbound forms ``V**2`` and ``V`` (bound to ``group=G`` by
``nn.EMLP``, as in EMLP); everything else runs as written.
"""

import doctest
import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "eqsolve"
README = REPO / "README.md"
DESIGN_CANDIDATES = (REPO.parent / "shared" / "DESIGN.md", REPO / "shared" / "DESIGN.md")

FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
SKIP = re.compile(r"<!--\s*skip-test:\s*(.+?)\s*-->\s*$")
DESIGN_PLACEHOLDERS = {"rngs=...": "rngs=__import__('flax').nnx.Rngs(0)"}
DESIGN_PREAMBLE = "from eqsolve.reps import V as _V\nrep_in, rep_out = _V**2, _V\n"


# ------------------------------------------------------------------------------- doctests
def _modules_with_examples() -> list[str]:
    """Dotted names of the package's modules whose source has a ``>>>`` example."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if ">>>" in path.read_text():
            parts = path.relative_to(REPO).with_suffix("").parts
            out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


DOCTEST_MODULES = _modules_with_examples()


def test_entry_points_have_examples():
    """The entry points named in issue 17 carry runnable examples."""
    for name in ("eqsolve.groups", "eqsolve.reps", "eqsolve.solve.api", "eqsolve.verify", "eqsolve.nn"):
        assert name in DOCTEST_MODULES, f"{name} has no >>> example"


@pytest.mark.parametrize("name", DOCTEST_MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{name} has '>>>' in its source but no doctest was collected"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (output above)"


# ---------------------------------------------------------------------- markdown blocks
def python_blocks(text: str) -> list[tuple[int, str, str | None]]:
    """(line of the fence, code, skip reason or None) for every ```python block of ``text``."""
    blocks = []
    for m in FENCE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP.search(before)
        blocks.append((line, m.group(1), skip.group(1) if skip else None))
    return blocks


def _design_path() -> Path | None:
    return next((p for p in DESIGN_CANDIDATES if p.exists()), None)


def _cases():
    cases = [
        pytest.param(README, i, id=f"README.md:{line}")
        for i, (line, _, _) in enumerate(python_blocks(README.read_text()))
    ]
    design = _design_path()
    if design is None:
        cases.append(
            pytest.param(
                None,
                0,
                id="DESIGN.md",
                marks=pytest.mark.skip(
                    reason=f"DESIGN.md not found at {' or '.join(str(p) for p in DESIGN_CANDIDATES)}"
                ),
            )
        )
    else:
        cases += [
            pytest.param(design, i, id=f"DESIGN.md:{line}")
            for i, (line, _, _) in enumerate(python_blocks(design.read_text()))
        ]
    return cases


_SESSIONS: dict = {}  # document -> (namespace, number of blocks run)


def _run_through(doc: Path, upto: int) -> None:
    """Run the document's blocks 0..upto in its namespace (the earlier ones once per session)."""
    blocks = python_blocks(doc.read_text())
    if doc.name == "DESIGN.md" and doc not in _SESSIONS:
        ns: dict = {"__name__": f"doc:{doc.name}"}
        exec(DESIGN_PREAMBLE, ns)
        _SESSIONS[doc] = (ns, 0)
    ns, done = _SESSIONS.setdefault(doc, ({"__name__": f"doc:{doc.name}"}, 0))
    for i in range(done, upto + 1):
        line, code, skip = blocks[i]
        _SESSIONS[doc] = (ns, i + 1)
        if skip is not None:
            if i == upto:
                pytest.skip(f"{doc.name}:{line}: {skip}")
            continue
        if doc.name == "DESIGN.md":
            for placeholder, value in DESIGN_PLACEHOLDERS.items():
                code = code.replace(placeholder, value)
        try:
            exec(compile(code, f"{doc.name}:{line}", "exec"), ns)
        except Exception as err:
            where = "" if i == upto else f" (an earlier block, {doc.name}:{line}, failed first)"
            raise AssertionError(
                f"the ```python block at {doc.name}:{line} does not run as written{where}: {type(err).__name__}: {err}"
            ) from err


@pytest.mark.parametrize("doc,index", _cases())
def test_markdown_python_blocks_run(doc, index):
    _run_through(doc, index)


def test_readme_has_python_blocks():
    assert len(python_blocks(README.read_text())) >= 2


def test_block_parser_and_skip_marker():
    text = (
        "intro\n```python\nx = 1\n```\n<!-- skip-test: needs a GPU -->\n```python\ny = x\n```\n"
        "```bash\nnot python\n```\n"
    )
    blocks = python_blocks(text)
    assert [(b[1], b[2]) for b in blocks] == [("x = 1\n", None), ("y = x\n", "needs a GPU")]
    assert [b[0] for b in blocks] == [2, 6]


# ------------------------------------------------------------------------ solver table
def _table_rows(text: str, header_first_cell: str) -> list[list[str]]:
    """The rows (cells stripped) of the first markdown table whose header starts with the cell."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and cells[0] == header_first_cell:
            rows = []
            for row in lines[i:]:
                if not row.lstrip().startswith("|"):
                    break
                rows.append([c.strip() for c in row.strip().strip("|").split("|")])
            return [rows[0]] + [r for r in rows[1:] if not set("".join(r)) <= set("-: ")]
    return []


def test_readme_solver_table_is_the_registry():
    """README's solver table equals :func:`eqsolve.solve.registry.markdown_table` (cell by cell,
    whitespace aside): one row per solver, in the order ``method="auto"`` tries them."""
    from eqsolve.solve.registry import markdown_table

    want = _table_rows(markdown_table(), "method")
    got = _table_rows(README.read_text(), "method")
    assert got, "README.md has no table with a 'method' column; paste eqsolve.solve.registry.markdown_table()"
    assert got == want, (
        "README.md's solver table differs from the registry; replace it with the output of "
        "`python -c 'from eqsolve.solve.registry import markdown_table; print(markdown_table())'`"
    )
