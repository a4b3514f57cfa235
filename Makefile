# runbook: the two commands a newcomer needs are `make demo` and `make test`.
SWIFT ?= swift
BIN := .build/debug/runbook

.PHONY: deps build replay-bundle demo demo-export test lint format bench release install man check-man

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

## Every test: unit and end-to-end, the formatter, a strict lint of the bundled runbooks, and the man page.
test: deps
	$(SWIFT) build --build-tests
	scripts/build-xterm-bundle "$$($(SWIFT) build --show-bin-path)/runbook-replay"
	# No detached escalator per test database unless a test asks for one (RUNBOOK_ESCALATOR=auto in its environment).
	RUNBOOK_ESCALATOR=off $(SWIFT) test
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
	$(BIN) lint --strict runbooks/
	$(MAKE) check-man

## The build to install: release, with the Swift runtime and Foundation linked statically (start-up is about three
## times shorter, and runbook needs only the system's C libraries). runbook-http (AsyncHTTPClient, SwiftNIO) and
## runbook-serve (Hummingbird) are built apart with the shared Swift libraries.
## `make install PREFIX=~/.local`; DESTDIR stages the whole tree elsewhere (packaging): `make install DESTDIR=/tmp/pkg`.
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product runbook
	$(SWIFT) build -c release --scratch-path .build/http --product runbook-http
	$(SWIFT) build -c release --scratch-path .build/http --product runbook-serve
	scripts/build-xterm-bundle "$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/runbook-replay"

install: release man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/runbook $(DESTDIR)$(PREFIX)/bin/runbook
	install -m 0755 $$($(SWIFT) build -c release --scratch-path .build/http --show-bin-path)/runbook-http $(DESTDIR)$(PREFIX)/bin/runbook-http
	install -m 0755 $$($(SWIFT) build -c release --scratch-path .build/http --show-bin-path)/runbook-serve $(DESTDIR)$(PREFIX)/bin/runbook-serve
	install -m 0644 .build/man/runbook.1 $(DESTDIR)$(MANDIR)/man1/runbook.1
	install -d $(DESTDIR)$(PREFIX)/share/runbook/replay
	install -m 0644 $$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/runbook-replay/replay.js \
		$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/runbook-replay/xterm.css \
		$(DESTDIR)$(PREFIX)/share/runbook/replay/
	# Shell completions (they call runbook back for runbook ids, incident ids and severities).
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	$(DESTDIR)$(PREFIX)/bin/runbook --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/runbook
	$(DESTDIR)$(PREFIX)/bin/runbook --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_runbook
	$(DESTDIR)$(PREFIX)/bin/runbook --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/runbook.fish

## The man page, generated from the commands' help by ArgumentParser's generate-manual plugin: .build/man/runbook.1.
man: deps
	# Debug: the build `make test` already made (the plugin's default, release, would build every product again).
	$(SWIFT) package plugin generate-manual --configuration debug
	install -d .build/man
	# A blank line in a command's discussion (a paragraph break in --help) is a paragraph macro in mdoc.
	sed 's/^$$/.Pp/' .build/plugins/GenerateManual/outputs/runbook/runbook.1 > .build/man/runbook.1

## Reads the man page with mandoc -T lint, else man -l; says so when neither is installed.
check-man: man
	scripts/check-man .build/man/runbook.1

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

bench: build
	scripts/bench
