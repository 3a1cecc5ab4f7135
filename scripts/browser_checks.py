#!/usr/bin/python3
"""Selenium checks of the report and the dashboard in Debian's headless Chromium.

    browser_checks.py report REPORT.html OUT_DIR
        The report leads with the grouped chart of methods x groups, with group NAMES
        (`label=...`) and the worst group marked; every chart offers SVG and PNG downloads
        and the PNG is drawn at print resolution; no console message.
    browser_checks.py dashboard URL OUT_DIR RUNNING_RUN_ID [RUNNING_PID]
        The runs page lists every run (at least three finished and one running), filters by
        status and parameter, sorts a metric column, opens a comparison of two runs, shows a
        running run's progress advancing, opens a run's report, and logs no console error;
        a request for a path outside the store is refused (403). With RUNNING_PID, the running
        run is stopped (SIGSTOP) once its progress advanced, so it stays running for the rest.

Screenshots go to OUT_DIR (CI artifacts). Exits non-zero with a message on the first failure.
"""
import base64
import http.client
import os
import signal
import sys
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def fail(message):
    print("browser-check: FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def browser():
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                     "--hide-scrollbars", "--disable-extensions", "--no-first-run"]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def console_clean(driver, page):
    messages = [m for m in driver.get_log("browser") if m.get("level") in ("SEVERE", "WARNING")]
    check(not messages, "%s logged console messages: %s" % (page, messages))


def shot(driver, out, name):
    path = "%s/%s" % (out, name)
    driver.save_screenshot(path)
    print("browser-check: screenshot " + path)


def check_report(path, out):
    driver = browser()
    try:
        driver.get("file://" + path)
        first = driver.find_element(By.CSS_SELECTOR, "main section")
        chart = first.find_element(By.CSS_SELECTOR, "svg")
        check(chart.get_attribute("aria-label") == "Accuracy per group",
              "the first figure is %r, not the grouped chart of accuracy per group" % chart.get_attribute("aria-label"))
        check("bar-chart" in chart.get_attribute("class"), "the first figure is not a bar chart")
        labels = [t.text for t in chart.find_elements(By.CSS_SELECTOR, "text")]
        named = [t for t in labels if t.startswith("label=")]
        check(len(named) >= 4, "group axis labels are not group names: %s" % labels)
        check(not any(t in ("0", "1", "2", "3") and t in labels[-8:] for t in labels[-4:]), "group ids shown instead of names")
        series = chart.find_elements(By.CSS_SELECTOR, "g.series-group")
        check(len(series) >= 3, "expected one series per method, got %d" % len(series))
        check(chart.find_elements(By.CSS_SELECTOR, "rect.bar.highlight"), "no worst group marked")
        caption = first.find_element(By.CSS_SELECTOR, "figure.chart figcaption").text
        check("Worst group" in caption, "caption does not name the worst groups: %r" % caption)
        # Downloads: the SVG link holds the chart; the PNG is drawn at 4x from it.
        svg_link = first.find_element(By.CSS_SELECTOR, "a.download-svg")
        svg = base64.b64decode(svg_link.get_attribute("href").split(",", 1)[1]).decode("utf-8")
        check(svg.startswith("<svg") and "label=" in svg, "the SVG download is not the chart")
        png_url = driver.execute_async_script(
            "var done=arguments[arguments.length-1];"
            "window.assayChartPNG(document.querySelector('a.download-png')).then(done,function(e){done('error:'+e)});")
        check(png_url.startswith("data:image/png;base64,"), "PNG export failed: %s" % png_url[:80])
        png = base64.b64decode(png_url.split(",", 1)[1])
        width = int.from_bytes(png[16:20], "big")
        svg_width = float(chart.get_attribute("width"))
        check(png[:8] == b"\x89PNG\r\n\x1a\n" and width == int(svg_width * 4), "PNG is %d px wide, expected %d" % (width, svg_width * 4))
        with open(out + "/report-chart-print.png", "wb") as f:
            f.write(png)
        data_headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "main h2")]
        check("Data" in data_headings, "no Data section: %s" % data_headings)
        check(not driver.find_elements(By.CSS_SELECTOR, "#data svg"), "the Data section draws charts of counts")
        console_clean(driver, "the report")
        shot(driver, out, "report-first-screen.png")
        print("browser-check: report ok (first figure: grouped chart with %d group names, PNG %d px)" % (len(named), width))
    finally:
        driver.quit()


def visible_rows(driver):
    return [r for r in driver.find_elements(By.CSS_SELECTOR, "table.runs tbody tr") if r.is_displayed()]


