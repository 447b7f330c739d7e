"""Extraction accuracy of the directive import, on three sets printed separately:

- the seed directive (its expectation is the seed sheet, written by hand);
- the project's fixtures in tests/directives/;
- the development set of real documents in ../shared/directives-dev/ (relative to the repo root).

    python -m bench.import_accuracy

Figures (assignment-lead pairs are the unit, as in the sets' README):
- lead recall: expected (assignment, lead) pairs found among the rows;
- row precision: rows that are an expected (assignment, lead) pair;
- deadline accuracy: found pairs whose deadline (date, or none) is the expected one;
- partner recall: expected partners found on the rows of their assignment;
- metadata: number and date of the document right.

A row matches an expected pair when its lead is the same name (accent-, case- and
abbreviation-insensitive) and either its section is the same (dash-bullet indexes, "closing",
"body" and "bang." left aside, since rows keep their item's number) or its text starts like the
expected summary. Matching is one-to-one, so an extra or a missing row costs what it should.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from services.importing.agencies import expand_abbreviations
from services.importing.matching import fold_same_length
from services.importing.parser import parse_file, to_json
from services.stores.seed import seed_records
from tests.directives.fixtures import cases, expected_rows

ROOT = Path(__file__).resolve().parent.parent


def _dev_set() -> Path:
    """../shared/directives-dev beside the clone (a git worktree one level deeper looks one
    further up); IMPORT_DEV_SET overrides."""
    if os.environ.get("IMPORT_DEV_SET"):
        return Path(os.environ["IMPORT_DEV_SET"])
    candidates = [base / "shared" / "directives-dev" for base in (ROOT.parent, ROOT.parent.parent)]
    return next((c for c in candidates if c.is_dir()), candidates[0])


DEV_SET = _dev_set()
TARGETS = {"lead": 0.95, "deadline": 0.95, "precision": 0.95, "metadata": 0.90}


@dataclass
class Expected:
    """One document's expectation in the common shape used for scoring."""

    name: str
    filename: str
    data: bytes
    number: str
    date: str | None
    tasks: list[dict]  # section, leads (names or codes), partners, deadline, summary


@dataclass
class Score:
    pairs: int = 0
    found: int = 0
    rows: int = 0
    right_rows: int = 0
    deadlines: int = 0
    partners: int = 0
    partners_found: int = 0
    metadata: int = 0
    metadata_fields: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in vars(self):
            if name not in ("misses", "extras"):
                setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses
        self.extras += other.extras

    @property
    def figures(self) -> dict[str, float]:
        def ratio(a: int, b: int) -> float:
            return a / b if b else 1.0

        return {
            "lead": ratio(self.found, self.pairs),
            "precision": ratio(self.right_rows, self.rows),
            "deadline": ratio(self.deadlines, self.found),
            "partner": ratio(self.partners_found, self.partners),
            "metadata": ratio(self.metadata, self.metadata_fields),
        }


def name_key(name: str | None) -> str:
    """A lead or partner name compared accent-, case-, punctuation- and abbreviation-free."""
    folded = fold_same_length(expand_abbreviations(name or ""))
    return " ".join(re.findall(r"\w+", folded))


def section_key(section: str) -> str:
    parts = [p for p in (section or "").split(".") if p and not p.startswith("-")]
    parts = [p for p in parts if p not in ("closing", "body", "bang")]
    return ".".join(parts).replace(" ", "").lower()


def summary_key(text: str) -> str:
    words = (text or "").replace("**", "").split()
    if words and re.fullmatch(r"(?:[-–+•]|[a-zđ]\)|\d+(?:\.\d+)*\.?|[IVX]+\.)", words[0]):
        words = words[1:]
    return fold_same_length(" ".join(words[:12]))


def score(doc: Expected, agencies, names: dict[str, str]) -> Score:
    got = to_json(parse_file(doc.filename, doc.data, agencies))
    s = Score(metadata_fields=2)
    s.metadata = (got["directive"]["number"] == doc.number) + (got["directive"]["date"] == doc.date)
    rows = [
        {
            "lead": name_key(names.get(t["lead"] or "", t["lead_name"] or "")),
            "section": section_key(t["section"]),
            "summary": summary_key(t["content"]),
            "deadline": t["deadline"],
            "partners": {name_key(names.get(p, p)) for p in t["partner_names"]},
            "used": False,
            "text": f"{t['section']} {t['lead_name']}: {t['content'][:50]}",
        }
        for t in got["tasks"]
    ]
    s.rows = len(rows)
    pairs = [(task, lead) for task in doc.tasks for lead in task["leads"]]
    s.pairs = len(pairs)
    # exact section first, then text-only matches, so that a loose match never takes a row an
    # exact one needs
    matched: dict[int, dict] = {}
    for loose in (False, True):
        for i, (task, lead) in enumerate(pairs):
            if i in matched:
                continue
            want_lead = name_key(names.get(lead, lead))
            want_section, want_summary = section_key(task["section"]), summary_key(task["summary"])
            best, best_similarity = None, 0.0
            for row in rows:
                if row["used"] or row["lead"] != want_lead:
                    continue
                similarity = fuzz.ratio(row["summary"], want_summary)
                same_section = row["section"] == want_section
                if (same_section and not loose) or (loose and similarity >= 80):
                    if similarity > best_similarity or best is None:
                        best, best_similarity = row, similarity
            if best is not None:
                best["used"] = True
                matched[i] = best
    s.found = s.right_rows = len(matched)
    for i, (task, lead) in enumerate(pairs):
        row = matched.get(i)
        if row is None:
            s.misses.append(f"{doc.name} {task['section']} {lead}: {task['summary'][:50]}")
            continue
        s.deadlines += row["deadline"] == task["deadline"]
    s.extras = [f"{doc.name} {r['text']}" for r in rows if not r["used"]]
    for task in doc.tasks:
        leads = {name_key(names.get(lead, lead)) for lead in task["leads"]}
        rows_of_task = [r for i, r in matched.items() if pairs[i][0] is task]
        offered = set().union(*(r["partners"] for r in rows_of_task)) if rows_of_task else set()
        for partner in task["partners"]:
            key = name_key(names.get(partner, partner))
            if key in leads:
                continue
            s.partners += 1
            s.partners_found += key in offered
    return s


