"""``vsumbench report``: the result store as a static site that opens from ``file://``.

The leaderboards are the tables `vsumbench table` makes (the same code builds them), as HTML
tables a reader can sort by any column and filter by data source, selection rule, backbone
initialisation and setting; rows of different data sources are never ranked together, and
the page says so. Each measured row links to its runs; each run has a page with its
configuration, the epoch chosen and by which rule, its training curves, a per-video table
(worst first), each video's scores against gtscore and the user summaries, with the same
figures as `vsumbench plot` (SVG). Nothing is loaded from a network: the one script is ours
and inline. A damaged result is listed as damaged; an empty store gives a page that says so.
"""

from __future__ import annotations

import datetime
import html
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vsumbench.errors import ConfigError, DataError, DataNotFoundError

__all__ = ["MARKER", "SiteReport", "build_site"]

MARKER = ".vsumbench-report"  # a folder holding it is an earlier report (may be replaced)
TABLES = (1, 2, 3, "mrhisum", "settings")
DRAWN = 25  # a run's worst test videos that get a figure, by default (a fold of SumMe or
# TVSum has 5 or 10: all of them; Mr.HiSum's test split has 2,000)
FILTERS = (("source", "Source"), ("data", "Data"), ("selection", "Selection"),
           ("backbone_init", "Init"), ("setting", "Setting"))  # fmt: skip


@dataclass
class SiteReport:
    out: Path
    pages: list[Path] = field(default_factory=list)
    runs: int = 0
    damaged: list[str] = field(default_factory=list)


def build_site(results: str | Path, out: str | Path, *, force: bool = False,
               command: str | None = None, macs_rows: Any = None, videos: int | None = DRAWN,
               progress: bool = False) -> SiteReport:  # fmt: skip
    """Write the site into ``out`` (refused when it holds something that is not an earlier
    report, unless ``force``); ``macs_rows`` as `vsumbench.report.build.build_tables`.
    ``videos``: how many of a run's test videos, worst first, get a figure (None: all)."""
    out = Path(out)
    _check_out(out, force)
    if videos is not None and videos < 1:
        raise ConfigError(f"videos must be a positive number of videos per run, not {videos}")
    from vsumbench.report.build import build_tables
    from vsumbench.report.tables import load_results, model_macs_rows

    damaged: list[DataError] = []
    found = load_results(results, damaged=damaged) if Path(results).is_dir() else []
    source = results if Path(results).is_dir() else None
    tables = build_tables(source, TABLES, command=command, macs_rows=macs_rows or model_macs_rows)
    tmp = out.with_name(f".{out.name}.building")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "runs").mkdir(parents=True)
    report = SiteReport(out, damaged=[str(e) for e in damaged])
    run_links = {}
    from vsumbench.progress import progress_bar

    bar = progress_bar(found, desc="run pages", unit="run", disable=not progress or not found)
    for result in bar:
        page = _run_page(result, tmp / "runs", videos)
        run_links.setdefault(_row_key(result), []).append((result.setting, page.name))
        report.runs += 1
    index = _index(tables, run_links, report, results, command)
    (tmp / "index.html").write_text(index, encoding="utf-8")
    (tmp / MARKER).write_text(json.dumps({"results": str(results)}))
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)  # the site appears whole or not at all
    report.pages = sorted(out.rglob("*.html"))
    return report


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} is a file, not a folder for the report")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists() and not force:
        raise ConfigError(f"{out} holds files that are not an earlier report; choose another "
                          f"--out or pass --force to replace them")  # fmt: skip


def _row_key(result: Any) -> tuple:
    """Which leaderboard row a run belongs to (as the tables group them)."""
    data = "synthetic" if result.synthetic else "real"
    return (result.model, result.variant, result.selection, result.init, data)


def _run_id(result: Any) -> str:
    from vsumbench.runner.store import run_label

    label = run_label(result.selection, result.init, result.variant, result.setting)
    raw = f"{result.dataset}-{result.model}-{label}-s{result.seed}-f{result.fold}"
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in raw)


