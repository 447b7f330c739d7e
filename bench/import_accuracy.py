"""Extraction accuracy of the directive import on the fixtures in tests/directives/.

    python -m bench.import_accuracy

For each fixture: rows extracted / rows expected, leads right (section and lead agency match an
expected row), deadlines right (section, lead and deadline match), and the six document fields
(number, date, issuer, type, title, signer). Rows are matched as multisets, so an extra or a
missing row costs what it should and the order does not matter.
"""

from __future__ import annotations

from collections import Counter

from services.importing.parser import parse_file, to_json
from services.stores.seed import seed_records
from tests.directives.fixtures import cases, expected_rows

METADATA = ("number", "date", "issuer", "type", "title", "signer")


def matched(expected: list[tuple], actual: list[tuple]) -> int:
    return sum((Counter(expected) & Counter(actual)).values())


def keys(rows: list[dict], *fields: str) -> list[tuple]:
    return [tuple(row[f] for f in fields) for row in rows]


def score(case, agencies) -> dict:
    got = to_json(parse_file(case.filename, case.data, agencies))
    want = expected_rows(case.expected)
    return {
        "rows": len(got["tasks"]),
        "expected": len(want),
        "leads": matched(keys(want, "section", "lead"), keys(got["tasks"], "section", "lead")),
        "deadlines": matched(
            keys(want, "section", "lead", "deadline"),
            keys(got["tasks"], "section", "lead", "deadline"),
        ),
        "metadata": sum(got["directive"][k] == case.expected["directive"][k] for k in METADATA),
    }


def main() -> None:
    _, agencies, _, _ = seed_records()
    header = (
        f"{'fixture':<16}{'rows found':>12}{'lead right':>16}{'deadline right':>16}{'document':>10}"
    )
    print(header)
    print("-" * len(header))
    total, fixtures = Counter(), cases()
    for case in fixtures:
        s = score(case, agencies)
        total.update(s)
        print(_line(case.name, s, 6))
    print("-" * len(header))
    print(_line("total", total, 6 * len(fixtures)))


def _line(name: str, s: dict, fields: int) -> str:
    return (
        f"{name:<16}{s['rows']:>7} / {s['expected']:<4}{_ratio(s['leads'], s['expected'])}"
        f"{_ratio(s['deadlines'], s['expected'])}{s['metadata']:>6} / {fields:<3}"
    )


def _ratio(right: int, expected: int) -> str:
    percent = 100 * right / expected if expected else 100.0
    return f"{right:>7} ({percent:5.1f}%)"


if __name__ == "__main__":
    main()