# --- the three sets ---------------------------------------------------------------------------


def project_docs() -> list[Expected]:
    docs = []
    for case in cases():
        tasks = [
            {
                "section": row["section"],
                "leads": [row["lead"]],
                "partners": row.get("partners", []),
                "deadline": row.get("deadline"),
                "summary": row.get("content", ""),
            }
            for row in expected_rows(case.expected)
        ]
        d = case.expected["directive"]
        docs.append(Expected(case.name, case.filename, case.data, d["number"], d["date"], tasks))
    return docs


def dev_docs(folder: Path = DEV_SET) -> list[Expected]:
    docs = []
    for path in sorted(folder.glob("*.expected.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        text_path = path.with_name(path.name.removesuffix(".expected.json") + ".txt")
        text = text_path.read_text(encoding="utf-8")
        if text.startswith("# source:"):
            text = text.partition("\n")[2]  # the set's provenance line is not the document's
        tasks = [
            {
                "section": t["section"],
                "leads": t["lead"] if isinstance(t["lead"], list) else [t["lead"]],
                "partners": t.get("partners") or [],
                "deadline": t.get("deadline"),
                "summary": t.get("summary", ""),
            }
            for t in expected["tasks"]
        ]
        doc = expected["doc"]
        docs.append(
            Expected(
                path.name.split("_")[0],
                text_path.name,
                text.encode("utf-8"),
                doc["number"],
                doc["date"],
                tasks,
            )
        )
    return docs


def score_set(docs: list[Expected]) -> tuple[Score, list[tuple[str, Score]]]:
    _, agencies, _, _ = seed_records()
    names = {a.code: a.name for a in agencies}
    total, each = Score(), []
    for doc in docs:
        s = score(doc, agencies, names)
        total.add(s)
        each.append((doc.name, s))
    return total, each


def sets() -> list[tuple[str, list[Expected]]]:
    docs = project_docs()
    found = [("seed", docs[:1]), ("fixtures (tests/directives)", docs[1:])]
    if DEV_SET.is_dir():
        found.append(("directives-dev", dev_docs()))
    return found


def forty_pages_seconds() -> float:
    """Seconds to import a 40-page document (the dev set's texts, repeated to ~40 pages)."""
    _, agencies, _, _ = seed_records()
    source = DEV_SET if DEV_SET.is_dir() else ROOT / "tests" / "directives"
    body = "\n".join(p.read_text(encoding="utf-8") for p in sorted(source.glob("*.txt")))
    text = (body * (1 + 40 * 3000 // max(len(body), 1)))[: 40 * 3000]  # ~3,000 characters a page
    start = time.perf_counter()
    parse_file("40_trang.txt", text.encode("utf-8"), agencies)
    return time.perf_counter() - start


def _percent(x: float) -> str:
    return f"{100 * x:5.1f}%"


def main(verbose: bool = False) -> None:
    header = (
        f"{'set':<30}{'lead':>8}{'deadline':>10}{'precision':>11}{'partner':>9}{'metadata':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, docs in sets():
        total, each = score_set(docs)
        f = total.figures
        print(
            f"{name:<30}{_percent(f['lead']):>8}{_percent(f['deadline']):>10}"
            f"{_percent(f['precision']):>11}{_percent(f['partner']):>9}{_percent(f['metadata']):>10}"
            f"   ({total.found}/{total.pairs} pairs, {total.rows} rows)"
        )
        if verbose:
            for doc_name, s in each:
                g = s.figures
                print(
                    f"  {doc_name:<28}{_percent(g['lead']):>8}{_percent(g['deadline']):>10}"
                    f"{_percent(g['precision']):>11}{_percent(g['partner']):>9}"
                    f"{_percent(g['metadata']):>10}"
                )
            for miss in total.misses:
                print("    missed:", miss)
            for extra in total.extras:
                print("    extra:", extra)
    if not DEV_SET.is_dir():
        print(f"(no development set at {DEV_SET})")
    print(f"import of a 40-page document: {forty_pages_seconds():.2f} s")


if __name__ == "__main__":
    import sys

    main(verbose="-v" in sys.argv[1:])
