"""Read article files (.txt .md .html .json .jsonl) into `ArticleRecord`s.

Every problem becomes a `ParseError` naming the file (and line for JSONL); one bad record never
hides the good ones in the same file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .dates import normalize_published_at
from .errors import ParseError
from .ids import slugify
from .models import ArticleRecord
from .records import record_from_mapping

SUPPORTED = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
META_SUFFIX = ".meta.json"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def iter_article_files(paths: list[Path]) -> Iterator[Path]:
    """Files named directly, and the supported files inside named folders (sorted, recursive)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUPPORTED and not child.name.endswith(META_SUFFIX):
                    yield child
        else:
            yield path


def article_id_from_name(path: Path) -> str:
    """`seed.txt` → `seed`, `новость-1.txt` → `новость-1`; see `index.ids.slugify`."""
    return slugify(path.stem)


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[ArticleRecord], list[ParseError]]:
    """Parse one file into records. Whole-file problems come back as a single error."""
    name = str(path)
    suffix = path.suffix.lower()
    if not path.exists():
        return [], [ParseError(f"{name}: no such file")]
    if suffix not in SUPPORTED:
        return [], [ParseError(f"{name}: unsupported file type '{suffix or '(none)'}' (use {' '.join(SUPPORTED)})")]
    size = path.stat().st_size
    if size > max_bytes:
        return [], [ParseError(f"{name}: file too large ({size / 1_048_576:.1f} MB > {max_bytes / 1_048_576:.1f} MB limit)")]
    raw = path.read_bytes()
    try:
        text = decode_text(raw, name)
    except ParseError as exc:
        return [], [exc]
    if not text.strip():
        return [], [ParseError(f"{name}: empty file")]
    meta = _read_sidecar(path)
    if isinstance(meta, ParseError):
        return [], [meta]
    try:
        if suffix in (".json", ".jsonl"):
            return _parse_json(text, name, path, jsonl=suffix == ".jsonl")
        if suffix in (".html", ".htm"):
            record = parse_html(text, name)
        else:
            record = parse_plain(text, name, markdown=suffix == ".md")
    except ParseError as exc:
        return [], [exc]
    record.set_id(str(meta["id"]) if meta.get("id") else path.stem)
    try:
        _apply_meta(record, meta)
    except ParseError as exc:
        return [], [exc]
    return [record], []


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM); binary and invalid UTF-8 are refused with the byte offset."""
    if b"\x00" in raw[:8192]:
        return _raise(f"{name}: binary file (contains NUL bytes), not an article")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _raise(f"{name}: not valid UTF-8 at byte {exc.start}; re-save the file as UTF-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _raise(message: str) -> str:
    raise ParseError(message)


def parse_plain(text: str, name: str, markdown: bool = False) -> ArticleRecord:
    """First non-empty line is the title; a short following line without a full stop is the dek."""
    lines = text.split("\n")
    idx = next((i for i, line in enumerate(lines) if line.strip()), None)
    if idx is None:
        raise ParseError(f"{name}: empty file")
    title = lines[idx].strip()
    body = "\n".join(lines[idx + 1 :]).strip("\n")
    if markdown:
        title = _strip_markdown(re.sub(r"^#+\s*", "", title))
        body = "\n".join(_strip_markdown(line) for line in body.split("\n"))
    if not body.strip():
        raise ParseError(f"{name}: has a title but no article text")
    return ArticleRecord(title=title, text=body, source=name)


def _strip_markdown(line: str) -> str:
    """Inline Markdown to plain text: links keep their text, emphasis marks and list bullets go."""
    line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"(\*\*|\*)(?=\S)(.+?)(?<=\S)\1", r"\2", line)
    line = re.sub(r"(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\1(?!\w)", r"\2", line)
    line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+(?=\S)", "", line)
    return re.sub(r"^\s*>\s?", "", line)


def parse_html(html: str, name: str) -> ArticleRecord:
    """Article text without page chrome, and the page's own metadata.

    trafilatura's bare extraction drops navigation, related links and footers and reads the
    title, site name (the publisher), date and canonical URL from the meta tags; a page it finds
    no article in goes through `parse_html_blocks`, the plain BeautifulSoup reading.
    """
    import trafilatura

    try:
        found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False,
                                            deduplicate=False)
    except Exception:  # a library bug on odd markup must not lose the article: read it plainly
        found = None
    page: dict[str, Any] = {} if found is None else found if isinstance(found, dict) else found.as_dict()
    lines = [line.strip() for line in (page.get("text") or "").split("\n") if line.strip()]
    title = (page.get("title") or "").strip()
    if lines and title and lines[0] == title:
        lines = lines[1:]  # the headline is the title, not the first paragraph
    if not lines:
        return parse_html_blocks(html, name)
    try:
        published_at = normalize_published_at(page.get("date"), f"{name} (page date)")
    except ParseError:
        published_at = None  # a page date we cannot read is not worth refusing the article
    url = page.get("url") if str(page.get("url") or "").startswith(("http://", "https://")) else None
    return ArticleRecord(title=title or lines[0][:80], text="\n".join(lines), source=name,
                         publisher=(page.get("sitename") or "").strip() or None, published_at=published_at, url=url,
                         author=(page.get("author") or "").strip() or None)


def parse_html_blocks(html: str, name: str) -> ArticleRecord:
    """Article text without page chrome: prefer <article>/<main>, drop nav, scripts, footers."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "template"]):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    h1 = root.find("h1") or soup.find("h1")
    title = h1.get_text(" ", strip=True) if h1 else ""
    if not title and soup.title:
        title = soup.title.get_text(" ", strip=True)
    blocks: list[str] = []
    for el in root.find_all(["p", "h2", "h3", "h4", "li", "blockquote"]):
        if el.find_parent(["p", "li", "blockquote"]) is not None:
            continue  # nested block: its text is already in the parent
        text = re.sub(r"\s+", " ", el.get_text(" ", strip=True)).strip()
        text = re.sub(r"\s+([,.;:!?’”)])", r"\1", text)
        if text and text != title:
            blocks.append(text)
    if not blocks:
        raise ParseError(f"{name}: no article text found in the HTML (no <p> or headings)")
    return ArticleRecord(title=title or blocks[0][:80], text="\n".join(blocks), source=name)


