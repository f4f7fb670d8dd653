"""The chat widget in a real browser: Debian's Chromium driven by Playwright, against the real
Rasa server (with the widget channel) and action server. Run `npm ci && npm run build` first.

Screenshots land in test-artifacts/ (git-ignored): widget-conversation.png (desktop) and
widget-conversation-phone.png (375 x 667).
"""

from __future__ import annotations

import json
import re
import time
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
    MAX_MESSAGE_LENGTH,
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
    browser, servers, viewport=DESKTOP, tap: bool = False, **context_options
) -> Iterator[tuple[WidgetPage, SocketTap | None]]:
    """A fresh browser profile (empty storage) on the demo page; optionally tapping its socket."""
    with browser.new_context(viewport=viewport, **context_options) as context:
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


def test_the_greeting_says_what_this_is_once_on_first_open(widget):
    widget.open()
    widget.wait_for_bot("automated self-help assistant")
    expect(widget.input).to_be_focused()
    expect(widget.log).to_have_attribute("aria-live", "polite")
    expect(widget.user_bubbles()).to_have_count(0)  # "/greet" is sent, but never shown
    panel = widget.widget_locator(".tr-panel")
    assert panel.inner_text().count("not a therapist") == 1  # the disclosure, once


def test_consecutive_bot_messages_show_one_time(widget):
    start_with_offer(widget)
    bot = widget.log.locator(".tr-msg--bot")
    assert bot.count() >= 2
    times = widget.log.locator("time")
    visible = [times.nth(i).is_visible() for i in range(times.count())]
    users = widget.log.locator(".tr-msg--user").count()
    # One visible time per turn: the greeting's, the person's message and the reply's.
    assert sum(visible) == 2 + users
    speakers = widget.log.locator(".tr-speaker")
    visible_speakers = [
        s.evaluate("n => getComputedStyle(n).display !== 'none'") for s in speakers.all()
    ]
    assert sum(visible_speakers) == 2 + users  # "The assistant said:" once per turn


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
    widget.press("Yes, that's right")
    widget.wait_for_bot("Question 2 of 7")
    expect(widget.log.locator(".tr-text").last).to_be_in_viewport()  # scrolled to the newest
    widget.screenshot("widget-conversation.png")


def test_a_reload_keeps_the_conversation_and_it_carries_on(widget):
    start_with_offer(widget)
    widget.press("Yes, let's start")
    widget.wait_for_bot("Question 1 of 7")
    # The whole turn is in (the prefilled answer's confirmation comes last) before reloading.
    widget.log.get_by_role("button", name="Yes, that's right").wait_for()
    before = widget.texts()
    widget.page.reload()
    widget.open()
    expect(widget.log.locator(".tr-text")).to_have_text(before)
    widget.press("Yes, that's right")  # the restored buttons still work, same conversation
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
        replies = widget.bot_bubbles().count()
        widget.send("x" * 300)  # one unbroken word must wrap, not widen the page
        expect(widget.user_bubbles().last).to_have_text("x" * 300)
        widget.page.wait_for_function(
            """(count) => document.querySelector('#trust-repair-widget').shadowRoot
                .querySelectorAll('.tr-msg--bot .tr-text').length > count""",
            arg=replies,
        )
        assert widget.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        panel = widget.page.locator(".tr-panel").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
        expect(widget.page.get_by_role("button", name="Leave quickly")).to_be_in_viewport()
        widget.screenshot("widget-conversation-phone.png")


def test_the_widget_works_with_the_keyboard_alone(widget):
    widget.page.keyboard.press("Tab")  # the demo page's code sample (scrollable, so focusable)
    widget.page.keyboard.press("Tab")
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


# ---- issue 15 and 16: resources, controls, delivery, sessions, accessibility -------------

RESOURCES = {
    "text": "You can talk to someone right now, free and confidential.",
    "custom": {
        "links": [
            {"label": "Samaritans 116 123", "href": "tel:116123"},
            {"label": "Shout 85258", "href": "sms:85258"},
            {"label": "samaritans.org", "href": "https://www.samaritans.org"},
            {"label": "bad script", "href": "javascript:alert(1)"},
            {"label": "plain web", "href": "http://example.org"},
            {"label": "data", "href": "data:text/html,<script>alert(1)</script>"},
            {"label": INJECTION, "href": "https://example.org/help"},
            {"label": "", "href": "tel:999"},
        ]
    },
}


def tapped_page(browser, servers, **options):
    return demo_page(browser, servers, tap=True, **options)


