"""The report's Markdown as one self-contained HTML page, under a Content-Security-Policy.

Charts are embedded as data URIs, so the page opens offline as one file; the policy allows
no script and no request, only the page's own inline style and data: images.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import markdown

__all__ = ["HTML_PAGE", "content_security_policy", "report_html"]

_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #f3f3f3; }
img { max-width: 100%; border: 1px solid #eee; }
code { background: #f6f6f6; padding: 0 0.2rem; }
"""

HTML_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style></head>
<body>
{body}
</body></html>
"""


def content_security_policy(style: str) -> str:
    """The report's CSP: no script, no request anywhere; only its own inline style and data: images."""
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; img-src data:; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"


def report_html(markdown_text: str, artifacts_dir: Path) -> str:
    """The Markdown as one self-contained HTML page: charts embedded as data URIs, no external resource.

    A Content-Security-Policy forbids every script and every request: even text that
    escaped escaping could not run or call out.
    """
    # `align` attributes, not `style` ones: the page's CSP allows no inline style, so a right-aligned
    # column (`---:`) written as style="text-align: right" would be dropped
    body = markdown.markdown(
        markdown_text,
        extensions=["tables"],
        extension_configs={"tables": {"use_align_attribute": True}},
    )

    def embedded(match: re.Match[str]) -> str:
        image = artifacts_dir / match.group(1)
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^":]+\.png)"', embedded, body)
    title = re.search(r"<h1>(.*?)</h1>", body)
    return HTML_PAGE.format(
        csp=content_security_policy(_STYLE),
        title=title.group(1) if title else "OEWS wage report",
        style=_STYLE,
        body=body,
    )
