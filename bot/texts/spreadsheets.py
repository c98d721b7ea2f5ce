"""Export and spreadsheet import."""

from __future__ import annotations

from bot.i18n import N_, _, ngettext
from bot.texts.catalog import FIELD_NAMES
from bot.texts.errors import why
from bot.texts.formatting import h, qty
from core.imports import ImportPlan, Outcome, RowPlan
from core.limits import shortened

EXPORT_PREPARING = N_("⏳ Preparing the export…")
EXPORT_READY = N_("✅ Export ready.")
EXPORT_STOCK_CAPTION = N_("📦 Stock snapshot")


# English says "movements" even for one (the same words as before); Russian needs its forms.
def export_progress(rows: int) -> str:
    return ngettext(
        "⏳ Preparing the export… {rows} movements so far",
        "⏳ Preparing the export… {rows} movements so far",
        rows,
    ).format(rows=rows)


def export_ledger_caption(rows: int) -> str:
    return ngettext("🧾 Ledger: {rows} movements", "🧾 Ledger: {rows} movements", rows).format(
        rows=rows
    )


# --- spreadsheet import ----------------------------------------------------------------

IMPORT_HELP = N_(
    "📥 <b>Import a catalog with stock</b>\n"
    "Send a CSV or XLSX file here (as a file). The first row names the columns, in any "
    "order: <code>product</code> (required), <code>category</code>, <code>unit</code>, "
    "<code>on_hand</code>, <code>threshold</code>, <code>price</code>, <code>cost</code>, "
    "<code>supplier</code>, <code>barcode</code>, <code>earliest_expiry</code>, "
    "<code>reorder_date</code> — the columns /export writes. An empty cell leaves a field "
    "as it is; <code>on_hand</code> becomes the stock. You see a preview first; nothing "
    "changes until you tap Import. Up to 5 MB and 20,000 rows; formulas are not run."
)
IMPORT_REFUSED = {
    "too_big": N_(
        "⚠️ That file is too big to import (over 5 MB, or over 100 MB unpacked). "
        "Split it into smaller files."
    ),
    "too_many_rows": N_("⚠️ That file has more than 20,000 rows. Split it into smaller files."),
    "old_excel": N_(
        "⚠️ That is an old Excel file (.xls). Save it as .xlsx or .csv and send it again."
    ),
    "not_a_spreadsheet": N_(
        "⚠️ I could not read that file as a spreadsheet. Send a .csv or .xlsx file."
    ),
    "empty": N_("⚠️ That file is empty."),
    "no_name_column": N_(
        "⚠️ I found no <code>product</code> column. The first row must name "
        "the columns, e.g. <code>product, unit, on_hand</code> (as /export writes them)."
    ),
    "changed": N_("⚠️ That file is no longer the one previewed. Send it again."),
}
IMPORT_BUTTON = N_("📥 Import")
IMPORT_READING = N_("⏳ Reading the file…")
IMPORT_TOAST = N_("Importing…")
NOT_A_SPREADSHEET_DOCUMENT = N_(
    "I can read spreadsheets (.csv, .xlsx) to import a catalog, and pictures of barcodes. "
    "See /import."
)
IMPORT_LIST_LINES = 8


def import_formula(column: str, formula: str) -> str:
    return _("{column} is a formula ({formula}); paste it as a value").format(
        column=column, formula=formula[:30]
    )


def import_bad_cell(column: str, value: str) -> str:
    return _("{column}: “{value}” is not a number").format(
        column=column, value=shortened(value, 30)
    )


def _import_line(row: RowPlan) -> str:
    # Cut with an ellipsis: 'Товар … длинным названи' read as a name of its own.
    where = _("• row {line}: {name}").format(line=row.line, name=h(shortened(row.name, 40)))
    problem = why(row.refusal) if row.refusal is not None else row.problem
    if problem is not None:
        return f"{where} — {h(problem)}"
    stock = _(FIELD_NAMES["on_hand"])
    detail = ", ".join(_(FIELD_NAMES[f]) if f in FIELD_NAMES else f for f in row.changed)
    if "on_hand" in row.changed and row.on_hand_before is not None:
        assert row.on_hand_after is not None
        detail = detail.replace(
            stock, f"{stock} {qty(row.on_hand_before)} → {qty(row.on_hand_after)}"
        )
    elif row.on_hand_after is not None and not row.changed:
        detail = f"{stock} {qty(row.on_hand_after)}"
    return where + (f" — {detail}" if detail else "")


def _import_section(title: str, rows: list[RowPlan]) -> list[str]:
    if not rows:
        return []
    lines = [f"<b>{_(title)} ({len(rows)})</b>"]
    lines += [_import_line(row) for row in rows[:IMPORT_LIST_LINES]]
    if len(rows) > IMPORT_LIST_LINES:
        lines.append(_("… and {count} more").format(count=len(rows) - IMPORT_LIST_LINES))
    return lines


def import_preview(filename: str, plan: ImportPlan, ignored: list[str]) -> str:
    lines = [
        ngettext(
            "📥 <b>{file}</b>: {rows} row — "
            "{new} new, {changed} changed, {unchanged} unchanged, {wrong} wrong",
            "📥 <b>{file}</b>: {rows} rows — "
            "{new} new, {changed} changed, {unchanged} unchanged, {wrong} wrong",
            len(plan.rows),
        ).format(
            file=h(filename),
            rows=len(plan.rows),
            new=plan.count(Outcome.CREATED),
            changed=plan.count(Outcome.CHANGED),
            unchanged=plan.count(Outcome.UNCHANGED),
            wrong=plan.count(Outcome.WRONG),
        )
    ]
    if ignored:
        lines.append(_("Ignored columns: {columns}").format(columns=h(", ".join(ignored))))
    for title, outcome in (
        (N_("New"), Outcome.CREATED),
        (N_("Changed"), Outcome.CHANGED),
        (N_("Wrong — will be skipped"), Outcome.WRONG),
    ):
        section = _import_section(title, plan.of(outcome))
        if section:
            lines += ["", *section]
    if plan.count(Outcome.CREATED) + plan.count(Outcome.CHANGED) == 0:
        lines += ["", _("Nothing to change: the catalog already matches this file.")]
    else:
        lines += ["", _("Tap Import to apply; stock changes are recorded as <i>import</i>.")]
    return "\n".join(lines)


def import_progress(done: int, total: int) -> str:
    return ngettext(
        "⏳ Importing… {done} of {total} rows", "⏳ Importing… {done} of {total} rows", total
    ).format(done=done, total=total)


def import_done(filename: str, rows: list[RowPlan]) -> str:
    def count(outcome: Outcome) -> int:
        return sum(1 for row in rows if row.outcome is outcome)

    wrong = [row for row in rows if row.outcome is Outcome.WRONG]
    lines = [
        _("✅ Imported <b>{file}</b>: {new} new, {changed} changed, {unchanged} unchanged.").format(
            file=h(filename),
            new=count(Outcome.CREATED),
            changed=count(Outcome.CHANGED),
            unchanged=count(Outcome.UNCHANGED),
        )
    ]
    section = _import_section(N_("Skipped"), wrong)
    if section:
        lines += ["", *section]
    return "\n".join(lines)
