"""`vsumbench report`: a static site of the leaderboards and of every run, from disk alone.

Checked here on the HTML itself (every table, the filters, the links, the run pages, no
network, damaged and empty stores, the folder guard)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from vsumbench.cli import main
from vsumbench.errors import ConfigError


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(path: Path) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


@pytest.fixture(scope="module")
def store(report_store) -> Path:
    return report_store


def build(results: Path, out: Path, **kwargs):
    from vsumbench.report.site import build_site

    return build_site(results, out, macs_rows=lambda: [], command="test", **kwargs)


def test_the_site_has_every_table_its_filters_and_links_to_each_run(store, tmp_path):
    report = build(store, tmp_path / "site")
    index = tmp_path / "site" / "index.html"
    found = tags(index)
    sections = {a.get("id") for t, a in found if t == "section"}
    assert {"table-1", "table-2", "table-3", "table-mrhisum", "table-settings"} <= sections
    filters = {(a["data-key"], a["value"]) for t, a in found if t == "input"}
    assert ("data", "synthetic") in filters and ("source", "reported") in filters
    assert ("setting", "canonical") in filters
    # Nothing is fetched: no external script, stylesheet or image.
    for _, attrs in found:
        for name in ("src", "href"):
            assert not str(attrs.get(name, "")).startswith(("http:", "https:", "//")), attrs
    links = [a["href"] for t, a in found if t == "a" and a.get("href", "").startswith("runs/")]
    assert links and all((tmp_path / "site" / link).is_file() for link in links)
    assert report.runs == 2 and not report.damaged
    text = index.read_text()
    assert "never with the papers' rows" in text and "vsumbench 0." in text and "test" in text


def test_table_1_links_only_canonical_runs_and_the_settings_table_all(store, tmp_path):
    build(store, tmp_path / "site")
    html = (tmp_path / "site" / "index.html").read_text()
    table1 = html.split('id="table-1"')[1].split("</section>")[0]
    settings = html.split('id="table-settings"')[1].split("</section>")[0]
    assert "transfer" not in table1 and "_transfer-" in settings


def test_a_run_page_has_its_configuration_curves_and_worst_video_first(store, tmp_path):
    build(store, tmp_path / "site")
    (result_path,) = [p for p in store.rglob("result.json") if "@" not in str(p)]
    result = json.loads(result_path.read_text())
    pages = [p for p in (tmp_path / "site" / "runs").glob("*.html") if "transfer" not in p.name]
    (page,) = pages
    text = page.read_text()
    assert f"chosen by the <b>{result['selection']}</b>" in text
    images = [a["src"] for t, a in tags(page) if t == "img"]
    n_videos = len(result["per_video"])
    assert len(images) == 1 + n_videos and all((page.parent / s).is_file() for s in images)
    assert all(s.endswith(".svg") for s in images) and "training" in images[0]
    table = text.split("Per video, worst first")[1]
    shown = re.findall(r'<tr><td><a href="#v-(video_\d+)">', table)
    by_f1 = sorted(result["per_video"], key=lambda k: result["per_video"][k]["f1"])
    assert shown == by_f1
    # Each name opens its own figure, in the same order.
    figures = [a["id"] for t, a in tags(page) if t == "figure" and "id" in a]
    assert figures == [f"v-{v}" for v in by_f1]


def test_only_the_worst_videos_asked_for_are_drawn_and_the_page_says_so(store, tmp_path):
    done = invoke("report", "--results", store, "--out", tmp_path / "site", "--videos", "2")
    assert done.exit_code == 0, done.output
    page = next(p for p in (tmp_path / "site" / "runs").glob("*.html") if "transfer" not in p.name)
    assert len([a for t, a in tags(page) if t == "img"]) == 1 + 2
    assert "The 2 worst of 5 videos are drawn" in page.read_text()
    bad = invoke("report", "--results", store, "--out", tmp_path / "other", "--videos", "0")
    assert bad.exit_code == 2 and "expected a positive number of videos or all" in bad.output
    with pytest.raises(ConfigError, match="positive number of videos"):
        build(store, tmp_path / "other", videos=0)


def test_damaged_results_are_listed_and_an_empty_store_says_so(store, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(store, copy)
    (victim,) = [p for p in copy.rglob("result.json") if "@" in str(p)]
    victim.write_text("{ not json")
    report = build(copy, tmp_path / "site")
    assert len(report.damaged) == 1 and report.runs == 1
    assert "Damaged results" in (tmp_path / "site" / "index.html").read_text()
    empty = build(tmp_path / "nothing", tmp_path / "empty")
    assert empty.runs == 0
    assert "No readable results" in (tmp_path / "empty" / "index.html").read_text()


def test_a_moved_data_file_or_one_broken_prediction_is_said_on_the_run_page(store, tmp_path):
    import shutil

    import numpy as np

    from vsumbench.data.predictions import read_predictions, write_predictions

    copy = tmp_path / "copy"
    shutil.copytree(store, copy)
    (fold,) = [p.parent for p in copy.rglob("result.json") if "@" not in str(p)]
    predictions = read_predictions(fold / "predictions.h5")
    first, *others = sorted(predictions)
    predictions[first] = np.concatenate([predictions[first], [0.5]])  # one step too many
    write_predictions(fold / "predictions.h5", predictions)
    build(copy, tmp_path / "site")
    (page,) = [p for p in (tmp_path / "site" / "runs").glob("*.html") if "transfer" not in p.name]
    text = page.read_text()
    assert text.count('class="note"') == 1 and f"scores of {first} not drawn" in text
    assert all(f'id="v-{v}"' in text for v in others)  # the other videos are still drawn

    result = json.loads((fold / "result.json").read_text())
    result["data"]["file"] = str(tmp_path / "moved" / "data.h5")
    (fold / "result.json").write_text(json.dumps(result))
    build(copy, tmp_path / "site")
    text = page.read_text()
    assert text.count('class="note"') == 1 and "moved" in text and "<figure id=" not in text
    assert text.count("<tr><td>video_") == len(predictions)  # the numbers are still listed


def test_a_folder_with_other_files_is_refused_unless_forced_and_a_report_is_replaced(
    store, tmp_path, monkeypatch
):  # fmt: skip
    import vsumbench.report.tables as tables

    monkeypatch.setattr(tables, "model_macs_rows", lambda *a, **k: [])
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    refused = invoke("report", "--results", store, "--out", out)
    assert refused.exit_code == 1 and "not an earlier report" in refused.output
    assert (out / "notes.txt").read_text() == "keep me"
    first = invoke("report", "--results", store, "--out", tmp_path / "site")
    assert first.exit_code == 0, first.output
    again = invoke("report", "--results", store, "--out", tmp_path / "site")  # its own report
    assert again.exit_code == 0, again.output
    forced = invoke("report", "--results", store, "--out", out, "--force")
    assert forced.exit_code == 0 and not (out / "notes.txt").exists()
