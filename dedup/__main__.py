import os
import sys

# numpy's OpenBLAS starts a thread per core as it is imported (some 60 ms of
# CPU in a process that does no linear algebra, and a thread that spins):
# dedup multiplies no matrices, so its command runs BLAS in one thread unless
# the user says otherwise. Set before anything imports numpy; worker
# processes inherit it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the modules load
    sys.exit(130)

if __name__ == "__main__":
    main()
