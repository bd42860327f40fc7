#!/usr/bin/env bash
# After a sanitizer run: fails when the tests failed or when any process (the test runner, or a semd or
# semctl a test started, whose stderr no test reads) wrote a sanitizer report under REPORTS_DIR.
# Usage: check_reports.sh REPORTS_DIR TEST_EXIT_STATUS NAME
set -uo pipefail
reports_dir=$1 status=$2 name=$3
shopt -s nullglob
reports=("$reports_dir"/*)
for report in "${reports[@]}"; do
  echo "=== $report"
  cat "$report"
done
if [ "${#reports[@]}" -gt 0 ]; then
  echo "$name: ${#reports[@]} sanitizer report file(s) in $reports_dir (see above)" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "$name: the tests failed (exit status $status); no sanitizer reports" >&2
  exit "$status"
fi
echo "$name: clean (tests passed, no sanitizer reports)"
