/// The report page's CSS: light by default, dark under `prefers-color-scheme: dark`.
/// Charts read the same variables (`--assay-chart-bg`) and inherit the text colour.
enum ReportStyleSheet {
    static let css: String = """
    :root{color-scheme:light dark;--bg:#ffffff;--fg:#1d2025;--muted:#5f6670;--border:#d9dde3;--panel:#f4f6f9;\
    --accent:#0b62a4;--good:#1b7f3b;--bad:#c62828;--highlight:#c62828;--assay-chart-bg:#ffffff}
    @media (prefers-color-scheme:dark){:root{--bg:#16181d;--fg:#e3e6ea;--muted:#9aa3ad;--border:#363c46;--panel:#1f232a;\
    --accent:#6cc0ff;--good:#4cd07d;--bad:#ff6b6b;--highlight:#ff6b6b;--assay-chart-bg:#16181d}}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
    header,main,footer,nav.toc{max-width:1120px;margin:0 auto;padding:0 24px}
    header{padding-top:28px;padding-bottom:8px;border-bottom:1px solid var(--border)}
    h1{font-size:26px;margin:0 0 4px}
    .subtitle{color:var(--muted);margin:0}
    h2{font-size:21px;margin:36px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--border)}
    h3{font-size:17px;margin:26px 0 8px}
    h4,h5,h6{font-size:15px;margin:20px 0 6px}
    nav.toc{margin-top:14px;font-size:14px}
    nav.toc ol{margin:0;padding-left:20px;columns:2}
    a{color:var(--accent)}
    .table-wrap{overflow-x:auto;max-width:100%}
    table{border-collapse:collapse;margin:10px 0 18px;font-variant-numeric:tabular-nums;font-size:14px}
    caption{caption-side:top;text-align:left;font-weight:600;padding-bottom:4px}
    th,td{padding:4px 12px;border-bottom:1px solid var(--border);text-align:left;vertical-align:top}
    th{font-weight:600;border-bottom-width:2px}
    td.num,th.num{text-align:right}
    td[data-digest]{cursor:help}
    .tone-good{color:var(--good)}.tone-bad{color:var(--bad)}
    .tone-highlight{color:var(--highlight);font-weight:600}.tone-muted{color:var(--muted)}
    code,pre{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace}
    code.digest{font-size:12px;color:var(--muted)}
    pre.code{background:var(--panel);border:1px solid var(--border);border-radius:6px;padding:12px 14px;overflow:auto;\
    font-size:13px;line-height:1.45;margin:10px 0 18px}
    .code-label{font-size:12px;color:var(--muted);margin-bottom:-6px}
    dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 18px;margin:10px 0 18px}
    dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}
    .status{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;border:1px solid currentColor}
    .status-cached{color:var(--good)}.status-ran{color:var(--accent)}.status-failed{color:var(--bad)}.status-skipped{color:var(--muted)}
    .plan-summary{color:var(--muted);margin:4px 0}
    figure{margin:14px 0 22px}
    figcaption{font-size:13px;color:var(--muted);margin-top:4px}
    figure.chart svg{max-width:100%;height:auto;display:block}
    .chart-row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
    .downloads{font-size:12px;margin-top:2px}.downloads a{margin-right:8px;text-decoration:none;border:1px solid var(--border);\
    border-radius:4px;padding:0 6px;color:var(--muted)}.downloads a:hover{color:var(--accent);border-color:var(--accent)}
    .lead{font-size:16px;max-width:860px}
    nav.site{max-width:1120px;margin:0 auto;padding:10px 24px 0;font-size:14px}nav.site a{margin-right:16px}
    .filters{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:end;margin:10px 0}.filters label{display:flex;flex-direction:column;font-size:13px;color:var(--muted)}
    input,select,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--border);border-radius:4px;padding:2px 6px}
    th.sortable{cursor:pointer;user-select:none}th.sortable:after{content:" \\2195";color:var(--muted);font-size:11px}
    progress{width:180px;vertical-align:middle}
    .nowrap{white-space:nowrap}table.runs{font-size:13px}table.runs td,table.runs th{padding:4px 8px}
    body:has(nav.site) header,body:has(nav.site) main,body:has(nav.site) nav.toc,nav.site{max-width:1480px}
    .images{display:flex;flex-wrap:wrap;gap:12px}
    .images.grid{display:grid;gap:10px}
    .image figure{margin:0}
    .row-label{align-self:center;font-size:13px;color:var(--muted);padding-right:6px}
    .image img{display:block;height:auto;border:1px solid var(--border);background:var(--panel)}
    .image img.pixelated{image-rendering:pixelated}
    .note{border-left:4px solid var(--accent);background:var(--panel);padding:8px 14px;margin:10px 0 18px}
    .note.tone-bad{border-left-color:var(--bad);color:var(--fg)}.note.tone-good{border-left-color:var(--good);color:var(--fg)}
    .note.tone-highlight{border-left-color:var(--highlight);color:var(--fg);font-weight:400}
    footer{color:var(--muted);font-size:13px;padding-top:24px;padding-bottom:32px}
    """
}
