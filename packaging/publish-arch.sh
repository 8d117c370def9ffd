#!/usr/bin/env bash
# Publishes keyagentd, keyagentd-registry and keyagentd-keys (NativeAOT) for one Debian architecture
# into DIR/keyagentd, DIR/registry and DIR/keys; used by build-deb.sh and `make publish-arm64`.
#   packaging/publish-arch.sh amd64|arm64 DIR
# arm64 on an x86-64 machine is a cross compile: the ILCompiler's x86-64 compiler emits arm64 code
# (the linux-arm64 runtime pack comes from NuGet), linked by Debian's cross gcc through
# packaging/cross/aarch64-linux-gnu-cc and stripped with the cross objcopy (scripts/setup.sh installs
# gcc-aarch64-linux-gnu, binutils-aarch64-linux-gnu and libc6-dev-arm64-cross).
set -euo pipefail
cd "$(dirname "$0")/.."
DOTNET=${DOTNET:-dotnet}
arch=${1:?usage: publish-arch.sh amd64|arm64 DIR}
dir=${2:?usage: publish-arch.sh amd64|arm64 DIR}
case $arch in
  amd64) rid=linux-x64; gnu=x86_64-linux-gnu ;;
  arm64) rid=linux-arm64; gnu=aarch64-linux-gnu ;;
  *) echo "publish-arch: no build for architecture '$arch' (amd64, arm64)" >&2; exit 2 ;;
esac
cross=()
if [ "$(uname -m)" != "${gnu%%-*}" ]; then
  case $arch in
    arm64) linker=$PWD/packaging/cross/aarch64-linux-gnu-cc ;;
    *) echo "publish-arch: cross compiling to $arch from $(uname -m) is not set up" >&2; exit 2 ;;
  esac
  for tool in "$gnu-gcc" "$gnu-objcopy"; do
    command -v "$tool" >/dev/null || { echo "publish-arch: $tool not found (scripts/setup.sh installs the cross toolchain)" >&2; exit 1; }
  done
  cross=(-p:CppCompilerAndLinker="$linker" -p:ObjCopyName="$gnu-objcopy")
fi

# The restore for a RID the lock files do not record may touch obj/ and the lock files: the publish
# runs in a staged copy of the sources, so the checkout's stay exactly as the tests expect them.
stage=out/stage-$arch
rm -rf "$stage" "$dir"
mkdir -p "$stage"
cp Directory.Build.props Directory.Packages.props global.json VERSION "$stage/"
tar -c --exclude=bin --exclude=obj src | tar -x -C "$stage"
publish() { # project dir, output dir
  "$DOTNET" publish "$stage/$1" -c Release -r "$rid" -p:RestoreLockedMode=false "${cross[@]}" -o "$2" -nologo -clp:ErrorsOnly
}
# One NativeAOT compile at a time: each takes most of the machine for minutes.
publish src/KeyAgentd "$dir/keyagentd"
publish src/KeyAgentd.Registry "$dir/registry"
publish src/KeyAgentd.KeysCommand "$dir/keys"
