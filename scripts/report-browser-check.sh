#!/usr/bin/env bash
# Opens an Assay HTML report in headless Chromium and checks that it works:
#   1. every <img> decoded and every <svg> plot laid out with a non-zero size;
#   2. no console message at all (a report has no JavaScript, so any message is
#      a problem: a Content-Security-Policy violation, a blocked fetch…);
#   3. full-page screenshots in the light and the dark theme, each a real PNG
#      that is not blank.
#
# Usage: scripts/report-browser-check.sh REPORT.html [OUTPUT_DIR]
#        scripts/report-browser-check.sh --sample [OUTPUT_DIR]
#   OUTPUT_DIR (default: REPORT's folder + /browser-check) receives
#   report-light.png, report-dark.png and the console logs (CI artifacts).
#   --sample first has the AssayReport tests write their sample report (every
#   block and chart kind) to .build/report-sample/ and checks that.
#
# Installs Debian's chromium when missing (needs root or sudo). Runs as root
# with --no-sandbox, which Chromium requires for root.
set -euo pipefail

if [[ ${1:-} == --sample ]]; then
    cd "$(dirname "$0")/.."
    sample="$PWD/.build/report-sample"
    mkdir -p "$sample"
    if ! ASSAY_REPORT_SAMPLE_DIR="$sample" swift test --filter AssayReportTests.SampleReportTests >"$sample/swift-test.log" 2>&1; then
        cat "$sample/swift-test.log" >&2
        exit 1
    fi
    set -- "$sample/sample-report.html" "${@:2}"
fi
if [[ $# -lt 1 || ! -f "$1" ]]; then
    echo "usage: $0 REPORT.html [OUTPUT_DIR]" >&2
    exit 2
fi
report="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="${2:-$(dirname "$report")/browser-check}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if ! command -v chromium >/dev/null 2>&1; then
    echo "chromium missing: installing Debian's package" >&2
    sudo_cmd=""
    [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q chromium >/dev/null
fi

# Chromium wants a writable home and profile; keep them out of the user's.
profile="$(mktemp -d)"
work="$(mktemp -d)"
trap 'rm -rf "$profile" "$work"' EXIT
export HOME="$profile"

browser() {
    # The Debian wrapper script prints a harmless shell warning; drop D-Bus noise too.
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$profile/data" --no-first-run --disable-extensions \
        --enable-logging=stderr --v=0 "$@"
}

# 1. Measure in the page: a copy with a measuring script (allowed by an added
#    script-src; images stay restricted to data: URIs as in the original).
python3 - "$report" "$work/measured.html" <<'PY'
import sys
html = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>
window.addEventListener('load', () => {
  const bad = [];
  const images = Array.from(document.images);
  images.forEach((img, i) => {
    const box = img.getBoundingClientRect();
    if (!img.complete || img.naturalWidth === 0 || box.width === 0 || box.height === 0) bad.push('img#' + i + ':' + img.alt);
  });
  const plots = Array.from(document.querySelectorAll('svg'));
  plots.forEach((svg, i) => {
    const box = svg.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) bad.push('svg#' + i + ':' + (svg.getAttribute('aria-label') || ''));
  });
  const result = document.createElement('pre');
  result.id = 'assay-browser-check';
  result.textContent = 'ASSAY-CHECK images=' + images.length + ' plots=' + plots.length +
    ' height=' + Math.ceil(document.documentElement.scrollHeight) + ' bad=' + bad.join('|') + ' END';
  document.body.appendChild(result);
});
</script>"""
html = html.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';", 1)
if "</body>" in html:
    html = html.replace("</body>", probe + "</body>", 1)
else:
    html += probe
open(sys.argv[2], "w", encoding="utf-8").write(html)
PY
browser --dump-dom --virtual-time-budget=5000 --window-size=1280,2000 "file://$work/measured.html" \
    >"$work/dom.html" 2>"$out/console-measure.log" || true
summary="$(grep -o 'ASSAY-CHECK[^<]*END' "$work/dom.html" || true)"
if [[ -z "$summary" ]]; then
    echo "FAIL: the page did not finish loading (no measurement in the DOM)" >&2
    exit 1
fi
echo "measured: ${summary#ASSAY-CHECK }"
failed=0
bad="$(sed -E 's/.* bad=(.*) END/\1/' <<<"$summary")"
if [[ -n "$bad" ]]; then
    echo "FAIL: zero-size or undecoded elements: $bad" >&2
    failed=1
fi
height="$(sed -E 's/.* height=([0-9]+) .*/\1/' <<<"$summary")"
# The screenshot covers the whole page, within reason.
(( height < 600 )) && height=600
(( height > 16000 )) && height=16000

# 2 and 3. The original file, untouched: screenshots and console in both themes.
for theme in light dark; do
    flags=()
    if [[ $theme == dark ]]; then flags=(--force-dark-mode --blink-settings=preferredColorScheme=0); fi
    shot="$out/report-$theme.png"
    rm -f "$shot"
    browser "${flags[@]}" --virtual-time-budget=5000 --window-size="1280,$height" --screenshot="$shot" \
        "file://$report" >/dev/null 2>"$out/console-$theme.log" || true
    if grep -q 'CONSOLE' "$out/console-$theme.log"; then
        echo "FAIL ($theme): console messages:" >&2
        grep 'CONSOLE' "$out/console-$theme.log" >&2
        failed=1
    fi
    if ! python3 - "$shot" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
try:
    data = open(path, "rb").read()
except OSError:
    sys.exit(f"no screenshot at {path}")
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{path} is not a PNG")
width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
pos, idat = 8, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + length]
    pos += 12 + length
channels = {2: 3, 6: 4, 0: 1, 4: 2}[colour]
if depth != 8:
    sys.exit(f"unexpected bit depth {depth}")
raw, stride = zlib.decompress(idat), width * channels
# Unfiltering is pure Python: the first 2000 rows (the first screen) are enough to see a blank page.
rows, previous, offset = [], bytearray(stride), 0
for _ in range(min(height, 2000)):
    kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
    offset += 1 + stride
    for i in range(stride):
        left = line[i - channels] if i >= channels else 0
        up, corner = previous[i], previous[i - channels] if i >= channels else 0
        if kind == 1: line[i] = (line[i] + left) & 255
        elif kind == 2: line[i] = (line[i] + up) & 255
        elif kind == 3: line[i] = (line[i] + (left + up) // 2) & 255
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
    rows.append(bytes(line))
    previous = line
background = rows[0][:channels]
differing = sum(1 for row in rows[::4] for x in range(0, stride, channels * 4) if row[x:x + channels] != background)
sampled = len(rows[::4]) * len(range(0, stride, channels * 4))
share = differing / sampled
print(f"{path}: {width}x{height}, {share:.1%} of sampled pixels differ from the background")
if share < 0.01:
    sys.exit(f"{path} looks blank")
PY
    then
        failed=1
    fi
done

if (( failed )); then
    echo "FAIL: see $out" >&2
    exit 1
fi
echo "OK: $report loads without console messages; screenshots in $out"
