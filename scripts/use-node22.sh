# Source me: puts Node 22 (from the registry's node@22 package, in git-ignored .tools/) first on PATH.
_pipedai_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_pipedai_node="$_pipedai_root/.tools/node22/node_modules/.bin"
if [ ! -x "$_pipedai_node/node" ]; then
  npm install --prefix "$_pipedai_root/.tools/node22" --no-save --no-package-lock --no-audit --no-fund node@22.23.3 >/dev/null
fi
export PATH="$_pipedai_node:$PATH"
node -e 'if (+process.versions.node.split(".")[0] !== 22) { console.error("expected Node 22, got " + process.version); process.exit(1); }'
unset _pipedai_root _pipedai_node
