"""HTML and Markdown rendering for the web UI: pure functions from our records to strings.

Everything that comes from a document (titles, sections, quotes, chunk text, answer text) is passed
through ``html.escape`` before it reaches the page, so nothing in a document is ever live HTML. The
only tags on the page are the ones written here (``<details>``, ``<mark>``, tables...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape

from assistant.citations import collapse

CONTEXT_CHARS = 420  # surrounding text shown either side of a highlighted quote
QUESTION_CHARS = 200  # the most of a question the evidence panel's heading repeats

STATUS_LABELS = {"addressed": "Addressed", "partial": "Partly addressed", "missing": "Missing"}
STRENGTH_LABELS = {"must": "Must", "should": "Should", "may": "May", "other": "Other expectations"}

# Placeholders a draft leaves for local detail (assistant/draft.py): "[TO CONFIRM: a named lead]"
PLACEHOLDER = re.compile(r"\[TO CONFIRM:[^\]]*\]")


def _md_text(text: str) -> str:
    """Escape HTML in Markdown text so that only Markdown formatting (not tags) takes effect."""
    return escape(text or "", quote=False)


# Wording written for the command line, as web users should read it: (pattern, replacement).
WEB_WORDING = (
    (re.compile(r"in the Library \(or with `jfp ingest`\)"), "in the Library tab"),
    (re.compile(r"The index is empty\. Run 'jfp ingest' first \(no path ingests the shipped corpus\)"),
     "The library is empty. Add documents, or index the shipped guidance, in the Library tab"),
    (re.compile(r" ?Run 'jfp sources( --json)?' (to see|for) the( full)? ids\."), ""),
)
# A notice that only repeats, in numbers, why the assistant abstained (the banner says it in words).
SCORE_NOTICE = re.compile(r"^confidence [\d.]+ below [\d.]+$")


def for_the_web(text: str) -> str:
    """Text from the service with its command-line advice reworded for someone using the web page."""
    for pattern, replacement in WEB_WORDING:
        text = pattern.sub(replacement, text or "")
    return text


def web_notices(notices: Iterable[str]) -> list[str]:
    """The notices worth showing on the page, reworded; the bare confidence score is left out."""
    return [for_the_web(n) for n in notices if n and not SCORE_NOTICE.match(n.strip())]


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis when cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 passage', '2 passages'."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def page_label(page: int | None) -> str:
    return f"page {page}" if page else "no page numbers"


def citation_label(c: Mapping) -> str:
    """'Title, page 3, Section > Sub' (plain text)."""
    parts = [str(c.get("title") or c.get("source") or "Untitled")]
    if c.get("page"):
        parts.append(f"page {c['page']}")
    if c.get("section"):
        parts.append(str(c["section"]))
    return ", ".join(parts)


# --- quote in context ------------------------------------------------------------------------
def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` sits in ``text``: exact first, then ignoring case and runs of whitespace."""
    if not text or not quote:
        return None
    i = text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    words = quote.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, text, re.I)
    return (m.start(), m.end()) if m else None


def quote_in_context(quote: str, text: str | None, context: int = CONTEXT_CHARS) -> str:
    """HTML: the quote highlighted with <mark> inside the text around it (escaped)."""
    span = find_quote(text or "", quote)
    if span is None:
        return f'<p class="jfp-context"><mark>{escape(quote)}</mark></p>'
    start, end = span
    lo, hi = max(0, start - context), min(len(text), end + context)
    if lo > 0:  # start on a word boundary
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < start else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space > end else hi
    before = ("… " if lo > 0 else "") + text[lo:start]
    after = text[end:hi] + (" …" if hi < len(text) else "")
    return (f'<p class="jfp-context">{escape(before)}<mark>{escape(text[start:end])}</mark>'
            f"{escape(after)}</p>")


