# The two commands: `make start` runs the whole product locally; `make test` runs every test.
.PHONY: start test install lint bench-imports mutants

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

# Mutation testing over shared/domain and shared/services, judged by the unit tier (slow; not in CI).
# Narrow it with MUTANTS='shared.services.chat.*', then read `mutmut results` / `mutmut show <name>`.
mutants: install
	@.venv/bin/mutmut run --max-children $${JOBS:-2} $(MUTANTS); .venv/bin/python -m tools.mutation_score