def _parse_json(text: str, name: str, path: Path, jsonl: bool) -> tuple[list[ArticleRecord], list[ParseError]]:
    records: list[ArticleRecord] = []
    errors: list[ParseError] = []
    items: list[tuple[int | None, Any]] = []
    if jsonl:
        for lineno, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                items.append((lineno, json.loads(line)))
            except json.JSONDecodeError as exc:
                errors.append(ParseError(f"{name}, line {lineno}: invalid JSON ({exc.msg} at column {exc.colno})"))
            except RecursionError:
                errors.append(ParseError(f"{name}, line {lineno}: JSON nested too deeply to read"))
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [ParseError(f"{name}: invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")]
        except RecursionError:
            return [], [ParseError(f"{name}: JSON nested too deeply to read")]
        if isinstance(data, list):
            items = [(i + 1, item) for i, item in enumerate(data)]
        else:
            items = [(None, data)]
    for position, item in items:
        try:
            record = record_from_mapping(item, name, position)
        except ParseError as exc:
            errors.append(exc)
            continue
        if record.id is None:
            record.set_id(path.stem if len(items) == 1 else f"{path.stem}-{position}")
        records.append(record)
    return records, errors


def _read_sidecar(path: Path) -> dict[str, Any] | ParseError:
    sidecar = path.with_name(path.stem + META_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return ParseError(f"{sidecar}: invalid metadata sidecar ({exc})")
    except RecursionError:
        return ParseError(f"{sidecar}: invalid metadata sidecar (JSON nested too deeply to read)")
    if not isinstance(data, dict):
        return ParseError(f"{sidecar}: metadata sidecar must be a JSON object")
    return data


def _apply_meta(record: ArticleRecord, meta: dict[str, Any]) -> None:
    if meta.get("title"):
        record.title = str(meta["title"])
    record.publisher = meta.get("publisher") or meta.get("outlet") or record.publisher
    record.url = meta.get("url") or record.url
    if meta.get("published_at"):
        record.published_at = normalize_published_at(str(meta["published_at"]), f"{record.source} (metadata sidecar)")
    record.genre = meta.get("genre") or record.genre
    record.author = meta.get("author") or record.author