def citation_details(c: Mapping, text: str | None, *, open_: bool = False) -> str:
    """One numbered citation as a <details> element: title, page, section, then the quote in context."""
    n = c.get("n")
    num = f'<span class="jfp-num">[{escape(str(n))}]</span> ' if n is not None else ""
    meta = [f"<dt>Document</dt><dd>{escape(str(c.get('title') or ''))}</dd>",
            f"<dt>Page</dt><dd>{escape(page_label(c.get('page')))}</dd>"]
    if c.get("publisher"):
        meta.insert(1, f"<dt>Publisher</dt><dd>{escape(str(c['publisher']))}</dd>")
    if c.get("section"):
        meta.append(f"<dt>Section</dt><dd>{escape(str(c['section']))}</dd>")
    if c.get("source"):
        meta.append(f"<dt>File</dt><dd>{escape(str(c['source']))}</dd>")
    return (
        f'<details class="jfp-cite" data-n="{escape(str(n or ""))}"{" open" if open_ else ""}>'
        f"<summary>{num}<span class='jfp-cite-title'>{escape(citation_label(c))}</span></summary>"
        f'<dl class="jfp-meta">{"".join(meta)}</dl>'
        f"{quote_in_context(str(c.get('quote') or ''), text)}"
        "</details>"
    )


# --- Ask ---------------------------------------------------------------------------------------
def answer_markdown(answer: str) -> str:
    """The answer for the chat: Markdown with HTML escaped (document text never becomes tags)."""
    return _md_text(answer)


def abstain_banner() -> str:
    return (
        '<div class="jfp-banner jfp-abstain" role="status"><strong>Not in the sources.</strong> '
        "The indexed documents do not answer this question, so the assistant has not guessed. "
        "The closest material is listed below. If the answer should be there, add the document in the "
        "Library tab and ask again.</div>"
    )


def evidence_html(question: str, abstained: bool, citations: Iterable[Mapping], texts: Mapping[str, str | None],
                  notices: Iterable[str] = (), backend: str = "") -> str:
    """The evidence panel for one answer: a banner when it abstained, notices, and numbered citations."""
    parts = ['<div class="jfp-evidence" aria-live="polite"><p class="jfp-q">Sources for: '
             f"<q>{escape(shorten(question, QUESTION_CHARS))}</q></p>"]
    if abstained:
        parts.append(abstain_banner())
    for n in web_notices(notices):
        parts.append(f'<div class="jfp-banner jfp-notice" role="note">Note: {escape(n)}</div>')
    cites = list(citations)
    if cites:
        heading = "Closest material (not an answer)" if abstained else "Citations"
        parts.append(f"<h3>{heading}</h3>")
        parts.extend(citation_details(c, texts.get(str(c.get("chunk_id")))) for c in cites)
    elif not abstained:
        parts.append("<p>No citations were returned.</p>")
    if backend:
        parts.append(f'<p class="jfp-small">Answered by: {escape(backend)}</p>')
    parts.append("</div>")
    return "".join(parts)


def empty_evidence() -> str:
    return ('<div class="jfp-evidence"><p class="jfp-hint">Ask a question: the citations for the answer '
            "appear here. Select <strong>[1]</strong>, <strong>[2]</strong>… to see the quoted passage "
            "highlighted in its surrounding text. Select an earlier answer in the chat to see its sources again.</p></div>")


def error_html(message: str) -> str:
    return (f'<div class="jfp-banner jfp-error" role="alert"><strong>There is a problem.</strong> '
            f"{escape(for_the_web(message))}</div>")


def info_html(message: str) -> str:
    return f'<div class="jfp-banner jfp-notice" role="status">{escape(message)}</div>'


