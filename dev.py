#!/usr/bin/env python3
"""Set up Roamplan and run it, or its tests, with nothing but Python 3.12+.

    python3 dev.py run     # venv, dependencies, translations, database, sample catalog,
                           # a planner worker and the development server
    python3 dev.py test    # venv with test tools, translations, Chromium, the whole suite
    python3 dev.py setup   # only the setup steps

Only the standard library is used here, so this runs before anything is installed.
"""

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
ENV_FILE = ROOT / ".env"
MINIMUM = (3, 12)
CHROMIUM = Path("/usr/bin/chromium")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env=env)


def version_of(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    return int(out[0]), int(out[1])


def find_python() -> str:
    if sys.version_info[:2] >= MINIMUM:
        return sys.executable
    for name in ("python3.13", "python3.12", "python3"):
        path = shutil.which(name)
        if path and (version_of(path) or (0, 0)) >= MINIMUM:
            return path
    sys.exit("Roamplan needs Python 3.12 or newer; install it (e.g. apt-get install python3.12).")


def ensure_venv() -> None:
    if VENV_PYTHON.exists() and (version_of(str(VENV_PYTHON)) or (0, 0)) >= MINIMUM:
        return
    python = find_python()
    say(f"Creating the virtual environment in .venv with {python}")
    if VENV.exists():
        shutil.rmtree(VENV)
    if subprocess.run([python, "-m", "venv", str(VENV)], cwd=ROOT).returncode != 0:
        # Debian and Ubuntu ship venv's pip bootstrap in a separate package.
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            sys.exit("Python's venv module is missing: sudo apt-get install python3-venv")
        major, minor = version_of(python) or MINIMUM
        say(f"Installing python{major}.{minor}-venv")
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", f"python{major}.{minor}-venv")
        shutil.rmtree(VENV, ignore_errors=True)
        run(python, "-m", "venv", VENV)
    run(VENV_PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")


def ensure_dependencies(extras: str) -> None:
    # Reinstall only when pyproject.toml changed since the last install with these extras.
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"Installing dependencies{f' with [{extras}]' if extras else ''}")
    target = f".[{extras}]" if extras else "."
    run(VENV_PYTHON, "-m", "pip", "install", "--quiet", "--editable", target)
    stamp.write_text(digest)


def compile_translations() -> None:
    # Babel compiles the .po files in Python: no gettext needed on a fresh machine.
    if any((ROOT / "locale").glob("*/LC_MESSAGES/django.po")):
        say("Compiling translations")
        run(VENV / "bin" / "pybabel", "compile", "--statistics", "-d", "locale", "-D", "django")


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("The browser tests need Debian's Chromium: sudo apt-get install chromium")
    say("Installing Debian's Chromium for the browser tests")
    run("apt-get", "update", "-qq")
    run("apt-get", "install", "-y", "-qq", "chromium")


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    run(VENV_PYTHON, "manage.py", *args, env=env)


def dev_env() -> dict[str, str]:
    return {"DEBUG": "1", **os.environ}


def ensure_env_file() -> None:
    # What makes `.venv/bin/python manage.py ...` work afterwards: the settings read
    # this file for variables the environment does not set. Never overwritten, so a
    # developer's own additions stay; git-ignored, so the key stays on this machine.
    if ENV_FILE.exists():
        return
    say("Writing development settings to .env (DEBUG on, a local secret key)")
    ENV_FILE.write_text(
        "# Development settings for manage.py, written by dev.py; not for production.\n"
        "DEBUG=1\n"
        f"SECRET_KEY=dev-{secrets.token_urlsafe(40)}\n",
        encoding="utf-8",
    )
    ENV_FILE.chmod(0o600)


def setup(extras: str = "") -> None:
    ensure_venv()
    ensure_dependencies(extras)
    compile_translations()
    ensure_env_file()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command == "setup":
        setup("dev")
        manage("migrate", "--no-input", env=dev_env())
        return 0
    if command == "run":
        setup()
        env = dev_env()
        manage("migrate", "--no-input", env=env)
        say("Loading the sample catalog")
        manage("import_catalog", "catalog/sample/catalog.json", env=env)
        # Solves run in a worker beside the pages, as in production (Procfile).
        say("Starting a planner worker")
        worker = subprocess.Popen(
            [str(VENV_PYTHON), "manage.py", "solve_worker", "--interval", "0.1"], cwd=ROOT, env=env
        )
        try:
            port = os.environ.get("PORT", "8000")
            say(f"Roamplan runs at http://127.0.0.1:{port}/ (Ctrl+C stops it)")
            manage("runserver", f"127.0.0.1:{port}", env=env)
        finally:
            worker.terminate()
            worker.wait()
        return 0
    if command == "test":
        setup("dev")
        ensure_chromium()
        return subprocess.run([str(VENV / "bin" / "pytest"), *argv[1:]], cwd=ROOT).returncode
    sys.exit(f"unknown command {command!r}: use run, test or setup")


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as error:
        command = " ".join(str(a) for a in error.cmd)
        sys.exit(f"dev.py: this step failed (exit {error.returncode}): {command}")
    except KeyboardInterrupt:
        sys.exit(130)