# --------------------------------------------------------------------------- run pages
def _run_page(result: Any, folder: Path, videos: int | None = DRAWN) -> Path:
    from vsumbench.report.plots import plot_training

    name = _run_id(result)
    try:
        curves = [p.name for p in plot_training(result, folder / f"{name}-training", ("svg",))]
    except DataError as exc:
        curves = [f"!{exc}"]
    worst = _worst_videos(result)
    drawn = _video_figures(result, worst[:videos], folder, name)
    page = folder / f"{name}.html"
    page.write_text(_run_html(result, curves, drawn, worst), encoding="utf-8")
    return page


def _video_figures(result: Any, worst: list, folder: Path, name: str) -> dict[str, str]:
    """``{video: figure file}`` (or ``"!why"`` where it could not be drawn), worst first."""
    from vsumbench.report.plots import plot_scores

    drawn: dict[str, str] = {}
    for video, _ in worst if result.path is not None else ():
        try:
            (path,) = plot_scores(result.path, video, folder / f"{name}-{video}", formats=("svg",))
            drawn[video] = path.name
        except (DataNotFoundError, OSError) as exc:  # the data file moved: the page says so
            drawn[video] = f"!scores of {video} not drawn: {exc}"
            break  # the same cause for every other video
        except DataError as exc:  # this video's own problem
            drawn[video] = f"!scores of {video} not drawn: {exc}"
    return drawn


def _worst_videos(result: Any) -> list[tuple[str, dict]]:
    """Per-video records, worst first (by F1, else by tau)."""
    per_video = result.per_video or {}

    def key(item: tuple[str, dict]) -> float:
        record = item[1]
        value = record.get("f1") if record.get("f1") is not None else record.get("kendall")
        return float(value) if value is not None else float("inf")

    return sorted(per_video.items(), key=key)


def _run_html(result: Any, curves: Sequence[str], drawn: Mapping[str, str], worst: list) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in _config(result).items())
    metrics = [m for m in ("kendall", "spearman", "f1", "map50", "map15")
               if any(m in r for _, r in worst)]  # fmt: skip
    head = "".join(f"<th>{m}</th>" for m in metrics)
    body = "".join(
        f"<tr><td>{_video_link(k, drawn)}</td>"
        + "".join(f"<td>{_num(r.get(m))}</td>" for m in metrics) + "</tr>"
        for k, r in worst
    )  # fmt: skip
    videos = "".join(_figure(f, f"v-{v}") for v, f in drawn.items())
    title = f"{result.model} on {result.dataset}, seed {result.seed}, fold {result.fold}"
    return _page(
        title,
        f"""
<p><a href="../index.html">leaderboards</a></p>
<h2>Configuration</h2><table class="config">{rows}</table>
<p>The epoch reported is {_e(result.chosen_epoch)}, chosen by the <b>{_e(result.selection)}</b>
rule (docs/protocol.md section 6).</p>
<h2>Training curves</h2>{"".join(_figure(f) for f in curves)}
<h2>Per video, worst first</h2>
<p>A video's name opens its predicted scores against gtscore and the user summaries, the
selected keyshots shaded.</p>
<table class="board"><thead><tr><th>video</th>{head}</tr></thead><tbody>{body}</tbody></table>
<h2>Each video, worst first</h2>{_not_drawn(len(worst), drawn)}{videos}
""",
    )


def _config(result: Any) -> dict[str, Any]:
    config = {"model": result.model, "dataset": result.dataset, "setting": result.setting,
              "seed": result.seed, "fold": result.fold, "selection": result.selection,
              "chosen epoch": result.chosen_epoch, "backbone init": result.backbone_init,
              "data": "synthetic" if result.synthetic else "real", "data file": result.data.file,
              **{k: v for k, v in result.config.items() if not isinstance(v, (dict, list))}}  # fmt: skip
    if result.chosen_epochs:
        config["epochs chosen per metric"] = ", ".join(
            f"{k}: {v}" for k, v in result.chosen_epochs.items()
        )
    return config


