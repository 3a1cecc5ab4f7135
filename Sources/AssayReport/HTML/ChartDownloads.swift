import AssaySupport

/// Every chart of a page carries two links: its standalone SVG (a `data:` URI, no script
/// needed) and a PNG drawn from that SVG onto a canvas in the browser at `pngScale`× the
/// chart's size (640 px wide → 2560 px: 300 dpi at 8.5 inches), so a report stays one
/// self-contained file with no network access.
///
/// The one inline script is allowed by its SHA-256 in the page's Content-Security-Policy,
/// not by `'unsafe-inline'`.
enum ChartDownloads {
    static let pngScale = 4

    /// Draws the SVG of `link`'s figure at `pngScale`× on a white canvas, in the light theme
    /// whatever the reader's (the dark rules are switched off: print is on white); `window.assayChartPNG`
    /// also serves the browser tests (it resolves to the PNG's data URL).
    static let script: String = """
    (function(){
    function png(link){
    var svg=link.parentNode.querySelector('a.download-svg');
    return new Promise(function(resolve,reject){
    var img=new Image();
    img.onload=function(){
    var c=document.createElement('canvas');
    c.width=img.naturalWidth*\(pngScale);c.height=img.naturalHeight*\(pngScale);
    var g=c.getContext('2d');g.fillStyle='#ffffff';g.fillRect(0,0,c.width,c.height);
    g.drawImage(img,0,0,c.width,c.height);resolve(c.toDataURL('image/png'));};
    img.onerror=function(){reject(new Error('the chart SVG did not load'));};
    var bytes=atob(svg.href.split(',')[1]).split('@media (prefers-color-scheme:dark)').join('@media not all');
    img.src='data:image/svg+xml;base64,'+btoa(bytes);});}
    window.assayChartPNG=png;
    document.addEventListener('click',function(e){
    var link=e.target.closest?e.target.closest('a.download-png'):null;
    if(!link)return;e.preventDefault();
    png(link).then(function(url){var a=document.createElement('a');a.href=url;a.download=link.getAttribute('data-file');
    document.body.appendChild(a);a.click();a.remove();});});
    })();
    """

    /// `'sha256-…'` of `script`, for `script-src`.
    static var scriptSource: String { "'sha256-\(Base64.encode(Digest.of(script).bytes))'" }

    /// The two download links of one chart; file names from the chart title.
    static func links(for chart: any Chart) -> String {
        let name = Markup.slug(chart.title).isEmpty ? "chart" : Markup.slug(chart.title)
        let svg = "data:image/svg+xml;base64," + Base64.encode(Array(chart.standaloneSVG.utf8))
        return "<div class=\"downloads\"><a class=\"download-svg\" download=\"\(name).svg\" href=\"\(svg)\">SVG</a> "
            + "<a class=\"download-png\" href=\"#\" data-file=\"\(name).png\">PNG</a></div>\n"
    }
}
