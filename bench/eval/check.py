"""Consistency check for the evaluation set in this folder (standard library only).

Run: python3 bench/eval/check.py      (exit code 0 = all checks passed)
"""

from __future__ import annotations

import collections
import datetime
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRADES = {
    "Sanitär",
    "Heizung",
    "Elektro",
    "Dachdecker",
    "Maler",
    "Tischler",
    "Fliesenleger",
    "Trockenbau",
    "Garten- und Landschaftsbau",
    "Fenster und Türen",
}
PHASES = {"angefragt", "angeboten", "beauftragt", "abgeschlossen"}
KINDS = {"own_words", "synonym", "colloquial", "compound", "spelling", "city_and_topic"}
PROJECT_FIELDS = {
    "key",
    "name",
    "description",
    "trade",
    "customer",
    "city",
    "phase",
    "estimated_cost",
    "final_cost",
    "start_date",
    "end_date",
}

errors: list[str] = []


def err(msg: str) -> None:
    errors.append(msg)


def load(name: str):
    try:
        return json.loads((HERE / name).read_text(encoding="utf-8"))
    except Exception as exc:  # report any parse problem
        err(f"{name}: does not parse: {exc}")
        return []


def words(text: str) -> set[str]:
    """Casefolded word tokens; hyphens, slashes and punctuation split words."""
    return set(re.findall(r"\w+", text.casefold()))


def unique_keys(items: list[dict], name: str) -> dict[str, dict]:
    seen: dict[str, dict] = {}
    for it in items:
        key = it.get("key")
        if key in seen:
            err(f"{name}: duplicate key {key}")
        seen[key] = it
    return seen


def parse_date(value, where: str):
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        err(f"{where}: bad date {value!r}")
        return None


# ---------------------------------------------------------------- projects
projects = load("projects.json")
pmap = unique_keys(projects, "projects.json")
for p in projects:
    k = p.get("key")
    if set(p) != PROJECT_FIELDS:
        err(f"{k}: fields {sorted(set(p) ^ PROJECT_FIELDS)} differ from the schema")
    if p.get("trade") not in TRADES:
        err(f"{k}: unknown trade {p.get('trade')!r}")
    if p.get("phase") not in PHASES:
        err(f"{k}: unknown phase {p.get('phase')!r}")
    if not p.get("name") or not p.get("description"):
        err(f"{k}: empty name or description")
    n_sent = len(re.findall(r"[.!?](\s|$)", p.get("description", "")))
    if not 2 <= n_sent <= 5:
        err(f"{k}: description has {n_sent} sentences (2-5 expected)")
    for f in ("estimated_cost", "final_cost"):
        v = p.get(f)
        if v is not None and (not isinstance(v, (int, float)) or v < 0):
            err(f"{k}: bad {f} {v!r}")
    if p.get("final_cost") is not None and p.get("phase") != "abgeschlossen":
        err(f"{k}: final_cost set but phase is {p.get('phase')}")
    start = parse_date(p.get("start_date"), k)
    end = parse_date(p.get("end_date"), k)
    if start and end and end < start:
        err(f"{k}: end_date before start_date")
    if p.get("phase") == "abgeschlossen" and not end:
        err(f"{k}: abgeschlossen without end_date")

trade_count = collections.Counter(p.get("trade") for p in projects)
if len(projects) < 64:
    err(f"projects: {len(projects)} < 64")
if len(trade_count) < 9:
    err(f"projects: only {len(trade_count)} trades")
for trade, n in trade_count.items():
    if n < 5:
        err(f"projects: trade {trade} has only {n} jobs")
done_priced = collections.Counter(
    p["trade"] for p in projects if p["phase"] == "abgeschlossen" and p["final_cost"] is not None
)
for trade in ("Sanitär", "Heizung", "Dachdecker"):
    if done_priced[trade] < 4:
        err(f"projects: only {done_priced[trade]} completed priced jobs in {trade}")