def opened(widget: WidgetPage, socket: SocketTap) -> None:
    widget.open()
    widget.wait_for_bot("glad you're here")
    socket.wait_for_upgrade(widget.page)


def test_support_services_are_tappable_links_and_other_schemes_are_dropped(browser, servers):
    with tapped_page(browser, servers) as (widget, socket):
        opened(widget, socket)
        socket.inject_bot_message(RESOURCES)
        card = widget.log.get_by_role("group", name="Support services").last
        links = card.get_by_role("link")
        expect(links).to_have_count(4)
        hrefs = [link.get_attribute("href") for link in links.all()]
        assert hrefs == [
            "tel:116123",
            "sms:85258",
            "https://www.samaritans.org/",
            "https://example.org/help",
        ]
        expect(links.nth(0)).to_have_text("Call: Samaritans 116 123")
        expect(links.nth(1)).to_have_text("Text: Shout 85258")
        expect(links.nth(3)).to_have_text(f"Website: {INJECTION}")  # a label is text, not markup
        assert links.nth(2).get_attribute("rel") == "noopener noreferrer"
        # The card belongs to its message: one bubble, the text above the links.
        message = card.locator("xpath=..")
        expect(message.locator(".tr-text")).to_have_text(RESOURCES["text"])
        expect(widget.page.locator("#trust-repair-widget img")).to_have_count(0)
        card.scroll_into_view_if_needed()
        widget.screenshot("widget-resources.png")


def test_a_rating_is_a_scale_and_skip_and_pause_sit_apart(browser, servers):
    points = [{"title": str(n), "payload": f'/choose{{"choice":"{n}"}}'} for n in range(1, 6)]
    controls = [
        {"title": "Skip this", "payload": "/skip_step"},
        {"title": "Pause", "payload": "/pause_exercise"},
    ]
    rating = {
        "text": "Question 2 of 7\n\nHow much do you trust your partner today?",
        "quick_replies": points + controls,
    }
    with tapped_page(browser, servers) as (widget, socket):
        opened(widget, socket)
        socket.inject_bot_message(rating)
        scale = widget.log.get_by_role("group", name="Scale from 1 to 5").last
        expect(scale.get_by_role("button")).to_have_count(5)
        expect(scale.get_by_role("button", name="3 of 5")).to_be_visible()
        controls = widget.log.get_by_role("group", name="Exercise controls").last
        expect(controls.get_by_role("button")).to_have_text(["Skip this", "Pause"])
        assert scale.bounding_box()["y"] < controls.bounding_box()["y"]  # answers first, apart
        # A screen reader hears labelled parts, not "...today?12345Skip thisPause6:39 AM".
        spoken = widget.log.locator(".tr-msg").last.text_content()
        assert re.search(r"today\?Answers: .*Skip thisPauseSent at \d", spoken)
        controls.scroll_into_view_if_needed()
        widget.screenshot("widget-scale.png")


def test_a_message_sent_while_offline_says_not_sent_and_goes_out_once_on_reconnect(
    browser, servers
):
    with tapped_page(browser, servers) as (widget, socket):
        opened(widget, socket)
        socket.go_offline()
        expect(widget.status).to_have_text(re.compile("Reconnecting"))
        widget.send(THEME_MESSAGE)
        mine = widget.log.locator(".tr-msg--user").last
        expect(mine.locator(".tr-state")).to_have_text(re.compile("Not sent yet"))
        expect(widget.page.locator("#trust-repair-widget .tr-typing")).to_be_hidden()
        widget.page.wait_for_timeout(1500)
        expect(mine.locator(".tr-state")).to_have_text(re.compile("Not sent yet"))
        socket.go_online()
        widget.wait_for_bot(OFFER)
        expect(mine.locator(".tr-state")).to_have_text("")
        expect(widget.user_bubbles()).to_have_text([THEME_MESSAGE])
        widget.page.wait_for_timeout(2000)  # had it gone twice, a second offer would come
        expect(widget.bot_bubbles().filter(has_text=OFFER)).to_have_count(1)


def test_a_message_typed_just_before_a_reload_offline_is_sent_after_it(browser, servers):
    with tapped_page(browser, servers) as (widget, socket):
        opened(widget, socket)
        socket.go_offline()
        widget.send(THEME_MESSAGE)
        expect(widget.log.locator(".tr-state").last).to_have_text(re.compile("Not sent yet"))
        socket.go_online()
        widget.page.reload()
        widget.open()
        widget.wait_for_bot(OFFER)
        expect(widget.user_bubbles()).to_have_text([THEME_MESSAGE])


