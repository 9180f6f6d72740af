#!/bin/sh
# Sets up the real print path used by the CUPS tests and by a Linux kiosk without a photo printer:
# a running cupsd and a cups-pdf queue named kiosk-pdf whose output lands in a known folder.
# Idempotent: safe to run before every test run. Needs root (or sudo) for cupsd and lpadmin.
#   KIOSK_CUPS_QUEUE    queue name            (default kiosk-pdf)
#   KIOSK_CUPS_PDF_OUT  cups-pdf output dir   (default /var/spool/cups-pdf/kiosk)
set -eu

QUEUE="${KIOSK_CUPS_QUEUE:-kiosk-pdf}"
OUT="${KIOSK_CUPS_PDF_OUT:-/var/spool/cups-pdf/kiosk}"
CONF=/etc/cups/cups-pdf.conf

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else echo "ci-cups-setup: needs root or sudo" >&2; exit 1; fi
fi

for bin in cupsd lpadmin lpstat cupsenable; do
  command -v "$bin" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
  command -v "$bin" >/dev/null 2>&1 || { echo "ci-cups-setup: $bin not found (apt-get install cups printer-driver-cups-pdf)" >&2; exit 1; }
done
PPD=""
for p in /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd /usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd /usr/share/cups/model/CUPS-PDF_opt.ppd; do
  [ -f "$p" ] && { PPD="$p"; break; }
done
[ -n "$PPD" ] || { echo "ci-cups-setup: cups-pdf PPD not found (apt-get install printer-driver-cups-pdf)" >&2; exit 1; }

# cups-pdf: one known output folder for every user, file names carrying the CUPS job id
# (Label 2 → "<title>-job_<id>.pdf") so a test can find the exact output of its job.
$SUDO mkdir -p "$OUT"
$SUDO chmod 0777 "$OUT"
if [ -f "$CONF" ]; then
  $SUDO sed -i -E \
    -e "s|^#?[[:space:]]*Out[[:space:]].*|Out $OUT|" \
    -e "s|^#?[[:space:]]*AnonDirName[[:space:]].*|AnonDirName $OUT|" \
    -e "s|^#?[[:space:]]*Label[[:space:]].*|Label 2|" \
    "$CONF"
  grep -q "^Out $OUT" "$CONF" || echo "Out $OUT" | $SUDO tee -a "$CONF" >/dev/null
  grep -q "^AnonDirName $OUT" "$CONF" || echo "AnonDirName $OUT" | $SUDO tee -a "$CONF" >/dev/null
  grep -q '^Label 2' "$CONF" || echo 'Label 2' | $SUDO tee -a "$CONF" >/dev/null
fi

# cupsd: start it when the scheduler does not answer (containers have no systemd).
if ! lpstat -r >/dev/null 2>&1 || lpstat -r 2>&1 | grep -q 'not running'; then
  $SUDO mkdir -p /run/cups /var/spool/cups /var/cache/cups /var/log/cups
  if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
    $SUDO systemctl start cups
  else
    $SUDO cupsd
  fi
  i=0
  until lpstat -r 2>/dev/null | grep -q 'is running'; do
    i=$((i + 1)); [ "$i" -gt 50 ] && { echo "ci-cups-setup: cupsd did not start" >&2; exit 1; }
    sleep 0.2
  done
fi

# The queue: created once, then only re-enabled (a previous run may have left it paused).
if ! lpstat -p "$QUEUE" >/dev/null 2>&1; then
  $SUDO lpadmin -p "$QUEUE" -v cups-pdf:/ -E -P "$PPD" -o printer-error-policy=stop-printer
fi
$SUDO cupsenable "$QUEUE"
$SUDO cupsaccept "$QUEUE" 2>/dev/null || true
echo "ci-cups-setup: queue $QUEUE ready, cups-pdf output in $OUT"
