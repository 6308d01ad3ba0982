# framepred-tf — every target creates .venv and installs the package on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/framepred-tf
STAMP := $(VENV)/.installed-stamp
RUNS ?= runs
PRESET ?= quick
FRAMES ?=
FRAMES_INDEX ?=
TRAIN_ARGS ?=
EVAL_ARGS ?=
QUESTIONS ?=
ANNOTATIONS ?=
FEATURES ?=
PONG_ARGS ?=

.PHONY: install demo test test-fast train-convlstm train-encoder-forecaster train-stae \
        train-vpn train-cnn-lstm train-all eval-all train-vqa eval-vqa train-pong eval-pong bench clean

install: $(STAMP)

$(STAMP): setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,jax]"
	touch $(STAMP)

demo: $(STAMP)
	$(CLI) train convlstm --preset quick --out $(RUNS) --figure demo_prediction.png --figure-pretrained auto $(TRAIN_ARGS)

test: $(STAMP)
	$(PY) -m pytest -x -q

test-fast: $(STAMP)
	$(PY) -m pytest -x -q -m "not slow"

train-convlstm: $(STAMP)
	$(CLI) train convlstm --preset $(PRESET) --out $(RUNS) $(TRAIN_ARGS)

train-encoder-forecaster: $(STAMP)
	$(CLI) train encoder_forecaster --preset $(PRESET) --out $(RUNS) $(TRAIN_ARGS)

train-stae: $(STAMP)
	$(CLI) train stae --preset $(PRESET) --out $(RUNS) $(TRAIN_ARGS)

train-vpn: $(STAMP)
	$(CLI) train vpn --preset $(PRESET) --out $(RUNS) $(TRAIN_ARGS)

train-cnn-lstm: $(STAMP)
	$(CLI) train cnn_lstm --preset $(PRESET) --out $(RUNS) $(if $(FRAMES),--frames-dir $(FRAMES),) \
		$(if $(FRAMES_INDEX),--frames-index $(FRAMES_INDEX),) $(TRAIN_ARGS)

train-all: train-convlstm train-encoder-forecaster train-stae train-vpn

eval-all: $(STAMP)
	$(CLI) report --runs $(RUNS) --out report $(EVAL_ARGS)

train-vqa: $(STAMP)
	$(CLI) vqa train --out $(RUNS) $(if $(QUESTIONS),--questions $(QUESTIONS),) $(if $(ANNOTATIONS),--annotations $(ANNOTATIONS),) $(if $(FEATURES),--features $(FEATURES),)

eval-vqa: $(STAMP)
	$(CLI) vqa eval --runs $(RUNS)

# PONG_ARGS, e.g. PONG_ARGS="--time-limit 30" (resume: PONG_ARGS="--resume runs/pong-ppo2-... --time-limit 60").
train-pong: $(STAMP)
	$(CLI) rl train pong --algo ppo2 --preset paper --out $(RUNS) $(PONG_ARGS)

eval-pong: $(STAMP)
	$(CLI) rl eval --runs $(RUNS) --episodes 10 --gif $(RUNS)/pong-agent.gif

bench: $(STAMP)
	$(CLI) bench data
	$(CLI) bench model convlstm

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