def check_dashboard(url, out, running, running_pid=None):
    url = url.rstrip("/")
    # A path outside the store, sent as is (a browser would normalise it away).
    parts = urllib.parse.urlsplit(url)
    for raw in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/runs/..%2f..%2fhistory.sqlite"]:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("GET", raw)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        check(response.status == 403 and "outside the store" in body, "%s answered %d: %s" % (raw, response.status, body))
        connection.close()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("POST", "/")
    check(connection.getresponse().status == 405, "POST was not refused")
    connection.close()
    print("browser-check: paths outside the store refused (403), POST refused (405)")

    driver = browser()
    try:
        driver.get(url + "/")
        rows = visible_rows(driver)
        statuses = [r.get_attribute("data-status") for r in rows]
        check(len(rows) >= 4 and statuses.count("running") >= 1 and statuses.count("succeeded") >= 3,
              "runs page lists %s" % statuses)
        # Live progress: the running run's counters move within a minute.
        live = driver.find_element(By.CSS_SELECTOR, ".live[data-run='%s']" % running)
        # First a reading with a step or percentage, then a later, different one.
        WebDriverWait(driver, 60, poll_frequency=0.5).until(
            lambda d: live.get_attribute("data-done") is not None and live.get_attribute("data-step") not in (None, "0"))
        first = (live.get_attribute("data-done"), live.get_attribute("data-step"), live.find_element(By.CSS_SELECTOR, ".live-text").text)
        shot(driver, out, "dashboard-runs.png")
        WebDriverWait(driver, 90, poll_frequency=0.5).until(
            lambda d: (live.get_attribute("data-done"), live.get_attribute("data-step")) != first[:2] or live.get_attribute("data-finished"))
        later = live.find_element(By.CSS_SELECTOR, ".live-text").text
        check(later != first[2], "progress did not advance: %r" % later)
        print("browser-check: progress advanced: %r -> %r" % (first[2], later))
        if running_pid:
            # Hold the run where it is (its lock stays held, so it stays "running") for the pages below.
            os.kill(running_pid, signal.SIGSTOP)
        shot(driver, out, "dashboard-progress.png")
        # Filters.
        Select(driver.find_element(By.ID, "filter-status")).select_by_value("running")
        check([r.get_attribute("data-status") for r in visible_rows(driver)] == ["running"], "status filter")
        Select(driver.find_element(By.ID, "filter-status")).select_by_value("")
        box = driver.find_element(By.ID, "filter-params")
        box.send_keys("seed=1")
        filtered = visible_rows(driver)
        check(filtered and all("seed=1" in r.get_attribute("data-params") for r in filtered) and len(filtered) < len(rows),
              "parameter filter seed=1 shows %s" % [r.get_attribute("data-params") for r in filtered])
        shot(driver, out, "dashboard-filtered.png")
        box.clear()
        box.send_keys(" ")
        box.clear()
        driver.execute_script("document.getElementById('filter-params').dispatchEvent(new Event('input'))")
        check(len(visible_rows(driver)) == len(rows), "clearing the filter does not show every run again")
        # Sorting a metric column.
        headers = driver.find_elements(By.CSS_SELECTOR, "table.runs th.sortable")
        metric = [h for h in headers if "worst-group-accuracy" in h.text]
        check(metric, "no sortable worst-group-accuracy column: %s" % [h.text for h in headers])
        metric[0].click()
        index = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "table.runs thead th")].index(metric[0].text)
        values = [r.find_elements(By.CSS_SELECTOR, "td")[index].get_attribute("data-value") for r in visible_rows(driver)]
        numbers = [float(v) for v in values if v]
        check(numbers == sorted(numbers), "sorted column is not ascending: %s" % numbers)
        # Compare two finished runs.
        finished = [r for r in visible_rows(driver) if r.get_attribute("data-status") == "succeeded"][:2]
        for r in finished:
            r.find_element(By.CSS_SELECTOR, "input.pick").click()
        driver.find_element(By.ID, "compare").click()
        WebDriverWait(driver, 30).until(lambda d: "/compare" in d.current_url)
        page = driver.find_element(By.TAG_NAME, "main").text
        check("Parameters" in page or "identical" in page, "the comparison shows no parameter diff")
        check("Metrics" in page, "the comparison shows no metric deltas")
        check(driver.find_elements(By.CSS_SELECTOR, "svg.line-chart"), "the comparison has no overlaid curves")
        console_clean(driver, "the comparison")
        shot(driver, out, "dashboard-compare.png")
        # One run's report.
        driver.get(url + "/")
        link = [r for r in visible_rows(driver) if r.get_attribute("data-status") == "succeeded"][0].find_element(By.CSS_SELECTOR, "a")
        link.click()
        WebDriverWait(driver, 30).until(lambda d: "/runs/" in d.current_url)
        check(driver.find_element(By.CSS_SELECTOR, "main svg").get_attribute("aria-label") == "Accuracy per group",
              "the run page does not lead with the grouped chart")
        console_clean(driver, "the run page")
        shot(driver, out, "dashboard-run.png")
        driver.get(url + "/runs/" + running)
        check(driver.find_elements(By.CSS_SELECTOR, ".live[data-run]"), "the running run's page has no live progress")
        time.sleep(2)
        shot(driver, out, "dashboard-running-run.png")
        console_clean(driver, "the running run's page")
        print("browser-check: dashboard ok (%d runs listed, filters, sort, comparison, progress, run page)" % len(rows))
    finally:
        driver.quit()


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "report":
        check_report(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 5 and sys.argv[1] == "dashboard":
        check_dashboard(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) >= 6 else None)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
