"""The importer in rooms a newcomer can name: one module per job, each kind of file declaring
its columns, key and one check_row, imports pointing down the layers (plans and the importer
read cells through the base queries.cells, templates and reports write through the base
queries.spreadsheet), no import hidden inside a function, no private name used across modules,
and the catalog's questions in queries/sql/catalog/, answered alike by both database classes."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from queries.data import SQL_DIR
from queries.ingest import pipeline
from queries.ingest.catalog import CatalogDatabase
from queries.ingest.kinds import KIND_NAMES, KINDS
from queries.ingest.known import Catalog
from queries.ingest.readers import COLUMNS, label
from queries.ingest.resolve import Context
from queries.store import KINDS as STORED_KINDS
from queries.store import ROW_SCHEMAS
from tests.upload_data import TODAY, make_database

ROOT = Path(__file__).resolve().parent.parent
INGEST = sorted((ROOT / "queries/ingest").rglob("*.py"))
BASE = {"queries.clock", "queries.text", "queries.i18n", "queries.settings", "queries.status", "queries.errors", "queries.cells",
        "queries.spreadsheet", "queries.arguments", "queries.data"}
LONGEST_MODULE = 700


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path, *, in_functions: bool = True) -> list[tuple[str, str, int]]:
    """(module, imported name or '', line) of every project import of the file."""
    found = []

    def walk(nodes, inside: bool):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if in_functions:
                    walk(node.body, True)
                continue
            if isinstance(node, ast.Import):
                found.extend((a.name, "", node.lineno, inside) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.extend((node.module, a.name, node.lineno, inside) for a in node.names)
            for child in ("body", "orelse", "finalbody", "handlers"):
                walk(getattr(node, child, None) or [], inside)

    walk(ast.parse(path.read_text(encoding="utf-8")).body, False)
    return [(module, name, line) for module, name, line, inside in found
            if (module.startswith(("queries", "ui", "app_pages", "streamlit"))) and (in_functions or not inside)]


def _inside_functions(path: Path) -> list[tuple[str, int]]:
    top = {(m, n, line) for m, n, line in _imports(path, in_functions=False)}
    return [(m, line) for m, n, line in _imports(path) if (m, n, line) not in top]


# ---- rooms -------------------------------------------------------------------------------------


def test_no_module_of_the_importer_is_longer_than_a_newcomer_reads():
    long = {p.relative_to(ROOT).as_posix(): n for p in INGEST
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > LONGEST_MODULE}
    assert long == {}
    assert not (ROOT / "queries/ingest/check.py").exists()  # its jobs have their own modules now


def test_each_kind_declares_its_columns_key_and_one_check_row():
    assert tuple(KINDS) == STORED_KINDS  # every kind the store keeps is read, in the page's order
    assert list(KIND_NAMES) == list(KINDS)
    for name, kind in KINDS.items():
        assert kind.NAME == KIND_NAMES[name] and callable(kind.check_row)
        required = [column for alternatives, _ in kind.REQUIRED for column in alternatives]
        assert set(required) | set(kind.OPTIONAL) <= set(COLUMNS), name
        assert not set(required) & set(kind.OPTIONAL), name
        assert {default for _, default in kind.REQUIRED} <= {None, "commune", "province", "period", "year"}
        assert set(kind.KEY) <= set(ROW_SCHEMAS[name]) and set(kind.SAME) <= set(ROW_SCHEMAS[name]), name
        assert callable(kind.describe_key) and callable(kind.describe_value)


FILLED = {"ten_xa": "Xã Định Tiến", "tinh": "Thanh Hóa", "ky_bao_cao": "03/2026", "nam": "2026",
          "ma_chi_tieu": "XH05", "gia_tri": "50", "tu_so": "1", "mau_so": "2", "muc_tieu": "≥ 90%",
          "don_vi_chu_tri": "Phòng", "muc": "1.1", "trang_thai": "Hoàn thành", "ngay_hoan_thanh": "01/03/2026",
          "khoan_chi": "Máy tính", "du_toan": "1000", "da_chi": "500", "dan_so": "1000", "ghi_chu": "ghi chú"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_kind_reads_only_the_columns_it_declares(tmp_path, monkeypatch, kind):
    """A file with every column the importer knows: what the kind's check_row asks of a row is
    among its REQUIRED and OPTIONAL columns, so the declaration is the truth a newcomer reads."""
    asked: set[str] = set()

    class Watched(Context):
        def cell(self, row, column):
            asked.add(column)
            return super().cell(row, column)

    monkeypatch.setattr(pipeline, "Context", Watched)
    columns = [c for c in COLUMNS if c != "stt"]
    content = (",".join(label(c) for c in columns) + "\n"
               + ",".join(f'"{FILLED.get(c, "")}"' for c in columns) + "\n").encode("utf-8")
    result = pipeline.check_file(content, f"{kind}.csv", kind=kind, db=make_database(tmp_path), today=TODAY)
    assert result.readable and len(result.rows) == 1, result.errors
    declared = {c for alternatives, _ in KINDS[kind].REQUIRED for c in alternatives} | set(KINDS[kind].OPTIONAL)
    assert asked and asked <= declared, asked - declared


# ---- imports point down ------------------------------------------------------------------------


def test_the_base_modules_import_only_the_base():
    for name in ("cells", "spreadsheet"):
        path = ROOT / "queries" / f"{name}.py"
        assert {m for m, _, _ in _imports(path)} <= BASE, name


def test_plans_read_cells_through_the_base_and_the_importer_writes_through_it():
    for path in sorted((ROOT / "queries/plans").rglob("*.py")):
        assert not [m for m, _, _ in _imports(path) if m.startswith("queries.ingest")], path.name
    above = ("queries.reports", "queries.export", "queries.users", "queries.demo", "ui", "app_pages", "streamlit")
    for path in INGEST:
        assert not [m for m, _, _ in _imports(path) if m.startswith(above)], path.relative_to(ROOT)


def test_the_importer_imports_nothing_inside_a_function_to_dodge_a_circle():
    for path in INGEST:
        lines = path.read_text(encoding="utf-8").splitlines()
        for module, line in _inside_functions(path):
            said = lines[line - 1] + (lines[line - 2] if line > 1 else "")
            assert "start-up time" in said, f"{path.relative_to(ROOT)}:{line} imports {module} inside a function"


def test_no_circle_among_the_importers_modules():
    modules = {_name(p): p for p in INGEST}
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for module, imported, _ in _imports(path):
            target = f"{module}.{imported}" if f"{module}.{imported}" in modules else module
            if target in modules and target != name:
                graph[name].add(target)
    visiting, done = set(), set()

    def visit(node, trail):
        assert node not in visiting, " → ".join([*trail, node])
        if node in done:
            return
        visiting.add(node)
        for other in graph[node]:
            visit(other, [*trail, node])
        visiting.discard(node)
        done.add(node)

    for node in graph:
        visit(node, [])


def test_no_private_name_is_used_across_the_importers_modules():
    """The command line calls what the pipeline offers, not its insides (it used `_process`)."""
    for path in INGEST:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("queries"):
                # `_` is gettext's translation function (queries/i18n.py), public by convention
                private = [a.name for a in node.names if a.name.startswith("_") and a.name != "_"]
                assert not private, f"{path.relative_to(ROOT)}:{node.lineno} imports {private} from {node.module}"
                modules |= {a.asname or a.name for a in node.names}
            elif isinstance(node, ast.Import):
                modules |= {a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("queries")}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and isinstance(node.value, ast.Name) and node.value.id in modules):
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} uses {node.value.id}.{node.attr}")


# ---- the catalog's questions -------------------------------------------------------------------


def test_the_importer_asks_its_questions_from_queries_sql():
    """No SQL written in the importer's Python, but for the CatalogDatabase, which builds its
    own small tables from the files (like the engine's build)."""
    for path in INGEST:
        if path.name == "catalog.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert ".sql(" not in text and "isinstance(db" not in text, path.relative_to(ROOT)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = node.value.lower().split()
                assert not ("select" in words and "from" in words), f"{path.relative_to(ROOT)}:{node.lineno}"


CATALOG_SQL = sorted((SQL_DIR / "catalog").glob("*.sql"))


@pytest.mark.parametrize("path", CATALOG_SQL, ids=[p.stem for p in CATALOG_SQL])
def test_both_databases_answer_each_catalog_question_with_its_declared_columns(tmp_path, path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("-- columns: ")
    declared = [c.strip() for c in first.removeprefix("-- columns: ").split(",")]
    database = make_database(tmp_path)
    light = CatalogDatabase(tmp_path / "store", include_demo=False, data_dir=tmp_path / "data")
    params = {"province": None} if "$province" in path.read_text(encoding="utf-8") else {}
    for db in (database, light):
        assert db.run(f"catalog/{path.stem}", **params).columns == declared, (path.stem, type(db).__name__)
    if params:
        one = [db.run(f"catalog/{path.stem}", province="Thanh Hóa") for db in (database, light)]
        assert one[0].equals(one[1])


def test_the_catalog_is_the_same_from_either_database(tmp_path):
    database = make_database(tmp_path)
    light = CatalogDatabase(tmp_path / "store", include_demo=False, data_dir=tmp_path / "data")
    full, small = Catalog.from_database(database), Catalog.from_database(light)
    assert full.first_target_year == small.first_target_year == 2026
    assert full.indicators == small.indicators and full.by_id == small.by_id and full.tasks == small.tasks
    assert full.limits == small.limits
