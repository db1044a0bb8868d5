"""The look of the web UI: NHS-style colours, plain type, clear focus, readable on a laptop screen.

Fonts are system fonts (Arial, as in NHS print): the page loads nothing from outside this machine.
Every rule below that sets a background also sets the text colour, and has a ``.dark`` twin, so the
text stays readable whichever colour scheme the computer uses.
"""

from __future__ import annotations

import gradio as gr

NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
NHS_TEXT = "#212b32"
NHS_GREY = "#4c6272"
NHS_PALE = "#f0f4f5"
NHS_YELLOW = "#ffeb3b"
# Dark scheme (Gradio puts the class "dark" on <body> when the system asks for it): Gradio's own
# text turns near-white there, so every box with a background of ours gets a dark variant too.
DARK_TEXT = "#f1f5f9"
DARK_MUTED = "#cbd5e1"
DARK_CARD = "#1e293b"
DARK_LINE = "#475569"
DARK_LINK = "#93c5fd"
FONT = ["Arial", "Helvetica", "ui-sans-serif", "system-ui", "sans-serif"]


def theme() -> gr.themes.Base:
    return gr.themes.Base(
        primary_hue=gr.themes.colors.blue, neutral_hue=gr.themes.colors.slate,
        font=FONT, font_mono=["ui-monospace", "Consolas", "monospace"], text_size=gr.themes.sizes.text_md,
    ).set(
        body_text_color=NHS_TEXT, body_background_fill="white",
        button_primary_background_fill=NHS_BLUE, button_primary_background_fill_hover=NHS_DARK_BLUE,
        button_primary_text_color="white", button_primary_border_color=NHS_BLUE,
        link_text_color=NHS_BLUE, color_accent=NHS_BLUE, color_accent_soft=NHS_PALE,
        block_label_text_color=NHS_TEXT, block_title_text_color=NHS_TEXT,
    )


CSS = f"""
.gradio-container {{ max-width: 1360px !important; margin: 0 auto; }}
#jfp-header {{ background: {NHS_BLUE}; color: white; padding: 6px 16px; border-radius: 4px; }}
#jfp-header h1 {{ color: white; margin: 0; font-size: 1.3rem; }}
#jfp-header p {{ color: white; margin: 2px 0 0; font-size: .95rem; }}
button[role="tab"] {{ font-size: 1.02rem !important; font-weight: 600; }}
*:focus-visible {{ outline: 3px solid {NHS_YELLOW} !important; outline-offset: 0; box-shadow: 0 0 0 5px {NHS_TEXT} !important; }}
.jfp-evidence h3, .jfp-out h3 {{ margin: 10px 0 6px; font-size: 1.05rem; }}
.jfp-q {{ color: {NHS_GREY}; margin: 0 0 8px; }}
.jfp-hint {{ color: {NHS_GREY}; }}
.jfp-small {{ color: {NHS_GREY}; font-size: .85rem; }}
.jfp-banner {{ border-left: 8px solid {NHS_BLUE}; background: {NHS_PALE}; color: {NHS_TEXT}; padding: 10px 14px; margin: 8px 0; }}
.jfp-abstain {{ border-left-color: #ffb81c; background: #fff9e6; font-size: 1.02rem; }}
.jfp-error {{ border-left-color: #d5281b; background: #fdecea; }}
.jfp-ok {{ border-left-color: #007f3b; background: #e8f5ec; }}
details.jfp-cite {{ border: 1px solid #d8dde0; border-radius: 4px; margin: 6px 0; background: white; color: {NHS_TEXT}; }}
details.jfp-cite > summary {{ cursor: pointer; padding: 8px 10px; font-weight: 600; color: {NHS_BLUE}; }}
details.jfp-cite[open] > summary {{ border-bottom: 1px solid #d8dde0; }}
.jfp-num {{ font-weight: 700; color: {NHS_DARK_BLUE}; }}
dl.jfp-meta {{ display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 8px 10px; font-size: .9rem; }}
dl.jfp-meta dt {{ font-weight: 600; color: {NHS_GREY}; }}
dl.jfp-meta dd {{ margin: 0; }}
p.jfp-context {{ margin: 8px 10px 10px; line-height: 1.5; }}
mark {{ background: {NHS_YELLOW}; color: {NHS_TEXT}; padding: 0 2px; }}
mark.jfp-placeholder {{ background: #ffe0b2; border: 1px dashed #b35c00; }}
ol.jfp-reqs > li {{ margin-bottom: 8px; }}
ol.jfp-reqs p {{ margin: 0 0 4px; }}
h3.jfp-strength-must {{ color: #8a1538; }}
table.jfp-table {{ border-collapse: collapse; width: 100%; font-size: .9rem; }}
table.jfp-table caption {{ text-align: left; font-weight: 600; padding: 4px 0; }}
table.jfp-table th, table.jfp-table td {{ border-bottom: 1px solid #d8dde0; padding: 5px 8px; text-align: left; vertical-align: top; }}
table.jfp-table thead th {{ background: {NHS_PALE}; color: {NHS_TEXT}; }}
table.jfp-rag {{ border-collapse: collapse; width: 100%; font-size: .92rem; }}
table.jfp-rag caption {{ text-align: left; font-weight: 600; padding: 4px 0; }}
table.jfp-rag th, table.jfp-rag td {{ border: 1px solid #d8dde0; padding: 6px 8px; vertical-align: top; text-align: left; }}
table.jfp-rag thead th {{ background: {NHS_PALE}; color: {NHS_TEXT}; }}
table.jfp-rag ul {{ margin: 0; padding-left: 18px; }}
.jfp-status {{ display: inline-block; padding: 2px 8px; border-radius: 3px; font-weight: 700; white-space: nowrap; }}
.jfp-status-addressed {{ background: #007f3b; color: white; }}
.jfp-status-partial {{ background: #ffb81c; color: {NHS_TEXT}; }}
.jfp-status-missing {{ background: #d5281b; color: white; }}
.dark .jfp-banner {{ background: {DARK_CARD}; color: {DARK_TEXT}; }}
.dark .jfp-abstain {{ background: #3d3000; }}
.dark .jfp-error {{ background: #4a1410; }}
.dark .jfp-ok {{ background: #0d3320; }}
.dark details.jfp-cite {{ background: {DARK_CARD}; color: {DARK_TEXT}; border-color: {DARK_LINE}; }}
.dark details.jfp-cite > summary {{ color: {DARK_LINK}; }}
.dark details.jfp-cite[open] > summary {{ border-bottom-color: {DARK_LINE}; }}
.dark .jfp-num {{ color: {DARK_LINK}; }}
.dark .jfp-q, .dark .jfp-hint, .dark .jfp-small, .dark dl.jfp-meta dt {{ color: {DARK_MUTED}; }}
.dark h3.jfp-strength-must {{ color: #fda4af; }}
.dark table.jfp-table thead th, .dark table.jfp-rag thead th {{ background: {DARK_CARD}; color: {DARK_TEXT}; }}
.dark table.jfp-table th, .dark table.jfp-table td, .dark table.jfp-rag th, .dark table.jfp-rag td {{ border-color: {DARK_LINE}; }}
"""

HEADER = (
    '<div id="jfp-header"><h1>Joint forward plan assistant</h1>'
    "<p>Cited answers, requirements, drafts and checks from the NHS guidance and your own documents. "
    "Everything stays on this computer.</p></div>"
)
