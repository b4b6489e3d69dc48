"""The knowledge side of Briefbot: from article text to attributed, searchable chunks.

Public surface: `KnowledgeIndex` (ingest_records, search, articles, delete), `ingest_paths`,
the typed models, and the errors. This package never imports `bot`, FastAPI or Slack.
"""

from .errors import ArticleNotFound, BriefbotIndexError, EmbedderUnavailable, ParseError, StoreUnavailable
from .ingest import Overrides, collect_records, ingest_paths
from .knowledge import KnowledgeIndex
from .lexical import stem, tokenize
from .models import (
    Article,
    ArticleInfo,
    ArticleRecord,
    Chunk,
    IngestReport,
    IngestResult,
    Passage,
    Sentence,
)
from .records import ArticleIn, record_from_mapping

__all__ = [
    "Article", "ArticleIn", "ArticleInfo", "ArticleNotFound", "ArticleRecord", "BriefbotIndexError", "Chunk",
    "EmbedderUnavailable", "IngestReport", "IngestResult", "KnowledgeIndex", "Overrides", "ParseError",
    "Passage", "Sentence", "StoreUnavailable", "collect_records", "ingest_paths", "record_from_mapping",
    "stem", "tokenize",
]
