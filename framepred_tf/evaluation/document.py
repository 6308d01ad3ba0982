"""A tiny document model rendered twice: Markdown (``report.md``) and standalone HTML.

The report is a list of blocks -- headings, paragraphs, tables, figures -- so both files
always carry the same content.
"""
import dataclasses
import html

_CSS = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
th { background: #eee; }
caption { caption-side: top; text-align: left; font-weight: bold; margin-bottom: 0.3em; }
p.note { font-size: 0.85em; color: #555; }
figure { margin: 1em 0 2em; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #333; }
"""


@dataclasses.dataclass
class Heading:
    text: str
    level: int = 2


@dataclasses.dataclass
class Paragraph:
    text: str


@dataclasses.dataclass
class Bullets:
    items: list


@dataclasses.dataclass
class Table:
    """``columns`` header strings; ``rows`` lists of already formatted cells."""

    title: str
    columns: list
    rows: list
    note: str = ""

    def numeric(self):
        """Per column: True when every cell is a number or a dash (right-aligned)."""
        return [all(_is_number(row[i]) for row in self.rows) if self.rows else False
                for i in range(len(self.columns))]


@dataclasses.dataclass
class Image:
    """A figure stored at ``path`` relative to the report folder."""

    path: str
    caption: str


def to_markdown(title, blocks):
    lines = [f"# {title}", ""]
    for block in blocks:
        lines.extend(_markdown_block(block))
        lines.append("")
    return "\n".join(lines)


def to_html(title, blocks):
    body = "\n".join(_html_block(block) for block in blocks)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n")


def _markdown_block(block):
    if isinstance(block, Heading):
        return ["#" * block.level + " " + block.text]
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Bullets):
        return [f"- {item}" for item in block.items]
    if isinstance(block, Table):
        rule = "|".join("---:" if numeric else "---" for numeric in block.numeric())
        lines = [f"**{block.title}**", "", "| " + " | ".join(block.columns) + " |", "|" + rule + "|"]
        lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in block.rows]
        if block.note:
            lines += ["", f"*{block.note}*"]
        return lines
    if isinstance(block, Image):
        return [f"![{block.caption}]({block.path})", "", f"*{block.caption}*"]
    raise TypeError(f"unknown block {type(block).__name__}")


def _html_block(block):
    if isinstance(block, Heading):
        return f"<h{block.level}>{html.escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{html.escape(str(item))}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in block.columns)
        styles = ["" if numeric else " class=\"text\"" for numeric in block.numeric()]
        rows = "".join("<tr>" + "".join(f"<td{style}>{html.escape(str(c))}</td>" for c, style in zip(row, styles))
                       + "</tr>" for row in block.rows)
        note = f"<p class=\"note\">{html.escape(block.note)}</p>" if block.note else ""
        return (f"<table><caption>{html.escape(block.title)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{rows}</tbody></table>{note}")
    if isinstance(block, Image):
        return (f"<figure><img src=\"{html.escape(block.path)}\" alt=\"{html.escape(block.caption)}\">"
                f"<figcaption>{html.escape(block.caption)}</figcaption></figure>")
    raise TypeError(f"unknown block {type(block).__name__}")


def _is_number(cell):
    text = str(cell).replace(",", "")
    if text in ("—", "-"):
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def _md_cell(cell):
    # A literal pipe would split the Markdown cell.
    return str(cell).replace("|", "\\|")
