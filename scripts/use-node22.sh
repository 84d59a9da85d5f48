# Source me: puts a Node that runs the sources (>= 22.18) first on PATH, for running single suites
# by hand (`npx vitest run <file>`). `npm run demo` and `npm test` need no such step: they do this
# themselves (scripts/bootstrap.mjs, which also owns the version pin).
_pipedai_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if _pipedai_dir="$(node "$_pipedai_root/scripts/bootstrap.mjs" --print-node-dir)"; then
  export PATH="$_pipedai_dir:$PATH"
else
  echo "use-node22.sh: could not provide Node 22 (see above)" >&2
fi
unset _pipedai_root _pipedai_dir
