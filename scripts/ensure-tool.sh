# Sourced by scripts/ensure-*.sh: makes sure a Debian-packaged tool the tests or harnesses run is installed.
#
# ensure_tool <override variable> <default path> <package> <display name> <what needs it> [apt-get install options]
# Succeeds when the tool is executable at $<override variable> (when set) or the default path. An override that is
# not executable fails (never silently replaced by the package). Otherwise installs the package with apt-get when
# running as root, or fails with a hint.
ensure_tool() {
  local var="$1" default="$2" package="$3" name="$4" purpose="$5"
  shift 5
  local override="${!var:-}"
  if [ -x "${override:-$default}" ]; then return 0; fi
  if [ -n "$override" ]; then
    echo "$var=$override is not an executable file" >&2
    return 1
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's $package for $purpose..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" "$package" >/dev/null
    return 0
  fi
  echo "$name is missing: install it (sudo apt-get install $package) or set $var." >&2
  return 1
}
