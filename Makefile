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

# llama.cpp is built from source with explicit, portable flags: never GGML_NATIVE (a native build uses AMX on
# Sapphire Rapids, where ggml's AMX path segfaults on our Q4_K_M model) and never a wheel from pip's cache
# (pip keys its cache by name and version, not by CMAKE_ARGS). The wheel is kept in a folder named by the
# version and a hash of the flags, so a rebuild happens only when either changes.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=OFF -DGGML_BACKEND_DL=OFF -DGGML_AVX=ON -DGGML_AVX2=ON \
	-DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_WHEELS := .whl/llama-$(LLAMA_VERSION)-$(shell echo '$(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)

$(LLAMA_WHEELS)/.built: | $(BIN)/python
	rm -rf $(LLAMA_WHEELS) && mkdir -p $(LLAMA_WHEELS)
	CMAKE_ARGS='$(LLAMA_CMAKE_ARGS)' $(BIN)/pip wheel --quiet --no-cache-dir --no-deps --no-binary llama-cpp-python \
		-w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	touch $@

# torch first, from the CPU wheel: otherwise sentence-transformers pulls GBs of CUDA packages.
$(STAMP): pyproject.toml Makefile $(LLAMA_WHEELS)/.built | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet --no-index --force-reinstall --no-deps $(LLAMA_WHEELS)/llama_cpp_python-*.whl
	$(BIN)/pip install --quiet --find-links $(LLAMA_WHEELS) -e '.[dev,ocr]'
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
	$(BIN)/govqa eval summaries --corpus data/demo --gold eval/gold/gold_dev.jsonl --min-coverage 0.9 --max-misfiled 0
	$(BIN)/govqa eval summaries --corpus data/real --gold eval/real --min-coverage 0.95 --max-misfiled 0
	$(BIN)/govqa eval metadata --corpus data/real --gold eval/real/metadata/gold_metadata.jsonl --max-wrong 0.01 --min-right 0.99
	for h in h1 h2 h3; do $(BIN)/govqa eval metadata --corpus data/heldout/$$h --gold eval/heldout/$$h/metadata.jsonl \
		--max-wrong 0.02 --min region=0.95 --min issuer=0.90 --min year=0.97 --min level=0.90 || exit 1; done
	$(BIN)/govqa eval answers --corpus data/real --gold eval/real --backend extractive --min-exact 0.95 --max-wrong 0
	for h in h1 h2 h3 h4 h5 h6; do $(BIN)/govqa eval answers --corpus data/heldout/$$h --gold eval/heldout/$$h/gold.jsonl \
		--backend extractive --min-exact 0.8 --max-wrong 0.01 || exit 1; done

bench: install
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/scale.py --chroma-server
	$(BIN)/python bench/answers.py --backend extractive
	$(BIN)/python bench/answers.py --backend llm
	$(BIN)/python bench/summaries.py --backend extractive
	$(BIN)/python bench/summaries.py --backend llm

clean:
	rm -rf $(VENV) .govqa .pytest_cache
