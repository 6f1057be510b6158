#!/bin/sh
# Installs (or updates) the Tankkaamo kiosk on Debian 12+ or Raspberry Pi OS: system packages,
# the service users, a venv in /opt/tankkaamo-kiosk, the settings file with generated secrets,
# the systemd units and the udev rule. Safe to run again: it keeps the settings, the secrets
# and the data, and updates the code and the units. See deploy/README.md.
#
#   sudo sh deploy/install.sh               install or update
#   sudo sh deploy/install.sh --dry-run     print every step, change nothing
#   sudo sh deploy/install.sh --uninstall   remove units, rules and code; keep data and settings
#   options: --no-browser (no screen on this machine), --door (another door of a space whose
#   server is elsewhere: only the scanner, its watchdog and the screen), --https ADDRESSES
#   (HTTPS on the LAN through Caddy for door tablets, e.g. "tankkaamo.local, 192.168.1.20"),
#   --root DIR (write under DIR; with a DIR other than /, system-wide steps such as apt,
#   useradd and systemctl are skipped)
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
DEPLOY="$SRC/deploy"

SERVICE_USER=tankkaamo
SCREEN_USER=tankkaamo-screen
OPT=/opt/tankkaamo-kiosk
ETC=/etc/tankkaamo-kiosk
STATE=/var/lib/tankkaamo-kiosk
SCREEN_STATE=/var/lib/tankkaamo-screen
UNIT_DIR=/etc/systemd/system
UDEV_RULE=/etc/udev/rules.d/99-tankkaamo-kiosk.rules
PAM_FILE=/etc/pam.d/tankkaamo-kiosk-browser
CADDYFILE=/etc/caddy/Caddyfile
CADDY_DROP_IN=/etc/systemd/system/caddy.service.d/tankkaamo-kiosk.conf
# Where Debian's caddy (user caddy, home /var/lib/caddy) keeps its local CA.
CADDY_CA_DIR=/var/lib/caddy/.local/share/caddy/pki/authorities/local
WRAPPER=/usr/local/bin/tankkaamo-kiosk

SERVER_UNITS="tankkaamo-kiosk.service tankkaamo-kiosk-scanner.service"
TIMER_UNITS="tankkaamo-kiosk-backup.timer tankkaamo-kiosk-watchdog.timer"
ONESHOT_UNITS="tankkaamo-kiosk-backup.service tankkaamo-kiosk-watchdog.service"
BROWSER_UNIT=tankkaamo-kiosk-browser.service

# libzbar0: QR decoding. libusb-1.0-0: USB printers. fonts-dejavu-core: badge text.
# curl: the browser waits for the web app with it.
BASE_PACKAGES="python3 python3-venv libzbar0 libusb-1.0-0 fonts-dejavu-core curl"

