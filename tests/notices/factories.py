"""Small builders for policy files used by the tests."""

import textwrap

BODY = """\
Preamble paragraph.

## A. FIRST {#first}

First section text.

## AUSTRALIA ADDENDUM {#australia-addendum jurisdiction=au}

Australian text.
"""


def policy_text(*, effective_date="2030-01-01", material="false", summary="Test version.", body=BODY):
    front = f"---\neffective_date: {effective_date}\nmaterial: {material}\nsummary: {summary}\n---\n\n"
    return front + textwrap.dedent(body)


def write_policy(tmp_path, name="policy.md", **kwargs):
    path = tmp_path / name
    path.write_text(policy_text(**kwargs), encoding="utf-8")
    return path
