# Sourced by scripts/serve, scripts/demo and scripts/test: one virtualenv, reused between runs, with the project installed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CHATOPS_CACHE=${CHATOPS_CACHE:-$HOME/.cache/chatops}
VENV=$CHATOPS_CACHE/venv
PYTHON=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
fi
# Reinstall only when the dependency list changed or the checkout moved.
stamp="$VENV/.chatops-$1-$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)-$(echo "$ROOT" | sha256sum | cut -c1-8)"
if [ ! -f "$stamp" ]; then
  echo "installing chatops and its dependencies into $VENV"
  extra=""; [ "$1" = test ] && extra="[test]"; [ "$1" = demo ] && extra="[demo]"
  "$VENV/bin/pip" install -q -e "$ROOT$extra"
  touch "$stamp"
fi
