"""Every page under the Content-Security-Policy, enforced by real Chromium: no violation (inline
script, handler or style, or a foreign source) on the login, start, job, shared-job, job-list and
API docs pages, and igv.js still draws; the listener itself is shown to catch one."""

from __future__ import annotations

import pytest

from predictions.models import Job
from tests.integration.conftest import OUTPUT, watch
from tests.predictions.web import factories

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Runs before any page script: records every violation the browser reports.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def violations(page) -> list[str]:
    return page.evaluate("() => window.cspViolations")


def open_page(page, url: str) -> dict[str, str]:
    response = page.goto(url)
    assert response is not None and response.ok, url
    return response.headers


def test_pages_run_under_the_policy_without_a_violation(
    live_server, settings, tmp_path, owner, demo_assembly, browser
):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = factories.make_scored_job(owner, demo_assembly)
    link = factories.share(job)
    errors: list[str] = []
    foreign: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    watch(page, live_server.url, errors, foreign)

    headers = open_page(page, f"{live_server.url}/accounts/login/")
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "owner-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert violations(page) == []

    # start page: the mode panels and the example variants (json_script) work from the module
    page.check("input[name=mode][value=variants]")
    page.click("#use-example")
    assert "chr20:" in page.input_value("textarea[name=variants_text]") or ":" in page.input_value(
        "textarea[name=variants_text]"
    )
    page.check("input[name=mode][value=locus]")
    assert page.locator("section.mode-panel[data-mode=variants]").is_hidden()
    assert violations(page) == []

    # job page: igv.js loads and draws (its own styles included) under the policy
    open_page(page, f"{live_server.url}/jobs/{job.code}/")
    page.wait_for_selector("#igv-browser canvas", timeout=60_000)
    page.wait_for_function("() => window.genomeappBrowser && window.genomeappBrowser.resultTracks.length > 0")
    page.wait_for_timeout(1500)
    drawn = page.evaluate(
        """() => [...document.getElementById("igv-browser").shadowRoot.querySelectorAll("canvas")]
                  .some((c) => c.width > 0 && c.getContext("2d").getImageData(0, 0, c.width, c.height)
                                  .data.some((v, i) => i % 4 === 3 && v > 0))"""
    )
    assert drawn, "igv.js drew nothing"
    # a track's menu and a feature's popup build their markup at run time
    page.locator(".igv-gear-menu-column > div > div").filter(visible=True).last.click()
    page.locator(".igv-menu-popup").filter(has_text="Set track height").filter(visible=True).wait_for()
    page.screenshot(path=str(OUTPUT / "csp-job-page.png"), full_page=True)
    page.keyboard.press("Escape")
    assert violations(page) == []

    # job list: the status filter submits on change and deleting asks first (no inline handlers)
    open_page(page, f"{live_server.url}/jobs/")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("form[data-confirm] button[type=submit]")
    assert asked == ["Delete this job and all its results?"]
    assert Job.objects.filter(pk=job.pk).exists()
    with page.expect_navigation():
        page.select_option("select[name=status]", "succeeded")
    assert "status=succeeded" in page.url
    assert violations(page) == []

    # API docs (Swagger UI from drf-spectacular-sidecar)
    open_page(page, f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    assert violations(page) == []

    # a share link in a fresh context, not logged in
    shared = context.browser.new_context(viewport={"width": 1400, "height": 1000})
    shared.add_init_script(RECORD_VIOLATIONS)
    colleague = shared.new_page()
    watch(colleague, live_server.url, errors, foreign)
    open_page(colleague, f"{live_server.url}/s/{link.token}/")
    colleague.wait_for_function(
        "() => window.genomeappBrowser && window.genomeappBrowser.resultTracks.length > 0"
    )
    assert violations(colleague) == []

    assert not errors, errors
    assert not foreign, f"requests left localhost: {foreign}"

    # the listener is live: an inline style added now is refused and reported
    page.evaluate(
        "() => { const s = document.createElement('style'); s.textContent = 'b{}'; document.head.append(s); }"
    )
    page.wait_for_function("() => window.cspViolations.length > 0")
    assert violations(page)[0].startswith("style-src-elem")