# ---------------------------------------------------------------- documents
documents = load("documents.json")
dmap = unique_keys(documents, "documents.json")
doc_text: dict[str, str] = {}
for d in documents:
    k = d.get("key")
    path = HERE / "documents" / str(d.get("file"))
    if not path.is_file():
        err(f"{k}: file {d.get('file')} missing")
        continue
    text = path.read_text(encoding="utf-8")
    doc_text[k] = text
    n = len([w for w in text.split() if any(c.isalnum() for c in w)])
    if not 80 <= n <= 400:
        err(f"{k}: {n} words (80-400 expected)")
    if d.get("project") is not None and d["project"] not in pmap:
        err(f"{k}: linked project {d['project']} does not exist")
    if not d.get("kind"):
        err(f"{k}: no kind")
listed = {d.get("file") for d in documents}
for f in (HERE / "documents").glob("*.txt"):
    if f.name not in listed:
        err(f"documents/{f.name} is not listed in documents.json")
if len(documents) < 40:
    err(f"documents: {len(documents)} < 40")
n_linked = sum(1 for d in documents if d.get("project"))
if n_linked < 20:
    err(f"documents: only {n_linked} linked to projects")


# ---------------------------------------------------------------- queries
def check_queries(name: str, items: list[dict], keys: dict, text_of, max_rel: int | None):
    kinds = collections.Counter()
    seen_q = set()
    for i, q in enumerate(items, 1):
        where = f"{name}[{i}] {q.get('query')!r}"
        query, rel, kind = q.get("query", ""), q.get("relevant", []), q.get("kind")
        kinds[kind] += 1
        if kind not in KINDS:
            err(f"{where}: unknown kind {kind!r}")
        if query.casefold() in seen_q:
            err(f"{where}: duplicate query")
        seen_q.add(query.casefold())
        if not 1 <= len(query.split()) <= 8:
            err(f"{where}: {len(query.split())} words (1-8 expected)")
        if not rel:
            err(f"{where}: empty relevant list")
        if max_rel and len(rel) > max_rel:
            err(f"{where}: more than {max_rel} relevant")
        if len(set(rel)) != len(rel):
            err(f"{where}: duplicate relevant keys")
        missing = [r for r in rel if r not in keys]
        if missing:
            err(f"{where}: unknown keys {missing}")
            continue
        if kind != "own_words":
            rel_words = set().union(*(words(text_of(r)) for r in rel))
            if all(w in rel_words for w in words(query)):
                err(f"{where}: every query word occurs in a relevant text")
    return kinds


pq = load("project_queries.json")
pk = check_queries(
    "project_queries", pq, pmap, lambda k: pmap[k]["name"] + " " + pmap[k]["description"], 4
)
dq = load("document_queries.json")
dk = check_queries("document_queries", dq, dmap, lambda k: doc_text.get(k, ""), None)

if len(pq) < 44:
    err(f"project_queries: {len(pq)} < 44")
for kind in KINDS:
    need = 3 if kind == "city_and_topic" else 6
    if pk[kind] < need:
        err(f"project_queries: kind {kind} has {pk[kind]} < {need}")
if len(dq) < 34:
    err(f"document_queries: {len(dq)} < 34")
if dk["own_words"] < 14:
    err(f"document_queries: own_words {dk['own_words']} < 14")
if sum(n for k, n in dk.items() if k != "own_words") < 20:
    err("document_queries: fewer than 20 queries of other kinds")

# ---------------------------------------------------------------- report
print(f"projects: {len(projects)}  trades: {dict(sorted(trade_count.items()))}")
print(f"phases: {dict(collections.Counter(p['phase'] for p in projects))}")
print(f"documents: {len(documents)}  linked: {n_linked}")
print(f"document kinds: {dict(collections.Counter(d['kind'] for d in documents))}")
print(f"project_queries: {len(pq)}  {dict(sorted(pk.items()))}")
print(f"document_queries: {len(dq)}  {dict(sorted(dk.items()))}")
if errors:
    print(f"\n{len(errors)} problem(s):")
    for e in errors:
        print("  -", e)
    sys.exit(1)
print("all checks passed")
