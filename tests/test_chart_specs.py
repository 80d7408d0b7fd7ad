"""The pages' charts are built cheaply: encodings are channel objects (Altair hashes the schema
of every class it has to turn a bare string or dict into one, each time), and the shared look is
put on the finished spec rather than with Altair's methods (each copies the whole chart)."""
from __future__ import annotations

import ast
from pathlib import Path

import polars as pl

from queries import i18n
from ui import charts

ROOT = Path(__file__).resolve().parents[1]
CONVERTED_BY_ALTAIR = {"datum", "value", "condition"}  # alt.datum(0), alt.value("x"), alt.condition(…) are dicts


def _bare(value: ast.expr) -> bool:
    if isinstance(value, (ast.Constant, ast.Dict)):
        return True
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr in CONVERTED_BY_ALTAIR)


def test_every_encoding_is_a_channel_object():
    files = sorted((ROOT / "ui").rglob("*.py"))
    found = [f"{file.relative_to(ROOT)}:{keyword.lineno} {keyword.arg}"
             for file in files for node in ast.walk(ast.parse(file.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "encode"
             for keyword in node.keywords if _bare(keyword.value)]
    assert not found, found


def test_the_look_title_and_height_are_on_the_spec(monkeypatch):
    counts = pl.DataFrame({"status": ["Đạt", "Chậm"], "n": [3, 1]})
    spec = charts.status_strip(counts, title="Tình trạng").to_dict()
    assert spec["title"] == {"text": "Tình trạng", "anchor": "start"}
    assert spec["height"] == 44
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    # Altair's default size of a view stays beside our own settings of it
    assert spec["config"]["view"] == {"continuousWidth": 300, "continuousHeight": 300, "stroke": None}
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["font"] == charts.FONT and spec["config"]["background"] == "transparent"
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "text"]
    assert spec["layer"][1]["encoding"]["text"] == {"field": "pct", "type": "nominal"}

    monkeypatch.setattr(i18n, "current", lambda: "en")
    english = charts.status_strip(counts).to_dict()
    assert english["config"]["locale"]["number"]["decimal"] == "." and "title" not in english
    # each reading is a copy: a caller changing it changes nothing for the next
    chart = charts.status_strip(counts)
    chart.to_dict()["config"]["font"] = "x"
    assert chart.to_dict()["config"]["font"] == charts.FONT


def test_layers_made_one_by_one_give_altairs_own_layered_spec():
    import altair as alt

    frame = pl.DataFrame({"name": ["a", "b"], "value": [1.5, 3.0]})
    other = pl.DataFrame({"name": ["a"], "at": [2.0]})
    base = alt.Chart(frame).encode(y=alt.Y("name:N"))
    bars = base.mark_bar().encode(x=alt.X("value:Q"))
    text = base.transform_filter("datum.value > 2").mark_text().encode(x=alt.X("value:Q"), text=alt.Text("name:N"))
    rules = alt.Chart(other).mark_rule().encode(y=alt.Y("name:N"), x=alt.X("at:Q"))
    no_data = alt.Chart().mark_rule().encode(x=alt.XDatum(1))
    for layers in ((bars, text), (rules, bars, text), (bars, no_data)):
        assert charts._layered(*layers) == alt.layer(*layers).to_dict(validate=False)  # noqa: SLF001
    resolved = alt.layer(bars, text).resolve_legend(stroke="independent").to_dict(validate=False)
    assert charts._layered(bars, text, resolve={"legend": {"stroke": "independent"}}) == resolved  # noqa: SLF001
