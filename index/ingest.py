"""Ingest files and folders: parse each, apply single-file overrides, hand records to the index."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .dates import normalize_published_at
from .knowledge import KnowledgeIndex, Progress
from .limits import DEFAULT_MAX_ARTICLE_CHARS, refuse_oversized
from .models import ArticleRecord, IngestReport, IngestResult
from .parse import DEFAULT_MAX_BYTES, iter_article_files, read_path
from .text import normalize_outlet


@dataclass(frozen=True)
class Overrides:
    """Metadata given on the command line for a single file."""

    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    published_at: str | None = None
    id: str | None = None

    def any(self) -> bool:
        return any((self.outlet, self.title, self.url, self.published_at, self.id))

    def apply(self, record: ArticleRecord) -> None:
        record.publisher = self.outlet or record.publisher
        record.title = self.title or record.title
        record.url = self.url or record.url
        record.published_at = self.published_at or record.published_at
        if self.id:
            record.set_id(self.id)


def collect_records(
    paths: list[Path], overrides: Overrides | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[ArticleRecord], list[IngestResult]]:
    """Read every file; parse failures become `failed` results naming the file (and line)."""
    files = list(iter_article_files(paths))
    if overrides and overrides.any() and len(files) != 1:
        raise ValueError(f"--outlet/--title/--url/--published-at/--id apply to a single file; got {len(files)} files")
    if overrides and overrides.published_at:  # refused up front (ParseError), before any file is read
        overrides = replace(overrides, published_at=normalize_published_at(overrides.published_at, "--published-at"))
    records: list[ArticleRecord] = []
    failures: list[IngestResult] = []
    for path in files:
        found, errors = read_path(path, max_bytes=max_bytes)
        failures.extend(IngestResult(source=str(path), status="failed", message=str(e)) for e in errors)
        for record in found:
            if overrides and overrides.any():
                overrides.apply(record)
            record.publisher = normalize_outlet(record.publisher)  # a zero-width char must not split an outlet
        records.extend(found)
    if not files:
        failures.append(IngestResult(source=", ".join(map(str, paths)), status="failed", message="no article files found"))
    return records, failures


def ingest_paths(
    index: KnowledgeIndex,
    paths: list[Path],
    overrides: Overrides | None = None,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_ARTICLE_CHARS,
) -> IngestReport:
    """Ingest files/folders; the report lists every file as added/unchanged/replaced/failed.

    An article over `max_chars` characters is `failed` before anything is embedded; the rest go on.
    """
    records, failures = collect_records(paths, overrides, max_bytes)
    records, too_large = refuse_oversized(records, max_chars)
    report = index.ingest_records(records, progress=progress)
    report.results = failures + too_large + report.results
    return report