def answer_export(question: str, answer: str, abstained: bool, citations: Iterable[Mapping]) -> str:
    """Markdown of one answer with its citations, for copying or downloading."""
    lines = [f"# {question}", ""]
    if abstained:
        lines += ["> **Not in the sources.** The indexed documents do not answer this question.", ""]
    lines += [answer.strip(), "", "## Sources", ""]
    for c in citations:
        lines.append(f"[{c.get('n')}] {citation_label(c)} ({c.get('source') or ''})")
        lines.append(f"    > {collapse(str(c.get('quote') or ''))}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- Requirements ------------------------------------------------------------------------------
def requirements_html(result: Mapping, texts: Mapping[str, str | None]) -> str:
    reqs = list(result.get("requirements") or [])
    out = [f"<h2>{escape(str(result.get('title') or ''))}</h2>",
           f"<p><strong>Statutory basis:</strong> {escape(str(result.get('statutory_basis') or ''))}</p>"]
    if not reqs:
        out.append(info_html("The indexed sources state no requirements for this duty."))
    n = 0
    for strength in ("must", "should", "may", "other"):
        group = [r for r in reqs if (r.get("strength") or "other") == strength]
        if not group:
            continue
        out.append(f'<h3 class="jfp-strength-{strength}">{STRENGTH_LABELS[strength]} ({len(group)})</h3><ol class="jfp-reqs">')
        for r in group:
            n += 1
            c = dict(r.get("citation") or {})
            c["n"] = n
            lead = str(r.get("lead_in") or "")  # an item of a list: the lead-in it completes
            lead_html = f"<p class='jfp-lead'>In the list \u201c{escape(lead)}\u201d</p>" if lead else ""
            out.append(f"<li>{lead_html}<p>{escape(str(r.get('text') or ''))} <span class='jfp-num'>[{n}]</span></p>"
                       f"{citation_details(c, texts.get(str(c.get('chunk_id'))))}</li>")
        out.append("</ol>")
    more = int(result.get("more") or 0)
    if more:
        out.append(info_html(f"These are the {len(reqs)} requirements closest to the duty; {more} more "
                             f"{'was' if more == 1 else 'were'} found. Tick \u201cShow all requirements\u201d "
                             "and select Show requirements again to list them all."))
    return "".join(out)


# --- Draft -------------------------------------------------------------------------------------
def highlight_placeholders(markdown_text: str) -> str:
    """Markdown with HTML escaped and placeholders wrapped in <mark class="jfp-placeholder">."""
    safe = _md_text(markdown_text)
    return PLACEHOLDER.sub(lambda m: f'<mark class="jfp-placeholder">{m.group(0)}</mark>', safe)


def draft_markdown(draft: Mapping) -> str:
    """A draft (contract JSON, one section or a whole plan) as Markdown for display."""
    if "text" in draft:
        body = highlight_placeholders(str(draft.get("text") or ""))
    else:  # a whole plan: its sections one after another
        body = "\n\n".join(highlight_placeholders(str(s.get("text") or "")) for s in draft.get("sections") or [])
    n = draft.get("placeholders")
    note = ""
    if isinstance(n, int):
        note = (f"\n\n---\n\n**{n} placeholder{'s' if n != 1 else ''}** (highlighted) mark local detail to add."
                if n else "\n\n---\n\nNo placeholders are left to fill.")
    return body + note


def draft_citations_html(citations: Iterable[Mapping], texts: Mapping[str, str | None]) -> str:
    cites = list(citations)
    if not cites:
        return "<h3>Citations</h3>" + info_html("This draft cites no sources.")
    return "<h3>Citations</h3>" + "".join(citation_details(c, texts.get(str(c.get("chunk_id")))) for c in cites)


# --- Check -------------------------------------------------------------------------------------
def coverage_html(report: Mapping) -> str:
    """The RAG table: one row per duty, status in words and colour, evidence and what to add."""
    duties = list(report.get("duties") or [])
    counts = {s: sum(1 for d in duties if d.get("status") == s) for s in STATUS_LABELS}
    summary = ", ".join(f"{counts[s]} {STATUS_LABELS[s].lower()}" for s in STATUS_LABELS)
    out = [f"<p class='jfp-summary'><strong>{escape(str(report.get('plan') or 'Plan'))}</strong>: {len(duties)} duties and "
           f"content areas checked: {summary}.</p>",
           '<table class="jfp-rag"><caption>Coverage of each duty and content area</caption><thead><tr>'
           '<th scope="col">Duty or content area</th><th scope="col">Status</th><th scope="col">Evidence in the plan</th>'
           '<th scope="col">What the guidance asks for</th></tr></thead><tbody>']
    for d in duties:
        status = str(d.get("status") or "missing")
        score = d.get("score")
        score_txt = f"<span class='jfp-small'>score {float(score):.2f}</span>" if isinstance(score, int | float) else ""
        kind = "statutory duty" if d.get("kind") == "duty" else "content area"
        ev = "".join(
            f"<li><q>{escape(str(e.get('quote') or ''))}</q> <span class='jfp-small'>"
            f"({escape(', '.join(x for x in (page_label(e.get('page')) if e.get('page') else '', str(e.get('section') or '')) if x))})"
            "</span></li>" for e in (d.get("evidence") or [])
        )
        guide = "".join(
            f"<li>{escape(collapse(str(g.get('quote') or '')))} <span class='jfp-small'>({escape(citation_label(g))})</span></li>"
            for g in (d.get("guidance") or [])[:3]
        )
        out.append(
            f"<tr class='jfp-row-{escape(status)}'><th scope='row'>{escape(str(d.get('title') or d.get('duty_id') or ''))}"
            f"<br><span class='jfp-small'>{kind}</span></th>"
            f"<td><span class='jfp-status jfp-status-{escape(status)}'>{STATUS_LABELS.get(status, escape(status))}</span><br>{score_txt}</td>"
            f"<td>{'<ul>' + ev + '</ul>' if ev else '<em>Nothing found in the plan.</em>'}</td>"
            f"<td>{'<ul>' + guide + '</ul>' if guide else ''}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


# --- Library -------------------------------------------------------------------------------------
def _table(caption: str, headers: list[str], rows: list[list], empty: str, cls: str) -> str:
    if not rows:
        return f"<p class='jfp-hint'>{escape(empty)}</p>"
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return (f'<table class="jfp-table {cls}"><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _by(doc) -> str:
    """"NHS Confederation · " when the document's publisher is known."""
    publisher = getattr(doc, "publisher", "")
    return f"{publisher} · " if publisher else ""


def library_html(docs: Iterable) -> str:
    docs = list(docs)
    if not docs:
        return "<p class='jfp-hint'>The library is empty. Add documents, or index the shipped guidance.</p>"
    rows = "".join(
        f"<tr><td>{escape(d.title)}<br><span class='jfp-small'>{escape(_by(d))}{escape(d.source)} · id {escape(d.doc_id)}"
        "</span></td>"
        f"<td>{escape(d.kind.replace('_', ' '))}</td><td>{'' if d.pages is None else d.pages}</td><td>{d.chunks}</td>"
        f"<td>{escape((d.added_at or '')[:16].replace('T', ' '))}</td></tr>" for d in docs)
    return (f'<table class="jfp-table jfp-library"><caption>Indexed documents ({len(docs)})</caption><thead><tr>'
            '<th scope="col">Title and file</th><th scope="col">Kind</th><th scope="col">Pages</th>'
            f'<th scope="col">Passages</th><th scope="col">Added (UTC)</th></tr></thead><tbody>{rows}</tbody></table>')


def upload_summary(results: Iterable[str]) -> str:
    """One line on an upload, from each file's result ('added', 'updated', 'unchanged', 'not added')."""
    results = list(results)
    new = sum(1 for r in results if r in ("added", "updated"))
    there = results.count("unchanged")
    failed = results.count("not added")
    parts = [f"{plural(new, 'file')} added to the library" if new else "No files added"]
    if there:
        parts.append(f"{plural(there, 'file')} {'was' if there == 1 else 'were'} already there, unchanged")
    if failed:
        parts.append(f"{plural(failed, 'file')} could not be added (see below)")
    return "; ".join(parts) + "."


def results_html(rows: list[list[str]]) -> str:
    return _table("Result for each file", ["File", "Result", "Details"], rows, "", "jfp-results")
