"""Server-rendered SVG charts for the consent dashboard: no script, no style attribute.

Each chart is a list of 100 % stacked bars, one per row (a week, a region, …), one colour
per outcome; the numbers are in the table beside it, for screen readers and for print.
Colours are SVG presentation attributes, which a strict Content-Security-Policy allows.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Distinguishable for the common colour-vision deficiencies (Okabe-Ito palette).
COLOURS = {
    "accept": "#009E73",
    "reject": "#D55E00",
    "custom": "#0072B2",
    "withdrawal": "#CC79A7",
    "gpc": "#E69F00",
}
WIDTH = 640
LABEL = 150
BAR = WIDTH - LABEL - 60
ROW = 22


def stacked_bars(rows, *, chart_id: str, title: str, outcomes, label_for) -> SafeString:
    """rows: dashboard Rows; outcomes: (key, label) pairs; label_for(key) names a row."""
    height = ROW * max(len(rows), 1) + 30
    parts = [
        format_html(
            '<svg class="consent-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}">'
            '<title id="{}">{}</title>',
            WIDTH,
            height,
            chart_id,
            chart_id,
            title,
        )
    ]
    for index, row in enumerate(rows):
        y = index * ROW
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#222">{}</text>',
                LABEL - 6,
                y + 15,
                label_for(row.key),
            )
        )
        x = float(LABEL)
        for outcome, name in outcomes:
            share = row.rate(outcome)
            if share <= 0:
                continue
            width = share * BAR
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                    f"{x:.2f}",
                    y + 3,
                    f"{width:.2f}",
                    ROW - 6,
                    COLOURS[outcome],
                    name,
                    f"{share:.1%}",
                )
            )
            x += width
        parts.append(
            format_html('<text x="{}" y="{}" font-size="11" fill="#444">{}</text>', LABEL + BAR + 6, y + 15, row.total)
        )
    # The legend, under the bars.
    x = 0
    legend_y = ROW * max(len(rows), 1) + 12
    for outcome, name in outcomes:
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"></rect>'
                '<text x="{}" y="{}" font-size="11" fill="#222">{}</text>',
                x,
                legend_y,
                COLOURS[outcome],
                x + 14,
                legend_y + 9,
                name,
            )
        )
        x += 14 + 8 * len(str(name)) + 16
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(part) for part in parts))
