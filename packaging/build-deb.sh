#!/usr/bin/env bash
# Builds, for each architecture (amd64 and arm64), out/pkg/keyagentd_<version>_<arch>.deb (every
# host: the daemon and keyagentd-keys) and out/pkg/keyagentd-registry_<version>_<arch>.deb (the
# machine that builds and signs the registry) with dpkg-deb (no debhelper, no fakeroot needed:
# --root-owner-group makes every entry root:root).
#   ARCHS="amd64 arm64" the architectures to build (default both; arm64 is cross compiled, see
#                       packaging/publish-arch.sh).
#   VERSION_SUFFIX=+ci1  appends a build suffix to the VERSION file's version (must sort higher).
#   SKIP_PUBLISH=1       reuse out/pkg/publish/<arch> from a previous run.
set -euo pipefail
cd "$(dirname "$0")/.."
ARCHS=${ARCHS:-amd64 arm64}
# Upstream version from VERSION, Debian revision 1, then the optional build suffix.
version="$(tr -d ' \n' < VERSION)-1${VERSION_SUFFIX:-}"
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || { echo "build-deb: bad version '$version'" >&2; exit 2; }
out=out/pkg
deb=packaging/deb

# Control area, checks and the .deb: root, package name, control.in, maintainer scripts (may be none).
build_deb() {
  local root=$1 package=$2 control=$3 size s; shift 3
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" -e "s/@ARCH@/$arch/" "$control" > "$root/DEBIAN/control"
  for s in "$@"; do
    case "$s" in
      */conffiles) install -m 0644 "$s" "$root/DEBIAN/conffiles" ;;
      *) install -m 0755 "$s" "$root/DEBIAN/$(basename "$s")" ;;
    esac
  done
  (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
  chmod 0644 "$root/DEBIAN/md5sums"
  # Nothing group/world-writable (sshd refuses an AuthorizedKeysCommand with such a path).
  if find "$root" -perm /022 ! -type l | grep -q .; then echo "build-deb: group/world-writable files staged" >&2; exit 1; fi
  rm -f "$out/${package}"_*_"$arch".deb
  dpkg-deb --root-owner-group -Zxz -z3 --build "$root" "$out/${package}_${version}_${arch}.deb" >/dev/null
  echo "$out/${package}_${version}_${arch}.deb"
}
# The changelog, with an entry for a suffixed version so lintian and apt changelog agree with the control file.
changelog() { # package, changelog file, destination
  if [ -n "${VERSION_SUFFIX:-}" ]; then
    { printf '%s (%s) unstable; urgency=medium\n\n  * Build %s.\n\n -- KeyAgentd maintainers <keyagentd@example.com>  %s\n\n' \
        "$1" "$version" "$version" "$(date -R -u)"; cat "$2"; } | gzip -9n > "$3"
  else
    gzip -9n < "$2" > "$3"
  fi
  chmod 0644 "$3"
}


