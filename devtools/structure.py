"""The shape of the code, measured from its own imports and definitions.

    python -m devtools.structure                         # the figures, as Markdown
    python -m devtools.structure --picture docs/structure.png

Which layer imports which (how many files of one import the other), and the largest
modules and functions. Migrations are left out: they are written once and never change.
"""

from __future__ import annotations

import argparse
import ast
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Each layer on its floor: a layer may import those below it, never those above.
FLOORS: dict[str, tuple[int, float]] = {
    "core": (0, 0.12),
    "ttlstore": (0, 0.75),
    "db": (1, 0.02),
    "jobs": (1, 0.4),
    "webapp": (1, 0.76),
    "bot": (2, 0.3),
    "devtools": (3, 0.3),
}


@dataclass(frozen=True)
class Sized:
    name: str
    lines: int


@dataclass(frozen=True)
class Measured:
    modules: list[Sized]
    functions: list[Sized]
    lines_by_layer: Counter[str]
    imports: Counter[tuple[str, str]]  # (importer, imported): files that import


def _sources(layer: str) -> list[Path]:
    return sorted(p for p in (ROOT / layer).rglob("*.py") if "migrations" not in p.parts)


def imported_modules(path: Path, *, top_level_only: bool = False) -> set[str]:
    """The top-level names of what a file imports (`top_level_only`: at module level,
    not inside a function); tests/unit/test_layers.py checks the layers with it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nodes = tree.body if top_level_only else ast.walk(tree)
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def measure() -> Measured:
    modules: list[Sized] = []
    functions: list[Sized] = []
    lines_by_layer: Counter[str] = Counter()
    imports: Counter[tuple[str, str]] = Counter()
    for layer in FLOORS:
        for path in _sources(layer):
            text = path.read_text(encoding="utf-8")
            name = path.relative_to(ROOT).as_posix()
            tree = ast.parse(text, filename=name)
            modules.append(Sized(name, len(text.splitlines())))
            lines_by_layer[layer] += len(text.splitlines())
            for other in (imported_modules(path) & FLOORS.keys()) - {layer}:
                imports[layer, other] += 1
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    assert node.end_lineno is not None
                    size = node.end_lineno - node.lineno + 1
                    functions.append(Sized(f"{name}:{node.name}", size))
    modules.sort(key=lambda s: -s.lines)
    functions.sort(key=lambda s: -s.lines)
    return Measured(modules, functions, lines_by_layer, imports)


def report(measured: Measured, top: int = 5) -> str:
    lines = ["| layer | lines | imports (files) |", "| --- | ---: | --- |"]
    for layer in FLOORS:
        out = sorted((b, n) for (a, b), n in measured.imports.items() if a == layer)
        named = ", ".join(f"{b} ({n})" for b, n in out) or "nothing of ours"
        lines.append(f"| `{layer}` | {measured.lines_by_layer[layer]:,} | {named} |")
    lines += ["", "| largest modules | lines |", "| --- | ---: |"]
    lines += [f"| `{m.name}` | {m.lines} |" for m in measured.modules[:top]]
    lines += ["", "| largest functions | lines |", "| --- | ---: |"]
    lines += [f"| `{f.name}` | {f.lines} |" for f in measured.functions[:top]]
    count = len(measured.functions)
    median = sorted(f.lines for f in measured.functions)[count // 2]
    lines += ["", f"{len(measured.modules)} modules, {count} functions (median {median} lines)."]
    return "\n".join(lines)


def draw(measured: Measured, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.patches import FancyBboxPatch

    width, height = 0.24, 0.22
    figure, axes = pyplot.subplots(figsize=(9, 6.5))
    axes.set_xlim(-0.05, 1.05)
    axes.set_ylim(-0.15, 3.35)
    axes.axis("off")

    def centre(layer: str) -> tuple[float, float]:
        floor, left = FLOORS[layer]
        return left + width / 2, floor * 0.95 + height / 2

    for (importer, imported), files in sorted(measured.imports.items()):
        (x1, y1), (x2, y2) = centre(importer), centre(imported)
        upward = FLOORS[imported][0] > FLOORS[importer][0]
        axes.annotate(
            "",
            xy=(x2, y2 + (-height / 2 if upward else height / 2)),
            xytext=(x1, y1 + (height / 2 if upward else -height / 2)),
            arrowprops={
                "arrowstyle": "-|>",
                "color": "#c0392b" if upward else "#555555",
                "linestyle": "--" if upward else "-",
                "connectionstyle": "arc3,rad=0.08",
                "linewidth": 0.6 + min(files, 40) / 20,
            },
        )
        axes.text((x1 + x2) / 2 + 0.015, (y1 + y2) / 2, str(files), fontsize=7, color="#333333")
    for layer, (floor, left) in FLOORS.items():
        axes.add_patch(
            FancyBboxPatch(
                (left, floor * 0.95),
                width,
                height,
                boxstyle="round,pad=0.02",
                facecolor="#e8eef7" if layer != "devtools" else "#f5efe0",
                edgecolor="#34495e",
            )
        )
        x, y = centre(layer)
        lines = measured.lines_by_layer[layer]
        axes.text(x, y + 0.01, layer, ha="center", va="bottom", fontsize=11, weight="bold")
        axes.text(x, y - 0.02, f"{lines:,} lines", ha="center", va="top", fontsize=8)
    axes.set_title(
        "stockbot's layers: an arrow is an import, its number the files that import;\n"
        "dashed red runs upward (bot/cli.py opens the console only when asked)",
        fontsize=9,
        loc="left",
    )
    figure.savefig(path, dpi=110, bbox_inches="tight")
    pyplot.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--picture", type=Path, help="where to draw the layers (PNG or SVG)")
    parser.add_argument("--top", type=int, default=5, help="how many modules and functions")
    args = parser.parse_args()
    measured = measure()
    print(report(measured, args.top))
    if args.picture is not None:
        draw(measured, args.picture)


if __name__ == "__main__":
    main()
