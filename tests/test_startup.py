"""The command line starts without the heavy libraries: they are imported by
the functions that use them."""

import subprocess
import sys

HEAVY = ("sklearn", "scipy", "trafilatura", "pyarrow", "lxml", "numpy")


def loaded_after(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True).stdout.split()
    return [m for m in HEAVY if m in out]


def test_import_cli_loads_no_heavy_library():
    assert loaded_after("import dedup.cli") == []


def test_import_package_loads_no_heavy_library_until_a_name_is_used():
    assert loaded_after("import dedup") == []
    assert "numpy" in loaded_after("import dedup\ndedup.scan")


def test_version_and_help_load_no_heavy_library():
    code = ("import dedup.cli, contextlib, io\n"
            "for args in (['--version'], ['--help'], ['scan', '--help'], ['diff', '--help'], ['index', 'query', '--help']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        try:\n"
            "            dedup.cli.cli(args, prog_name='dedup')\n"
            "        except SystemExit as exc:\n"
            "            assert exc.code == 0, (args, exc.code)")
    assert loaded_after(code) == []


def test_scan_of_plain_text_loads_no_scikit_learn(tmp_path):
    for i, text in enumerate(["The council approved the new budget on Monday after a long debate."] * 2):
        (tmp_path / f"{i}.txt").write_text(text, encoding="utf-8")
    code = (f"import dedup.cli, contextlib, io\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try:\n"
            f"        dedup.cli.cli(['scan', {str(tmp_path)!r}], prog_name='dedup')\n"
            f"    except SystemExit as exc:\n"
            f"        assert exc.code == 0, exc.code")
    assert loaded_after(code) == ["numpy"]


def test_submodules_the_documentation_names_from_the_package_load_on_first_use():
    # A fresh interpreter: "import dedup" alone, then what the README calls (dedup.explain.explain, ...).
    code = ("import dedup\n"
            "names = [dedup.explain.explain, dedup.extract.extract_page, dedup.template.strip_templates]\n"
            "assert [f.__name__ for f in names] == ['explain', 'extract_page', 'strip_templates']\n"
            "assert {'explain', 'extract', 'template'} <= set(dir(dedup))\n"
            "try:\n"
            "    dedup.no_such_name\n"
            "except AttributeError:\n"
            "    pass\n"
            "else:\n"
            "    raise AssertionError('an unknown name was found')")
    assert "sklearn" not in loaded_after(code)


def test_package_names_are_the_functions():
    import dedup
    import dedup.diff as diff_module  # noqa: F401 - importing the submodules must not replace the functions
    import dedup.normalize as normalize_module  # noqa: F401
    import dedup.verify as verify_module  # noqa: F401
    from dedup.verify import Rule

    assert callable(dedup.diff) and dedup.diff.__module__ == "dedup.diff"
    assert callable(dedup.verify) and dedup.verify.__module__ == "dedup.verify"
    assert dedup.normalize("A  B") == "a b"
    assert dedup.ScanConfig().rule == Rule(0.5, 0.55)
    assert set(dedup.__all__) <= set(dir(dedup))


def test_the_command_runs_blas_in_one_thread_unless_told_otherwise():
    # numpy's OpenBLAS starts a thread per core as it is imported; dedup multiplies no matrices.
    import os
    import pytest

    if not os.path.isdir("/proc/self/task"):
        pytest.skip("counting a process's threads needs /proc")
    code = ("import os, dedup.__main__, numpy\n"
            "print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["1", "1"]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**env, "OPENBLAS_NUM_THREADS": "2"})
    assert out.stdout.split()[0] == "2"
