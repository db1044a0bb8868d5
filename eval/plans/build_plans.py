"""Rebuild the derived labelled plans from their sources (run from the repository root).

    .venv/bin/python -m eval.plans.build_plans

- ``lsc_annex.txt``: the Lancashire and South Cumbria annex from ``corpus/``, unchanged.
- ``lsc_annex_rows_removed.txt``: the annex with the rows for five duties deleted.
- ``lsc_annex_no_headings.txt``: the annex with the "Legislative requirement" column deleted (no
  row names its duty any more) and the rows for five other duties deleted.
- ``riverside_plan.docx``: ``src/riverside_plan.txt`` as a Word document (Heading 1 sections).
- ``coastal_plan.pdf``: ``src/coastal_plan.txt`` as a six-page PDF (headings in larger type).

``northshire_plan.md`` and ``westmoor_plan_on_a_page.html`` are written by hand and used as they are.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ANNEX = ROOT / "corpus" / "lsc-icb-jfp-2024-annex-statutory-duties.txt"

# first cell of the annex row -> the registry duty it covers
ROWS_REMOVED = ("Duty as to climate change", "Duty in respect of research", "Duty as to patient choice",
                "Duty to obtain appropriate advice", "Financial duties")
ROWS_REMOVED_NO_HEADINGS = ("Duty to promote integration", "Duty to promote innovation",
                            "Addressing the particular needs of children and young persons",
                            "Implementing any joint LHWBS", "Duty to promote education and training",
                            "Duty to safeguard children and vulnerable adults")


def _row_key(line: str) -> str:
    first = line.split("\t", 1)[0]
    return first.replace("<p>", "").replace("</p>", "").strip()


def _annex_rows(text: str) -> list[list[str]]:
    """The annex as blocks: a table row (with any continuation lines) or a non-row line."""
    blocks: list[list[str]] = []
    for line in text.split("\n"):
        if "\t" in line and _row_key(line):
            blocks.append([line])
        elif blocks and "\t" in blocks[-1][0] and (line.startswith("\t") or not line.strip()):
            blocks[-1].append(line)  # the financial row continues on the next page
        else:
            blocks.append([line])
    return blocks


def annex_without(text: str, removed: tuple[str, ...], *, drop_first_cell: bool = False) -> str:
    out: list[str] = []
    found = set()
    for block in _annex_rows(text):
        key = _row_key(block[0]) if "\t" in block[0] else ""
        if key in removed:
            found.add(key)
            continue
        if drop_first_cell and key and key != "Legislative requirement":
            block = [line.split("\t", 1)[1] if "\t" in line else line for line in block]
        out.extend(block)
    missing = set(removed) - found
    if missing:
        raise SystemExit(f"rows not found in the annex: {sorted(missing)}")
    return "\n".join(out)


def _sections(src: Path) -> tuple[str, list[tuple[str, list[str]]]]:
    title, sections = "", []
    for block in src.read_text(encoding="utf-8").split("\n\n"):
        block = block.strip()
        if block.startswith("# "):
            title = block[2:]
        elif block.startswith("## "):
            sections.append((block[3:], []))
        elif block:
            sections[-1][1].append(block)
    return title, sections


def build_docx(src: Path, dest: Path) -> None:
    import docx

    title, sections = _sections(src)
    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=0)
    for heading, paragraphs in sections:
        document.add_heading(heading, level=1)
        for p in paragraphs:
            document.add_paragraph(p)
    document.save(dest)


def build_pdf(src: Path, dest: Path) -> None:
    from tests.helpers.pdfs import Line, make_pdf

    title, sections = _sections(src)
    pages: list[list] = [[Line(title, size=18)]]
    used = 2
    for heading, paragraphs in sections:
        lines = [Line(heading, size=14, gap_before=14)]
        for p in paragraphs:
            wrapped = textwrap.wrap(p, 95)
            lines.append(Line(wrapped[0], gap_before=8))
            lines.extend(wrapped[1:])
        if used + len(lines) > 38:  # start a new page
            pages.append([])
            used = 0
        pages[-1].extend(lines)
        used += len(lines) + 2
    for n, page in enumerate(pages, start=1):
        page.insert(0, Line("Coastal and Vale ICB - Joint Forward Plan 2024 to 2029", size=8))
        page.append(Line(f"Page {n} of {len(pages)}", size=8, gap_before=20))
    dest.write_bytes(make_pdf(pages, title=title))


def main() -> None:
    annex = ANNEX.read_text(encoding="utf-8")
    shutil.copyfile(ANNEX, HERE / "lsc_annex.txt")
    (HERE / "lsc_annex_rows_removed.txt").write_text(annex_without(annex, ROWS_REMOVED), encoding="utf-8")
    (HERE / "lsc_annex_no_headings.txt").write_text(
        annex_without(annex, ROWS_REMOVED_NO_HEADINGS, drop_first_cell=True), encoding="utf-8")
    build_docx(HERE / "src" / "riverside_plan.txt", HERE / "riverside_plan.docx")
    build_pdf(HERE / "src" / "coastal_plan.txt", HERE / "coastal_plan.pdf")


if __name__ == "__main__":
    main()