def test_an_over_long_message_is_never_cut_and_says_why_it_cannot_go(widget):
    widget.open()
    widget.wait_for_bot("glad you're here")
    text = "a" * (MAX_MESSAGE_LENGTH + 5)
    widget.input.fill(text)
    widget.input.press("Enter")
    expect(widget.input).to_have_value(text)  # nothing lost, nothing sent
    expect(widget.input).to_have_attribute("aria-invalid", "true")
    expect(widget.widget_locator(".tr-counter")).to_contain_text("too long to send")
    expect(widget.user_bubbles()).to_have_count(0)
    widget.input.fill("a" * 10)
    expect(widget.widget_locator(".tr-counter")).to_have_text("")


def test_on_a_phone_focus_stays_inside_the_full_screen_chat(browser, servers):
    with demo_page(browser, servers, viewport=PHONE) as (widget, _):
        widget.open()
        widget.wait_for_bot("glad you're here")
        expect(widget.widget_locator(".tr-panel")).to_have_attribute("aria-modal", "true")
        for _ in range(30):
            widget.page.keyboard.press("Tab")
            inside = widget.page.evaluate("""() => {
                const host = document.querySelector('#trust-repair-widget');
                return document.activeElement === host &&
                    host.shadowRoot.querySelector('.tr-panel').contains(host.shadowRoot.activeElement);
            }""")
            assert inside, "Tab left the chat for the page underneath"
        for _ in range(5):
            widget.page.keyboard.press("Shift+Tab")
            assert widget.page.evaluate("() => document.activeElement.id === 'trust-repair-widget'")


def test_on_a_touch_screen_the_keyboard_does_not_open_by_itself(browser, servers):
    with demo_page(browser, servers, viewport=PHONE, has_touch=True, is_mobile=True) as (
        widget,
        _,
    ):
        widget.launcher.tap()
        widget.wait_for_bot("glad you're here")
        expect(widget.input).not_to_be_focused()
        expect(widget.page.get_by_role("heading", name="Talk it through")).to_be_focused()
        # The welcome is in view, not under a keyboard.
        expect(widget.bot_bubbles().first).to_be_in_viewport()
        widget.screenshot("widget-phone-touch.png")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_serious_or_critical_problem(browser, servers, viewport):
    with tapped_page(browser, servers, viewport=viewport, bypass_csp=True) as (widget, socket):
        assert widget.axe() == []  # closed: just the launcher
        start_with_offer(widget)
        socket.wait_for_upgrade(widget.page)
        assert widget.axe() == []
        widget.press("Yes, let's start")  # the offer's buttons are now disabled
        widget.wait_for_bot("Question 1 of 7")
        socket.inject_bot_message(RESOURCES)
        widget.log.get_by_role("group", name="Support services").wait_for()
        assert widget.axe() == []
        widget.page.get_by_role("button", name="Conversation options").click()
        assert widget.axe() == []
        name = "desktop" if viewport == DESKTOP else "phone"
        widget.screenshot(f"widget-axe-{name}.png")


def test_remember_on_this_device_keeps_it_for_a_new_tab_until_leave_quickly(browser, servers):
    with browser.new_context(viewport=DESKTOP) as context:
        first = WidgetPage(context.new_page())
        first.page.goto(servers.demo_url)
        start_with_offer(first)
        assert first.stored()["localStorage"] == {}  # forgetful by default
        first.page.get_by_role("button", name="Conversation options").click()
        box = first.page.get_by_role("checkbox", name="Remember this conversation on this device")
        expect(box).not_to_be_checked()
        expect(first.widget_locator("#tr-remember-help")).to_contain_text("shared device")
        box.check()
        stored = first.stored()
        assert stored["sessionStorage"] == {}
        kept = stored["localStorage"][STORAGE_KEY]
        days = (kept["expiresAt"] / 1000 - time.time()) / 86400
        assert 29.9 < days <= 30
        second = WidgetPage(context.new_page())  # a new tab
        second.page.goto(servers.demo_url)
        second.open()
        expect(second.bot_bubbles().filter(has_text=OFFER)).to_have_count(1)
        second.press("Yes, let's start")  # the same conversation, on the server too
        second.wait_for_bot("Question 1 of 7")
        second.page.get_by_role("button", name="Leave quickly").click()
        second.page.wait_for_url(EXIT_URL)
        first.page.reload()
        assert first.stored() == {"sessionStorage": {}, "localStorage": {}}