DRY_RUN=0
UNINSTALL=0
WITH_BROWSER=1
DOOR=0
HTTPS_ADDRESSES=
ROOT=/

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --uninstall) UNINSTALL=1 ;;
    --no-browser) WITH_BROWSER=0 ;;
    --door) DOOR=1 ;;
    --https)
      [ $# -ge 2 ] || { echo "install.sh: --https needs the kiosk's LAN names or addresses" >&2; exit 2; }
      HTTPS_ADDRESSES=$2
      shift
      ;;
    --https=*) HTTPS_ADDRESSES=${1#--https=} ;;
    --root)
      [ $# -ge 2 ] || { echo "install.sh: --root needs a folder" >&2; exit 2; }
      ROOT=$2
      shift
      ;;
    --root=*) ROOT=${1#--root=} ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

SERVER_ONLY_UNITS="tankkaamo-kiosk.service tankkaamo-kiosk-backup.timer tankkaamo-kiosk-backup.service"
if [ "$DOOR" -eq 1 ]; then
  SERVER_UNITS="tankkaamo-kiosk-scanner.service"
  TIMER_UNITS="tankkaamo-kiosk-watchdog.timer"
  ONESHOT_UNITS="tankkaamo-kiosk-watchdog.service"
fi
ROOT=${ROOT%/}
# With ROOT empty every path below is the real one.

# --- helpers ---------------------------------------------------------------------------------

step() {
  echo ""
  echo "== $*"
}

# Prints the command, then runs it unless this is a dry run.
run() {
  echo "+ $*"
  if [ "$DRY_RUN" -eq 0 ]; then
    "$@"
  fi
}

# System-wide steps (packages, users, systemctl, udevadm) only make sense on the running system.
system_wide() {
  if [ -n "$ROOT" ] && [ "$DRY_RUN" -eq 0 ]; then
    echo "+ (skipped under --root $ROOT) $*"
    return 0
  fi
  run "$@"
}

# install_file SOURCE DEST MODE [OWNER]: copies a file with its mode, creating the folder.
install_file() {
  run mkdir -p "$ROOT$(dirname "$2")"
  owner=${4:-root}
  if [ -n "$ROOT" ] && [ "$DRY_RUN" -eq 0 ]; then
    owner=$(id -un)  # files under --root belong to whoever runs the test or the image build
  fi
  run install -m "$3" -o "$owner" -g "$(id -gn "$owner" 2>/dev/null || echo "$owner")" "$1" "$ROOT$2"
}

remove() {
  if [ -e "$ROOT$1" ] || [ -L "$ROOT$1" ] || [ "$DRY_RUN" -eq 1 ]; then
    run rm -rf "$ROOT$1"
  fi
}

new_secret() {
  # 32 random bytes as hex: no characters that need quoting in an environment file.
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

user_exists() {
  getent passwd "$1" >/dev/null 2>&1
}

group_exists() {
  getent group "$1" >/dev/null 2>&1
}

# Adds a user to the groups in $2 (space separated) that exist on this system.
add_to_groups() {
  for group in $2; do
    if group_exists "$group" || [ "$DRY_RUN" -eq 1 ]; then
      system_wide usermod -a -G "$group" "$1"
    fi
  done
}

create_user() {  # create_user NAME HOME
  # Under --root the host's users say nothing about the target, so the step is always shown.
  if [ -z "$ROOT" ] && user_exists "$1"; then
    echo "  user $1 exists"
    return 0
  fi
  system_wide useradd --system --user-group --home-dir "$2" --no-create-home \
    --shell /usr/sbin/nologin "$1"
}

browser_package() {
  # Raspberry Pi OS packages Chromium as chromium-browser; Debian as chromium.
  if [ -e /etc/rpi-issue ]; then echo chromium-browser; else echo chromium; fi
}

all_units() {
  echo "$SERVER_UNITS $TIMER_UNITS $ONESHOT_UNITS $BROWSER_UNIT"
}

# --- the steps -------------------------------------------------------------------------------

check_root() {
  if [ "$DRY_RUN" -eq 0 ] && [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run it as root: sudo sh $0 (or try --dry-run)" >&2
    exit 1
  fi
}

install_packages() {
  step "System packages"
  packages=$BASE_PACKAGES
  if [ "$WITH_BROWSER" -eq 1 ]; then
    packages="$packages cage $(browser_package)"
  fi
  if [ -n "$HTTPS_ADDRESSES" ]; then
    packages="$packages caddy"
  fi
  # shellcheck disable=SC2086  # the package list is meant to split into words
  system_wide sh "$DEPLOY/system-packages.sh" $packages
}

create_users() {
  step "Service users"
  create_user "$SERVICE_USER" "$STATE"
  # lp: /dev/usb/lp* printers; dialout: serial printers; video: webcams.
  add_to_groups "$SERVICE_USER" "lp dialout video"
  if [ "$WITH_BROWSER" -eq 1 ]; then
    create_user "$SCREEN_USER" "$SCREEN_STATE"
    # The logind session gives the display and input; the groups are a fallback, and audio is
    # for the scan sound.
    add_to_groups "$SCREEN_USER" "video render input audio"
  fi
}

create_folders() {
  step "Folders"
  run mkdir -p "$ROOT$OPT/bin" "$ROOT$ETC" "$ROOT$STATE/backups"
  run chmod 700 "$ROOT$ETC"
  run chmod 750 "$ROOT$STATE" "$ROOT$STATE/backups"
  system_wide chown "$SERVICE_USER:$SERVICE_USER" "$ROOT$STATE" "$ROOT$STATE/backups"
}

install_venv() {
  step "Python venv in $OPT/venv (the kiosk from $SRC)"
  venv="$ROOT$OPT/venv"
  if [ -n "$ROOT" ] && [ "$DRY_RUN" -eq 0 ]; then
    echo "+ (skipped under --root $ROOT) python3 -m venv $venv && pip install $SRC"
    return 0
  fi
  if [ "$DRY_RUN" -eq 1 ]; then
    python="\$(sh $DEPLOY/find-python.sh)"
  else
    python=$(sh "$DEPLOY/find-python.sh")
  fi
  if [ ! -x "$venv/bin/python" ] || [ "$DRY_RUN" -eq 1 ]; then
    run "$python" -m venv "$venv"
  fi
  run "$venv/bin/python" -m pip install --quiet --upgrade pip
  run "$venv/bin/python" -m pip install --quiet --upgrade "$SRC"
  # Same version number, new code: pip would keep the installed copy without this.
  run "$venv/bin/python" -m pip install --quiet --no-deps --force-reinstall "$SRC"
}

install_helpers() {
  step "Helper scripts"
  install_file "$DEPLOY/bin/tankkaamo-kiosk" "$WRAPPER" 755
  install_file "$DEPLOY/bin/kiosk-browser" "$OPT/bin/kiosk-browser" 755
  install_file "$DEPLOY/bin/scanner-watchdog.py" "$OPT/bin/scanner-watchdog.py" 644
  install_file "$DEPLOY/README.md" "$OPT/README.md" 644
}

write_config() {
  step "Settings in $ETC/kiosk.env (mode 600)"
  env_file="$ROOT$ETC/kiosk.env"
  if [ -f "$env_file" ]; then
    echo "  keeping $ETC/kiosk.env (settings and secrets unchanged)"
    for key in KIOSK_SECRET_KEY KIOSK_DEVICE_TOKEN; do
      if ! grep -q "^$key=." "$env_file"; then
        echo "+ add a generated $key to $ETC/kiosk.env"
        if [ "$DRY_RUN" -eq 0 ]; then
          # A file edited by hand may lack its last newline: never glue two settings together.
          if [ -s "$env_file" ] && [ -n "$(tail -c 1 "$env_file")" ]; then
            echo >>"$env_file"
          fi
          echo "$key=$(new_secret)" >>"$env_file"
        fi
      fi
    done
  else
    echo "+ write $ETC/kiosk.env from deploy/kiosk.env.in with new secrets (mode 600)"
    if [ "$DRY_RUN" -eq 0 ]; then
      # umask first, so the secrets are never readable by others, not even for a moment.
      (
        umask 077
        sed -e "s/@SECRET_KEY@/$(new_secret)/" -e "s/@DEVICE_TOKEN@/$(new_secret)/" \
          "$DEPLOY/kiosk.env.in" >"$env_file.new"
        mv "$env_file.new" "$env_file"
      )
    fi
  fi
  run chmod 600 "$env_file"
  system_wide chown root:root "$env_file"
}

install_units() {
  step "systemd units in $UNIT_DIR"
  if [ "$DOOR" -eq 1 ]; then
    # A door has no web app and makes no backups; a machine that was a server before loses
    # those units here, so that an update never starts them again.
    for unit in $SERVER_ONLY_UNITS; do
      if [ -e "$ROOT$UNIT_DIR/$unit" ]; then
        system_wide systemctl disable --now "$unit"
        remove "$UNIT_DIR/$unit"
      fi
    done
  fi
  for unit in $SERVER_UNITS $TIMER_UNITS $ONESHOT_UNITS; do
    install_file "$DEPLOY/systemd/$unit" "$UNIT_DIR/$unit" 644
  done
  if [ "$WITH_BROWSER" -eq 1 ]; then
    install_file "$DEPLOY/systemd/$BROWSER_UNIT" "$UNIT_DIR/$BROWSER_UNIT" 644
    install_file "$DEPLOY/pam/tankkaamo-kiosk-browser" "$PAM_FILE" 644
  elif [ -e "$ROOT$UNIT_DIR/$BROWSER_UNIT" ]; then
    # --no-browser on a machine that had a screen before: stop it before removing its unit.
    system_wide systemctl disable --now "$BROWSER_UNIT"
    remove "$UNIT_DIR/$BROWSER_UNIT"
    remove "$PAM_FILE"
  fi
}

install_udev_rule() {
  step "udev rule: USB printers to group $SERVICE_USER, webcams to group video"
  install_file "$DEPLOY/udev/99-tankkaamo-kiosk.rules" "$UDEV_RULE" 644
  system_wide udevadm control --reload-rules
  system_wide udevadm trigger --subsystem-match=usb --subsystem-match=video4linux
}

enable_units() {
  step "Enable and (re)start the units"
  system_wide systemctl daemon-reload
  # shellcheck disable=SC2086  # unit lists split into words
  system_wide systemctl enable $SERVER_UNITS $TIMER_UNITS
  # Restart, not start: after an update the running processes must load the new code.
  # shellcheck disable=SC2086
  system_wide systemctl restart $SERVER_UNITS
  # shellcheck disable=SC2086
  system_wide systemctl start $TIMER_UNITS
  if [ "$WITH_BROWSER" -eq 1 ]; then
    system_wide systemctl enable "$BROWSER_UNIT"
    system_wide systemctl restart "$BROWSER_UNIT"
  fi
}

# HTTPS on the LAN for door tablets (their camera works only on https): Caddy with its own
# local CA in front of the kiosk, and the kiosk told that one proxy stands before it.
install_https() {
  step "HTTPS on the LAN through Caddy: $HTTPS_ADDRESSES"
  if [ -f "$ROOT$CADDYFILE" ] && ! grep -q "Tankkaamo\|the kiosk" "$ROOT$CADDYFILE"; then
    # Debian's own example Caddyfile (or the admin's): kept beside ours, never lost.
    run cp "$ROOT$CADDYFILE" "$ROOT$CADDYFILE.before-tankkaamo"
  fi
  install_file "$DEPLOY/caddy/Caddyfile" "$CADDYFILE" 644
  echo "+ write $CADDY_DROP_IN (KIOSK_LAN_ADDRESS=$HTTPS_ADDRESSES)"
  if [ "$DRY_RUN" -eq 0 ]; then
    mkdir -p "$ROOT$(dirname "$CADDY_DROP_IN")"
    {
      echo "# Written by deploy/install.sh --https: what deploy/caddy/Caddyfile serves."
      echo "[Service]"
      echo "Environment=\"KIOSK_LAN_ADDRESS=$HTTPS_ADDRESSES\""
      echo "Environment=KIOSK_CA_DIR=$CADDY_CA_DIR"
    } >"$ROOT$CADDY_DROP_IN"
  fi
  env_file="$ROOT$ETC/kiosk.env"
  if ! grep -q "^KIOSK_PROXY_HOPS=" "$env_file" 2>/dev/null; then
    echo "+ add KIOSK_PROXY_HOPS=1 to $ETC/kiosk.env (Caddy is one proxy in front)"
    if [ "$DRY_RUN" -eq 0 ]; then
      if [ -s "$env_file" ] && [ -n "$(tail -c 1 "$env_file")" ]; then
        echo >>"$env_file"
      fi
      echo "KIOSK_PROXY_HOPS=1" >>"$env_file"
    fi
  fi
  system_wide systemctl daemon-reload
  system_wide systemctl enable caddy
  system_wide systemctl restart caddy
  if [ -z "$ROOT" ] && [ "$DRY_RUN" -eq 0 ]; then
    print_ca_fingerprint
  fi
}

# The fingerprint that tablet owners compare before trusting the downloaded certificate.
print_ca_fingerprint() {
  tries=0
  while [ ! -f "$CADDY_CA_DIR/root.crt" ] && [ "$tries" -lt 30 ]; do
    sleep 1
    tries=$((tries + 1))
  done
  if [ ! -f "$CADDY_CA_DIR/root.crt" ]; then
    echo "  Caddy has not made its CA yet: see journalctl -u caddy"
    return 0
  fi
  fingerprint=$(python3 -c 'import base64,hashlib,sys
pem = open(sys.argv[1]).read().split("-----")[2]
digest = hashlib.sha256(base64.b64decode(pem)).hexdigest().upper()
print(":".join(digest[i:i + 2] for i in range(0, 64, 2)))' "$CADDY_CA_DIR/root.crt")
  echo "  Local CA for the tablets: http://<address>/tankkaamo-ca.crt"
  echo "  Its SHA-256 fingerprint:  $fingerprint"
}

uninstall() {
  step "Stop and disable the units"
  for unit in $(all_units); do
    if [ -e "$ROOT$UNIT_DIR/$unit" ] || [ "$DRY_RUN" -eq 1 ]; then
      system_wide systemctl disable --now "$unit"
    fi
  done
  step "Remove units, the udev rule, the PAM file, the helpers and the code"
  for unit in $(all_units); do
    remove "$UNIT_DIR/$unit"
  done
  remove "$UDEV_RULE"
  remove "$PAM_FILE"
  if [ -e "$ROOT$CADDY_DROP_IN" ]; then
    # Caddy goes back to what it served before the kiosk (its data and CA are kept).
    remove "$CADDY_DROP_IN"
    if [ -e "$ROOT$CADDYFILE.before-tankkaamo" ]; then
      run mv "$ROOT$CADDYFILE.before-tankkaamo" "$ROOT$CADDYFILE"
    fi
    system_wide systemctl restart caddy
  fi
  remove "$WRAPPER"
  remove "$OPT"
  system_wide systemctl daemon-reload
  system_wide udevadm control --reload-rules
  step "Kept"
  echo "  settings and secrets: $ETC/kiosk.env"
  echo "  data and backups:     $STATE"
  echo "  users:                $SERVICE_USER, $SCREEN_USER"
  echo "  To remove them too:   sudo rm -r $ETC $STATE $SCREEN_STATE" \
    "&& sudo userdel $SERVICE_USER && sudo userdel $SCREEN_USER"
}

# --- main ------------------------------------------------------------------------------------

check_root
if [ "$DRY_RUN" -eq 1 ]; then
  echo "Dry run: printing every step, changing nothing."
fi
if [ "$UNINSTALL" -eq 1 ]; then
  uninstall
  exit 0
fi
install_packages
create_users
create_folders
install_venv
install_helpers
write_config
install_units
install_udev_rule
enable_units
if [ -n "$HTTPS_ADDRESSES" ]; then
  install_https
fi
step "Done"
echo "  The kiosk: http://127.0.0.1:8080/ on this machine (the screen shows it after a reboot)."
if [ -n "$HTTPS_ADDRESSES" ]; then
  echo "  Door tablets: https://<one of: $HTTPS_ADDRESSES>/ (see \"Door tablets\" in $OPT/README.md)."
fi
echo "  Next: choose the camera and the printer, see $OPT/README.md."
echo "  Logs: journalctl -u 'tankkaamo-kiosk*' -f"
