# runbook: the two commands a newcomer needs are `make demo` and `make test`.
SWIFT ?= swift
BIN := .build/debug/runbook

.PHONY: deps build replay-bundle demo demo-export test lint format bench release install

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build
	scripts/build-xterm-bundle "$$($(SWIFT) build --show-bin-path)/runbook-replay"

## The HTML report's replay (xterm.js from Debian's node-xterm, bundled by esbuild) next to the debug binary, where
## `runbook export --format html` finds it (docs/exports.md, "HTML report").
replay-bundle: deps
	scripts/build-xterm-bundle "$$($(SWIFT) build --show-bin-path)/runbook-replay"

## The main job: build, then walk a simulated outage as a drill in the REPL (no cluster needed).
## DEMO_DB keeps the demo's transcript apart from real incidents; `make demo DEMO_SPEED=60` hurries the injects.
DEMO_DB ?= transcripts/demo.sqlite3
DEMO_SPEED ?= 10
demo: build
	$(BIN) drill triage --simulate outage --scenario runbooks/simulator/scenarios/outage.yaml \
		--speed $(DEMO_SPEED) --db $(DEMO_DB)

## Regenerates the committed example export of a scripted simulated drill (transcripts/examples/).
demo-export: build
	scripts/demo-export

## Every test: unit and end-to-end, the formatter, and a strict lint of the bundled runbooks.
test: deps
	$(SWIFT) build --build-tests
	scripts/build-xterm-bundle "$$($(SWIFT) build --show-bin-path)/runbook-replay"
	# No detached escalator per test database unless a test asks for one (RUNBOOK_ESCALATOR=auto in its environment).
	RUNBOOK_ESCALATOR=off $(SWIFT) test
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
	$(BIN) lint --strict runbooks/

## The build to install: release, with the Swift runtime and Foundation linked statically (start-up is about three
## times shorter, and runbook needs only the system's C libraries). runbook-http (AsyncHTTPClient, SwiftNIO) is
## built apart with the shared Swift libraries.
## `make install PREFIX=~/.local`.
PREFIX ?= /usr/local
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product runbook
	$(SWIFT) build -c release --scratch-path .build/http --product runbook-http
	scripts/build-xterm-bundle "$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/runbook-replay"

install: release
	install -d $(PREFIX)/bin
	install -m 0755 $$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/runbook $(PREFIX)/bin/runbook
	install -m 0755 $$($(SWIFT) build -c release --scratch-path .build/http --show-bin-path)/runbook-http $(PREFIX)/bin/runbook-http
	install -d $(PREFIX)/share/runbook/replay
	install -m 0644 $$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/runbook-replay/replay.js \
		$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/runbook-replay/xterm.css \
		$(PREFIX)/share/runbook/replay/

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

bench: build
	scripts/bench
