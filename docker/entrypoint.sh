#!/bin/sh
# Container entry point: arguments are an apcfem command line (`run CASE -o DIR`, `cases`, ...)
# unless the first one names a program to run instead (mpiexec, python, a shell, a path).
set -e
case "${1:-}" in
    apcfem|mpiexec|mpiexec.hydra|mpirun|python|python3|sh|bash|*/*)
        exec "$@" ;;
    *)
        exec apcfem "$@" ;;
esac
