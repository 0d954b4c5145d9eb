"""scripts/dependency_audit.py reads pip-audit's and npm audit's reports as those tools write
them: an advisory fails the audit unless allow-listed with a reason, and an audit that could not
look everything up fails too (or, asked to, warns) instead of passing as if clean."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.support.processes import REPO_ROOT

spec = importlib.util.spec_from_file_location(
    "dependency_audit", REPO_ROOT / "scripts" / "dependency_audit.py"
)
assert spec is not None and spec.loader is not None
audit = importlib.util.module_from_spec(spec)
sys.modules["dependency_audit"] = audit
spec.loader.exec_module(audit)

PIP_CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}], "fixes": []}
PIP_VULNERABLE = {
    "dependencies": [
        {
            "name": "django",
            "version": "5.2.1",
            "vulns": [
                {
                    "id": "PYSEC-2025-47",
                    "fix_versions": ["5.2.2"],
                    "aliases": ["CVE-2025-48432", "GHSA-7xr5-9hcq-chf9"],
                    "description": "An issue was discovered in Django 5.2 before 5.2.2.\nMore.",
                }
            ],
        }
    ],
    "fixes": [],
}
PIP_SKIPPED = {
    "dependencies": [
        {
            "name": "absl-py",
            "skip_reason": "Dependency not found on PyPI and could not be audited: absl-py (2.5.1)",
        }
    ]
}
NPM_CLEAN = {"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {}}
NPM_HIGH = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "igv": {"name": "igv", "severity": "high", "via": ["some-dep"]},
        "some-dep": {
            "name": "some-dep",
            "severity": "high",
            "via": [
                {
                    "source": 1234,
                    "name": "some-dep",
                    "title": "Prototype pollution",
                    "url": "https://github.com/advisories/GHSA-aaaa-bbbb-cccc",
                    "severity": "high",
                    "range": "<1.2.3",
                },
                {
                    "source": 99,
                    "title": "minor",
                    "url": "https://github.com/advisories/GHSA-low",
                    "severity": "low",
                },
            ],
        },
    },
}
NPM_UNREACHABLE = {
    "message": "405 Method Not Allowed - POST .../advisories/bulk",
    "error": {"summary": "", "detail": ""},
}


def run(pip, npm, accepted=None, if_unreachable="fail"):
    audits = [audit.read_pip_audit(pip), audit.read_npm_audit(npm)]
    return audit.verdict(audits, accepted or {}, if_unreachable=if_unreachable)


def test_clean_reports_pass():
    status, lines = run(PIP_CLEAN, NPM_CLEAN)
    assert status == 0 and "no known vulnerabilities" in lines[-1]


def test_a_python_advisory_fails_until_accepted_by_any_of_its_ids():
    status, lines = run(PIP_VULNERABLE, NPM_CLEAN)
    assert status == 1 and any("PYSEC-2025-47" in line and line.startswith("VULNERABLE") for line in lines)
    status, lines = run(PIP_VULNERABLE, NPM_CLEAN, {"CVE-2025-48432": "not reachable: we never call it"})
    assert status == 0 and lines[0].startswith("accepted")


def test_npm_fails_on_high_advisories_only():
    status, lines = run(PIP_CLEAN, NPM_HIGH)
    assert status == 1
    vulnerable = [line for line in lines if line.startswith("VULNERABLE")]
    assert len(vulnerable) == 1 and "GHSA-aaaa-bbbb-cccc" in vulnerable[0]


@pytest.mark.parametrize(("pip", "npm"), [(PIP_SKIPPED, NPM_CLEAN), (PIP_CLEAN, NPM_UNREACHABLE)])
def test_an_audit_that_could_not_look_everything_up_does_not_pass_silently(pip, npm):
    status, lines = run(pip, npm)
    assert status == 2 and lines[-1].startswith("DEPENDENCY AUDIT NOT DONE")
    status, lines = run(pip, npm, if_unreachable="warn")
    assert status == 0 and any(line.startswith("DEPENDENCY AUDIT NOT DONE") for line in lines)
    status, _ = run(PIP_VULNERABLE, npm, if_unreachable="warn")  # a finding still fails
    assert status == 1


def test_allowlist_entries_need_a_reason(tmp_path):
    allowlist = tmp_path / "allow"
    allowlist.write_text("# comment\nGHSA-aaaa-bbbb-cccc  igv's dev server only, not shipped\n")
    assert audit.read_allowlist(allowlist) == {"GHSA-aaaa-bbbb-cccc": "igv's dev server only, not shipped"}
    allowlist.write_text("GHSA-aaaa-bbbb-cccc\n")
    with pytest.raises(SystemExit, match="needs a reason"):
        audit.read_allowlist(allowlist)


def test_the_repository_allowlist_is_well_formed():
    audit.read_allowlist()
