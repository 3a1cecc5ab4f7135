/// The style sheet shared by every chart.
///
/// Series colours follow the Okabe–Ito palette (distinguishable with the
/// common colour-vision deficiencies), with lighter variants for dark
/// backgrounds. A host page can override any `--assay-*` variable.
public enum ChartStyle {
    /// Number of distinct series colours; later series reuse them dashed.
    public static let paletteSize = 8

    public static let css: String = """
    .assay-chart{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:12px;\
    --assay-s0:#0072b2;--assay-s1:#d55e00;--assay-s2:#009e73;--assay-s3:#cc79a7;\
    --assay-s4:#e69f00;--assay-s5:#4aa3d9;--assay-s6:#8c6d31;--assay-s7:#6e6e6e;\
    --assay-highlight:#c62828;--assay-heat:#0b62a4}
    @media (prefers-color-scheme:dark){.assay-chart{\
    --assay-s0:#56b4e9;--assay-s1:#ff8c42;--assay-s2:#3ccf9f;--assay-s3:#e69cc8;\
    --assay-s4:#f0c24a;--assay-s5:#9ad3f5;--assay-s6:#c9a86a;--assay-s7:#b4b4b4;\
    --assay-highlight:#ff6b6b;--assay-heat:#6cc0ff}}
    .assay-chart text{fill:currentColor}
    .assay-chart .chart-title{font-size:14px;font-weight:600}
    .assay-chart .axis-label{font-size:12px}
    .assay-chart .tick-label{font-size:11px;fill-opacity:.8}
    .assay-chart .axis{stroke:currentColor;stroke-width:1;fill:none}
    .assay-chart .grid{stroke:currentColor;stroke-opacity:.13;stroke-width:1}
    .assay-chart .series{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
    .assay-chart .dashed{stroke-dasharray:6 3}
    .assay-chart .marker{stroke:var(--assay-chart-bg,#fff);stroke-width:1}
    .assay-chart .s0{stroke:var(--assay-s0)}.assay-chart .s1{stroke:var(--assay-s1)}\
    .assay-chart .s2{stroke:var(--assay-s2)}.assay-chart .s3{stroke:var(--assay-s3)}\
    .assay-chart .s4{stroke:var(--assay-s4)}.assay-chart .s5{stroke:var(--assay-s5)}\
    .assay-chart .s6{stroke:var(--assay-s6)}.assay-chart .s7{stroke:var(--assay-s7)}
    .assay-chart .filled.s0{fill:var(--assay-s0)}.assay-chart .filled.s1{fill:var(--assay-s1)}\
    .assay-chart .filled.s2{fill:var(--assay-s2)}.assay-chart .filled.s3{fill:var(--assay-s3)}\
    .assay-chart .filled.s4{fill:var(--assay-s4)}.assay-chart .filled.s5{fill:var(--assay-s5)}\
    .assay-chart .filled.s6{fill:var(--assay-s6)}.assay-chart .filled.s7{fill:var(--assay-s7)}
    .assay-chart .bar{stroke:none}
    .assay-chart .bar.highlight{stroke:var(--assay-highlight);stroke-width:2.5}
    .assay-chart .bar.single.highlight{fill:var(--assay-highlight);stroke:none}
    .assay-chart .highlight-label{fill:var(--assay-highlight);font-weight:600}
    .assay-chart .error-bar{stroke:currentColor;stroke-width:1.2;fill:none}
    .assay-chart .value-label{font-size:10px;fill-opacity:.9}
    .assay-chart .diagonal{stroke:currentColor;stroke-opacity:.45;stroke-dasharray:4 3}
    .assay-chart .guide{stroke:var(--assay-highlight);stroke-opacity:.6;stroke-dasharray:2 3}
    .assay-chart .point{fill-opacity:.7;stroke:none}
    .assay-chart .heat{fill:var(--assay-heat);stroke:none}
    .assay-chart .heat-frame{fill:none;stroke:currentColor;stroke-opacity:.25}
    .assay-chart .heat-label.on-strong{fill:var(--assay-chart-bg,#fff)}
    .assay-chart .empty-note{fill-opacity:.6;font-style:italic}
    """

    /// Extra rules for a chart opened on its own (no host page to inherit colours from).
    static let standaloneCSS: String = """
    svg.assay-chart{color:#1d2025;background:#fff;--assay-chart-bg:#fff}
    @media (prefers-color-scheme:dark){svg.assay-chart{color:#e3e6ea;background:#16181d;--assay-chart-bg:#16181d}}
    """

    /// The class list that gives series `index` its colour (and a dash once colours repeat).
    static func seriesClass(_ index: Int) -> String {
        let colour = "s\(index % paletteSize)"
        return index >= paletteSize ? "\(colour) dashed" : colour
    }
}
