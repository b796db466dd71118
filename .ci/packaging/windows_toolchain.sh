# Sourced by .ci/windows and `.ci/package windows`: a Rust toolchain that builds for
# x86_64-pc-windows-gnu on this Linux machine, and `windows_cargo` to run it.
#
# rustup has no Windows standard library here and none can be downloaded, so the toolchain is
# Debian bookworm's own current compiler (rustc-web, cargo-web, rust-web-clippy, with the
# standard library's source in rust-web-src), fetched with `apt-get download` and unpacked with
# `dpkg -x` into a cache outside the clone: the packages conflict with rustup's, so they are
# never installed. The standard library is built from that source (-Zbuild-std), and MinGW-w64
# links. The archive keeps only its newest rustc-web, so the version is whichever apt offers;
# a cached toolchain of that version is reused, and older ones are removed.
#
# Needs (from .ci/setup): gcc-mingw-w64-x86-64-posix, and libgit2-1.5 for cargo-web.

windows_cache="${COMPUTE_DESK_WINDOWS_CACHE:-/var/cache/compute-desk-windows}"
windows_target=x86_64-pc-windows-gnu
# The Windows build keeps its own build folder: another compiler than the Linux checks'.
windows_target_dir="${COMPUTE_DESK_WINDOWS_TARGET_DIR:-${CARGO_TARGET_DIR:?.ci/setup sets it}-windows}"

windows_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The newest rustc-web the archive offers, as apt knows it ("1.96.0+dfsg1-1~deb12u2").
windows_candidate() {
  apt-cache policy rustc-web 2>/dev/null | awk '/Candidate:/ { print $2 }'
}

# The names of the packages of one version: the compiler, cargo, clippy, the standard
# library's source, and the shared libraries they run on (their own and LLVM's).
windows_packages() {
  local version=$1 minor llvm
  minor=$(echo "$version" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')
  llvm=$(apt-cache show "libstd-rust-web-$minor=$version" 2>/dev/null |
    awk -F': ' '/^Depends:/ { print $2; exit }' | tr ',' '\n' | sed -n 's/^ *\(libllvm[0-9]*\).*/\1/p')
  if [ -z "$minor" ] || [ -z "$llvm" ]; then
    echo "windows: cannot tell the packages of rustc-web $version" >&2
    return 1
  fi
  echo "rustc-web=$version cargo-web=$version rust-web-clippy=$version rust-web-src=$version" \
    "libstd-rust-web-dev=$version libstd-rust-web-$minor=$version $llvm"
}

# Downloads the packages of VERSION into the folder DEBS, emptied first.
windows_download() {
  local version=$1 debs=$2 packages
  packages=$(windows_packages "$version") || return 1
  windows_as_root rm -rf "$debs"
  windows_as_root mkdir -p "$debs"
  windows_as_root chmod 0777 "$debs"
  # shellcheck disable=SC2086
  (cd "$debs" && apt-get download -qq $packages)
}

# Fetches and unpacks the toolchain unless the cache has it; sets windows_toolchain.
windows_fetch_toolchain() {
  local started=$SECONDS version
  version=$(windows_candidate)
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    windows_as_root apt-get update -qq
    version=$(windows_candidate)
  fi
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    echo "windows: the package archive offers no rustc-web" >&2
    return 1
  fi
  windows_toolchain="$windows_cache/rust-$version"
  if [ -f "$windows_toolchain/.complete" ]; then
    echo "windows: toolchain rustc-web $version reused from $windows_toolchain"
    return 0
  fi
  local debs="$windows_cache/debs-$version"
  windows_as_root mkdir -p "$windows_cache"
  # A stale package list names a version the archive no longer has: read it again once.
  if ! windows_download "$version" "$debs" 2>/dev/null; then
    windows_as_root apt-get update -qq
    version=$(windows_candidate)
    windows_toolchain="$windows_cache/rust-$version"
    debs="$windows_cache/debs-$version"
    windows_download "$version" "$debs"
  fi
  local unpack="$windows_toolchain.partial"
  windows_as_root rm -rf "$unpack"
  windows_as_root mkdir -p "$unpack"
  local fetched=$SECONDS deb
  for deb in "$debs"/*.deb; do
    windows_as_root dpkg -x "$deb" "$unpack"
  done
  if [ ! -f "$unpack/usr/lib/rustlib/src/rust/library/std/Cargo.toml" ]; then
    echo "windows: rust-web-src $version holds no standard library source" >&2
    return 1
  fi
  windows_as_root rm -rf "$windows_toolchain"
  windows_as_root mv "$unpack" "$windows_toolchain"
  windows_as_root touch "$windows_toolchain/.complete"
  local size
  size=$(du -sm "$debs" | cut -f1)
  # Only the newest toolchain is kept (~900 MB unpacked), and no downloaded package.
  local old
  for old in "$windows_cache"/rust-* "$windows_cache"/debs-*; do
    if [ "$old" != "$windows_toolchain" ]; then windows_as_root rm -rf "$old"; fi
  done
  echo "windows: toolchain rustc-web $version fetched in $((fetched - started)) s" \
    "($size MB), unpacked in $((SECONDS - fetched)) s"
}

# cargo of the Windows toolchain, for the Windows target, building std from source:
# `windows_cargo clippy …`, `windows_cargo build …`. RUSTC_BOOTSTRAP lets this stable
# compiler take -Zbuild-std.
windows_cargo() {
  local t="$windows_toolchain/usr"
  env -u RUSTUP_TOOLCHAIN -u RUSTC -u RUSTDOC -u RUSTC_WRAPPER \
    PATH="$t/bin:$PATH" \
    LD_LIBRARY_PATH="$t/lib/x86_64-linux-gnu:$t/lib" \
    RUSTC="$t/bin/rustc" \
    RUSTDOC="$t/bin/rustdoc" \
    RUSTC_BOOTSTRAP=1 \
    CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" \
    CARGO_TARGET_DIR="$windows_target_dir" \
    CARGO_BUILD_TARGET="$windows_target" \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc-posix \
    CARGO_UNSTABLE_BUILD_STD=std \
    "$t/bin/cargo" "$@"
}
