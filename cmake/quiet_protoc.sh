#!/bin/sh
# Runs protoc ("$@") for the Kubernetes schemas and drops its notes about
# imports the upstream .proto files do not use (theirs, not ours to fix):
# every other message, and protoc's exit status, pass through.
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out" | grep -v -e 'warning: Import .* is unused\.$' -e '^$' >&2
exit $status
