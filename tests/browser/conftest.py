"""Browser fixtures: Debian's Chromium driven by Playwright's sync API.

Fixtures: `playwright`, `browser` (session), `page` (phone, 390x844), `desktop_page`
(1280x900), `new_page` (more pages, e.g. organiser and door side by side) and
`fake_camera` (a Chromium whose camera shows a still image). The app is served by
`live_server` from tests/conftest.py, on SQLite only.

Importable helpers: `login_as`, `make_y4m`, `launch_with_fake_camera`, `require_chromium`.

The test thread has its own database session beside the server's. After the browser
has changed data, call `db.session.rollback()` before the test reads or writes: on SQLite
a transaction still open from an earlier read keeps an old snapshot, and its next write
fails at once with "database is locked" (the busy timeout does not help).
IsolatedClient in tests/conftest.py does the same after each request.
"""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

from eventapp.extensions import db
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
# Playwright cannot download its own browser here; these keep Debian's quiet and offline.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DEFAULT_TIMEOUT_MS = 10_000
BROWSER_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, so only ours get the marker.
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def require_chromium() -> None:
    """Skips the test when Chromium is missing; fails it instead when REQUIRE_BROWSER=1 (CI)."""
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def database_url(tmp_path):
    """Browser tests run on SQLite only (replaces the SQLite/PostgreSQL parametrisation)."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    require_chromium()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser, request, tmp_path):
    """new_page(viewport=PHONE, locale="en-US", **context_options) -> Page in a fresh context.

    Contexts are closed after the test; a failed test leaves a screenshot of each page
    in its tmp_path.
    """
    contexts = []

    def make(viewport=PHONE, locale="en-US", **options):
        context = browser.new_context(viewport=viewport, locale=locale, **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "report_call", None)
    for n, context in enumerate(contexts):
        if failed is not None and failed.failed:
            for m, pg in enumerate(context.pages):
                shot = tmp_path / f"failure-{n}-{m}.png"
                try:
                    pg.screenshot(path=str(shot), full_page=True)
                    print(f"screenshot of {pg.url}: {shot}")
                except Exception as exc:  # a crashed page must not hide the real failure
                    print(f"no screenshot of {pg.url}: {exc}")
        context.close()


@pytest.fixture
def page(new_page):
    """A phone-sized page (390x844, en-US) in its own context."""
    return new_page()


@pytest.fixture
def desktop_page(new_page):
    """A desktop-sized page (1280x900, en-US) in its own context."""
    return new_page(viewport=DESKTOP)


def login_as(page, base_url: str, user, password: str = PASSWORD):
    """Signs `user` (a StaffUser or an e-mail address) in through /login; returns the page."""
    email = getattr(user, "email", user)
    # Reading user.email may have opened a read transaction in the test's session; a
    # stale SQLite snapshot would make the test's next write fail once the server has
    # written (see the module docstring).
    db.session.rollback()
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    # The header holds other forms (language, sign-out); take the sign-in form's button.
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) button[type=submit]").click()
    if page.url.split("?")[0].endswith("/login"):
        errors = page.locator(".error, .flash-error").all_inner_texts()
        raise AssertionError(f"sign-in as {email} failed: {errors}")
    return page


def make_y4m(image, out_path, frames: int = 30, size: tuple[int, int] = (640, 480),
             fill: float = 0.8) -> Path:
    """Writes a YUV4MPEG2 (C420jpeg) video of a still image, centred on white.

    `image` is a PIL image or a path; it is scaled to `fill` of the frame (nearest-neighbour
    when enlarging, so QR modules stay sharp). Chromium's fake camera loops the file.
    """
    width, height = size
    if width % 2 or height % 2:
        raise ValueError("4:2:0 needs an even width and height")
    picture = image if isinstance(image, Image.Image) else Image.open(image)
    picture = picture.convert("RGB")
    scale = min(width * fill / picture.width, height * fill / picture.height)
    fitted = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    resample = Image.Resampling.NEAREST if scale >= 1 else Image.Resampling.LANCZOS
    picture = picture.resize(fitted, resample)
    canvas = Image.new("RGB", size, "white")
    canvas.paste(picture, ((width - fitted[0]) // 2, (height - fitted[1]) // 2))

    # Pillow's YCbCr is JPEG's full-range BT.601, which is what C420jpeg means.
    ycbcr = np.asarray(canvas.convert("YCbCr"), dtype=np.uint16)
    luma = ycbcr[:, :, 0].astype(np.uint8)
    blocks = ycbcr[:, :, 1:].reshape(height // 2, 2, width // 2, 2, 2).sum(axis=(1, 3))
    chroma = ((blocks + 2) // 4).astype(np.uint8)
    frame = (b"FRAME\n" + luma.tobytes() + chroma[:, :, 0].tobytes()
             + chroma[:, :, 1].tobytes())

    out_path = Path(out_path)
    with out_path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            f.write(frame)
    return out_path


def launch_with_fake_camera(playwright_or_browser_type, video_path, **launch_options):
    """A separate Chromium whose camera plays `video_path` (.y4m or .mjpeg); close it yourself.

    getUserMedia needs a secure context: open the live server (http://127.0.0.1 counts)
    before asking for the camera, not about:blank.
    """
    require_chromium()
    browser_type = getattr(playwright_or_browser_type, "chromium", playwright_or_browser_type)
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={Path(video_path).resolve()}"]
    args += launch_options.pop("args", [])
    return browser_type.launch(executable_path=CHROMIUM, args=args, **launch_options)


@pytest.fixture
def fake_camera(playwright, tmp_path):
    """fake_camera(image, viewport=PHONE, **context_options) -> Page whose camera shows `image`.

    `image` is a PIL image, a PNG path or a ready .y4m/.mjpeg path. The browser is closed
    after the test.
    """
    browsers = []

    def make(image, viewport=PHONE, locale="en-US", **options):
        if isinstance(image, str | Path) and Path(image).suffix in (".y4m", ".mjpeg"):
            video = Path(image)
        else:
            video = make_y4m(image, tmp_path / f"camera-{len(browsers)}.y4m")
        camera_browser = launch_with_fake_camera(playwright, video)
        browsers.append(camera_browser)
        context = camera_browser.new_context(viewport=viewport, locale=locale, **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        return context.new_page()

    yield make
    for camera_browser in browsers:
        camera_browser.close()
