import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def shared_dir():
    return settings.SHARED_DIR


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright cannot download a browser on these machines,
    # and without the networking flags Chromium tries to call home at start.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
    }
