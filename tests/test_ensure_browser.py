"""bin/ensure-browser's lookup order, with fake browsers: nothing is installed (--no-install)."""

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bin" / "ensure-browser"


def fake_browser(path: Path, *, works: bool = True) -> Path:
    """An executable that answers --version like Chromium does, or fails like a snap stub."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\necho 'Chromium 1.0 fake'\n" if works else "#!/bin/sh\nexit 1\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def run(tmp_path):
    """Run the script with PATH = the few tools it needs + a bin/ of fake browsers."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("dirname", "uname", "timeout"):
        (tools / tool).symlink_to(shutil.which(tool))
    browsers = tmp_path / "bin"
    browsers.mkdir()
    home = tmp_path / "home"
    home.mkdir()

    def run_(**env):
        base = {"PATH": f"{tools}:{browsers}", "HOME": str(home), "CHROMIUM_INSTALL": "no"}
        return subprocess.run(
            [shutil.which("bash"), SCRIPT], env=base | env, capture_output=True, text=True, check=False
        )

    run_.bin, run_.home = browsers, home
    return run_


def test_chromium_env_var_comes_first(run, tmp_path):
    chosen = fake_browser(tmp_path / "mine" / "chrome")
    fake_browser(run.bin / "chromium")
    found = run(CHROMIUM=str(chosen))
    assert (found.returncode, found.stdout) == (0, f"{chosen}\n")


def test_the_older_chromium_path_still_works(run, tmp_path):
    chosen = fake_browser(tmp_path / "mine" / "chrome")
    assert run(CHROMIUM_PATH=str(chosen)).stdout == f"{chosen}\n"


def test_a_chosen_browser_that_does_not_run_is_an_error_not_a_fallback(run, tmp_path):
    broken = fake_browser(tmp_path / "mine" / "chrome", works=False)
    fake_browser(run.bin / "chromium")
    found = run(CHROMIUM=str(broken))
    assert found.returncode == 1
    assert found.stdout == ""
    assert len(found.stderr.splitlines()) == 1
    assert f"CHROMIUM={broken} does not run" in found.stderr


def test_path_order_chromium_before_google_chrome(run):
    fake_browser(run.bin / "google-chrome")
    fake_browser(run.bin / "chromium")
    assert run().stdout == f"{run.bin / 'chromium'}\n"


def test_path_skips_a_browser_that_does_not_run(run):
    fake_browser(run.bin / "chromium-browser", works=False)  # Ubuntu's snap stub, say
    fake_browser(run.bin / "google-chrome")
    assert run().stdout == f"{run.bin / 'google-chrome'}\n"


def test_playwright_cache_newest_revision(run):
    cache = run.home / ".cache" / "ms-playwright"
    fake_browser(cache / "chromium-1100" / "chrome-linux" / "chrome")
    newest = fake_browser(cache / "chromium-1200" / "chrome-linux64" / "chrome")
    assert run().stdout == f"{newest}\n"


def test_playwright_browsers_path(run, tmp_path):
    chrome = fake_browser(tmp_path / "browsers" / "chromium-1255" / "chrome-linux64" / "chrome")
    assert run(PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "browsers")).stdout == f"{chrome}\n"


def test_path_before_playwright_cache(run):
    fake_browser(run.home / ".cache" / "ms-playwright" / "chromium-1200" / "chrome-linux64" / "chrome")
    fake_browser(run.bin / "chromium")
    assert run().stdout == f"{run.bin / 'chromium'}\n"


def test_none_found_one_line_saying_what_to_install(run):
    found = run()
    assert found.returncode == 1
    assert found.stdout == ""
    [line] = found.stderr.splitlines()
    assert "apt-get install chromium" in line
    assert "CHROMIUM=/path/to/chrome" in line
