"""Known vulnerabilities in the pinned dependencies: pip-audit on constraints.txt and npm audit on
frontend/package-lock.json, less the advisories accepted in .audit-allowlist.

    .venv/bin/python scripts/dependency_audit.py [--if-unreachable fail|warn]

Exit status: 0 nothing found (or only allow-listed advisories); 1 an advisory to act on (any
Python one: PyPI's advisories carry no severity; npm's of severity high or critical); 2 the audit
could not be done: a vulnerability source did not answer, or some package could not be looked up.
`--if-unreachable warn` turns that last case into a loud warning and status 0 (`make lint` on a
machine whose package mirror has no advisory data); `make audit` always fails on it.

Sources: PyPI's JSON API (`pip-audit --vulnerability-service pypi`, one request per pinned
version) and the npm registry's bulk advisory endpoint.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / ".audit-allowlist"
NPM_FAILING_SEVERITIES = ("high", "critical")


@dataclasses.dataclass(frozen=True)
class Finding:
    ecosystem: str  # "PyPI" or "npm"
    package: str
    version: str
    ids: tuple[str, ...]  # the advisory's id first, then its aliases
    summary: str


@dataclasses.dataclass
class Audit:
    findings: list[Finding] = dataclasses.field(default_factory=list)
    unaudited: list[str] = dataclasses.field(default_factory=list)  # why a part could not be checked


def read_allowlist(path: Path = ALLOWLIST) -> dict[str, str]:
    """Advisory id → why it is accepted; every entry must give a reason."""
    accepted: dict[str, str] = {}
    if not path.exists():
        return accepted
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        advisory, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {advisory} needs a reason after the id")
        accepted[advisory] = reason.strip()
    return accepted


def first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0][:120] if lines else ""


def read_pip_audit(report: dict[str, Any]) -> Audit:
    """pip-audit's `--format json` report."""
    audit = Audit()
    skipped = []
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped.append(f"{dependency['name']} ({dependency['skip_reason']})")
            continue
        for vuln in dependency.get("vulns", []):
            audit.findings.append(
                Finding(
                    "PyPI",
                    dependency["name"],
                    dependency.get("version", ""),
                    (vuln["id"], *vuln.get("aliases", [])),
                    (vuln.get("description") or "").strip().splitlines()[0][:120]
                    if vuln.get("description")
                    else "",
                )
            )
    if skipped:
        audit.unaudited.append(f"pip-audit could not look up {len(skipped)} package(s), e.g. {skipped[0]}")
    return audit


def read_npm_audit(report: dict[str, Any]) -> Audit:
    """npm audit's `--json` report (lockfile version 2 or 3)."""
    audit = Audit()
    if "error" in report:
        error = report["error"]
        summary = (error.get("summary") or error.get("detail")) if isinstance(error, dict) else error
        audit.unaudited.append(f"npm audit failed: {report.get('message') or summary or error}")
        return audit
    for name, entry in report.get("vulnerabilities", {}).items():
        for via in entry.get("via", []):
            if not isinstance(via, dict) or via.get("severity") not in NPM_FAILING_SEVERITIES:
                continue  # a string names another vulnerable package, reported under its own name
            url = str(via.get("url", ""))
            ghsa = re.search(r"GHSA-[\w-]+", url)
            advisory = ghsa.group(0) if ghsa else str(via.get("source", url))
            audit.findings.append(
                Finding("npm", name, str(via.get("range", "")), (advisory,), str(via.get("title", "")))
            )
    return audit


def run_pip_audit() -> Audit:
    command = [
        *(str(ROOT / ".venv" / "bin" / "pip-audit"), "-r", str(ROOT / "constraints.txt")),
        *("--no-deps", "--disable-pip", "--vulnerability-service", "pypi", "--format", "json"),
        *("--progress-spinner", "off"),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Audit(unaudited=[f"pip-audit did not run: {error}"])
    try:
        return read_pip_audit(json.loads(result.stdout))
    except json.JSONDecodeError:
        return Audit(
            unaudited=[f"pip-audit failed (status {result.returncode}): {result.stderr.strip()[-400:]}"]
        )


def run_npm_audit() -> Audit:
    command = ["npm", "audit", "--json", "--package-lock-only", "--audit-level=high"]
    try:
        result = subprocess.run(command, cwd=ROOT / "frontend", capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Audit(unaudited=[f"npm audit did not run: {error}"])
    try:
        return read_npm_audit(json.loads(result.stdout))
    except json.JSONDecodeError:
        return Audit(
            unaudited=[f"npm audit failed (status {result.returncode}): {result.stderr.strip()[-400:]}"]
        )


def verdict(audits: list[Audit], accepted: dict[str, str], *, if_unreachable: str) -> tuple[int, list[str]]:
    """The exit status and the lines to print."""
    lines = []
    to_fix = []
    for finding in (f for audit in audits for f in audit.findings):
        allowed = next((advisory for advisory in finding.ids if advisory in accepted), None)
        ids = ", ".join(finding.ids)
        label = f"{finding.ecosystem} {finding.package} {finding.version}: {ids} {finding.summary}"
        if allowed:
            lines.append(f"accepted  {label} ({accepted[allowed]})")
        else:
            lines.append(f"VULNERABLE {label}")
            to_fix.append(finding)
    unaudited = [reason for audit in audits for reason in audit.unaudited]
    if to_fix:
        lines.append(f"dependency audit: {len(to_fix)} advisory(ies) to fix or accept in .audit-allowlist")
        return 1, lines
    if unaudited:
        banner = "DEPENDENCY AUDIT NOT DONE: " + "; ".join(unaudited)
        lines.append(banner)
        if if_unreachable == "warn":
            lines.append("(--if-unreachable warn: not failing; `make audit` fails on this)")
            return 0, lines
        return 2, lines
    lines.append("dependency audit: no known vulnerabilities (PyPI and npm)")
    return 0, lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--if-unreachable", choices=("fail", "warn"), default="fail")
    options = parser.parse_args()
    accepted = read_allowlist()
    status, lines = verdict(
        [run_pip_audit(), run_npm_audit()], accepted, if_unreachable=options.if_unreachable
    )
    clean = status == 0 and lines[-1].startswith("dependency audit: no known")
    print("\n".join(lines), file=sys.stdout if clean else sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
