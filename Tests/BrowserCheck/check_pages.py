"""Drives Trough's pages in headless Chromium (Debian's chromium + chromium-driver) with Selenium.

Run by the Swift test BrowserTests, which starts Trough:
    python check_pages.py BASE_URL SCREENSHOT_DIR [UPSTREAM_URL]
Sign up, see the account, create a project and a token (shown once), log out, log in again with a wrong
and then the right password. With UPSTREAM_URL (a loopback mock answering POST /v1/chat/completions with a
gpt-4o completion that costs exactly $0.00472), go on to the project page: set a budget, add an openai
service and a token through its forms, see "Get started", send three requests through the proxy, and find
them in the page's figures, budget bar, breakdown and CSV exports. Exits non-zero with a message on the
first thing a user would see go wrong.
"""
import csv
import io
import json
import os
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

base, shots = sys.argv[1].rstrip("/"), sys.argv[2]
upstream = sys.argv[3].rstrip("/") if len(sys.argv) > 3 and sys.argv[3] else None
os.makedirs(shots, exist_ok=True)

options = webdriver.ChromeOptions()
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"]:
    options.add_argument(argument)
driver_path = next((p for p in ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"] if os.path.exists(p)), None)
browser = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
wait = WebDriverWait(browser, 15)


def fail(message):
    browser.save_screenshot(os.path.join(shots, "failure.png"))
    browser.quit()
    sys.exit("browser check failed: " + message)


def fill(field_id, value):
    element = browser.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(value)


def page_errors():
    """The texts of the page's error boxes that show something, to say why a wait timed out."""
    try:
        return [box.text for box in browser.find_elements(By.CSS_SELECTOR, ".error") if box.text.strip()]
    except Exception:
        return []


def wait_for(condition, message):
    try:
        return wait.until(condition)
    except Exception:
        errors = page_errors()
        fail(message + " (at " + browser.current_url + ")" + (" — the page says: " + " | ".join(errors) if errors else ""))


def text_of(element_id):
    return browser.find_element(By.ID, element_id).text.strip()


def text_is(element_id, expected):
    """A wait condition: the element's text is exactly `expected`."""
    def condition(driver):
        try:
            return driver.find_element(By.ID, element_id).text.strip() == expected
        except Exception:
            return False
    return condition


def fetch_text(path):
    """GETs a same-site path from inside the page (with the session cookie); returns (status, text)."""
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'})"
        "  .then(r => r.text().then(t => done({status: r.status, text: t})))"
        "  .catch(e => done({status: 0, text: String(e)}));", path)
    return result["status"], result["text"]


def proxy_request(token, number, expected=200):
    """One chat completion through Trough's /v1, as an OpenAI SDK would send it; fails unless it answers `expected`."""
    request = urllib.request.Request(
        base + "/v1/chat/completions", method="POST",
        data=json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}).encode(),
        headers={"X-Project-Token": token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except Exception as error:
        fail("proxied request %d did not complete: %s" % (number, error))
    if status != expected:
        fail("proxied request %d answered %d: %s" % (number, status, body[:500].decode("utf-8", "replace")))


def check_project_page():
    """The project page against a real upstream mock: settings through its forms, then three priced requests."""
    browser.find_element(By.LINK_TEXT, "Browser Org").click()
    wait_for(EC.url_contains("/projects.html"), "the organisation opens its projects")
    wait_for(EC.text_to_be_present_in_element((By.ID, "plan-usage"), "of 10,000 requests this month"), "the plan's usage line on the projects page")
    wait_for(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#projects .budget"), "$500.00"), "the project card's budget bar")
    wait_for(EC.element_to_be_clickable((By.LINK_TEXT, "Chat Bot")), "the project card links to the project page").click()
    wait_for(EC.url_contains("/project.html?id="), "the project link opens the project page")
    project_id = browser.current_url.split("id=", 1)[1].split("&", 1)[0]
    wait_for(text_is("project-title", "Chat Bot"), "the project page shows the project's name")
    if not browser.find_elements(By.LINK_TEXT, "← Back to projects of Browser Org"):
        fail("the project page has no link back to the projects")
    wait_for(EC.text_to_be_present_in_element((By.ID, "budget-bar"), "of $500.00 spent"), "the budget bar with the project's budget")
    wait_for(EC.text_to_be_present_in_element((By.ID, "plan-usage"), "0 of 10,000 requests this month (Free plan)"), "the plan usage line")

    # Budget: $1.00 with a hard cap.
    fill("budget-amount", "1.00")
    if not browser.find_element(By.ID, "budget-cap").is_selected():
        browser.find_element(By.ID, "budget-cap").click()
    browser.find_element(By.ID, "budget-submit").click()
    wait_for(EC.text_to_be_present_in_element((By.ID, "budget-notice"), "Budget saved."), "the budget is saved")
    wait_for(EC.text_to_be_present_in_element((By.ID, "budget-bar"), "$0.00 of $1.00 spent"), "the budget bar shows the new budget")
    wait_for(EC.text_to_be_present_in_element((By.ID, "budget-bar"), "requests stop when it is spent"), "the budget bar shows the hard cap")

    # An openai service pointing at the mock, with its key, through the form.
    fill("service-name", "openai")
    Select(browser.find_element(By.ID, "service-kind")).select_by_value("openai")
    fill("service-url", upstream + "/v1")
    if browser.find_element(By.ID, "service-key").get_attribute("type") != "password":
        fail("the provider key field is not a password field")
    fill("service-key", "sk-test-browser-1234")
    browser.find_element(By.ID, "service-submit").click()
    wait_for(EC.text_to_be_present_in_element((By.ID, "services"), "…1234"), "the new service is listed with its masked key")
    if "sk-test-browser-1234" in browser.page_source:
        fail("the provider key is shown on the page")

    # A token through the page: the raw value is shown once.
    fill("token-name", "browser")
    browser.find_element(By.ID, "token-submit").click()
    secret = wait_for(EC.presence_of_element_located((By.CSS_SELECTOR, "#new-token .secret input")), "the new token is shown once")
    token = secret.get_attribute("value")
    if not token.startswith("trough_pt_"):
        fail("the token shown on the project page is not a project token: %r" % token[:12])
    wait_for(EC.text_to_be_present_in_element((By.ID, "tokens"), "browser"), "the new token is listed")

    # Nothing sent yet: "Get started" shows the base URL, the header and snippets.
    wait_for(EC.visibility_of_element_located((By.ID, "get-started")), "an empty project shows the Get started card")
    wait_for(text_is("gs-base-url", base + "/v1"), "Get started names the /v1 base URL of the openai service")
    header = text_of("gs-header")
    if not (header.startswith("X-Project-Token: trough_pt_") and header.endswith("…")):
        fail("Get started shows the header as %r" % header)
    if base + "/v1/chat/completions" not in text_of("gs-curl") or "base_url=\"" + base + "/v1\"" not in text_of("gs-python"):
        fail("Get started's curl and Python snippets do not use the base URL")
    browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, "get-started"))
    browser.save_screenshot(os.path.join(shots, "project-empty.png"))

    # Three requests through the proxy, $0.00472 each.
    for number in (1, 2, 3):
        proxy_request(token, number)
    time.sleep(1.5)  # events are written in batches

    # The page after a reload: today's figures, budget, breakdown; "Get started" is gone.
    for attempt in range(6):
        browser.refresh()
        wait_for(lambda driver: driver.find_element(By.ID, "today-requests").text.strip() not in ("", "—"), "today's figures load")
        if text_of("today-requests") == "3" or attempt == 5:
            break
        time.sleep(1)
    if text_of("today-requests") != "3":
        fail("today's requests show %r, expected 3" % text_of("today-requests"))
    if text_of("today-cost") != "$0.01416":
        fail("today's cost shows %r, expected $0.01416" % text_of("today-cost"))
    if "Yesterday:" not in text_of("yesterday-cost"):
        fail("yesterday's cost is not shown next to today's")
    wait_for(EC.text_to_be_present_in_element((By.ID, "budget-bar"), "1.41% used"), "the budget bar shows 1.41% used")
    budget_text = text_of("budget-bar")
    if "$0.01416 of $1.00 spent" not in budget_text:
        fail("the budget bar reads %r, expected $0.01416 of $1.00 spent" % budget_text)
    meter = browser.find_element(By.CSS_SELECTOR, "#budget-bar [role=progressbar]")
    if meter.get_attribute("aria-valuenow") != "1.41" or "1.41%" not in (meter.get_attribute("aria-valuetext") or ""):
        fail("the budget bar's accessible value is %r / %r" % (meter.get_attribute("aria-valuenow"), meter.get_attribute("aria-valuetext")))
    wait_for(EC.text_to_be_present_in_element((By.ID, "plan-usage"), "3 of 10,000 requests this month (Free plan)"), "the plan usage counts the requests")
    if browser.find_element(By.ID, "unpriced-warning").is_displayed():
        fail("priced requests raise the unpriced warning: %r" % text_of("unpriced-warning"))
    wait_for(EC.text_to_be_present_in_element((By.ID, "breakdown-endpoint"), "/chat/completions"), "the endpoint breakdown lists /chat/completions")
    wait_for(EC.text_to_be_present_in_element((By.ID, "breakdown-service_tier"), "standard"), "the service-tier breakdown lists the standard tier")
    wait_for(EC.presence_of_element_located((By.CSS_SELECTOR, "#spend-chart svg[role=img] rect.bar")), "the 30-day spend chart is drawn")
    wait_for(EC.text_to_be_present_in_element_attribute((By.CSS_SELECTOR, "#spend-chart table"), "textContent", "$0.01416"), "the spend chart's table lists today's cost")
    wait_for(EC.text_to_be_present_in_element((By.ID, "services"), "openai"), "the services are listed")
    wait_for(EC.text_to_be_present_in_element((By.ID, "tokens"), "browser"), "the tokens are listed")
    if browser.find_element(By.ID, "get-started").is_displayed():
        fail("the Get started card is still shown after requests")
    if not browser.find_element(By.ID, "hourly-note").is_displayed():
        fail("the Free plan does not say hourly trends are part of Pro")

    # CSV exports, with the session cookie, as the download links fetch them.
    for link_id, path in (("csv-daily", "/usage/export.csv?by=day"), ("csv-events", "/events.csv")):
        href = browser.find_element(By.ID, link_id).get_attribute("href")
        if not href.endswith("/api/projects/" + project_id + path):
            fail("the %s link points at %r" % (link_id, href))
    status, text = fetch_text("/api/projects/" + project_id + "/usage/export.csv?by=day")
    if status != 200:
        fail("the daily CSV answered %d: %s" % (status, text[:300]))
    rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    if not rows or not ",".join(rows[0]).startswith("date,requests"):
        fail("the daily CSV's header is %r" % (rows[0] if rows else None))
    today_row = dict(zip(rows[0], rows[-1]))
    if today_row.get("date") != time.strftime("%Y-%m-%d", time.gmtime()) or today_row.get("requests") != "3" or today_row.get("cost_usd") != "0.01416":
        fail("the daily CSV's last row is %r, expected today with 3 requests costing 0.01416" % rows[-1])
    status, text = fetch_text("/api/projects/" + project_id + "/events.csv")
    if status != 200:
        fail("the events CSV answered %d: %s" % (status, text[:300]))
    rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    events = [dict(zip(rows[0], row)) for row in rows[1:]]
    if len(events) != 3:
        fail("the events CSV has %d data rows, expected 3" % len(events))
    if any(event.get("cost_usd") != "0.00472" for event in events):
        fail("the events CSV's costs are %r, expected 0.00472 each" % [event.get("cost_usd") for event in events])

    # A hard-capped budget of $0.02 cannot cover another request's worst case: refused (402) before the
    # provider, and the page says so once the count is written (the test server syncs every second).
    fill("budget-amount", "0.02")
    browser.find_element(By.ID, "budget-submit").click()
    wait_for(EC.text_to_be_present_in_element((By.ID, "budget-bar"), "of $0.02 spent"), "the budget bar shows the lowered budget")
    proxy_request(token, 4, expected=402)
    for attempt in range(8):
        time.sleep(1)
        browser.refresh()
        wait_for(lambda driver: driver.find_element(By.ID, "today-requests").text.strip() not in ("", "—"), "today's figures load")
        if browser.find_element(By.ID, "refused-warning").is_displayed():
            break
    refused = text_of("refused-warning")
    if "1 request was refused this month (1 today)" not in refused or "a hard-capped budget was spent" not in refused:
        fail("the refused-request warning reads %r" % refused)

    # Screenshots: the whole page on a desktop, then at phone width (which must not scroll sideways).
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(1000, height + 120), 6000))
    browser.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.3)
    browser.save_screenshot(os.path.join(shots, "project.png"))
    browser.set_window_size(375, 800)
    browser.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.5)
    browser.save_screenshot(os.path.join(shots, "project-phone.png"))
    overflow = browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        fail("at phone width the project page scrolls sideways by %d px" % overflow)
    browser.set_window_size(1280, 1000)


