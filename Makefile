# Two commands a newcomer needs: `make run` and `make test` (see README.md).
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: run test soak lint bench install install-test browser postgres clean messages

$(BIN)/tidings: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-installed: $(BIN)/tidings
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/tidings
install-test: $(VENV)/.test-installed

## Set up, migrate a SQLite database here, load demo data if it is empty, and serve.
## Emails are printed, not sent, unless TIDINGS_EMAIL_BACKEND=smtp is set. The address is
## checked before the demo prints new keys: a second `make run` stops at "port 8000 is in
## use" and leaves the running one's key and passwords alone.
run: install
	$(BIN)/tidings migrate
	$(BIN)/tidings serve --host 127.0.0.1 --port 8000 --check
	$(BIN)/tidings demo
	TIDINGS_EMAIL_BACKEND=$${TIDINGS_EMAIL_BACKEND:-console} $(BIN)/tidings serve --host 127.0.0.1 --port 8000

## Set up and run the whole suite: lint, import layers, then SQLite (with the browser tests)
## and PostgreSQL side by side. Most tests wait on a socket, a process or the database rather
## than on a core, so the two runs share the two cores well; the PostgreSQL run's output is
## kept in test-artifacts/ and printed when both are done.
test: install-test browser postgres
	$(BIN)/ruff check app tests bench
	$(BIN)/lint-imports
	@mkdir -p test-artifacts
	@TIDINGS_TEST_DATABASE=postgresql $(BIN)/pytest -p no:cacheprovider -m "not browser and not soak" \
		> test-artifacts/postgresql.log 2>&1 & postgresql=$$!; \
	$(BIN)/pytest --durations=15; sqlite=$$?; \
	wait $$postgresql; pg=$$?; \
	echo "=== the same suite on PostgreSQL ==="; cat test-artifacts/postgresql.log; \
	echo "SQLite run: exit $$sqlite; PostgreSQL run: exit $$pg"; \
	test $$sqlite -eq 0 && test $$pg -eq 0

## The attack suite's long settings (thousands of generated requests, many generated worlds,
## a 10,000-message fan-out whose worker is killed three times, SMTP down for a minute),
## on SQLite then PostgreSQL; `make test` runs the same tests with small settings.
soak: install-test postgres
	$(BIN)/pytest -s -m soak tests/security tests/delivery
	TIDINGS_TEST_DATABASE=postgresql $(BIN)/pytest -s -m soak tests/security tests/delivery

## Debian's chromium for the browser tests (Playwright cannot download its own here), and a
## Japanese font so the Japanese pages are drawn as readers see them, not as empty boxes.
browser:
	@(test -x /usr/bin/chromium && test -d /usr/share/fonts/opentype/ipafont-gothic) || \
		(apt-get update -qq && apt-get install -y -qq chromium fonts-ipafont-gothic >/dev/null)

## The suite's PostgreSQL (127.0.0.1:5432, database `test`): start it if it is down.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1

lint: install-test
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/lint-imports

## Benchmarks (not tests): read path, HTTP servers (wrk, nginx), freshness, fan-out and sending,
## alert intake, responsiveness under attack, stopping. See docs/benchmarks.md.
bench: install-test
	$(BIN)/python -m bench.read_path
	$(BIN)/python -m bench.servers
	$(BIN)/python -m bench.freshness
	$(BIN)/python -m bench.fanout
	$(BIN)/python -m bench.sending
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.responsiveness
	$(BIN)/python -m bench.stopping

clean:
	rm -rf $(VENV) tidings.db tidings.db-wal tidings.db-shm

## Extract the translatable words from the code and templates into locale/messages.pot and
## merge them into each language's catalogue (new words arrive empty, changed ones fuzzy).
LANGUAGES := de fr es ja
messages:
	@test -x $(BIN)/pybabel || $(MAKE) install
	$(BIN)/pybabel --quiet extract -F babel.cfg -k _ -k N_ --no-location --sort-output \
		--project Tidings -o locale/messages.pot .
	@for lang in $(LANGUAGES); do \
		if test -f locale/$$lang/LC_MESSAGES/messages.po; then \
			$(BIN)/pybabel --quiet update --no-wrap -i locale/messages.pot -d locale -l $$lang; \
		else \
			$(BIN)/pybabel --quiet init --no-wrap -i locale/messages.pot -d locale -l $$lang; \
		fi; \
	done
