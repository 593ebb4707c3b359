#!/usr/bin/env bash
# Install the Debian packages the project needs, only those missing (idempotent).
#   chromium            browser tests (Playwright drives Debian's Chromium)
#   fonts-noto-cjk      Chinese glyphs in PDFs and screenshots
#   libpango*/harfbuzz  WeasyPrint's text layout
#   poppler-utils       pdftotext / pdftoppm in PDF tests
#   gettext             compilemessages for the zh-hans catalog
set -euo pipefail
PACKAGES=(chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils gettext)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