try:
    email = "browser-%d@example.com" % int(time.time() * 1000)
    browser.get(base + "/signup.html")
    # A too-short password shows the API's message.
    fill("email", email)
    fill("password", "short")
    fill("tenant_name", "Browser Org")
    browser.find_element(By.ID, "signup-submit").click()
    wait_for(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#signup-form .error"), "at least 10 characters"), "sign-up error shown")

    fill("password", "a long enough secret")
    browser.find_element(By.ID, "signup-submit").click()
    wait_for(EC.url_contains("/account.html"), "sign-up leads to the account page")
    wait_for(EC.text_to_be_present_in_element((By.ID, "tenants"), "Browser Org"), "the new organisation is listed")
    wait_for(EC.text_to_be_present_in_element((By.ID, "user-email"), email), "the user's email is shown")
    wait_for(EC.text_to_be_present_in_element((By.ID, "sessions"), "This session"), "the session is listed")
    browser.save_screenshot(os.path.join(shots, "account.png"))

    browser.find_element(By.LINK_TEXT, "Browser Org").click()
    wait_for(EC.url_contains("/projects.html"), "the organisation opens its projects")
    wait_for(EC.text_to_be_present_in_element((By.ID, "projects"), "No projects yet"), "an empty tenant says how to start")
    fill("project-name", "Chat Bot")
    fill("project-budget", "500.00")
    browser.find_element(By.CSS_SELECTOR, "#project-form button[type=submit]").click()
    wait_for(EC.text_to_be_present_in_element((By.ID, "projects"), "$500.00 a month"), "the project with its budget")
    card = browser.find_element(By.CSS_SELECTOR, "#projects section.card")
    token_name = card.find_element(By.CSS_SELECTOR, "input[name=name][placeholder=production]")
    token_name.send_keys("production")
    token_name.submit()
    secret = wait_for(EC.presence_of_element_located((By.CSS_SELECTOR, "#projects .secret input")), "the new token is shown once")
    if not secret.get_attribute("value").startswith("trough_pt_"):
        fail("the token shown is not a project token")
    fill("api-key-name", "billing script")
    browser.find_element(By.ID, "api-key-submit").click()
    api_key = wait_for(EC.presence_of_element_located((By.CSS_SELECTOR, "#new-api-key .secret input")), "the new API key is shown once")
    if not api_key.get_attribute("value").startswith("trough_ak_"):
        fail("the key shown is not an API key")
    wait_for(EC.text_to_be_present_in_element((By.ID, "api-keys"), "billing script"), "the API key is listed by name")
    if api_key.get_attribute("value") in browser.find_element(By.ID, "api-keys").text:
        fail("the API key list shows the whole key")
    browser.save_screenshot(os.path.join(shots, "projects.png"))

    browser.get(base + "/account.html")
    wait_for(EC.element_to_be_clickable((By.ID, "logout")), "logout button").click()
    wait_for(EC.url_contains("/login.html"), "logout leads to the login page")
    browser.get(base + "/account.html")
    wait_for(EC.url_contains("/login.html?next="), "signed out, the account page asks to log in")

    fill("email", email)
    fill("password", "not the password")
    browser.find_element(By.ID, "login-submit").click()
    wait_for(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#login-form .error"), "wrong email or password"), "login error shown")
    fill("password", "a long enough secret")
    browser.find_element(By.ID, "login-submit").click()
    wait_for(EC.url_contains("/account.html"), "login returns to the account page")
    wait_for(EC.text_to_be_present_in_element((By.ID, "tenants"), "Browser Org"), "the organisation after login")

    if upstream:
        check_project_page()

    # No CSP violations or script errors on the way (the API's deliberate 4xx answers are network entries).
    errors = [entry for entry in browser.get_log("browser") if entry.get("level") == "SEVERE" and entry.get("source") != "network"]
    if errors:
        fail("console errors: %s" % errors)
finally:
    try:
        browser.quit()
    except Exception:
        pass
print("browser check passed")
