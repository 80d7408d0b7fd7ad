"""The base layer and the habits every page and command share: one kind of refusal a person
reads, one table of settings that checks them, one declaration of each status colour, one
Vietnam time zone, and modules that import one another in one direction only."""
from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import polars as pl
import pytest

from queries.errors import UserFacingError

ROOT = Path(__file__).resolve().parent.parent
NOT_HERE: tuple[str, ...] = ()


def _sources(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))
            if not any(p.relative_to(ROOT).as_posix().startswith(skip) for skip in NOT_HERE)]


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


# ---- one kind of refusal -----------------------------------------------------------------------

def test_every_refusal_a_person_reads_is_a_user_facing_error():
    from queries.accounts.places import PlaceError
    from queries.accounts.service import AccountsError, InvalidInput, PermissionDenied
    from queries.accounts.storage import AccountFileError
    from queries.arguments import UsageError
    from queries.cells import ParseError
    from queries.changes import NothingToStore, Refused
    from queries.cycle.evidence import EvidenceError
    from queries.ingest.excel import SheetLimitError
    from queries.ingest.readers import TableError
    from queries.reading import OutsideScope
    from queries.reports.export import UserError
    from queries.settings import InvalidSetting

    for refusal in (AccountsError, PermissionDenied, InvalidInput, Refused, NothingToStore, PlaceError,
                    AccountFileError, OutsideScope, UsageError, UserError, EvidenceError, InvalidSetting,
                    ParseError, SheetLimitError, TableError):
        error = refusal("Không có tỉnh “Hà Tây”.")
        assert isinstance(error, UserFacingError), refusal
        assert error.message == str(error) == "Không có tỉnh “Hà Tây”."


def test_no_other_exception_class_in_queries():
    """A new exception class in queries/ is a refusal (a UserFacingError) unless it is listed
    here as one no person ever reads."""
    # BrokenWorkbook carries the technical detail of a damaged .xlsx for the maintainer's log;
    # the person reads the importer's own sentence about the file instead.
    internal = {"BrokenWorkbook"}
    found = []
    for path in _sources("queries"):
        if path.name == "__main__.py" or not re.search(r"^class \w+\(", path.read_text(encoding="utf-8"), re.M):
            continue
        module = importlib.import_module(_module_name(path))
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__
                    and value is not UserFacingError):
                found.append(name)
                assert issubclass(value, UserFacingError) or name in internal, f"{module.__name__}.{name}"
    assert {"Refused", "OutsideScope", "RowProblem", "ParseError"} <= set(found)  # the scan saw them


def test_pages_catch_the_one_refusal_class():
    specific = re.compile(r"except\s*\(?[^:]*\b(Refused|OutsideScope|EvidenceError|NothingToStore|AccountsError|"
                          r"PermissionDenied|InvalidInput|PlaceError|InvalidSetting|UserError|UsageError)\b")
    for path in _sources("app_pages", "ui") + [ROOT / "dashboard.py"]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not specific.search(line), f"{path.relative_to(ROOT)}:{number}: {line.strip()}"


def test_a_server_without_the_pack_fonts_says_so_as_a_refusal(tmp_path, monkeypatch):
    from datetime import date

    from queries.reports import pack

    monkeypatch.setattr(pack, "FONT_DIR", tmp_path)
    with pytest.raises(UserFacingError) as refusal:
        pack._PackPDF(None, date(2026, 11, 22))
    assert refusal.value.message.startswith("Thiếu phông chữ DejaVu")


# ---- one table of settings ---------------------------------------------------------------------

def test_the_settings_table_checks_every_rule_itself():
    from queries.settings import SETTINGS, InvalidSetting, checked_values

    current = {s.name: s.default for s in SETTINGS}
    assert checked_values(current, {"on_track_ratio": 0.9, "login_max_failures": 5.0})["login_max_failures"] == 5
    for values, message in (
        ({"speed_up_ratio": 0.95}, "on_track_ratio (mức Đúng tiến độ) phải lớn hơn speed_up_ratio"),
        ({"mat_khau": "x"}, "Không có cài đặt: mat_khau."),
        ({"upload_max_mb": 51}, "upload_max_mb: phải là số nguyên từ 1 đến 50."),
    ):
        with pytest.raises(InvalidSetting) as error:
            checked_values(current, values)
        assert message in error.value.message


