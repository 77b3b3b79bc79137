# The two commands: `make start` runs the whole product locally; `make test` runs every test.
.PHONY: start test install lint bench-imports

install:
	@bash scripts/install.sh

start: install
	@.venv/bin/python -m infra.local.stack

test: install
	@bash scripts/test.sh

lint: install
	@.venv/bin/ruff check . && .venv/bin/mypy

bench-imports: install
	@.venv/bin/python -m tools.import_times
