# Shared setup for the scripts: system packages, a persistent cargo target directory, paths.
# Sourced, not run.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/heitje-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
HEITJE_BIN="$CARGO_TARGET_DIR/debug"

log() { printf '==> %s\n' "$*" >&2; }

# RocksDB is built from source by the rocksdb crate and needs libclang for bindgen and a C++
# compiler. Install what is missing (these machines run as root; use sudo otherwise).
ensure_system_deps() {
  local missing=()
  dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  # `ip` (iproute2): the network-isolation test runs a validator in a network namespace.
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  # `faketime`: a test runs one validator with its clock days ahead (issue 12).
  command -v faketime >/dev/null 2>&1 || missing+=(faketime)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v cargo >/dev/null 2>&1 || { echo "error: cargo not found; install the Rust toolchain (rustup) first" >&2; exit 2; }
}

build_binaries() {
  log "building heitje-node and heitje (first build compiles RocksDB: 10-20 minutes on 2 cores)"
  cargo build --locked -p node -p wallet
}
