"""Cell values: how written values are stored and how stored values are rendered.

A stored cell is None (empty), str, int, float, bool or Formula.

Simplifications compared to Google:
- USER_ENTERED parses formulas ("=..."), plain numbers ("0042" -> 42, "1.5",
  "-2e3"), TRUE/FALSE (any case) and a leading apostrophe (forces text).
  Dates ("25/12/2024"), percentages, currencies and thousands separators stay text.
- Formulas are evaluated only when they are plain arithmetic on number literals
  (+ - * / and parentheses, e.g. "=1+1"); any other formula renders as its own
  text for FORMATTED_VALUE and UNFORMATTED_VALUE.
- FORMATTED_VALUE uses one "General" format: integral numbers without ".0",
  others with up to 15 significant digits, booleans as TRUE/FALSE.
"""

import ast
import operator
import re
from dataclasses import dataclass

from .errors import invalid

FORMATTED = "FORMATTED_VALUE"
UNFORMATTED = "UNFORMATTED_VALUE"
FORMULA = "FORMULA"
RENDER_OPTIONS = (FORMATTED, UNFORMATTED, FORMULA)
INPUT_OPTIONS = ("RAW", "USER_ENTERED")

# Marks a JSON null in written values: the cell is left unchanged.
UNCHANGED = object()

_NUMBER_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_INTEGER_RE = re.compile(r"[+-]?\d+")
_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


@dataclass(frozen=True)
class Formula:
    text: str  # includes the leading "="


def parse_written(value, input_option: str):
    """Turn one JSON value from a write request into a stored cell (or UNCHANGED)."""
    if value is None:
        return UNCHANGED
    if isinstance(value, (list, dict)):
        raise invalid(f"Invalid values: {value!r} is not a scalar value.")
    if value == "":
        return None
    if not isinstance(value, str) or input_option == "RAW":
        return value
    return parse_user_entered(value)


def parse_user_entered(text: str):
    if text.startswith("="):
        return Formula(text)
    if text.startswith("'"):
        return text[1:] or None
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE"
    if _INTEGER_RE.fullmatch(stripped):
        return int(stripped)
    if _NUMBER_RE.fullmatch(stripped):
        return float(stripped)
    return text


def parse_seeded(value):
    """A value given to the /_fake/spreadsheets hook: stored as is, "=..." as a formula."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.startswith("="):
        return Formula(value)
    return parse_written(value, "RAW")


def stored_json(cell):
    """A cell as the /_fake dump shows it."""
    if cell is None:
        return ""
    if isinstance(cell, Formula):
        return cell.text
    return cell


def render(cell, option: str):
    """Render a non-empty cell for valueRenderOption `option`."""
    if isinstance(cell, Formula):
        if option == FORMULA:
            return cell.text
        cell = evaluate(cell)
    if option == FORMATTED:
        return format_value(cell)
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


def evaluate(formula: Formula):
    """Value of a plain arithmetic formula; its text when it is anything else."""
    try:
        return _eval_node(ast.parse(formula.text[1:], mode="eval").body)
    except ZeroDivisionError:
        return "#DIV/0!"
    except (SyntaxError, ValueError):
        return formula.text


def _eval_node(node):
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_eval_node(node.left), _eval_node(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_eval_node(node.operand))
    raise ValueError("not plain arithmetic")


def format_value(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return value
