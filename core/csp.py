"""django-csp's middleware, with the site-wide policy built once instead of on every response.

django-csp rebuilds the header from settings for each response (about a tenth of a cached
page's cost). A response that no decorator changed and that used no nonce gets the policy
from settings unchanged, so that string is built once per settings object and reused;
anything else goes through django-csp as usual.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

_OVERRIDES = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")
_cache: dict = {}


def _site_policy() -> tuple[str, tuple[str, ...], str]:
    enforced = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
    # The settings objects themselves (override_settings swaps them), never a fresh {}.
    key = (id(enforced), id(report_only))
    found = _cache.get(key)
    if found is None:
        enforced = enforced or {}
        _cache.clear()
        found = _cache[key] = (
            build_policy(),
            tuple(enforced.get("EXCLUDE_URL_PREFIXES") or ()),
            build_policy(report_only=True),
        )
    return found


class SiteCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, f"{name}{suffix}") for name in _OVERRIDES for suffix in ("", "_ro")
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # django-csp leaves Django's debug pages alone
        policy, excluded, report_only = _site_policy()
        if policy and HEADER not in response and not request.path_info.startswith(excluded):
            response.headers[HEADER] = policy
        if report_only and HEADER_REPORT_ONLY not in response:
            response.headers[HEADER_REPORT_ONLY] = report_only
        return response
