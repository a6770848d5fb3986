# The two set-up commands of the README:  `make serve`  and  `make test`.
# Both work on a fresh clone with ../shared beside it; both are idempotent.
PY       ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
CORPUS   ?= ../shared/corpus/pdf
INDEX    ?= data/index
HOST     ?= 127.0.0.1
PORT     ?= 8000
STAMP    := $(VENV)/.installed

.PHONY: install serve index test lint browser clean

# CPU PyTorch first: a bare `torch` requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,fast,milvus]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/cartagena ingest --corpus $(CORPUS) --index $(INDEX)

serve: index
	$(BIN)/cartagena serve --index $(INDEX) --host $(HOST) --port $(PORT)

browser:
	scripts/install-browser.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy cartagena corpus text embedding index ingest search service api evals web benchmarks

test: install browser lint
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) $(INDEX) .cache artifacts