def test_settings_are_checked_only_in_the_settings_module():
    service = (ROOT / "queries/accounts/service.py").read_text(encoding="utf-8")
    assert "speed_up_ratio" not in service and "checked_value(" not in service


# ---- one declaration of each status colour -------------------------------------------------------

HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")


def _background(style: str) -> str:
    return re.search(r"background-color: (#[0-9A-Fa-f]{6})", style).group(1)


def test_a_report_status_has_one_tint_in_the_grid_and_in_the_tables():
    from queries.status import REPORT_COLORS
    from ui import cycle, plan_charts

    frame = pl.DataFrame({"commune_name": ["Xã A"] * 4, "month_label": ["T8", "T9", "T10", "T11"],
                          "status": ["dung_han", "tre_han", "chua_nop", "chua_den_han"],
                          "days_late": [None, 3, None, None], "detail": ["", "", "", ""]})
    spec = plan_charts.report_grid(frame).to_dict()
    (rows,) = spec["datasets"].values()
    (color,) = [layer["encoding"]["color"] for layer in spec["layer"] if "color" in layer["encoding"]]
    tint = dict(zip(color["scale"]["domain"], color["scale"]["range"]))
    grid_colour = {row["status"]: tint[row["status_name"]] for row in rows}
    assert len(tint) == 4
    for status, days in zip(frame["status"], frame["days_late"]):
        table_colour = _background(cycle.report_style(cycle.report_text(status, days)))
        assert table_colour == grid_colour[status] == REPORT_COLORS[status], status


def test_task_colours_are_the_shared_ones():
    from queries.plans.tasks import DONE, OVERDUE_LABEL, STATUS_LABELS
    from queries.status import REPORT_COLORS, TASK_COLORS
    from ui import plan_charts, plans

    assert plan_charts.TASK_STATUS_COLORS == tuple(TASK_COLORS.values())
    assert _background(plans.task_style(f"⛔ {OVERDUE_LABEL}")) == REPORT_COLORS["chua_nop"]
    assert _background(plans.task_style(f"✅ {STATUS_LABELS[DONE]}")) == REPORT_COLORS["dung_han"]


def test_status_colours_are_written_only_in_queries_status():
    """The pages' and charts' status colours come from queries/status.py; a colour left as a
    literal elsewhere is the look (text, grid, the series' palette), never a status's. The
    Okabe–Ito hues also colour series, so only the tints are looked for outside ui/cycle.py and
    ui/plans.py, which hold no colour at all."""
    from queries import status

    for name in ("ui/cycle.py", "ui/plans.py"):
        assert not HEX.findall((ROOT / name).read_text(encoding="utf-8")), name
    tints = {c.upper() for c in [*status.REPORT_COLORS.values(), *status.TASK_TINTS.values()]}
    for path in _sources("ui", "app_pages"):
        used = {c.upper() for c in HEX.findall(path.read_text(encoding="utf-8"))}
        assert not used & tints, path.relative_to(ROOT)


# ---- one clock -----------------------------------------------------------------------------------

def test_vietnam_time_is_only_the_clocks():
    zone = re.compile(r"ZoneInfo|Asia/Ho_Chi_Minh|timedelta\(hours=7\)")
    for path in _sources("queries", "ui", "app_pages"):
        if path.relative_to(ROOT).as_posix() != "queries/clock.py":
            assert not zone.search(path.read_text(encoding="utf-8")), path.relative_to(ROOT)


# ---- imports in one direction ------------------------------------------------------------------

def _module_of(path: Path) -> str:
    name = _module_name(path)
    return name.removesuffix(".__init__")


