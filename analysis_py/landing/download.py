"""The bounded download of one release zip: a size limit, an overall deadline, same-host redirects.

BLS refuses clients without a browser-like User-Agent and a contact e-mail, so both are
sent. The zip streams to a file and is hashed as it comes; a declared or received size
over the limit, a web page instead of the zip, a deadline passed while it trickles, or a
redirect to another host stops it with an InputError that says how to download it by hand.
"""

from __future__ import annotations

import hashlib
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from analysis_py.bls import TABLES_PAGE
from analysis_py.errors import InputError
from analysis_py.landing.workbook_checks import size_text

__all__ = ["download_zip", "user_agent"]

logger = logging.getLogger(__name__)

_MAX_DOWNLOAD_BYTES = 512 << 20  # BLS's largest zip (all data) is ~90 MB


def user_agent(contact: str) -> str:
    """A browser-like User-Agent naming this tool and a contact e-mail, as BLS asks of scripts."""
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"wage-warehouse/0.1 (+mailto:{contact})"
    )


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the host (and scheme) the download started from."""

    def __init__(self, url: str) -> None:
        self.origin = urllib.parse.urlsplit(url)

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        target = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        if (target.scheme, target.hostname, target.port) != (
            self.origin.scheme,
            self.origin.hostname,
            self.origin.port,
        ):
            raise InputError(
                self.origin.geturl(),
                f"redirected (HTTP {code}) to another host, {target.scheme}://{target.netloc}: not followed "
                "(set --base-url to where the zips really are)",
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download_zip(
    url: str, target: Path, contact: str, timeout: float, by_hand: str, deadline: float
) -> tuple[str, str]:
    """Stream `url` into `target` under the size limit and the overall `deadline` (seconds);
    return the final URL (after same-host redirects) and the SHA-256."""
    headers = {
        "User-Agent": user_agent(contact),
        "From": contact,
        "Accept": "application/zip, */*;q=0.8",
        "Accept-Language": "en-US,en;q=0.9",
    }
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(_SameHostRedirects(url))
    digest = hashlib.sha256()
    ends = time.monotonic() + deadline
    logger.info("downloading %s", url)
    try:
        with (
            opener.open(request, timeout=min(timeout, deadline)) as response,
            target.open("xb") as out,
        ):
            final_url = response.geturl()
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > _MAX_DOWNLOAD_BYTES:
                raise InputError(
                    url,
                    f"is {size_text(declared)}, more than the {size_text(_MAX_DOWNLOAD_BYTES)} a BLS zip can be: refused",
                )
            if "text/html" in (response.headers.get("Content-Type") or ""):
                raise InputError(
                    url, f"BLS sent a web page, not the zip (a block or an error page): {by_hand}"
                )
            received = 0
            while block := response.read1(
                1 << 20
            ):  # what has arrived: the deadline is checked as it trickles
                received += len(block)
                if received > _MAX_DOWNLOAD_BYTES:
                    raise InputError(
                        url,
                        f"sent more than {size_text(_MAX_DOWNLOAD_BYTES)}, more than a BLS zip can be: refused",
                    )
                if time.monotonic() > ends:
                    raise InputError(
                        url,
                        f"download took longer than {deadline:g} s ({size_text(received)} received): stopped; try again later or {by_hand}",
                    )
                digest.update(block)
                out.write(block)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise InputError(
                url,
                f"BLS refused the download (HTTP {exc.code}): it blocks clients without a browser-like "
                f"User-Agent and a contact e-mail (check --contact); or {by_hand}",
            ) from None
        if exc.code == 404:
            raise InputError(
                url, f"no such file (HTTP 404): is this release published yet? See {TABLES_PAGE}"
            ) from None
        raise InputError(
            url, f"download failed (HTTP {exc.code} {exc.reason}): {by_hand}"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(url, f"cannot download ({reason}): no network? {by_hand}") from None
    if final_url != url:
        logger.info("%s was redirected to %s (same host)", url, final_url)
    logger.info(
        "downloaded %s: %s, sha256 %s",
        final_url,
        size_text(target.stat().st_size),
        digest.hexdigest(),
    )
    return final_url, digest.hexdigest()
