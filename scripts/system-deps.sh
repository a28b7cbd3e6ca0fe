#!/usr/bin/env bash
# Installs the system packages tumis-mining uses, when they are missing:
#   tesseract-ocr + tesseract-ocr-ind   OCR of scanned pages (Indonesian)
#   chromium (with --test)              headless browser for the `tumis serve` test
# Needs root and apt-get; elsewhere it says what to install and carries on (OCR is then off).
set -euo pipefail
want_browser=false
[ "${1:-}" = "--test" ] && want_browser=true
have_ocr() { command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx ind; }
if $want_browser && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium ..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "note: chromium is missing (e.g. sudo apt-get install chromium); the browser test of tumis serve will fail" >&2
  fi
fi
if have_ocr; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing tesseract-ocr and tesseract-ocr-ind ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends tesseract-ocr tesseract-ocr-ind >/dev/null
  have_ocr && exit 0
  echo "tesseract was installed but its Indonesian data is missing" >&2
  exit 1
fi
echo "note: OCR is unavailable: install tesseract-ocr and tesseract-ocr-ind (e.g. sudo apt-get install tesseract-ocr tesseract-ocr-ind); scanned pages will carry a needs_ocr warning" >&2
