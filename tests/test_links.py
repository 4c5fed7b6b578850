"""Link resolution: relative, root-relative, GitHub blob/tree URLs, unresolved references."""

from __future__ import annotations

from kg.links import resolve_links
from kg.parse import parse_document


def resolve(text: str, path: str = "handbook/ops/GUIDE.md", others: tuple[str, ...] = ()):
    doc = parse_document(text, path, path.split("/")[0])
    docs = [doc] + [parse_document("# x", p, p.split("/")[0]) for p in others]
    repos = {d.repo for d in docs}
    unresolved = resolve_links(docs, repos)
    return doc.links, unresolved


OTHERS = ("handbook/adrs/ADR-001.md", "handbook/README.md", "minio/docs/ADR-012-MINIO.md", "minio/README.md")


def test_relative_and_root_relative_links() -> None:
    links, unresolved = resolve("[a](../adrs/ADR-001.md#ctx) [b](/README.md) [c](#top) [d](diagram.png)",
                                others=OTHERS)
    assert [(lk.kind, lk.target) for lk in links] == [
        ("internal", "handbook/adrs/ADR-001.md"), ("internal", "handbook/README.md"),
        ("anchor", "handbook/ops/GUIDE.md"), ("asset", None)]
    assert unresolved == []


def test_github_urls_into_the_workspace_resolve() -> None:
    links, unresolved = resolve(
        "[x](https://github.com/acme/minio/blob/main/docs/ADR-012-MINIO.md) "
        "[y](https://github.com/acme/minio/tree/main/) [z](https://github.com/acme/minio)", others=OTHERS)
    assert [(lk.kind, lk.target) for lk in links] == [
        ("internal", "minio/docs/ADR-012-MINIO.md"), ("internal", "minio/README.md"), ("repository", "minio")]
    assert unresolved == []


def test_missing_repository_of_the_same_org_is_unresolved_other_orgs_are_external() -> None:
    links, unresolved = resolve(
        "[ok](https://github.com/acme/minio/blob/main/docs/ADR-012-MINIO.md)\n\n"
        "[gone](https://github.com/acme/redpanda/blob/main/docs/ADR-026.md)\n\n"
        "[ext](https://github.com/kubernetes/kubernetes/blob/master/README.md)\n\n"
        "[broken](../09-adrs/ADR-014.md)", others=OTHERS)
    kinds = {lk.text: lk.kind for lk in links}
    assert kinds == {"ok": "internal", "gone": "unresolved", "ext": "external", "broken": "unresolved"}
    assert [(u.line, u.reason) for u in unresolved] == [
        (3, "repository acme/redpanda is not in the workspace"), (7, "no document at handbook/09-adrs/ADR-014.md")]


def test_static_site_links_reach_their_pages() -> None:
    """A static site's links name pages as it serves them: `use` or `use.html` is use.html.md(.erb) beside the page,
    `../ADR012-…` from a page served as a folder is a sibling, `/adrs/ADR021-…/` starts at the site's source/."""
    site = ("manual/source/runbooks/use.html.md.erb", "manual/source/adrs/ADR012-haproxy-healthcheck.html.md",
            "manual/source/adrs/ADR021-cell-capacity.html.md")
    links, unresolved = resolve("[a](use) [b](use.html) [c](../adrs/ADR012-haproxy-healthcheck) [d](missing)",
                                path="manual/source/runbooks/iap.html.md", others=site)
    assert [(lk.kind, lk.target) for lk in links] == [
        ("internal", "manual/source/runbooks/use.html.md.erb"), ("internal", "manual/source/runbooks/use.html.md.erb"),
        ("internal", "manual/source/adrs/ADR012-haproxy-healthcheck.html.md"), ("unresolved", None)]
    assert [u.target for u in unresolved] == ["missing"]
    links, unresolved = resolve("[e](../ADR012-haproxy-healthcheck) [f](/adrs/ADR021-cell-capacity/)",
                                path="manual/source/adrs/ADR008-haproxy.html.md", others=site)
    assert [lk.target for lk in links] == ["manual/source/adrs/ADR012-haproxy-healthcheck.html.md",
                                           "manual/source/adrs/ADR021-cell-capacity.html.md"]
    assert unresolved == []
