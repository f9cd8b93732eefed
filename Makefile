# genai-evidence: two commands on a fresh machine.
#   make demo   runs the functions against a seeded local account on the emulators
#   make test   runs every test and the template lint
# Both install what they need first (a Python venv with moto, cargo-lambda, cfn-lint, SAM CLI).

SHELL := /bin/bash
VENV  := $(CURDIR)/.venv
PYTHON ?= python3
export PATH := $(VENV)/bin:$(PATH)
export SAM_CLI_TELEMETRY := 0
export CARGO_TERM_COLOR ?= never
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)

.PHONY: setup test unit lint fmt-check clippy demo report chromium build docs clean-rig

setup: $(VENV)/.installed

$(VENV)/.installed: tools/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r tools/requirements.txt
	touch $@

## Every test: formatting, clippy, unit + integration tests (moto and the emulator), template lint.
test: setup fmt-check clippy unit emulator-boto3 lint

fmt-check:
	cargo fmt --all -- --check

clippy:
	cargo clippy --workspace --all-targets -- -D warnings

unit: setup chromium
	cargo test --workspace

## Headless Chromium for the report test (tests/integration/report.rs): Debian's package,
## installed when /usr/bin/chromium is missing.
chromium:
	@tools/install_chromium.sh

## The emulator against a second, independent client: boto3 (tests/emulator/boto3), whose own
## AWS models validate every request and answer. Builds only the emulator binary (no SDK crates).
.PHONY: emulator-boto3
emulator-boto3: setup
	cargo build --quiet -p aws-emulator
	AWS_EMULATOR_BIN=$(TARGET_DIR)/debug/aws-emulator $(VENV)/bin/python -m unittest discover -s tests/emulator/boto3 -v

## checkov in its own venv inside .venv (its dependency pins would fight moto's and SAM's).
CHECKOV_VENV := $(VENV)/checkov
$(CHECKOV_VENV)/.installed: tools/requirements-checkov.txt | $(VENV)/.installed
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -r tools/requirements-checkov.txt
	touch $@

## The templates: cfn-lint, SAM's own lint (template.yaml; member-role.yaml is plain
## CloudFormation), and checkov (every skip is written in the template, with its reason, under the
## resource's Metadata.checkov.skip; a test holds each has one).
lint: setup $(CHECKOV_VENV)/.installed
	cfn-lint template.yaml member-role.yaml
	sam validate --lint --template template.yaml --region us-east-1
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --compact --quiet
	$(CHECKOV_VENV)/bin/checkov --file member-role.yaml --framework cloudformation --compact --quiet

## The functions, for real, on a seeded local account: moto + the emulator + cargo-lambda.
## Built with the same package selection as the tests, so after `make test` nothing recompiles
## (building one package alone would unify features differently and rebuild every SDK crate).
demo: setup
	@cargo build --quiet --workspace --all-targets
	@$(TARGET_DIR)/debug/demo

## The demo, then its sweep's auditor's report (the HTML page filed in the assessment) fetched from
## the evidence bucket into target/report/report.html, with a screenshot beside it.
REPORT_DIR := $(TARGET_DIR)/report
report: setup chromium
	@cargo build --quiet --workspace --all-targets
	@DEMO_REPORT=$(REPORT_DIR)/report.html $(TARGET_DIR)/debug/demo > $(REPORT_DIR).log
	@chromium --headless --disable-gpu --no-sandbox --disable-dev-shm-usage --hide-scrollbars \
	  --user-data-dir=$(REPORT_DIR)/.chromium --window-size=1280,2000 \
	  --screenshot=$(REPORT_DIR)/report.png file://$(REPORT_DIR)/report.html 2>/dev/null
	@echo "report: $(REPORT_DIR)/report.html (screenshot $(REPORT_DIR)/report.png; the demo's output in $(REPORT_DIR).log)"

## Hostile input for every parser, at length: the property suites (`proptests` in
## genai-evidence-core and genai-evidence) with FUZZ_CASES cases per property instead of their
## quick defaults. 20,000 cases take over 10 minutes in a debug build on 2 cores.
FUZZ_CASES ?= 20000
.PHONY: fuzz
fuzz:
	@echo "fuzz: PROPTEST_CASES=$(FUZZ_CASES) cases per property"
	@start=$$(date +%s); \
	PROPTEST_CASES=$(FUZZ_CASES) cargo test --no-fail-fast -p genai-evidence-core -p genai-evidence --lib proptests; \
	status=$$?; \
	echo "fuzz: $(FUZZ_CASES) cases per property in $$(( $$(date +%s) - start )) s (exit $$status)"; \
	exit $$status

## Faults, at length: the chaos test (tests/integration/chaos.rs) with CHAOS_ROUNDS faulty rounds
## at CHAOS_FAULTS (the share of AWS requests faulted) from seed CHAOS_SEED, then clean rounds;
## it prints what was injected and what was filed, and fails on any duplicated or lost evidence.
## `make test` runs it once, short (seed 7, 0.3, 2 rounds). CHAOS_RETRY=adaptive keeps the
## functions' adaptive retry mode (slow under random throttling: minutes per round).
CHAOS_SEED ?= 1
CHAOS_FAULTS ?= 0.5
CHAOS_ROUNDS ?= 4
.PHONY: chaos
chaos: setup
	CHAOS_SEED=$(CHAOS_SEED) CHAOS_FAULTS=$(CHAOS_FAULTS) CHAOS_ROUNDS=$(CHAOS_ROUNDS) \
	  cargo test -p genai-evidence-tests --test integration chaos -- --nocapture

## Release build for deployment (arm64, as template.yaml declares); needs the aarch64 rust-std.
build: setup
	sam build

## Benchmark of the scheduled sweep on a large seeded moto account (bench/README.md): wall time,
## API calls per operation and per in-scope resource, peak RSS, written to docs/benchmarks.md.
## A release build (slow the first time: ~25 min on 2 cores for the SDK crates).
.PHONY: bench
bench: setup
	cargo build --release -p genai-evidence-bench
	$(TARGET_DIR)/release/sweep-bench --write docs/benchmarks.md

## The organization-wide sweep: 50 member accounts x 2 regions seeded in moto, the planner, and
## 1, 4 and 8 worker processes standing in for Lambda's concurrency; wall time, calls per
## in-scope resource, peak RSS per worker and the extrapolation to 1,000 accounts, written into
## docs/benchmarks.md (its organization section). The same release build as `make bench`.
.PHONY: bench-org
bench-org: setup
	cargo build --release -p genai-evidence-bench
	$(TARGET_DIR)/release/org-bench --write docs/benchmarks.md
