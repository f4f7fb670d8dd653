"""The chat widget in a real browser: Debian's Chromium driven by Playwright, against the real
Rasa server (with the widget channel) and action server. Run `npm ci && npm run build` first.

Screenshots land in test-artifacts/ (git-ignored): widget-conversation.png (desktop) and
widget-conversation-phone.png (375 x 667).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EXIT_URL,
    STORAGE_KEY,
    WIDGET_DIR,
    OperatorSite,
    SocketTap,
    WidgetPage,
    WidgetServers,
    missing_build,
)
from tests.support.live import free_port

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser tests need Debian's chromium: apt-get install chromium",
    ),
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}
THEME_MESSAGE = "i keep checking his phone all the time"
OFFER = "Trust-signs self-check"
INJECTION = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    problem = missing_build()
    if problem:
        pytest.fail(problem)
    with WidgetServers.running(tmp_path_factory.mktemp("widget")) as servers:
        yield servers


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def demo_page(
    browser, servers, viewport=DESKTOP, tap: bool = False
) -> Iterator[tuple[WidgetPage, SocketTap | None]]:
    """A fresh browser profile (empty storage) on the demo page; optionally tapping its socket."""
    with browser.new_context(viewport=viewport) as context:
        page = context.new_page()
        socket = SocketTap(page) if tap else None
        widget = WidgetPage(page)
        page.goto(servers.demo_url)
        yield widget, socket
        assert widget.dialogs == []  # no test may ever make the page run a script from a message


@pytest.fixture
def widget(browser, servers):
    with demo_page(browser, servers) as (widget, _):
        yield widget


def start_with_offer(widget: WidgetPage) -> None:
    widget.open()
    widget.wait_for_bot("glad you're here")
    widget.send(THEME_MESSAGE)
    widget.wait_for_bot(OFFER)


def test_the_widget_and_its_demo_page_come_from_the_rasa_server(servers):
    with urlopen(servers.demo_url) as page:
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
        assert 'src="/widget/static/widget.js"' in page.read().decode()
    with urlopen(f"{servers.url}/widget/static/widget.js") as script:
        assert "javascript" in script.headers["Content-Type"]
    for name in ["../../credentials.yml", ".hidden", "missing.js"]:
        with pytest.raises(HTTPError) as refused:
            urlopen(f"{servers.url}/widget/static/{quote(name, safe='')}")
        assert refused.value.code == 404


def test_the_greeting_and_the_disclosure_appear_on_first_open(widget):
    widget.open()
    expect(widget.page.get_by_role("note")).to_contain_text(
        "not a person, not a therapist, not an emergency service"
    )
    widget.wait_for_bot("automated self-help assistant")
    expect(widget.input).to_be_focused()
    expect(widget.log).to_have_attribute("aria-live", "polite")
    expect(widget.user_bubbles()).to_have_count(0)  # "/greet" is sent, but never shown
    widget.page.get_by_role("button", name="Got it").click()
    expect(widget.page.get_by_role("note")).to_be_hidden()
    expect(widget.input).to_be_focused()


def test_a_theme_message_gets_the_matching_offer_after_a_typing_indicator(widget):
    widget.open()
    widget.wait_for_bot("glad you're here")
    widget.page.evaluate("""() => {
        const root = document.querySelector('#trust-repair-widget').shadowRoot;
        const typing = root.querySelector('.tr-typing');
        window.typingSeen = false;
        new MutationObserver(() => { window.typingSeen ||= !typing.hidden; })
            .observe(typing, {attributes: true});
    }""")
    widget.send(THEME_MESSAGE)
    expect(widget.user_bubbles().last).to_have_text(THEME_MESSAGE)
    widget.wait_for_bot(OFFER)
    assert widget.page.evaluate("window.typingSeen")
    expect(widget.log.locator(".tr-typing")).to_have_count(0)  # the indicator sits outside the log
    expect(widget.page.locator(".tr-typing")).to_be_hidden()
    expect(widget.log.locator("time").last).to_have_text(re.compile(r"\d{1,2}[:.]\d{2}"))
    offer = widget.log.get_by_role("group", name="Reply options").last
    expect(offer.get_by_role("button")).to_have_text(["Yes, let's start", "Not now"])


def test_a_button_shows_its_title_and_advances_the_exercise(widget):
    start_with_offer(widget)
    widget.press("Yes, let's start")
    expect(widget.user_bubbles().last).to_have_text(
        "Yes, let's start"
    )  # the title, not the payload
    widget.wait_for_bot("Question 1 of 7")
    expect(
        widget.log.get_by_role("button", name="Not now")
    ).to_be_disabled()  # answered offers go inactive
    expect(widget.input).to_be_focused()
    widget.press("Often")
    widget.wait_for_bot("Question 2 of 7")
    expect(widget.log.locator(".tr-text").last).to_be_in_viewport()  # scrolled to the newest
    widget.screenshot("widget-conversation.png")


def test_a_reload_keeps_the_conversation_and_it_carries_on(widget):
    start_with_offer(widget)
    widget.press("Yes, let's start")
    widget.wait_for_bot("Question 1 of 7")
    before = widget.texts()
    widget.page.reload()
    widget.open()
    expect(widget.log.locator(".tr-text")).to_have_text(before)
    expect(widget.page.get_by_role("note")).to_be_hidden()  # the banner is for the first open only
    widget.press("Often")  # the restored question's buttons still work, in the same conversation
    widget.wait_for_bot("Question 2 of 7")
    stored = widget.stored()
    assert list(stored["sessionStorage"]) == [STORAGE_KEY] and stored["localStorage"] == {}
    assert set(stored["sessionStorage"][STORAGE_KEY]) == {"sessionId", "messages"}


def test_markup_typed_by_the_person_is_shown_as_text(widget):
    widget.open()
    widget.wait_for_bot("glad you're here")
    widget.send(INJECTION)
    expect(widget.user_bubbles().last).to_have_text(INJECTION)
    widget.page.wait_for_timeout(1000)  # give an injected onerror handler time to fire
    expect(widget.page.locator("#trust-repair-widget img")).to_have_count(0)


def test_markup_in_a_bot_message_is_shown_as_text(browser, servers):
    with demo_page(browser, servers, tap=True) as (widget, socket):
        widget.open()
        widget.wait_for_bot("glad you're here")
        socket.wait_for_upgrade(widget.page)
        socket.inject_bot_message(
            {"text": INJECTION, "quick_replies": [{"title": INJECTION, "payload": "/x"}]}
        )
        expect(widget.bot_bubbles().last).to_have_text(INJECTION)
        expect(widget.log.get_by_role("button", name=INJECTION)).to_have_count(1)
        widget.page.wait_for_timeout(1000)
        expect(widget.page.locator("#trust-repair-widget img")).to_have_count(0)


def test_the_render_function_never_parses_html(browser):
    """render.js on its own (it imports nothing), fed markup in every field a message has."""
    with browser.new_context() as context:
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.set_content("<!doctype html><div id=out></div>")
        source = (WIDGET_DIR / "src" / "render.js").read_text()
        page.add_script_tag(
            type="module", content=source + "\nwindow.renderMessage = renderMessage;"
        )
        page.wait_for_function("() => typeof window.renderMessage === 'function'")
        rendered = page.evaluate(
            """(text) => {
            const node = window.renderMessage(document, {from: 'bot', text, time: Date.now(),
                buttons: [{title: text, payload: '/x'}],
                image: {src: 'https://example.org/c.png', alt: text}});
            document.getElementById('out').append(node);
            return {text: node.querySelector('.tr-text').textContent,
                    button: node.querySelector('.tr-choice').textContent,
                    alt: node.querySelector('.tr-image').alt,
                    images: node.querySelectorAll('img').length};
        }""",
            INJECTION,
        )
        page.wait_for_timeout(500)
        assert rendered == {"text": INJECTION, "button": INJECTION, "alt": INJECTION, "images": 1}
        assert dialogs == []


def test_leave_quickly_clears_storage_and_replaces_the_page(widget, servers):
    start_with_offer(widget)
    assert STORAGE_KEY in widget.stored()["sessionStorage"]
    widget.page.get_by_role("button", name="Leave quickly").click()
    widget.page.wait_for_url(EXIT_URL)
    widget.page.go_back()  # location.replace: "Back" does not lead to the chat
    assert not widget.page.url.startswith(servers.url)
    widget.page.goto(servers.demo_url)  # same tab, same origin: its storage is what was left
    assert widget.stored() == {"sessionStorage": {}, "localStorage": {}}
    widget.open()
    expect(widget.user_bubbles()).to_have_count(0)


def test_a_phone_sized_screen_has_no_horizontal_scroll(browser, servers):
    with demo_page(browser, servers, viewport=PHONE) as (widget, _):
        start_with_offer(widget)
        widget.press("Yes, let's start")
        widget.wait_for_bot("Question 1 of 7")
        widget.send("x" * 300)  # one unbroken word must wrap, not widen the page
        widget.wait_for_bot("didn't catch which one")
        assert widget.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        panel = widget.page.locator(".tr-panel").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
        expect(widget.page.get_by_role("button", name="Leave quickly")).to_be_in_viewport()
        widget.screenshot("widget-conversation-phone.png")


def test_the_widget_works_with_the_keyboard_alone(widget):
    widget.page.keyboard.press("Tab")  # the demo page has no other focusable element before it
    expect(widget.launcher).to_be_focused()
    widget.page.keyboard.press("Enter")
    expect(widget.input).to_be_focused()
    widget.wait_for_bot("glad you're here")
    one_line = widget.input.bounding_box()["height"]
    widget.page.keyboard.type("first line")
    widget.page.keyboard.press("Shift+Enter")
    widget.page.keyboard.type("second line")
    expect(widget.input).to_have_value(
        "first line\nsecond line"
    )  # Shift+Enter: a new line, not sent
    assert widget.input.bounding_box()["height"] > one_line  # the input grows with its text
    assert widget.input.evaluate(
        "node => node.scrollHeight <= node.clientHeight"
    )  # no scrollbar yet
    widget.page.keyboard.press("Enter")
    expect(widget.user_bubbles().last).to_have_text("first line\nsecond line")
    expect(widget.input).to_have_value("")
    widget.page.keyboard.press("Escape")
    expect(widget.launcher).to_be_focused()
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")


def test_a_lost_connection_shows_a_notice_until_it_is_back(browser, servers):
    with demo_page(browser, servers, tap=True) as (widget, socket):
        widget.open()
        widget.wait_for_bot("glad you're here")
        socket.wait_for_upgrade(widget.page)
        socket.cut()
        expect(widget.status).to_have_text(re.compile("Reconnecting"))
        socket.wait_for_upgrade(widget.page, count=2)
        expect(widget.status).to_have_text("")
        widget.send(THEME_MESSAGE)  # and the conversation goes on
        widget.wait_for_bot(OFFER)


def test_an_allowed_operator_site_embeds_the_widget_with_one_tag(browser, servers):
    site = OperatorSite(
        servers.operator_port,
        servers.url,
        title="Our practice chat",
        primary_color="#ffcc00",
        open="true",
    )
    with site, browser.new_context() as context:
        widget = WidgetPage(context.new_page())
        widget.page.goto(site.url)
        widget.wait_for_bot("glad you're here")
        heading = widget.page.get_by_role("heading", name="Our practice chat")
        # A light brand colour gets dark text, so the header stays readable.
        assert heading.evaluate("node => getComputedStyle(node).color") == "rgb(26, 26, 26)"


def test_a_site_whose_origin_is_not_allowed_gets_no_conversation(browser, servers):
    with (
        OperatorSite(free_port(), servers.url, open="true") as site,
        browser.new_context() as context,
    ):
        widget = WidgetPage(context.new_page())
        widget.page.goto(site.url)
        expect(widget.status).to_have_text(re.compile("Reconnecting"))
        expect(widget.bot_bubbles()).to_have_count(0)
