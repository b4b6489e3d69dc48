"""Run jobs on a shared thread pool, one at a time per key (a Slack channel), in the order submitted."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor

log = logging.getLogger(__name__)


class OrderedWork:
    """Per-key FIFO queues drained on `executor`: keys run in parallel, each key's jobs in order.

    So a burst of mentions in one channel is answered in the order it was asked (and waits its
    turn behind Slack's rate limit), while another channel's questions are not held up.
    """

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._queues: dict[str, deque[Callable[[], None]]] = {}
        self._lock = threading.Lock()

    def submit(self, key: str, job: Callable[[], None]) -> None:
        """Queue `job` behind the jobs already submitted for `key`."""
        with self._lock:
            queue = self._queues.get(key)
            if queue is not None:  # a drain for this key is running or scheduled: it will get to the job
                queue.append(job)
                return
            self._queues[key] = deque([job])
        self._executor.submit(self._drain, key)

    def pending(self) -> int:
        """Jobs queued or running, over all keys."""
        with self._lock:
            return sum(len(q) for q in self._queues.values())

    def _drain(self, key: str) -> None:
        while True:
            with self._lock:
                queue = self._queues[key]
                if not queue:
                    del self._queues[key]
                    return
                job = queue[0]
            try:
                job()
            except Exception:  # one failed job must not stop the channel's queue
                log.exception("a queued Slack job for %s failed", key)
            with self._lock:
                queue.popleft()
