"""The README and the pages of docs/ link to one another: every relative link resolves to a file and,
with `#anchor`, to a heading of that page (GitHub's slugs), and every page is reachable from the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: An inline link or image, `[text](target)` or `![alt](target "title")`; the target has no spaces.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")

#: A fenced code block (``` or ~~~), whose text holds no links.
FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", flags=re.MULTILINE | re.DOTALL)

#: An ATX heading: one to six `#`, a space, the text (a closing run of `#` dropped).
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", flags=re.MULTILINE)


def without_code(text: str) -> str:
    """The text with fenced code blocks and inline code spans blanked out."""
    text = FENCE.sub("", text)
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")  # HTML tags, code marks
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings; a repeated heading gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(page: Path) -> list[str]:
    """The targets of a page's links that point into the repository (no scheme, no mail)."""
    targets = LINK.findall(without_code(page.read_text(encoding="utf-8")))
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t, flags=re.IGNORECASE)]


def link_problem(page: Path, target: str) -> str | None:
    """What is wrong with one relative link of `page`, or None when it resolves."""
    path, _, anchor = target.partition("#")
    linked = (page.parent / path).resolve() if path else page.resolve()
    if not linked.exists():
        return f"{target}: no file {linked}"
    if anchor and linked.suffix == ".md" and anchor not in anchors(linked):
        return f"{target}: {linked.name} has no heading whose anchor is #{anchor}"
    return None


def broken_links(pages: list[Path]) -> list[str]:
    """`page: problem` for every relative link of the pages that does not resolve."""
    return [
        f"{page.name}: {problem}"
        for page in pages
        for target in relative_links(page)
        if (problem := link_problem(page, target)) is not None
    ]


def unreachable_pages(readme: Path, docs: Path) -> list[str]:
    """The Markdown pages of `docs` that no chain of links from `readme` reaches."""
    reached = {readme.resolve()}
    todo = [readme.resolve()]
    while todo:
        page = todo.pop()
        for target in relative_links(page):
            path = target.partition("#")[0]
            linked = (page.parent / path).resolve() if path else page
            if linked.suffix == ".md" and linked.is_file() and linked not in reached:
                reached.add(linked)
                todo.append(linked)
    return sorted(p.name for p in docs.glob("*.md") if p.resolve() not in reached)


def project_pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


# ---------- the project's pages


def test_docs_has_pages() -> None:
    assert len(project_pages()) > 1


def test_every_link_between_the_readme_and_docs_resolves() -> None:
    assert broken_links(project_pages()) == []


def test_every_docs_page_is_reachable_from_the_readme() -> None:
    assert unreachable_pages(REPO / "README.md", REPO / "docs") == []


# ---------- the checker, on pages of its own


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        (
            "Latest findings (May 2025, the default workbooks)",
            "latest-findings-may-2025-the-default-workbooks",
        ),
        ("`wage sql` and `wage export`", "wage-sql-and-wage-export"),
        ("Limitations: what the data cannot tell", "limitations-what-the-data-cannot-tell"),
        ("Symbolic links and dbt's target folder", "symbolic-links-and-dbts-target-folder"),
        ("Staging → marts", "staging--marts"),
        ("Python: the layers of the package", "python-the-layers-of-the-package"),
    ],
)
def test_slug_follows_githubs_rules(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_a_repeated_heading_gets_a_numbered_anchor(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Notes\n\n## Notes\n\n## Notes\n")
    assert anchors(page) == {"notes", "notes-1", "notes-2"}


def test_a_link_to_a_missing_file_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text("See [the guide](docs/guide.md).\n")
    assert broken_links([page]) == [
        f"README.md: docs/guide.md: no file {tmp_path / 'docs' / 'guide.md'}"
    ]


def test_a_link_to_a_missing_heading_is_reported(tmp_path: Path) -> None:
    (tmp_path / "guide.md").write_text("# Guide\n\n## Setup\n")
    page = tmp_path / "README.md"
    page.write_text("[ok](guide.md#setup) and [not](guide.md#install) and [here](#nowhere)\n")
    assert broken_links([page]) == [
        "README.md: guide.md#install: guide.md has no heading whose anchor is #install",
        "README.md: #nowhere: README.md has no heading whose anchor is #nowhere",
    ]


def test_links_in_code_and_to_the_web_are_not_checked(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text(
        "```\n[a](missing.md)\n```\n`[b](missing.md)` [c](https://example.org/x.md) [d](mailto:a@b.c)\n"
    )
    assert broken_links([page]) == []


def test_a_page_linked_only_from_another_page_is_reachable(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "README.md").write_text("[first](docs/first.md)\n")
    (docs / "first.md").write_text("[second](second.md)\n")
    (docs / "second.md").write_text("# Second\n")
    (docs / "orphan.md").write_text("# Orphan\n")
    assert unreachable_pages(tmp_path / "README.md", docs) == ["orphan.md"]
