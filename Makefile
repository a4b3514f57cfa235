# runbook: the two commands a newcomer needs are `make demo` and `make test`.
SWIFT ?= swift
BIN := .build/debug/runbook

.PHONY: deps build demo test lint format bench

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build

## The main job: build, then walk the bundled runbooks.
demo: build
	$(BIN) list

## Every test: unit and end-to-end, the formatter, and a strict lint of the bundled runbooks.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
	$(BIN) lint --strict runbooks/

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

bench: build
	scripts/bench