# One architecture's two packages, from its publish in out/pkg/publish/<arch>.
package_arch() {
  local arch=$1 pub=$out/publish/$1 root=$out/root-$1 rroot=$out/root-registry-$1 strip=strip
  [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ] && strip=aarch64-linux-gnu-strip
  if [ -z "${SKIP_PUBLISH:-}" ] || [ ! -x "$pub/keyagentd/keyagentd" ] || [ ! -x "$pub/registry/keyagentd-registry" ] || [ ! -x "$pub/keys/keyagentd-keys" ]; then
    DOTNET="${DOTNET:-dotnet}" packaging/publish-arch.sh "$arch" "$pub"
  fi
  rm -rf "$root"; mkdir -p "$root"
  umask 022
  d() { install -d -m 0755 "$root/$1"; }
  d DEBIAN; d usr/lib/keyagentd; d usr/sbin; d lib/systemd/system; d etc/keyagentd; d etc/logrotate.d
  d usr/share/keyagentd/sshd_config.d; d usr/share/doc/keyagentd; d usr/share/man/man8
  d usr/share/keyagentd/monitoring; d usr/share/keyagentd/monitoring/grafana

  # Executables (and any native library the publish put beside them; no debug files) into ROOT/usr/lib/NAME.
  install_published() { # root, lib dir name, published dirs...
    local into=$1/usr/lib/$2 f name mode; shift 2
    local dir
    for dir in "$@"; do
      for f in "$dir"/*; do
        [ -f "$f" ] || continue
        case "$f" in *.pdb|*.dbg|*.xml) continue;; esac
        name=$(basename "$f")
        if [ -x "$f" ] && [[ "$name" != *.so* ]]; then mode=0755; else mode=0644; fi
        [[ "$name" == *.so* ]] && mode=0644
        install -m "$mode" "$f" "$into/$name"
        # Shared libraries come unstripped from their NuGet packages; the executables were stripped by
        # the publish (StripSymbols, their symbols in the .dbg files skipped above).
        if [[ "$name" == *.so* ]]; then "$strip" --strip-unneeded --remove-section=.comment --remove-section=.note "$into/$name"; fi
      done
    done
  }
  shopt -s nullglob
  install_published "$root" keyagentd "$pub"/keyagentd "$pub"/keys
  [ -x "$root/usr/lib/keyagentd/keyagentd" ] || { echo "build-deb: no keyagentd executable published" >&2; exit 1; }
  ln -s ../lib/keyagentd/keyagentd "$root/usr/sbin/keyagentd"

  install -m 0644 systemd/keyagentd.service "$root/lib/systemd/system/keyagentd.service"
  install -m 0644 "$deb/keyagentd.json" "$root/etc/keyagentd/keyagentd.json"
  install -m 0644 "$deb/logrotate" "$root/etc/logrotate.d/keyagentd"
  # The one drop-in: the file the README quotes and the tests run sshd with (tests/KeyAgentd.Tests/Shipped).
  install -m 0644 examples/sshd_config.d/keyagentd.conf "$root/usr/share/keyagentd/sshd_config.d/keyagentd.conf"
  install -m 0644 "$deb/copyright" "$root/usr/share/doc/keyagentd/copyright"
  install -m 0644 "$deb/keyagentd.json.example" "$root/usr/share/doc/keyagentd/keyagentd.json.example"
  # Prometheus alerting rules and the Grafana fleet dashboard (README "Monitoring"), with their runbooks.
  install -m 0644 packaging/monitoring/keyagentd.rules.yml "$root/usr/share/keyagentd/monitoring/keyagentd.rules.yml"
  install -m 0644 packaging/monitoring/grafana/keyagentd-fleet.json "$root/usr/share/keyagentd/monitoring/grafana/keyagentd-fleet.json"
  install -m 0644 docs/runbooks.md "$root/usr/share/doc/keyagentd/runbooks.md"
  changelog keyagentd "$deb/changelog" "$root/usr/share/doc/keyagentd/changelog.Debian.gz"
  sed "s/@VERSION@/$version/" "$deb/keyagentd.8" | gzip -9n > "$root/usr/share/man/man8/keyagentd.8.gz"
  chmod 0644 "$root/usr/share/man/man8/keyagentd.8.gz"
  install -d -m 0755 "$root/usr/share/lintian/overrides"
  install -m 0644 "$deb/lintian-overrides" "$root/usr/share/lintian/overrides/keyagentd"

  build_deb "$root" keyagentd "$deb/control.in" "$deb/conffiles" "$deb/postinst" "$deb/prerm" "$deb/postrm"

  # keyagentd-registry: the build machine's program, with the native library it loads from beside itself.
  reg=$deb/registry
  rm -rf "$rroot"; mkdir -p "$rroot"
  r() { install -d -m 0755 "$rroot/$1"; }
  r DEBIAN; r usr/lib/keyagentd-registry; r usr/bin; r usr/share/doc/keyagentd-registry; r usr/share/man/man1; r usr/share/lintian/overrides
  install_published "$rroot" keyagentd-registry "$pub"/registry
  [ -x "$rroot/usr/lib/keyagentd-registry/keyagentd-registry" ] || { echo "build-deb: no keyagentd-registry executable published" >&2; exit 1; }
  ln -s ../lib/keyagentd-registry/keyagentd-registry "$rroot/usr/bin/keyagentd-registry"
  install -m 0644 "$reg/copyright" "$rroot/usr/share/doc/keyagentd-registry/copyright"
  changelog keyagentd-registry "$reg/changelog" "$rroot/usr/share/doc/keyagentd-registry/changelog.Debian.gz"
  sed "s/@VERSION@/$version/" "$reg/keyagentd-registry.1" | gzip -9n > "$rroot/usr/share/man/man1/keyagentd-registry.1.gz"
  chmod 0644 "$rroot/usr/share/man/man1/keyagentd-registry.1.gz"
  install -m 0644 "$reg/lintian-overrides" "$rroot/usr/share/lintian/overrides/keyagentd-registry"
  build_deb "$rroot" keyagentd-registry "$reg/control.in"
}

for arch in $ARCHS; do package_arch "$arch"; done