def test_a_remembered_copy_past_its_date_is_dropped(browser, servers):
    with demo_page(browser, servers) as (widget, _):
        widget.page.evaluate(
            """(key) => localStorage.setItem(key, JSON.stringify({sessionId: 'a'.repeat(32),
                expiresAt: Date.now() - 1000,
                messages: [{from: 'bot', text: 'an old secret', time: Date.now()}]}))""",
            STORAGE_KEY,
        )
        widget.page.reload()
        widget.open()
        widget.wait_for_bot("glad you're here")
        expect(widget.log).not_to_contain_text("an old secret")
        assert STORAGE_KEY not in widget.stored()["localStorage"]


def test_a_resume_code_continues_the_conversation_in_another_browser(browser, servers):
    with demo_page(browser, servers) as (first, _), demo_page(browser, servers) as (second, _):
        start_with_offer(first)
        first.page.get_by_role("button", name="Conversation options").click()
        first.page.get_by_role("button", name="Get a resume code").click()
        shown = first.widget_locator(".tr-code")
        expect(shown).to_have_text(re.compile(r"Your code: [0-9A-Z]{5}-[0-9A-Z]{5}"))
        code = shown.inner_text().split(": ")[1]
        second.open()
        second.wait_for_bot("glad you're here")
        second.page.get_by_role("button", name="Conversation options").click()
        field = second.page.get_by_role("textbox", name="Have a resume code?")
        field.fill("WRONG-00000")
        second.page.get_by_role("button", name="Continue").click()
        expect(second.widget_locator(".tr-error")).to_have_text(re.compile("didn't work"))
        field.fill(code.lower())
        second.page.get_by_role("button", name="Continue").click()
        expect(second.widget_locator(".tr-notice")).to_have_text(re.compile("Conversation resumed"))
        second.send("yes")  # answers the offer made in the first browser
        second.wait_for_bot("Question 1 of 7")


def test_an_unknown_or_expired_session_starts_over_and_clears_the_old_copy(browser, servers):
    with demo_page(browser, servers) as (widget, _):
        widget.page.evaluate(
            """(key) => sessionStorage.setItem(key, JSON.stringify({sessionId: '0'.repeat(32),
                messages: [{from: 'user', text: 'something private', time: Date.now()}]}))""",
            STORAGE_KEY,
        )
        widget.page.reload()
        widget.open()
        expect(widget.widget_locator(".tr-notice")).to_have_text(re.compile("ended after"))
        widget.wait_for_bot("glad you're here")
        expect(widget.log).not_to_contain_text("something private")
        stored = widget.stored()["sessionStorage"][STORAGE_KEY]
        assert stored["sessionId"] != "0" * 32
        assert "something private" not in json.dumps(stored)


def test_delete_my_data_clears_this_browser_and_starts_a_new_session(widget):
    start_with_offer(widget)
    old = widget.stored()["sessionStorage"][STORAGE_KEY]["sessionId"]
    widget.send("delete my data")
    widget.wait_for_bot("Are you sure?")
    widget.send("yes")
    expect(widget.widget_locator(".tr-notice")).to_have_text(re.compile("deleted"))
    expect(widget.log.locator(".tr-text")).to_have_count(1)
    expect(widget.bot_bubbles()).to_have_text([re.compile("deleted everything")])
    stored = widget.stored()["sessionStorage"][STORAGE_KEY]
    assert stored["sessionId"] != old
    assert THEME_MESSAGE not in json.dumps(stored)
    widget.send("hi")  # a new conversation
    widget.wait_for_bot("glad you're here")


def test_deleting_in_one_tab_clears_the_other_tab_of_a_remembered_conversation(browser, servers):
    with browser.new_context(viewport=DESKTOP) as context:
        first = WidgetPage(context.new_page())
        first.page.goto(servers.demo_url)
        start_with_offer(first)
        first.page.get_by_role("button", name="Conversation options").click()
        first.page.get_by_role("checkbox", name="Remember this conversation on this device").check()
        second = WidgetPage(context.new_page())
        second.page.goto(servers.demo_url)
        second.open()
        expect(second.bot_bubbles().filter(has_text=OFFER)).to_have_count(1)
        first.send("delete my data")
        first.wait_for_bot("Are you sure?")
        first.send("yes")
        first.wait_for_bot("deleted everything")
        expect(second.widget_locator(".tr-notice")).to_have_text(re.compile("another tab"))
        expect(second.log).not_to_contain_text(THEME_MESSAGE)
        expect(second.log).not_to_contain_text(OFFER)