def _not_drawn(n_videos: int, drawn: Mapping[str, str]) -> str:
    if len(drawn) >= n_videos or any(f.startswith("!") for f in drawn.values()):
        return ""
    return (f'<p class="note">The {len(drawn)} worst of {n_videos} videos are drawn '
            f"(vsumbench report --videos N or all).</p>")  # fmt: skip


def _video_link(video: str, drawn: Mapping[str, str]) -> str:
    figure = drawn.get(video, "!")
    return f'<a href="#v-{_e(video)}">{_e(video)}</a>' if not figure.startswith("!") else _e(video)


def _figure(name: str, anchor: str = "") -> str:
    """A figure file, or a note where it could not be drawn (``"!why"``)."""
    if name.startswith("!"):
        return f'<p class="note">{_e(name[1:])}</p>'
    ident = f' id="{_e(anchor)}"' if anchor else ""
    return f'<figure{ident}><img src="{_e(name)}" alt="{_e(name)}"></figure>'


# --------------------------------------------------------------------------- leaderboards
def _index(tables: Mapping, run_links: Mapping, report: SiteReport, results: Any,
           command: str | None) -> str:  # fmt: skip
    parts = []
    if report.runs == 0:
        parts.append(f'<p class="empty">No readable results in {_e(results)}: the tables show '
                     f"the published rows only. Train with `vsumbench run` first.</p>")  # fmt: skip
    if report.damaged:
        items = "".join(f"<li>{_e(d)}</li>" for d in report.damaged)
        parts.append(
            f'<div class="damaged"><h2>Damaged results (left out)</h2><ul>{items}</ul></div>'
        )
    parts.append(_filters(tables))
    parts.append(
        "<p>Like with like: rows measured on synthetic data are ranked among "
        "themselves (s1, s2, ...), never with the papers' rows or real-data rows, and a "
        "click on a column sorts the rows within each of the two groups.</p>"
    )
    for key, table in tables.items():
        parts.append(_board(key, table, run_links))
    return _page("vsumbench leaderboards", "\n".join(parts), script=True, command=command)


def _filters(tables: Mapping) -> str:
    values: dict[str, set[str]] = {k: set() for k, _ in FILTERS}
    for table in tables.values():
        for row in table.rows:
            for k, _ in FILTERS:
                values[k].add(_cell_value(row, k))
    groups = []
    for k, label in FILTERS:
        boxes = "".join(
            f'<label><input type="checkbox" class="filter" data-key="{k}" value="{_e(v)}" '
            f"checked> {_e(v)}</label> "
            for v in sorted(values[k])
        )
        groups.append(f"<fieldset><legend>{label}</legend>{boxes}</fieldset>")
    return '<div id="filters">' + "".join(groups) + "</div>"


def _cell_value(row: Mapping, key: str) -> str:
    if key == "setting":
        return str(row.get("setting") or "canonical")
    if key == "data":
        return str(row.get("data") or "-")
    return str(row.get(key) or "-")


