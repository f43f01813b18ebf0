"""The file to give spark-submit: ``spark-submit [options] dedup/submit.py spark scan PATH... -o DIR``.

spark-submit runs a Python file, not a module; this one runs the dedup
command line with the arguments that follow it.
"""

from dedup.cli import main

if __name__ == "__main__":
    main()
