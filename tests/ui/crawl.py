"""Visit every page a role reaches from its menus (and the first detail page of each kind), once, and
record what the checks need: axe-core violations, console errors, overflow at 390 px, the visible text."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
#: Links that are not pages to look at: files, language switch, log-out, FAB's list controls.
SKIPPED = re.compile(r"/download|\.csv$|/logout|/lang/|/action|/delete|/api/|/swagger|/attachment|/document/"
                     r"|/static/|/forgot-password|/login|^/back$"
                     # Flask-AppBuilder's stock security pages (operators only) but the users' and roles' list,
                     # show, add and edit pages (the ones the operator uses).
                     r"|^/(groups|permissions|viewmenus|permissionviews)/|^/(users|roles)/(?!list|show|add|edit)")
#: The user-visible text and the names given to controls (tooltips, labels, placeholders).
TEXT_SCRIPT = """() => {
  const parts = [document.body.innerText, document.title];
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], input[type=submit]')) {
    for (const attr of ['title', 'aria-label', 'placeholder']) {
      if (el.getAttribute(attr)) parts.push(el.getAttribute(attr));
    }
    if (el.type === 'submit' && el.value) parts.push(el.value);
  }
  return parts.join('\\n');
}"""
LINKS_SCRIPT = """() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"""
OVERFLOW_SCRIPT = """() => document.documentElement.scrollWidth - window.innerWidth"""

_axe = Axe()
#: WCAG 2.1 A and AA, the basis of the RGAA. Only the violations are detailed (``resultTypes``): the same rules
#: run on every element, but the passing and inapplicable nodes are not listed, which halves axe's time per page.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


@dataclass
class Visit:
    role: str
    path: str
    status: int
    violations: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    overflow: int = 0
    text: str = ""
    screenshots: list[str] = field(default_factory=list)


def shape(path: str) -> str:
    """Two URLs of the same kind of page (``/partnerview/show/12`` and ``/13``) have one shape."""
    return re.sub(r"\d+", "N", path)


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def crawl(browser, base: str, role: str, username: str, password: str, screenshots: str,
          seen: set[str]) -> tuple[list[str], list[Visit]]:
    """The role's menu links, and its visits: its home page, every page reachable from its menus, and from
    those pages one of each shape not ``seen`` yet.

    A page shape another role visited is not visited again (the same template and widgets): browser time
    is the expensive part of the suite. Roles are crawled from the narrowest (élu) to the widest."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, username, password)
    home = urlsplit(page.url).path
    menu = [urlsplit(href) for href in page.eval_on_selector_all(
        "nav a[href], .navbar a[href]", "links => links.map(a => a.href)")]
    queue = [(home, 0)] + [(link.path, 1) for link in menu
                           if link.netloc == urlsplit(base).netloc and not link.query and link.path != "/"]
    mine: set[str] = set()
    visits = []
    os.makedirs(screenshots, exist_ok=True)
    while queue:
        path, depth = queue.pop(0)
        if shape(path) in mine or (depth > 0 and shape(path) in seen) or SKIPPED.search(path):
            continue
        mine.add(shape(path))
        seen.add(shape(path))
        errors.clear()
        response = page.goto(base + path)
        visit = Visit(role, path, response.status if response else 0)
        visit.violations = [v for v in _axe.run(page, options=AXE_OPTIONS).response["violations"]
                            if v["impact"] in ("critical", "serious")]
        name = f"{role}{shape(path).replace('/', '_').rstrip('_')}"
        desktop = os.path.join(screenshots, f"{name}.png")
        page.screenshot(path=desktop)
        visit.text = page.evaluate(TEXT_SCRIPT)
        page.set_viewport_size(MOBILE)
        visit.overflow = page.evaluate(OVERFLOW_SCRIPT)
        mobile = os.path.join(screenshots, f"{name}-390.png")
        page.screenshot(path=mobile)
        page.set_viewport_size(DESKTOP)
        visit.screenshots = [desktop, mobile]
        visit.console_errors = list(errors)
        visits.append(visit)
        if depth == 1:
            for href in page.evaluate(LINKS_SCRIPT):
                link = urlsplit(href)
                if link.netloc == urlsplit(base).netloc and not link.query and shape(link.path) not in mine:
                    queue.append((link.path, depth + 1))
    context.close()
    return [link.path for link in menu], visits
