"""Core's refusals are data: a code and values, worded by each interface in the reader's
language (bot.texts.why for the chat, the same words in the Mini App's API). A sentence
raised from core would reach a Russian chat in English, so none may come back: no error
of core is raised with, or builds, a text for a person."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import core
from bot import i18n, texts
from core import errors
from core.errors import DomainError, Invalid

CORE = Path(core.__file__).parent
# Two words in a row: a sentence (or part of one), not a code such as "restock".
WORDS = re.compile(r"[^\W\d_]+\s+[^\W\d_]+")


def _domain_errors() -> set[type[DomainError]]:
    for module in pkgutil.iter_modules([str(CORE)]):
        importlib.import_module(f"core.{module.name}")
    found: set[type[DomainError]] = set()
    waiting: list[type[DomainError]] = [DomainError]
    while waiting:
        kind = waiting.pop()
        found.add(kind)
        waiting.extend(kind.__subclasses__())
    return {kind for kind in found if kind.__module__.startswith("core.")}


def _texts_in(node: ast.AST) -> Iterator[str]:
    """The string constants in `node`, f-strings' literal parts included."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            yield inner.value


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def sentences_raised(source: str, refusals: set[str]) -> list[str]:
    """Where `source` raises one of `refusals` with words in it, or a refusal's class
    holds words (its docstring aside)."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            call = node.exc
            if _name(call) in refusals:
                said = [t for arg in (*call.args, *call.keywords) for t in _texts_in(arg)]
                found += [f"line {node.lineno}: {t!r}" for t in said if WORDS.search(t)]
        if isinstance(node, ast.ClassDef) and node.name in refusals:
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Constant)
                    and isinstance(inner.value, str)
                    and id(inner) not in docstrings
                    and WORDS.search(inner.value)
                ):
                    found.append(f"class {node.name}: {inner.value!r}")
    return found


def test_no_module_of_core_raises_a_refusal_with_words_in_it() -> None:
    refusals = {kind.__name__ for kind in _domain_errors()}
    found = {
        path.relative_to(CORE.parent).as_posix(): said
        for path in sorted(CORE.rglob("*.py"))
        if (said := sentences_raised(path.read_text(encoding="utf-8"), refusals))
    }
    assert not found, f"core words its own refusals (give a code and values instead): {found}"


def test_the_scan_finds_a_sentence_raised_or_built_in_a_refusal() -> None:
    raised = 'def f(name):\n    raise InvalidValue(f"You are in no shop called {name}.")\n'
    built = (
        "class Gone(DomainError):\n"
        '    """Docstrings may speak."""\n'
        "    def __init__(self):\n"
        '        super().__init__("That product is gone.")\n'
    )
    coded = 'raise ValueRefused(Invalid.QUANTITY_NOT_POSITIVE, action="restock")\n'
    assert sentences_raised(raised, {"InvalidValue"}) == ["line 2: 'You are in no shop called '"]
    assert sentences_raised(built, {"Gone"}) == ["class Gone: 'That product is gone.'"]
    assert sentences_raised(coded, {"ValueRefused"}) == []


def test_every_refusal_of_core_has_a_stable_code() -> None:
    abstract = {DomainError, errors.InvalidValue, errors.ValueRefused}
    codes = {kind: kind.code for kind in _domain_errors() - abstract}
    uncoded = [kind.__name__ for kind, code in codes.items() if code == DomainError.code]
    assert not uncoded, f"refusals without a code of their own: {uncoded}"
    by_code: dict[str, list[str]] = {}
    for kind, code in codes.items():
        by_code.setdefault(code, []).append(kind.__name__)
    assert not [names for names in by_code.values() if len(names) > 1]
    assert not {str(v) for v in Invalid} & set(codes.values())


@pytest.mark.parametrize("code", list(Invalid))
def test_the_chat_words_every_refused_value(code: Invalid) -> None:
    values = {
        "action": "restock",
        "limit": 5,
        "reason": "lost",
        "name": "Deli",
        "given": "de",
        "choices": ("en", "ru"),
    }
    said = texts.why(errors.ValueRefused(code, **values))
    assert said != texts.why(DomainError()) and "{" not in said


# One of each refusal of core, with facts as core gives them.
EXAMPLES: list[DomainError] = [
    errors.NotAMember(),
    errors.NoActiveShop(),
    errors.GroupNotLinked(),
    errors.GroupAdminOnly(errors.GroupAction.LINK),
    errors.SharedIdentity("channel"),
    errors.ShownElsewhere(),
    errors.OwnerOnly("add_products"),
    errors.ShopNotFound(),
    errors.InviteInvalid(errors.InviteRefusal.EXPIRED),
    errors.ProductNotFound("mlik", ((1, "milk"),)),
    errors.ProductGone(3),
    errors.ProductExists("milk", 1),
    errors.ProductArchived(1, "milk"),
    errors.UnknownTimezone("berlin", ("Europe/Berlin",)),
    errors.FractionOfWholeUnit(Decimal("1.5"), "pcs", "eggs"),
    errors.UnitMismatch("pcs", "kg", "flour"),
    errors.TooLong(errors.TextField.CATEGORY, 64, folded=True),
    errors.InsufficientStock("milk", Decimal(5), Decimal(2), "l"),
    errors.NothingToOrder("milk", Decimal(12), "l"),
    errors.DuplicateRequest("a1:restock-1"),
    errors.MemberNotFound(),
    errors.MovementNotFound(),
    errors.NothingToUndo(24),
    errors.UndoRefused(errors.UndoRefusal.STOCK_USED, left=Decimal(1), unit="l"),
    errors.InvalidBarcode("4006381333932", errors.BarcodeProblem.CHECK_DIGIT, expected="1"),
    errors.BarcodeTaken("4006381333931", "oat milk"),
    errors.AlertNotFound(),
    errors.ImportRowRepeats(2),
]


def test_the_examples_are_one_of_each_refusal() -> None:
    abstract = {DomainError, errors.InvalidValue, errors.ValueRefused}
    assert {type(e) for e in EXAMPLES} == _domain_errors() - abstract


@pytest.mark.parametrize("refusal", EXAMPLES, ids=lambda e: e.code)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_chat_words_every_refusal_in_each_language(refusal: DomainError, language: str) -> None:
    with i18n.speaking(language):
        said = texts.why(refusal)
        assert said != texts.why(DomainError()) and "{" not in said


def test_choices_are_joined_with_or_in_the_readers_language() -> None:
    """`1 or 2` reached a Russian chat: the word was inside an f-string, which Babel does
    not extract, so the catalog never had it."""
    fraction = errors.FractionOfWholeUnit(Decimal("1.5"), "pcs", "eggs")
    with i18n.speaking("ru"):
        assert "1 или 2" in texts.why(fraction)
    assert "1 or 2" in texts.why(fraction)