def _board(key: Any, table: Any, run_links: Mapping) -> str:
    from vsumbench.report.render import format_cell

    headers = "".join(f'<th data-col="{i}">{_e(c.header)}</th>'
                      for i, c in enumerate(table.columns))  # fmt: skip
    rows = []
    for row in table.rows:
        attrs = " ".join(f'data-{k}="{_e(_cell_value(row, k))}"' for k, _ in FILTERS)
        attrs += f' data-scale="{"synthetic" if row.get("data") == "synthetic" else "real"}"'
        cells = []
        for c in table.columns:
            text = format_cell(row, c, "±")
            raw = row.get(c.key)
            sort = raw if isinstance(raw, (int, float)) and not isinstance(raw, bool) else text
            cells.append(f'<td data-sort="{_e(sort)}">{_e(text)}</td>')
        links = run_links.get(_table_row_key(row), []) if row.get("source") == "measured" else []
        if key != "settings":  # the other tables hold canonical runs only
            links = [(s, n) for s, n in links if s == "canonical"]
        runs = " ".join(f'<a href="runs/{_e(n)}">{i + 1}</a>' for i, (_, n) in enumerate(links))
        rows.append(f"<tr {attrs}>{''.join(cells)}<td>{runs}</td></tr>")
    notes = "".join(f"<li>{_e(n)}</li>" for n in table.notes)
    return (f'<section id="table-{_e(key)}"><h2>{_e(table.title)}</h2>'
            f'<table class="board sortable"><thead><tr>{headers}<th>runs</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table><ul class=\"notes\">{notes}</ul></section>")  # fmt: skip


def _table_row_key(row: Mapping) -> tuple:
    return (row.get("model"), row.get("variant", ""), row.get("selection"),
            row.get("backbone_init"), row.get("data"))  # fmt: skip


# --------------------------------------------------------------------------- page frame
_STYLE = """body{font-family:sans-serif;margin:1.5em;max-width:1400px}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;
font-size:13px;white-space:nowrap}td:last-child{white-space:normal}th{background:#f3f3f3;cursor:pointer}tr.hidden{display:none}
.note,.empty{color:#a33}.damaged{border:1px solid #c66;padding:.5em}img{max-width:100%}
fieldset{display:inline-block;margin:.2em;font-size:12px}footer{margin-top:2em;color:#666}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}"""
_SCRIPT = """
(function(){
 function cell(tr,i){var td=tr.children[i];var v=td?td.getAttribute('data-sort'):'';
   var n=parseFloat(v);return isNaN(n)?v:n;}
 document.querySelectorAll('table.sortable th[data-col]').forEach(function(th){
  th.addEventListener('click',function(){
   var table=th.closest('table'),body=table.tBodies[0],i=+th.getAttribute('data-col');
   var asc=th.getAttribute('aria-sort')!=='ascending';
   th.parentNode.querySelectorAll('th').forEach(function(o){o.removeAttribute('aria-sort');});
   th.setAttribute('aria-sort',asc?'ascending':'descending');
   var rows=Array.prototype.slice.call(body.rows);
   rows.sort(function(a,b){var g=a.getAttribute('data-scale'),h=b.getAttribute('data-scale');
     if(g!==h)return g==='synthetic'?1:-1;var x=cell(a,i),y=cell(b,i);
     if(x===y)return 0;if(x===''||x==='-')return 1;if(y===''||y==='-')return -1;
     return (x<y?-1:1)*(asc?1:-1);});
   rows.forEach(function(r){body.appendChild(r);});});});
 function apply(){var off={};
  document.querySelectorAll('input.filter').forEach(function(b){
   if(!b.checked){(off[b.getAttribute('data-key')]=off[b.getAttribute('data-key')]||[]).push(b.value);}});
  document.querySelectorAll('table.sortable tbody tr').forEach(function(tr){
   var hide=Object.keys(off).some(function(k){return off[k].indexOf(tr.getAttribute('data-'+k))>=0;});
   tr.classList.toggle('hidden',hide);});}
 document.querySelectorAll('input.filter').forEach(function(b){b.addEventListener('change',apply);});
})();"""


def _page(title: str, body: str, *, script: bool = False, command: str | None = None) -> str:
    import vsumbench

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    footer = (f"vsumbench {_e(vsumbench.__version__)} · {_e(command or 'vsumbench report')} · "
              f"{stamp}")  # fmt: skip
    js = f"<script>{_SCRIPT}</script>" if script else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}'
            f"</title><style>{_STYLE}</style></head><body><h1>{_e(title)}</h1>{body}"
            f"<footer>{footer}</footer>{js}</body></html>\n")  # fmt: skip


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: Any) -> str:
    return "-" if value is None else f"{float(value):.3f}"
