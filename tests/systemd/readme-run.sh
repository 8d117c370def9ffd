#!/bin/bash
# Runs, inside the test container, the README's install path that readme-blocks.py extracted:
#   readme-run.sh STEPS DIR
# One bash session, as an operator's terminal would be: the blocks in order from DIR, a `cd` in one
# block holds for the next. The first command that fails stops the run (errexit, pipefail) with the
# README line it came from. Each block starts with a line "### block N README.md:LINE at MS ms" (MS
# since the run began) and the run ends with "### done N blocks at MS ms", so the caller can time
# the path and read each block's output.
set -eE -o pipefail
steps=${1:?steps file}; cd "${2:?working directory}"
__t0=$(date +%s%N)
__block=0 __readme_line=0 __script_line=0
__ms() { echo $(( ($(date +%s%N) - __t0) / 1000000 )); }
readme_block() { # N README_LINE SCRIPT_LINE KIND
    __block=$1 __readme_line=$2 __script_line=$3
    echo "### block $1 docs/getting-started.md:$2 ($4) at $(__ms) ms"
}
readme_done() { echo "### done $1 blocks at $(__ms) ms"; }
trap 'rc=$?; echo "FAIL: docs/getting-started.md:$(( __readme_line + LINENO - __script_line )) (block $__block) exited $rc: $BASH_COMMAND"; exit $rc' ERR
# shellcheck source=/dev/null
source "$steps"