def _imports(path: Path, modules: set[str], *, in_functions: bool) -> list[tuple[str, int]]:
    """(project module, line) of each import in the file; inside functions too, or only those
    run when the module is imported."""
    found = []

    def walk(nodes):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not in_functions:
                continue
            if isinstance(node, ast.Import):
                found.extend((alias.name, node.lineno) for alias in node.names if alias.name in modules)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    target = sub if sub in modules else node.module
                    if target in modules:
                        found.append((target, node.lineno))
            for field in ("body", "orelse", "finalbody", "handlers"):
                walk(getattr(node, field, None) or [])

    walk(ast.parse(path.read_text(encoding="utf-8")).body)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            part = []
            while True:
                other = stack.pop()
                part.append(other)
                if other == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_circle_of_imports_even_through_imports_inside_functions():
    """An import inside a function only hides a circle; counting those too, queries/ and ui/
    import one another in one direction (the importer is restructured on its own)."""
    paths = {_module_of(p): p for p in sorted((ROOT / "queries").rglob("*.py")) + sorted((ROOT / "ui").rglob("*.py"))}
    modules = set(paths)
    graph = {name: {target for target, _ in _imports(path, modules, in_functions=True)} for name, path in paths.items()}
    cycles = list(_cycles(graph))
    assert cycles == []


def test_the_accounts_service_writes_the_audit_log_without_reading_it():
    paths = {_module_of(p): p for p in sorted((ROOT / "queries").rglob("*.py"))}
    service = {target for target, _ in _imports(paths["queries.accounts.service"], set(paths), in_functions=True)}
    assert "queries.accounts.audit_log" in service and "queries.accounts.audit" not in service


def test_imports_inside_functions_say_they_are_for_start_up_time():
    """Where a module imports inside a function (here: the accounts, the exports, the
    downloads), a comment says it is for start-up time, never to dodge a circle."""
    files = sorted((ROOT / "queries/accounts").glob("*.py")) + [ROOT / "queries/reports/export.py",
                                                                 ROOT / "ui/downloads.py"]
    modules = {_module_of(p) for folder in ("queries", "ui") for p in (ROOT / folder).rglob("*.py")}
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        top = set(_imports(path, modules, in_functions=False))
        for target, number in _imports(path, modules, in_functions=True):
            if (target, number) in top:
                continue
            said = lines[number - 1] + (lines[number - 2] if number > 1 else "")
            assert "start-up time" in said, f"{path.relative_to(ROOT)}:{number} imports {target} without saying why"


def test_the_export_command_does_not_load_the_importer_or_the_pack_it_does_not_need():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import sys, queries.reports.export; "
                           "print(sorted(m for m in ('queries.ingest.template', 'queries.reports.pack', "
                           "'queries.accounts.service', 'fpdf') if m in sys.modules))"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# ---- thin pages ----------------------------------------------------------------------------------

def _names_bound(target: ast.AST) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_names_bound(t) for t in target.elts))
    if isinstance(target, ast.Starred):
        return _names_bound(target.value)
    return set()  # st.session_state[...] = …, x.y = …: no variable bound


def _page_variables(tree: ast.Module) -> set[str]:
    """What the page's script binds outside any function: its variables (constants in capitals,
    the logger, imports, functions and classes are not variables)."""
    bound: set[str] = set()

    def walk(nodes):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    bound.update(_names_bound(target))
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                bound.update(_names_bound(node.target))
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                bound.update(_names_bound(node.target))
            elif isinstance(node, ast.With):
                for item in node.items:
                    if item.optional_vars is not None:
                        bound.update(_names_bound(item.optional_vars))
            for field in ("body", "orelse", "finalbody", "handlers"):
                walk(getattr(node, field, None) or [])

    walk(tree.body)
    return {name for name in bound if not name.isupper() and name != "log"}


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "app_pages").glob("*.py")))
def test_a_page_function_is_given_what_it_shows(page):
    """A function of a page reads its inputs from its arguments, never from the variables the
    page's script happens to have set before calling it."""
    tree = ast.parse((ROOT / "app_pages" / page).read_text(encoding="utf-8"))
    variables = _page_variables(tree)
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        own = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
        own |= {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        own |= {a.arg for n in ast.walk(function) if isinstance(n, ast.Lambda) for a in ast.walk(n.args)
                if isinstance(a, ast.arg)}
        read = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        assert not (read & variables) - own, f"{page}: {function.name} reads {sorted((read & variables) - own)}"
