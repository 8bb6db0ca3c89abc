"""Drives Trough's pages in headless Chromium (Debian's chromium + chromium-driver) with Selenium.

Run by the Swift test BrowserTests, which starts Trough:
    python check_pages.py BASE_URL SCREENSHOT_DIR
Sign up, see the account, create a project and a token (shown once), log out, log in again with a wrong
and then the right password. Exits non-zero with a message on the first thing a user would see go wrong.
"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, shots = sys.argv[1], sys.argv[2]
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


def wait_for(condition, message):
    try:
        return wait.until(condition)
    except Exception:
        fail(message + " (at " + browser.current_url + ")")


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
