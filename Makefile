# govqa: `make demo` runs the main job on the demo corpus, `make test` runs what CI runs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GOVQA_DATA_DIR ?= .govqa

.PHONY: install demo serve test lint bench clean

install: $(STAMP)

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3

# torch first, from the CPU wheel: otherwise sentence-transformers pulls GBs of CUDA packages.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,ocr]'
	touch $(STAMP)

demo: install
	$(BIN)/govqa ingest data/demo
	$(BIN)/govqa docs
	$(BIN)/govqa ask "2017年山西省全省受理了多少件政府信息公开申请？"
	$(BIN)/govqa summarize 000_e718e0343c84cd48.txt
	@echo "浏览器界面：运行 make serve，然后打开 http://127.0.0.1:7860"

# The browser app on the demo data (127.0.0.1:7860; GOVQA_APP_HOST / GOVQA_APP_PORT to change).
serve: install
	$(BIN)/govqa serve

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/python -m pytest -q
	$(BIN)/govqa eval summaries --corpus data/demo --gold eval/gold/gold_dev.jsonl --min-coverage 0.6
	$(BIN)/govqa eval metadata --corpus data/real --gold eval/real/metadata/gold_metadata.jsonl --max-wrong 0.01
	$(BIN)/govqa eval answers --corpus data/real --gold eval/real --backend extractive --min-exact 0.9 --max-wrong 0.01

bench: install
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/scale.py --chroma-server
	$(BIN)/python bench/answers.py --backend extractive
	$(BIN)/python bench/answers.py --backend llm
	$(BIN)/python bench/summaries.py --backend extractive
	$(BIN)/python bench/summaries.py --backend llm

clean:
	rm -rf $(VENV) .govqa .pytest_cache
