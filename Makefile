# KeyAgentd — the two commands a newcomer needs are `make test` and `make run`.
DOTNET        ?= dotnet
CONFIGURATION ?= Release
OUT           := $(CURDIR)/out
BIN           := $(OUT)/bin

.PHONY: all setup build publish publish-arm64 test unit run baseline bench stress clean package

all: build

# Debian packages the tests use (ssh-keygen, sshd, nginx, dpkg-deb, lintian); installs them as root.
setup:
	scripts/setup.sh

build:
	$(DOTNET) build KeyAgentd.sln -c $(CONFIGURATION) -nologo -clp:ErrorsOnly

# Publish used by `make run`, the script and end-to-end tests and the benchmarks: keyagentd,
# keyagentd-keys and keyagentd-registry, all NativeAOT (see each csproj), plus libMonoPosixHelper.so,
# which keyagentd and keyagentd-registry load from beside themselves. Each publish is a full native compile: the first `make publish` takes minutes.
publish:
	$(DOTNET) publish src/KeyAgentd.KeysCommand/KeyAgentd.KeysCommand.csproj -c $(CONFIGURATION) -o $(BIN) -nologo -clp:ErrorsOnly
	$(DOTNET) publish src/KeyAgentd/KeyAgentd.csproj -c $(CONFIGURATION) -o $(BIN) -nologo -clp:ErrorsOnly
	$(DOTNET) publish src/KeyAgentd.Registry/KeyAgentd.Registry.csproj -c $(CONFIGURATION) -o $(BIN) -nologo -clp:ErrorsOnly

# The same three for linux-arm64, cross compiled with Debian's cross toolchain (scripts/setup.sh), into
# out/pkg/publish/arm64/{keyagentd,registry,keys}, where `make package SKIP_PUBLISH=1` takes them.
publish-arm64:
	DOTNET="$(DOTNET)" packaging/publish-arch.sh arm64 $(OUT)/pkg/publish/arm64

test: setup build publish
	scripts/run-tests.sh

# The unit tests alone: no root, no apt, no servers, no published binaries (well under a minute once
# built). Tests that need root, real accounts, nginx, slapd, sshd, ssh-agent or systemd carry
# [Trait("Category", "Integration")] and run in `make test` only.
unit: build
	KEYAGENTD_TESTS_BUILT_ONLY=1 $(DOTNET) test KeyAgentd.sln -c $(CONFIGURATION) --no-build -nologo --filter "Category!=Integration"

run: publish
	scripts/run-example.sh

# The previous binaries the benches print beside ours: bench/BASELINE_REF's commit, published once
# into out/baseline/<sha>/bin (scripts/baseline.sh; skipped, with a message, without git history).
baseline:
	scripts/baseline.sh >/dev/null || echo "baseline: not built; the benches run without the previous binaries" >&2

bench: publish baseline
	scripts/bench.sh

# Debian packages in out/pkg/, for amd64 and arm64 (cross compiled): keyagentd (every host: keyagentd,
# keyagentd-keys, libMonoPosixHelper.so) and keyagentd-registry (the machine that builds and signs the
# registry); version from VERSION plus an optional build suffix: `make package VERSION_SUFFIX=+ci2`;
# one architecture: `make package ARCHS=amd64`.
VERSION_SUFFIX ?=
ARCHS ?= amd64 arm64
package:
	DOTNET="$(DOTNET)" VERSION_SUFFIX="$(VERSION_SUFFIX)" ARCHS="$(ARCHS)" packaging/build-deb.sh

# Attack and fault stress (hostile filesystem, hostile registry, SIGKILL/ENOSPC/outages, load); as root; one summary table.
stress: publish
	$(DOTNET) run --project stress/KeyAgentd.Stress -c $(CONFIGURATION) -- --full --bin $(BIN)/keyagentd

clean:
	$(DOTNET) clean KeyAgentd.sln -nologo -v q
	rm -rf $(OUT) */*/bin */*/obj
